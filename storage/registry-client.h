/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* registry-client.h: the OCI distribution API over HTTP(S), with libcurl.
 *
 * One client per registry and repository.  It pings /v2/ first (and, when TLS is not
 * verified, falls back to plain http if the server does not speak TLS), answers 401s:
 * Bearer challenges by fetching a token from the realm (anonymously, or with Basic
 * credentials from an auth file) and Basic challenges with those credentials.  Manifests
 * are read into memory (bounded), blobs streamed to a file descriptor (bounded by their
 * descriptor's size) through a SHA-256 checksum.  Thread-safe: the layer downloads share
 * one client.  Only sbx-import links it (libcurl stays out of the run path). */
#pragma once

#include <glib.h>
#include "registry.h"

G_BEGIN_DECLS

typedef struct SbxRegistryClient SbxRegistryClient;

/* curl_global_init, once per process (before any thread). */
gboolean sbx_registry_client_global_init (GError **error);

SbxRegistryClient *sbx_registry_client_new (const SbxReference *ref, gboolean tls_verify, GError **error);
void sbx_registry_client_free (SbxRegistryClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxRegistryClient, sbx_registry_client_free)

/* GET /v2/<repo>/manifests/<@reference> with the manifest and index media types in Accept.
 * 404 is SBX_ERROR_NOT_FOUND. */
GBytes *sbx_registry_client_get_manifest (SbxRegistryClient *client, const char *reference,
                                          char **out_content_type, GError **error);

typedef struct {
  int fd;              /* written from @offset on */
  gint64 offset;       /* bytes already in fd (and fed to @checksum): asked for with Range */
  gint64 limit;        /* the descriptor's size: more is an error */
  GChecksum *checksum; /* fed every byte written */
  gint64 *progress;    /* atomically set to the bytes in fd (may be NULL) */
  gint *cancel;        /* non-zero (atomic) stops the transfer (may be NULL) */
  gboolean restarted;  /* out: the server ignored Range; fd and checksum were reset */
} SbxBlobSink;

/* GET /v2/<repo>/blobs/<digest> into @sink.  Does not check the size or digest at the end:
 * the caller does, on the whole file. */
gboolean sbx_registry_client_get_blob (SbxRegistryClient *client, const char *digest,
                                       SbxBlobSink *sink, GError **error);

G_END_DECLS
