/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* registry.c: image references, registries.conf, WWW-Authenticate, auth files and the
 * manifests of the distribution API: everything about registries that needs no network.
 * Every input here is untrusted (command line, config files, registry answers): bounded,
 * checked, one-line errors. */
#include "registry.h"
#include "json-util.h"

#include <string.h>
#include <sys/utsname.h>

#include "sbx-error.h"
#include "storage-private.h"

#define MAX_REFERENCE 255
#define MAX_TAG 128
#define MAX_AUTH_FILE (1024 * 1024)

static const char * const index_types[] = {
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
};
static const char * const manifest_types[] = {
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
};

static gboolean
in_list (const char *value, const char * const *list, gsize n)
{
  for (gsize i = 0; value && i < n; i++)
    if (strcmp (value, list[i]) == 0)
      return TRUE;
  return FALSE;
}

gboolean
sbx_media_type_is_index (const char *media_type)
{
  return in_list (media_type, index_types, G_N_ELEMENTS (index_types));
}

gboolean
sbx_media_type_is_manifest (const char *media_type)
{
  return in_list (media_type, manifest_types, G_N_ELEMENTS (manifest_types));
}

static gboolean
invalid_ref (GError **error, const char *text, const char *problem)
{
  g_autofree char *escaped = g_strescape (text, NULL);
  g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "invalid reference '%s': %s", escaped, problem);
  return FALSE;
}

/* ---------------------------------------------------------------------------
 * References
 * ------------------------------------------------------------------------- */

void
sbx_reference_free (SbxReference *ref)
{
  if (ref == NULL)
    return;
  g_free (ref->registry);
  g_free (ref->repository);
  g_free (ref->tag);
  g_free (ref->digest);
  g_free (ref);
}

static gboolean
is_lower_alnum (char c)
{
  return g_ascii_isdigit (c) || (c >= 'a' && c <= 'z');
}

/* [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)* */
static gboolean
valid_path_component (const char *s, gsize len)
{
  gsize i = 0;

  if (len == 0 || !is_lower_alnum (s[0]) || !is_lower_alnum (s[len - 1]))
    return FALSE;
  while (i < len)
    {
      gsize sep = 0;
      while (i < len && is_lower_alnum (s[i]))
        i++;
      while (i + sep < len && !is_lower_alnum (s[i + sep]))
        sep++;
      if (sep > 0)
        {
          g_autofree char *separator = g_strndup (s + i, sep);
          if (strcmp (separator, ".") != 0 && strcmp (separator, "_") != 0 && strcmp (separator, "__") != 0 &&
              strspn (separator, "-") != sep)
            return FALSE;
        }
      i += sep;
    }
  return TRUE;
}

static gboolean
valid_repository (const char *repo)
{
  g_auto(GStrv) parts = g_strsplit (repo, "/", -1);

  for (char **p = parts; *p; p++)
    if (!valid_path_component (*p, strlen (*p)))
      return FALSE;
  return parts[0] != NULL;
}

/* host[:port], host = [A-Za-z0-9-]+ joined by '.', not starting or ending with '-'. */
static gboolean
valid_domain (const char *domain)
{
  const char *colon = strchr (domain, ':');
  gsize host_len = colon ? (gsize) (colon - domain) : strlen (domain);

  if (host_len == 0 || domain[0] == '.' || domain[0] == '-' || domain[host_len - 1] == '.' ||
      domain[host_len - 1] == '-' || strstr (domain, "..") != NULL)
    return FALSE;
  for (gsize i = 0; i < host_len; i++)
    if (!g_ascii_isalnum (domain[i]) && domain[i] != '.' && domain[i] != '-')
      return FALSE;
  if (colon == NULL)
    return TRUE;
  if (colon[1] == '\0' || strlen (colon + 1) > 5 || strspn (colon + 1, "0123456789") != strlen (colon + 1))
    return FALSE;
  return g_ascii_strtoull (colon + 1, NULL, 10) - 1 < 65535;
}

static gboolean
valid_tag (const char *tag)
{
  gsize len = strlen (tag);

  if (len == 0 || len > MAX_TAG || !(g_ascii_isalnum (tag[0]) || tag[0] == '_'))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!g_ascii_isalnum (tag[i]) && strchr ("_.-", tag[i]) == NULL)
      return FALSE;
  return TRUE;
}

