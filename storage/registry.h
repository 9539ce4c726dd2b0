/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* registry.h: what sbx knows about container registries without talking to one: image
 * references and short-name resolution (registries.conf), WWW-Authenticate challenges,
 * credentials in auth files, and manifests / image indexes as the distribution API serves
 * them.  Pure parsing, no network: linked into sbx (the run path asks "is this a
 * reference?") as well as into the sbx-import helper, which does the pulling
 * (registry-client.h, pull.h).
 *
 * Reference grammar (Docker's): [DOMAIN/]PATH[:TAG][@sha256:HEX]. DOMAIN is the first
 * component when it has a '.' or a ':' or is "localhost"; PATH components are
 * [a-z0-9]+ joined by '.', '_', '__' or dashes; TAG is [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SBX_REGISTRY_DOCKER_HUB "docker.io"
#define SBX_REGISTRY_MAX_MANIFEST (4 * 1024 * 1024)

typedef struct {
  char *registry;   /* "docker.io", "localhost:5000"; NULL for a short name */
  char *repository; /* "library/busybox", "x" */
  char *tag;        /* NULL when none was given */
  char *digest;     /* "sha256:<hex>" or NULL */
} SbxReference;

void sbx_reference_free (SbxReference *ref);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxReference, sbx_reference_free)

/* Parses @text; a short name (no domain) gets registry NULL.  Nothing is defaulted. */
SbxReference *sbx_reference_parse (const char *text, GError **error);
/* "registry/repository[:tag][@digest]". */
char *sbx_reference_to_string (const SbxReference *ref);
/* The tag or digest to ask the registry for (digest wins; "latest" when neither). */
const char *sbx_reference_manifest_ref (const SbxReference *ref);
/* The host the API lives on: registry-1.docker.io for docker.io, else the registry. */
const char *sbx_reference_api_host (const SbxReference *ref);

/* TRUE when @name parses as a reference (short names too: "busybox" is one). */
gboolean sbx_registry_looks_like_reference (const char *name);
/* TRUE when @name is a reference that names its registry ("localhost:5000/x",
 * "quay.io/a/b:1"): pulling it never consults the search list. */
gboolean sbx_registry_is_qualified_reference (const char *name);

/* registries.conf (GKeyFile):
 *   [registries]
 *   search=docker.io;quay.io;      short names are tried in these registries, in order
 *   insecure=localhost:5000;       TLS not verified, plain http allowed (as --tls-verify=false)
 *   [aliases]
 *   myapp=localhost:5000/team/myapp   a short name (without tag) -> a full name
 * Read from $XDG_CONFIG_HOME/sbx/registries.conf, else /etc/sbx/registries.conf
 * ($SBX_REGISTRIES_CONF overrides both); without one, search is docker.io. */
typedef struct {
  char **search;
  char **insecure;
  GHashTable *aliases; /* short name -> full name */
} SbxRegistriesConf;

void sbx_registries_conf_free (SbxRegistriesConf *conf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxRegistriesConf, sbx_registries_conf_free)
SbxRegistriesConf *sbx_registries_conf_load (GError **error);
SbxRegistriesConf *sbx_registries_conf_parse (const char *data, gsize len, const char *what, GError **error);
gboolean sbx_registries_conf_is_insecure (const SbxRegistriesConf *conf, const char *registry);

/* The fully qualified references @text may mean, in the order to try them (an alias, or
 * one per search registry; docker.io short names get "library/"); the tag defaults to
 * "latest" when no digest is given.  SbxReference * elements. */
GPtrArray *sbx_registry_resolve (const SbxRegistriesConf *conf, const char *text, GError **error);

/* One WWW-Authenticate challenge: `Bearer realm="...",service="...",scope="..."` or `Basic realm=...`. */
typedef struct {
  char *scheme; /* lowercase: "bearer", "basic" */
  char *realm;
  char *service;
  char *scope;
} SbxAuthChallenge;

void sbx_auth_challenge_free (SbxAuthChallenge *challenge);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxAuthChallenge, sbx_auth_challenge_free)
SbxAuthChallenge *sbx_auth_challenge_parse (const char *header, GError **error);

/* The "auth" (base64 of user:password) for @registry in an auth file's "auths" object
 * (keys "host", "https://host", "http://host", "https://host/v1/..."; docker.io also as
 * index.docker.io).  *out_auth is NULL when there is none.  FALSE for a malformed file. */
gboolean sbx_registry_auth_file_lookup (const char *data, gsize len, const char *what,
                                        const char *registry, char **out_auth, GError **error);
/* Looks in $REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json, then
 * ~/.docker/config.json; the first with an entry for @registry wins. */
gboolean sbx_registry_find_auth (const char *registry, char **out_auth, GError **error);

/* A content descriptor. */
typedef struct {
  char *media_type;
  char *digest;
  gint64 size;
} SbxDescriptor;

void sbx_descriptor_clear (SbxDescriptor *descriptor);

/* What the registry served for a manifest request. */
typedef struct {
  gboolean is_index;
  SbxDescriptor chosen; /* an index: the manifest for the platform */
  SbxDescriptor config; /* a manifest: its config ... */
  GArray *layers;       /* ... and layers (SbxDescriptor) */
} SbxManifest;

void sbx_manifest_free (SbxManifest *manifest);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxManifest, sbx_manifest_free)

/* Parses a manifest or an index (@content_type: the response's, may be NULL).  For an
 * index, picks the entry for @os/@arch (NULL: linux and the host's architecture; @variant
 * only breaks ties).  Errors are SBX_ERROR_BAD_IMAGE, or SBX_ERROR_NOT_FOUND when the
 * index has no entry for the platform. */
SbxManifest *sbx_manifest_parse (GBytes *bytes, const char *content_type, const char *os,
                                 const char *arch, const char *variant, GError **error);

/* How to pull (shared by `sbx pull`, the implicit pull of `sbx run` and sbx-import). */
typedef struct {
  gboolean tls_verify; /* FALSE: TLS certificates not checked, plain http allowed */
  gboolean quiet;      /* no progress display */
  int progress_fd;     /* where the progress goes when it is a terminal (-1: nowhere) */
} SbxPullOptions;

/* The host's architecture and variant in OCI terms ("amd64", NULL; "arm64", "v8"). */
const char *sbx_registry_host_arch (const char **out_variant);

G_END_DECLS