static gboolean
is_domain_component (const char *first, gsize len)
{
  g_autofree char *c = g_strndup (first, len);
  return strchr (c, '.') != NULL || strchr (c, ':') != NULL || strcmp (c, "localhost") == 0;
}

/* Splits off "@digest" and ":tag" (a ':' after the last '/'). */
static gboolean
split_tag_digest (const char *text, char **rest, SbxReference *ref, GError **error)
{
  const char *at = strchr (text, '@');
  g_autofree char *name = at ? g_strndup (text, at - text) : g_strdup (text);
  char *slash = strrchr (name, '/');
  char *colon = strrchr (slash ? slash : name, ':');

  if (at && !sbx_digest_is_valid (at + 1))
    return invalid_ref (error, text, "the digest must be sha256:<64 hex digits>");
  ref->digest = at ? g_strdup (at + 1) : NULL;
  if (colon)
    {
      if (!valid_tag (colon + 1))
        return invalid_ref (error, text, "invalid tag");
      ref->tag = g_strdup (colon + 1);
      *colon = '\0';
    }
  *rest = g_steal_pointer (&name);
  return TRUE;
}

SbxReference *
sbx_reference_parse (const char *text, GError **error)
{
  g_autoptr(SbxReference) ref = g_new0 (SbxReference, 1);
  g_autofree char *name = NULL;
  const char *slash;

  if (text == NULL || *text == '\0' || strlen (text) > MAX_REFERENCE)
    return invalid_ref (error, text ? text : "", "must be 1 to 255 characters"), NULL;
  if (!split_tag_digest (text, &name, ref, error))
    return NULL;
  slash = strchr (name, '/');
  if (slash && is_domain_component (name, slash - name))
    {
      ref->registry = g_strndup (name, slash - name);
      if (!valid_domain (ref->registry))
        return invalid_ref (error, text, "invalid registry host"), NULL;
      ref->repository = g_strdup (slash + 1);
    }
  else
    ref->repository = g_strdup (name);
  if (!valid_repository (ref->repository))
    return invalid_ref (error, text, "the name must be lowercase [a-z0-9] components separated by '/'"), NULL;
  return g_steal_pointer (&ref);
}

char *
sbx_reference_to_string (const SbxReference *ref)
{
  return g_strconcat (ref->registry ? ref->registry : "", ref->registry ? "/" : "", ref->repository,
                      ref->tag ? ":" : "", ref->tag ? ref->tag : "",
                      ref->digest ? "@" : "", ref->digest ? ref->digest : "", NULL);
}

const char *
sbx_reference_manifest_ref (const SbxReference *ref)
{
  return ref->digest ? ref->digest : ref->tag ? ref->tag
                                              : "latest";
}

const char *
sbx_reference_api_host (const SbxReference *ref)
{
  if (g_strcmp0 (ref->registry, SBX_REGISTRY_DOCKER_HUB) == 0)
    return "registry-1.docker.io";
  return ref->registry;
}

gboolean
sbx_registry_looks_like_reference (const char *name)
{
  g_autoptr(SbxReference) ref = sbx_reference_parse (name, NULL);
  return ref != NULL;
}

gboolean
sbx_registry_is_qualified_reference (const char *name)
{
  g_autoptr(SbxReference) ref = sbx_reference_parse (name, NULL);
  return ref != NULL && ref->registry != NULL;
}

/* ---------------------------------------------------------------------------
 * registries.conf and short names
 * ------------------------------------------------------------------------- */

void
sbx_registries_conf_free (SbxRegistriesConf *conf)
{
  if (conf == NULL)
    return;
  g_strfreev (conf->search);
  g_strfreev (conf->insecure);
  g_clear_pointer (&conf->aliases, g_hash_table_unref);
  g_free (conf);
}

static char **
string_list (GKeyFile *file, const char *group, const char *key, const char *fallback)
{
  g_auto(GStrv) list = g_key_file_get_string_list (file, group, key, NULL, NULL);
  g_autoptr(GPtrArray) out = g_ptr_array_new ();

  if (list == NULL)
    return fallback ? g_strsplit (fallback, ";", -1) : g_new0 (char *, 1);
  for (char **item = list; *item; item++)
    if (*g_strstrip (*item) != '\0')
      g_ptr_array_add (out, g_strdup (*item));
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

static gboolean
check_registry_list (char **list, const char *what, const char *key, GError **error)
{
  for (char **r = list; *r; r++)
    if (!valid_domain (*r))
      return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s: [registries] %s: invalid registry '%s'",
                          what, key, *r),
             FALSE;
  return TRUE;
}

static gboolean
load_aliases (GKeyFile *file, SbxRegistriesConf *conf, const char *what, GError **error)
{
  g_auto(GStrv) keys = g_key_file_get_keys (file, "aliases", NULL, NULL);

  for (char **key = keys; key && *key; key++)
    {
      g_autofree char *value = g_key_file_get_string (file, "aliases", *key, NULL);
      g_autoptr(SbxReference) target = value ? sbx_reference_parse (g_strstrip (value), NULL) : NULL;

      if (target == NULL || target->registry == NULL)
        return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                            "%s: [aliases] %s: expected a full name (registry/name)", what, *key),
               FALSE;
      g_hash_table_replace (conf->aliases, g_strdup (*key), g_steal_pointer (&value));
    }
  return TRUE;
}

SbxRegistriesConf *
sbx_registries_conf_parse (const char *data, gsize len, const char *what, GError **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(SbxRegistriesConf) conf = g_new0 (SbxRegistriesConf, 1);
  g_autoptr(GError) local_error = NULL;

  conf->aliases = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (data != NULL && !g_key_file_load_from_data (file, data, len, G_KEY_FILE_NONE, &local_error))
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s: %s", what, local_error->message), NULL;
  conf->search = string_list (file, "registries", "search", SBX_REGISTRY_DOCKER_HUB);
  conf->insecure = string_list (file, "registries", "insecure", NULL);
  if (!check_registry_list (conf->search, what, "search", error) ||
      !check_registry_list (conf->insecure, what, "insecure", error) ||
      !load_aliases (file, conf, what, error))
    return NULL;
  return g_steal_pointer (&conf);
}

SbxRegistriesConf *
sbx_registries_conf_load (GError **error)
{
  const char *env = g_getenv ("SBX_REGISTRIES_CONF");
  g_autofree char *user = g_build_filename (g_get_user_config_dir (), "sbx", "registries.conf", NULL);
  const char *paths[] = { env ? env : user, env ? NULL : "/etc/sbx/registries.conf" };

  for (guint i = 0; i < G_N_ELEMENTS (paths) && paths[i]; i++)
    {
      g_autofree char *data = NULL;
      gsize len;
      g_autoptr(GError) local_error = NULL;

      if (g_file_get_contents (paths[i], &data, &len, &local_error))
        return sbx_registries_conf_parse (data, len, paths[i], error);
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_propagate_error (error, g_steal_pointer (&local_error)), NULL;
    }
  return sbx_registries_conf_parse (NULL, 0, "registries.conf", error);
}

gboolean
sbx_registries_conf_is_insecure (const SbxRegistriesConf *conf, const char *registry)
{
  return conf != NULL && registry != NULL && g_strv_contains ((const char * const *) conf->insecure, registry);
}

static SbxReference *
qualify (const SbxReference *ref, const char *registry)
{
  SbxReference *out = g_new0 (SbxReference, 1);
  gboolean hub = strcmp (registry, SBX_REGISTRY_DOCKER_HUB) == 0;

  out->registry = g_strdup (registry);
  out->repository = hub && strchr (ref->repository, '/') == NULL
                    ? g_strconcat ("library/", ref->repository, NULL)
                    : g_strdup (ref->repository);
  out->tag = g_strdup (ref->tag ? ref->tag : ref->digest ? NULL
                                                         : "latest");
  out->digest = g_strdup (ref->digest);
  return out;
}

/* An alias target with the tag/digest of @ref when it gives one. */
static SbxReference *
apply_alias (const SbxReference *ref, const char *target, GError **error)
{
  g_autoptr(SbxReference) aliased = sbx_reference_parse (target, error);

  if (aliased == NULL)
    return NULL;
  if (ref->tag || ref->digest)
    {
      g_free (aliased->tag);
      g_free (aliased->digest);
      aliased->tag = g_strdup (ref->tag);
      aliased->digest = g_strdup (ref->digest);
    }
  return qualify (aliased, aliased->registry);
}

/* Adds @ref to @out unless its full name is too long for a reference (and an image name). */
static gboolean
add_candidate (GPtrArray *out, SbxReference *ref, const char *text, GError **error)
{
  g_autofree char *name = sbx_reference_to_string (ref);

  if (strlen (name) > MAX_REFERENCE)
    {
      sbx_reference_free (ref);
      return invalid_ref (error, text, "the full name is longer than 255 characters");
    }
  g_ptr_array_add (out, ref);
  return TRUE;
}

GPtrArray *
sbx_registry_resolve (const SbxRegistriesConf *conf, const char *text, GError **error)
{
  g_autoptr(SbxReference) ref = sbx_reference_parse (text, error);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) sbx_reference_free);
  const char *alias;

  if (ref == NULL)
    return NULL;
  if (ref->registry != NULL)
    return add_candidate (out, qualify (ref, ref->registry), text, error) ? g_steal_pointer (&out) : NULL;
  if ((alias = g_hash_table_lookup (conf->aliases, ref->repository)) != NULL)
    {
      SbxReference *target = apply_alias (ref, alias, error);
      if (target == NULL || !add_candidate (out, target, text, error))
        return NULL;
      return g_steal_pointer (&out);
    }
  for (char **r = conf->search; *r; r++)
    if (!add_candidate (out, qualify (ref, *r), text, error))
      return NULL;
  if (out->len == 0)
    return invalid_ref (error, text, "a short name, and registries.conf lists no search registries"), NULL;
  return g_steal_pointer (&out);
}

/* ---------------------------------------------------------------------------
 * WWW-Authenticate
 * ------------------------------------------------------------------------- */

void
sbx_auth_challenge_free (SbxAuthChallenge *challenge)
{
  if (challenge == NULL)
    return;
  g_free (challenge->scheme);
  g_free (challenge->realm);
  g_free (challenge->service);
  g_free (challenge->scope);
  g_free (challenge);
}

/* One `key=value` or `key="quoted \" value"` at *p; advances past a following ','. */
static gboolean
parse_auth_param (const char **p, char **key, char **value)
{
  const char *s = *p + strspn (*p, " \t,");
  const char *eq = s + strcspn (s, "= \t,");
  g_autoptr(GString) v = g_string_new (NULL);

  if (*s == '\0' || *eq != '=' || eq == s)
    return FALSE;
  *key = g_ascii_strdown (s, eq - s);
  s = eq + 1;
  if (*s == '"')
    {
      for (s++; *s && *s != '"'; s++)
        {
          if (*s == '\\' && s[1])
            s++;
          g_string_append_c (v, *s);
        }
      if (*s != '"')
        {
          g_clear_pointer (key, g_free);
          return FALSE;
        }
      s++;
    }
  else
    for (; *s && *s != ',' && *s != ' ' && *s != '\t'; s++)
      g_string_append_c (v, *s);
  *value = g_string_free (g_steal_pointer (&v), FALSE);
  *p = s;
  return TRUE;
}

static void
set_param (SbxAuthChallenge *c, const char *key, char *value)
{
  char **slot = strcmp (key, "realm") == 0 ? &c->realm : strcmp (key, "service") == 0 ? &c->service
                                                     : strcmp (key, "scope") == 0     ? &c->scope
                                                                                      : NULL;
  if (slot == NULL)
    {
      g_free (value);
      return;
    }
  g_free (*slot);
  *slot = value;
}

SbxAuthChallenge *
sbx_auth_challenge_parse (const char *header, GError **error)
{
  g_autoptr(SbxAuthChallenge) c = g_new0 (SbxAuthChallenge, 1);
  const char *p = header + strspn (header, " \t");
  gsize scheme_len = strcspn (p, " \t");

  if (scheme_len == 0)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE, "empty WWW-Authenticate header"), NULL;
  c->scheme = g_ascii_strdown (p, scheme_len);
  p += scheme_len;
  while (*(p + strspn (p, " \t,")) != '\0')
    {
      char *key = NULL;
      char *value = NULL;
      if (!parse_auth_param (&p, &key, &value))
        return g_set_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE, "malformed WWW-Authenticate header"), NULL;
      set_param (c, key, value);
      g_free (key);
    }
  if (strcmp (c->scheme, "bearer") == 0 && (c->realm == NULL || !g_str_has_prefix (c->realm, "http")))
    return g_set_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE,
                        "WWW-Authenticate: Bearer challenge without an http(s) realm"),
           NULL;
  if (strcmp (c->scheme, "bearer") != 0 && strcmp (c->scheme, "basic") != 0)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE,
                        "WWW-Authenticate: unsupported scheme '%s'", c->scheme),
           NULL;
  return g_steal_pointer (&c);
}

/* ---------------------------------------------------------------------------
 * Auth files
 * ------------------------------------------------------------------------- */

static gboolean
auth_key_matches (const char *key, const char *registry)
{
  const char *host = key;
  gsize len;

  if (g_str_has_prefix (host, "https://"))
    host += strlen ("https://");
  else if (g_str_has_prefix (host, "http://"))
    host += strlen ("http://");
  len = strcspn (host, "/");
  if (strlen (registry) == len && strncmp (host, registry, len) == 0)
    return TRUE;
  return strcmp (registry, SBX_REGISTRY_DOCKER_HUB) == 0 &&
         ((len == strlen ("index.docker.io") && strncmp (host, "index.docker.io", len) == 0) ||
          (len == strlen ("registry-1.docker.io") && strncmp (host, "registry-1.docker.io", len) == 0));
}

gboolean
sbx_registry_auth_file_lookup (const char *data, gsize len, const char *what,
                               const char *registry, char **out_auth, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(json_t) root = NULL;
  json_t *auths;
  const char *key;
  json_t *entry;

  *out_auth = NULL;
  if ((root = sbx_json_parse_checked (data, len, &local_error)) == NULL)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s: %s", what, local_error->message), FALSE;
  auths = sbx_json_get_object (json_is_object (root) ? root : NULL, "auths");
  json_object_foreach (auths, key, entry)
    {
      const char *auth = sbx_json_get_string (json_is_object (entry) ? entry : NULL, "auth");

      if (!auth_key_matches (key, registry) || auth == NULL)
        continue;
      *out_auth = g_strdup (auth);
      return TRUE;
    }
  return TRUE;
}

gboolean
sbx_registry_find_auth (const char *registry, char **out_auth, GError **error)
{
  const char *runtime = g_getenv ("XDG_RUNTIME_DIR");
  const char *env = g_getenv ("REGISTRY_AUTH_FILE");
  g_autofree char *podman = runtime ? g_build_filename (runtime, "containers", "auth.json", NULL) : NULL;
  g_autofree char *docker = g_build_filename (g_get_home_dir (), ".docker", "config.json", NULL);
  const char *paths[] = { env, podman, docker };

  *out_auth = NULL;
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *data = NULL;
      gsize len;

      if (paths[i] == NULL || !g_file_get_contents (paths[i], &data, &len, NULL))
        continue;
      if (len > MAX_AUTH_FILE)
        return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s: larger than 1 MiB", paths[i]), FALSE;
      if (!sbx_registry_auth_file_lookup (data, len, paths[i], registry, out_auth, error))
        return FALSE;
      if (*out_auth != NULL)
        return TRUE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------------------
 * Manifests and indexes
 * ------------------------------------------------------------------------- */

void
sbx_descriptor_clear (SbxDescriptor *descriptor)
{
  g_clear_pointer (&descriptor->media_type, g_free);
  g_clear_pointer (&descriptor->digest, g_free);
}

void
sbx_manifest_free (SbxManifest *manifest)
{
  if (manifest == NULL)
    return;
  sbx_descriptor_clear (&manifest->chosen);
  sbx_descriptor_clear (&manifest->config);
  g_clear_pointer (&manifest->layers, g_array_unref);
  g_free (manifest);
}

static gboolean
parse_descriptor (json_t *node, const char *what, SbxDescriptor *out, GError **error)
{
  json_t *object = json_is_object (node) ? node : NULL;
  json_t *size = object ? json_object_get (object, "size") : NULL;
  const char *digest = sbx_json_get_string (object, "digest");

  if (object == NULL)
    return sbx_bad_image (error, "%s: a descriptor is not an object", what);
  if (!sbx_digest_is_valid (digest))
    return sbx_bad_image (error, "%s: invalid digest '%s' (only sha256 is supported)", what, digest ? digest : "");
  if (!json_is_integer (size) || json_integer_value (size) < 0)
    return sbx_bad_image (error, "%s: descriptor of %s has no valid size", what, digest);
  out->media_type = g_strdup (sbx_json_get_string (object, "mediaType"));
  out->digest = g_strdup (digest);
  out->size = json_integer_value (size);
  return TRUE;
}

const char *
sbx_registry_host_arch (const char **out_variant)
{
  static const struct {
    const char *uname, *arch, *variant;
  } arches[] = {
    { "x86_64", "amd64", NULL },
    { "aarch64", "arm64", "v8" },
    { "i686", "386", NULL },
    { "i386", "386", NULL },
    { "armv7l", "arm", "v7" },
    { "armv6l", "arm", "v6" },
    { "ppc64le", "ppc64le", NULL },
    { "s390x", "s390x", NULL },
    { "riscv64", "riscv64", NULL },
  };
  struct utsname name;

  if (out_variant)
    *out_variant = NULL;
  if (uname (&name) == 0)
    for (guint i = 0; i < G_N_ELEMENTS (arches); i++)
      if (strcmp (name.machine, arches[i].uname) == 0)
        {
          if (out_variant)
            *out_variant = arches[i].variant;
          return arches[i].arch;
        }
  return "unknown";
}

/* Index of the entry for @os/@arch; a matching @variant (or none given) wins a tie. */
static gint
find_platform (json_t *manifests, const char *os, const char *arch, const char *variant)
{
  gint best = -1;
  json_t *node;
  size_t i;

  json_array_foreach (manifests, i, node)
    {
      json_t *p = sbx_json_get_object (json_is_object (node) ? node : NULL, "platform");
      const char *v = sbx_json_get_string (p, "variant");

      if (p == NULL || g_strcmp0 (sbx_json_get_string (p, "os"), os) != 0 ||
          g_strcmp0 (sbx_json_get_string (p, "architecture"), arch) != 0)
        continue;
      if (v == NULL || variant == NULL || strcmp (v, variant) == 0)
        return (gint) i;
      if (best < 0)
        best = (gint) i;
    }
  return best;
}

static gboolean
parse_index (json_t *object, SbxManifest *out, const char *os, const char *arch,
             const char *variant, GError **error)
{
  json_t *manifests = sbx_json_get_array (object, "manifests");
  gint i;

  if (manifests == NULL)
    return sbx_bad_image (error, "image index: \"manifests\" is not an array");
  i = find_platform (manifests, os, arch, variant);
  if (i < 0)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_NOT_FOUND, "the image index has no manifest for %s/%s",
                        os, arch),
           FALSE;
  out->is_index = TRUE;
  if (!parse_descriptor (json_array_get (manifests, (size_t) i), "image index", &out->chosen, error))
    return FALSE;
  if (out->chosen.media_type && !sbx_media_type_is_manifest (out->chosen.media_type))
    return sbx_bad_image (error, "image index: the %s/%s entry has unsupported media type '%s'", os, arch, out->chosen.media_type);
  return TRUE;
}

static gboolean
parse_image_manifest (json_t *object, SbxManifest *out, GError **error)
{
  json_t *layers = sbx_json_get_array (object, "layers");
  json_t *element;
  size_t i;

  if (!parse_descriptor (json_object_get (object, "config"), "manifest config", &out->config, error))
    return FALSE;
  if (layers == NULL)
    return sbx_bad_image (error, "manifest: \"layers\" is not an array");
  out->layers = g_array_new (FALSE, TRUE, sizeof (SbxDescriptor));
  g_array_set_clear_func (out->layers, (GDestroyNotify) sbx_descriptor_clear);
  json_array_foreach (layers, i, element)
    {
      SbxDescriptor layer = { NULL };
      if (!parse_descriptor (element, "manifest layer", &layer, error))
        return FALSE;
      g_array_append_val (out->layers, layer);
    }
  return TRUE;
}

gboolean
sbx_manifest_check_shape (json_t *object, gboolean expect_index, const char *what, GError **error)
{
  const char *media_type = sbx_json_get_string (object, "mediaType");
  gboolean has_index_part = json_object_get (object, "manifests") != NULL;
  gboolean has_manifest_part = json_object_get (object, "layers") != NULL || json_object_get (object, "config") != NULL;

  if (has_index_part && has_manifest_part)
    return sbx_bad_image (error, "%s: carries both \"manifests\" and \"layers\"/\"config\" (ambiguous: "
                                 "an index or a manifest?)",
                          what);
  if (json_object_get (object, "mediaType") != NULL && media_type == NULL)
    return sbx_bad_image (error, "%s: \"mediaType\" is not a string", what);
  if (media_type != NULL && expect_index && !sbx_media_type_is_index (media_type))
    return sbx_bad_image (error, "%s: \"mediaType\" says '%s', not an image index", what, media_type);
  if (media_type != NULL && !expect_index && !sbx_media_type_is_manifest (media_type))
    return sbx_bad_image (error, "%s: \"mediaType\" says '%s', not an image manifest", what, media_type);
  if (expect_index ? has_manifest_part : has_index_part)
    return sbx_bad_image (error, "%s: an image %s carrying \"%s\"", what, expect_index ? "index" : "manifest",
                          expect_index ? "layers" : "manifests");
  return TRUE;
}

/* The served Content-Type and the "mediaType" field name different kinds. */
static gboolean
kinds_disagree (json_t *object, const char *content_type)
{
  const char *media_type = sbx_json_get_string (object, "mediaType");

  if (media_type == NULL || content_type == NULL)
    return FALSE;
  return (sbx_media_type_is_index (content_type) && sbx_media_type_is_manifest (media_type)) ||
         (sbx_media_type_is_manifest (content_type) && sbx_media_type_is_index (media_type));
}

/* Index or manifest: the "mediaType" field, else @content_type, else the shape. */
static const char *
kind_of (json_t *object, const char *content_type)
{
  const char *media_type = sbx_json_get_string (object, "mediaType");
  if (media_type == NULL && content_type && (sbx_media_type_is_index (content_type) || sbx_media_type_is_manifest (content_type)))
    media_type = content_type;
  if (media_type == NULL)
    return json_object_get (object, "manifests") != NULL ? index_types[0] : manifest_types[0];
  return media_type;
}

SbxManifest *
sbx_manifest_parse (GBytes *bytes, const char *content_type, const char *os,
                    const char *arch, const char *variant, GError **error)
{
  g_autoptr(SbxManifest) out = g_new0 (SbxManifest, 1);
  g_autoptr(GError) local_error = NULL;
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
  g_autoptr(json_t) root = NULL;
  json_t *object;
  json_t *version;
  const char *kind;
  const char *host_variant = NULL;

  if (size > SBX_REGISTRY_MAX_MANIFEST)
    return sbx_bad_image (error, "manifest larger than 4 MiB"), NULL;
  if ((root = sbx_json_parse_checked (data, size, &local_error)) == NULL)
    return sbx_bad_image (error, "manifest is not valid JSON: %s", local_error->message), NULL;
  if (!json_is_object (root))
    return sbx_bad_image (error, "manifest is not a JSON object"), NULL;
  object = root;
  version = json_object_get (object, "schemaVersion");
  if (!json_is_integer (version) || json_integer_value (version) != 2)
    return sbx_bad_image (error, "manifest: unsupported schemaVersion (only 2; Docker schema 1 is not supported)"), NULL;
  kind = kind_of (object, content_type);
  if (kinds_disagree (object, content_type))
    return sbx_bad_image (error, "manifest: \"mediaType\" '%s' contradicts the Content-Type '%s'",
                          sbx_json_get_string (object, "mediaType"), content_type),
           NULL;
  if ((sbx_media_type_is_index (kind) || sbx_media_type_is_manifest (kind)) &&
      !sbx_manifest_check_shape (object, sbx_media_type_is_index (kind), "manifest", error))
    return NULL;
  if (arch == NULL)
    arch = sbx_registry_host_arch (&host_variant), variant = host_variant;
  if (sbx_media_type_is_index (kind))
    return parse_index (object, out, os ? os : "linux", arch, variant, error) ? g_steal_pointer (&out) : NULL;
  if (!sbx_media_type_is_manifest (kind))
    return sbx_bad_image (error, "manifest: unsupported media type '%s'", kind), NULL;
  return parse_image_manifest (object, out, error) ? g_steal_pointer (&out) : NULL;
}
