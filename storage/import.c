/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* import.c: bringing an image into the store from an OCI layout, an OCI archive or a
 * docker-archive.
 *
 * Source syntax follows skopeo: TRANSPORT:PATH[:REF], PATH up to the first ':' after the
 * transport.  Every digest is checked against ^sha256:[0-9a-f]{64}$ before it is used in
 * a path; every blob is read beneath its layout directory (openat2 RESOLVE_BENEATH) and
 * verified by size and sha256; every layer by its diff_id.  New layers are unpacked into
 * a staging directory in the store's tmp/ and handed to sbx_store_commit_image(), which
 * renames them into layers/ and writes the record; on any error nothing is committed. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "import.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include "json-util.h"

#include "fd-util.h"
#include "import-source.h"
#include "registry.h"
#include "sbx-error.h"
#include "storage-private.h"
#include "unpack-parallel.h"

#define MAX_JSON_SIZE (16 * 1024 * 1024)
#define REF_NAME_ANNOTATION "org.opencontainers.image.ref.name"
#define DOCKER_LIBRARY_PREFIX "docker.io/library/"

static const char * const layer_media_types[] = {
  "application/vnd.oci.image.layer.v1.tar",
  "application/vnd.oci.image.layer.v1.tar+gzip",
  "application/vnd.oci.image.layer.v1.tar+zstd",
  "application/vnd.oci.image.layer.nondistributable.v1.tar",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
  "application/vnd.docker.image.rootfs.diff.tar",
  "application/vnd.docker.image.rootfs.diff.tar.gzip",
  "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
  NULL
};

typedef struct {
  SbxStore *store;
  SbxUnpackFlags flags;
  SbxStaging *staging;
  GArray *lease_fds; /* shared locks on reused layers, held until the commit */
  GPtrArray *staged; /* SbxStagedLayer *, one per distinct diff_id */
  GArray *jobs;      /* SbxUnpackJob, one per layer to unpack (its blob_fd owned here) */
  guint64 size;
} Importer;

typedef struct {
  char *media_type;
  char *digest;
  gint64 size;
} Descriptor;

static void
descriptor_clear (Descriptor *descriptor)
{
  g_clear_pointer (&descriptor->media_type, g_free);
  g_clear_pointer (&descriptor->digest, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Descriptor, descriptor_clear)

static void
staged_layer_free (SbxStagedLayer *layer)
{
  g_free (layer->diff_id);
  g_free (layer->staged_path);
  g_free (layer);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxStagedLayer, staged_layer_free)

/* "docker.io/library/busybox:latest" -> "busybox:latest"; anything else as is. */
static char *
short_image_name (const char *reference)
{
  if (g_str_has_prefix (reference, DOCKER_LIBRARY_PREFIX))
    return g_strdup (reference + strlen (DOCKER_LIBRARY_PREFIX));
  return g_strdup (reference);
}

/* A small file of the source (index.json, a manifest, a config). */
static GBytes *
read_small_file (SbxImportSource *source, const char *path, GError **error)
{
  return sbx_import_source_read (source, path, MAX_JSON_SIZE, error);
}

static char *
sha256_digest_of (GBytes *bytes)
{
  g_autofree char *hex = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  return g_strconcat ("sha256:", hex, NULL);
}

/* Reads a small blob (manifest, config, index) and verifies its size and digest. */
static GBytes *
read_blob (SbxImportSource *layout, const Descriptor *descriptor, GError **error)
{
  g_autofree char *path = NULL;
  g_autofree char *actual = NULL;
  g_autoptr(GBytes) bytes = NULL;

  path = g_strconcat ("blobs/sha256/", sbx_digest_hex (descriptor->digest), NULL);
  bytes = read_small_file (layout, path, error);
  if (bytes == NULL)
    return g_prefix_error (error, "blob %s: ", descriptor->digest), NULL;
  if ((gint64) g_bytes_get_size (bytes) != descriptor->size)
    return sbx_bad_image (error, "blob %s: size mismatch (expected %" G_GINT64_FORMAT ", got %" G_GSIZE_FORMAT ")",
                          descriptor->digest, descriptor->size, g_bytes_get_size (bytes)),
           NULL;
  actual = sha256_digest_of (bytes);
  if (strcmp (actual, descriptor->digest) != 0)
    return sbx_bad_image (error, "blob %s: digest mismatch (got %s)", descriptor->digest, actual), NULL;
  return g_steal_pointer (&bytes);
}

static json_t *
parse_json (GBytes *bytes, const char *what, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
  json_t *root = sbx_json_parse_checked (data, size, &local_error);

  if (root == NULL)
    return sbx_bad_image (error, "%s: %s", what, local_error->message), NULL;
  return root;
}

static json_t *
expect_object (json_t *node, const char *what, GError **error)
{
  if (!json_is_object (node))
    return sbx_bad_image (error, "%s: expected a JSON object", what), NULL;
  return node;
}

/* The array member @member of @object, NULL (and an error) when absent or not one. */
static json_t *
expect_array_member (json_t *object, const char *member, const char *what, GError **error)
{
  json_t *array = sbx_json_get_array (object, member);

  if (array == NULL)
    return sbx_bad_image (error, "%s: \"%s\" is not an array", what, member), NULL;
  return array;
}

static gboolean
parse_descriptor (json_t *node, const char *what, Descriptor *out, GError **error)
{
  json_t *object = expect_object (node, what, error);
  json_t *size;

  if (object == NULL)
    return FALSE;
  out->media_type = sbx_json_object_dup_string (object, "mediaType");
  out->digest = sbx_json_object_dup_string (object, "digest");
  size = json_object_get (object, "size");
  if (!sbx_digest_check (out->digest, what, error))
    return FALSE;
  if (!json_is_integer (size) || json_integer_value (size) < 0)
    return sbx_bad_image (error, "%s: descriptor of %s has no valid size", what, out->digest);
  out->size = json_integer_value (size);
  return TRUE;
}

/* ---------------------------------------------------------------------------
 * OCI index and manifest
 * ------------------------------------------------------------------------- */

/* The ref name annotation of the index entry @entry (NULL when @entry is not an object). */
static const char *
ref_name_of (const json_t *entry)
{
  return sbx_json_get_string (sbx_json_get_object (json_is_object (entry) ? entry : NULL, "annotations"),
                              REF_NAME_ANNOTATION);
}

static char *
list_tags (json_t *manifests)
{
  g_autoptr(GPtrArray) tags = g_ptr_array_new ();
  json_t *node;
  size_t i;

  json_array_foreach (manifests, i, node)
    {
      const char *tag = ref_name_of (node);
      if (tag)
        g_ptr_array_add (tags, (char *) tag);
    }
  if (tags->len == 0)
    return g_strdup ("none");
  g_ptr_array_add (tags, NULL);
  return g_strjoinv (", ", (char **) tags->pdata);
}

/* The entry of index.json's manifests tagged @tag (or the only one). */
static json_t *
select_by_tag (json_t *manifests, const char *tag, char **out_ref_name, GError **error)
{
  guint n = (guint) json_array_size (manifests);
  g_autofree char *tags = list_tags (manifests);

  if (n == 0)
    return sbx_bad_image (error, "index.json lists no manifests"), NULL;
  if (tag == NULL && n > 1)
    return sbx_bad_image (error, "index.json lists %u manifests; pick one with :TAG (tags: %s)", n, tags), NULL;
  for (guint i = 0; i < n; i++)
    {
      json_t *node = json_array_get (manifests, i);
      const char *ref = ref_name_of (node);

      if (tag == NULL || g_strcmp0 (ref, tag) == 0)
        {
          *out_ref_name = g_strdup (ref);
          return node;
        }
    }
  g_set_error (error, SBX_ERROR, SBX_ERROR_NOT_FOUND, "no manifest tagged '%s' (tags: %s)", tag, tags);
  return NULL;
}

/* The manifest for linux/<host arch> in an image index. */
static gboolean
select_platform (json_t *index, Descriptor *out, GError **error)
{
  const char *arch = sbx_registry_host_arch (NULL);
  json_t *manifests = expect_array_member (index, "manifests", "image index", error);
  json_t *node;
  size_t i;

  json_array_foreach (manifests, i, node)
    {
      json_t *p = sbx_json_get_object (json_is_object (node) ? node : NULL, "platform");

      if (p && g_strcmp0 (sbx_json_get_string (p, "os"), "linux") == 0 &&
          g_strcmp0 (sbx_json_get_string (p, "architecture"), arch) == 0)
        return parse_descriptor (node, "image index", out, error);
    }
  if (manifests != NULL)
    g_set_error (error, SBX_ERROR, SBX_ERROR_NOT_FOUND, "image index has no manifest for linux/%s", arch);
  return FALSE;
}

/* Resolves @descriptor through image indexes (at most two levels) to a manifest. */
static gboolean
resolve_manifest (SbxImportSource *layout, Descriptor *descriptor, GError **error)
{
  for (guint depth = 0; sbx_media_type_is_index (descriptor->media_type); depth++)
    {
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(json_t) root = NULL;
      json_t *index;
      g_auto(Descriptor) chosen = { NULL };

      if (depth == 2)
        return sbx_bad_image (error, "image indexes nested too deeply");
      if ((bytes = read_blob (layout, descriptor, error)) == NULL ||
          (root = parse_json (bytes, descriptor->digest, error)) == NULL ||
          (index = expect_object (root, descriptor->digest, error)) == NULL ||
          !sbx_manifest_check_shape (index, TRUE, descriptor->digest, error) ||
          !select_platform (index, &chosen, error))
        return FALSE;
      descriptor_clear (descriptor);
      *descriptor = chosen;
      chosen = (Descriptor) { NULL };
    }
  if (descriptor->media_type && !sbx_media_type_is_manifest (descriptor->media_type))
    return sbx_bad_image (error, "manifest %s: unsupported media type '%s'", descriptor->digest, descriptor->media_type);
  return TRUE;
}

/* The manifest's config and layer descriptors. */
static gboolean
parse_manifest (GBytes *manifest, const char *digest, Descriptor *config, GArray *layers, GError **error)
{
  g_autofree char *what = g_strdup_printf ("manifest %s", digest);
  g_autoptr(json_t) root = parse_json (manifest, what, error);
  json_t *object = root ? expect_object (root, what, error) : NULL;
  json_t *array;
  json_t *element;
  size_t i;

  if (object == NULL || !sbx_manifest_check_shape (object, FALSE, what, error) ||
      !parse_descriptor (json_object_get (object, "config"), what, config, error) ||
      (array = expect_array_member (object, "layers", what, error)) == NULL)
    return FALSE;
  json_array_foreach (array, i, element)
    {
      Descriptor layer = { NULL };

      if (!parse_descriptor (element, what, &layer, error))
        return descriptor_clear (&layer), FALSE;
      g_array_append_val (layers, layer);
      if ((layer.media_type == NULL || !g_strv_contains (layer_media_types, layer.media_type)))
        return sbx_bad_image (error, "%s: layer %s has unsupported media type '%s'", what, layer.digest,
                              layer.media_type ? layer.media_type : "(none)");
    }
  return TRUE;
}

gboolean
sbx_image_config_parse (GBytes *config, SbxImage *image, GError **error)
{
  g_autoptr(json_t) root = parse_json (config, "image config", error);
  json_t *object = root ? expect_object (root, "image config", error) : NULL;
  json_t *run = sbx_json_get_object (object, "config");
  json_t *rootfs = sbx_json_get_object (object, "rootfs");

  if (object == NULL)
    return FALSE;
  if (run && (!sbx_json_object_get_strv (run, "Entrypoint", &image->entrypoint) ||
              !sbx_json_object_get_strv (run, "Cmd", &image->cmd) ||
              !sbx_json_object_get_strv (run, "Env", &image->env)))
    return sbx_bad_image (error, "image config: Entrypoint, Cmd and Env must be arrays of strings");
  if (run)
    {
      image->working_dir = sbx_json_object_dup_string (run, "WorkingDir");
      image->user = sbx_json_object_dup_string (run, "User");
    }
  for (guint i = 0; image->env && image->env[i]; i++)
    if (strchr (image->env[i], '=') == NULL || image->env[i][0] == '=')
      {
        g_autofree char *shown = g_strescape (image->env[i], NULL);
        return sbx_bad_image (error, "image config: Env entry %u '%s' is not NAME=VALUE", i, shown);
      }
  if (image->working_dir && *image->working_dir == '\0')
    g_clear_pointer (&image->working_dir, g_free);
  if (image->user && *image->user == '\0')
    g_clear_pointer (&image->user, g_free);
  if (image->env == NULL)
    image->env = g_new0 (char *, 1);
  if (rootfs == NULL || !sbx_json_object_get_strv (rootfs, "diff_ids", &image->layers) ||
      image->layers == NULL)
    return sbx_bad_image (error, "image config: no rootfs.diff_ids");
  for (char **diff_id = image->layers; *diff_id; diff_id++)
    if (!sbx_digest_check (*diff_id, "image config: rootfs.diff_ids", error))
      return FALSE;
  return TRUE;
}

/* ---------------------------------------------------------------------------
 * Layers and the commit
 * ------------------------------------------------------------------------- */

static gboolean
already_staged (Importer *imp, const char *diff_id)
{
  for (guint i = 0; i < imp->staged->len; i++)
    if (strcmp (((SbxStagedLayer *) g_ptr_array_index (imp->staged, i))->diff_id, diff_id) == 0)
      return TRUE;
  return FALSE;
}

/* Prepares the layer file @path of @source (verified against @digest, may be NULL, and
 * @diff_id) for unpacking into the staging, unless the store already has @diff_id. */
static gboolean
import_layer (Importer *imp, SbxImportSource *source, const char *path, const char *digest, gint64 size,
              const char *diff_id, GError **error)
{
  g_autoptr(SbxStagedLayer) layer = g_new0 (SbxStagedLayer, 1);
  g_autoptr(GError) local_error = NULL;
  gboolean present = FALSE;
  sbx_autofd int lock_fd = -1;
  sbx_autofd int blob_fd = -1;
  SbxUnpackJob job = { .blob_fd = -1, .flags = imp->flags };

  if (already_staged (imp, diff_id))
    return TRUE;
  layer->diff_id = g_strdup (diff_id);
  lock_fd = sbx_store_lock_layer_shared (imp->store, diff_id, &present, &local_error);
  if (local_error != NULL)
    return g_propagate_error (error, g_steal_pointer (&local_error)), FALSE;
  if (present)
    {
      int fd = sbx_steal_fd (&lock_fd);
      g_array_append_val (imp->lease_fds, fd);
      g_ptr_array_add (imp->staged, g_steal_pointer (&layer));
      return TRUE;
    }
  blob_fd = sbx_import_source_open (source, path, &job.offset, &job.length, error);
  if (blob_fd < 0)
    return g_prefix_error (error, "layer %s: ", digest ? digest : diff_id), FALSE;
  if (size >= 0 && job.length != size)
    return sbx_bad_image (error, "layer %s: size mismatch (expected %" G_GINT64_FORMAT ", got %" G_GINT64_FORMAT ")",
                          digest, size, (gint64) job.length);
  layer->staged_path = g_build_filename (imp->staging->path, sbx_digest_hex (diff_id), NULL);
  if (mkdir (layer->staged_path, 0755) < 0)
    return sbx_set_error_from_errno (error, errno, "creating %s", layer->staged_path);
  /* @digest outlives the jobs (the caller's manifest); the layer is the staged array's. */
  job.blob_fd = sbx_steal_fd (&blob_fd);
  job.dest = layer->staged_path;
  job.digest = digest;
  job.diff_id = layer->diff_id;
  g_array_append_val (imp->jobs, job);
  g_ptr_array_add (imp->staged, g_steal_pointer (&layer));
  return TRUE;
}

/* Unpacks every new layer, side by side (unpack-parallel.c). */
static gboolean
unpack_layers (Importer *imp, GError **error)
{
  g_autofree guint64 *sizes = g_new0 (guint64, MAX (imp->jobs->len, 1));

  if (!sbx_unpack_parallel ((SbxUnpackJob *) (void *) imp->jobs->data, imp->jobs->len, sizes, error))
    return FALSE;
  for (guint i = 0; i < imp->jobs->len; i++)
    imp->size += sizes[i];
  return TRUE;
}

static gboolean
commit (Importer *imp, SbxImage *image, GBytes *manifest, GBytes *config, GError **error)
{
  g_autofree SbxStagedLayer *layers = g_new0 (SbxStagedLayer, imp->staged->len + 1);

  for (guint i = 0; i < imp->staged->len; i++)
    layers[i] = *(SbxStagedLayer *) g_ptr_array_index (imp->staged, i);
  if (!unpack_layers (imp, error))
    return FALSE;
  image->created = g_get_real_time () / G_USEC_PER_SEC;
  image->size = imp->size;
  return sbx_store_commit_image (imp->store, image, manifest, config, layers, imp->staged->len, error);
}

/* ---------------------------------------------------------------------------
 * oci: layouts
 * ------------------------------------------------------------------------- */

static SbxImage *
import_oci_layout (Importer *imp, SbxImportSource *layout, const char *tag, const char *name, GError **error)
{
  g_autoptr(GBytes) index_bytes = read_small_file (layout, "index.json", error);
  g_autoptr(json_t) index_root = index_bytes ? parse_json (index_bytes, "index.json", error) : NULL;
  json_t *index = index_root ? expect_object (index_root, "index.json", error) : NULL;
  json_t *manifests = index && sbx_manifest_check_shape (index, TRUE, "index.json", error)
                      ? expect_array_member (index, "manifests", "index.json", error)
                      : NULL;
  g_autoptr(GArray) layers = g_array_new (FALSE, TRUE, sizeof (Descriptor));
  g_autoptr(SbxImage) image = g_new0 (SbxImage, 1);
  g_autoptr(GBytes) manifest = NULL;
  g_autoptr(GBytes) config_bytes = NULL;
  g_autofree char *ref_name = NULL;
  g_auto(Descriptor) top = { NULL };
  g_auto(Descriptor) config = { NULL };
  json_t *entry;

  g_array_set_clear_func (layers, (GDestroyNotify) descriptor_clear);
  if (manifests == NULL || (entry = select_by_tag (manifests, tag, &ref_name, error)) == NULL ||
      !parse_descriptor (entry, "index.json", &top, error) ||
      !resolve_manifest (layout, &top, error) ||
      (manifest = read_blob (layout, &top, error)) == NULL ||
      !parse_manifest (manifest, top.digest, &config, layers, error) ||
      (config_bytes = read_blob (layout, &config, error)) == NULL ||
      !sbx_image_config_parse (config_bytes, image, error))
    return NULL;
  if (g_strv_length (image->layers) != layers->len)
    return sbx_bad_image (error, "manifest %s has %u layers but its config %u diff_ids", top.digest,
                          layers->len, g_strv_length (image->layers)),
           NULL;
  image->name = name ? g_strdup (name) : ref_name ? short_image_name (ref_name)
                                                  : NULL;
  if (image->name == NULL)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "the manifest has no %s annotation: give the image a name",
                        REF_NAME_ANNOTATION),
           NULL;
  if (!sbx_store_check_name (image->name, error))
    return NULL;
  image->id = g_strdup (sbx_digest_hex (config.digest));
  image->manifest_digest = g_strdup (top.digest);
  for (guint i = 0; i < layers->len; i++)
    {
      Descriptor *layer = &g_array_index (layers, Descriptor, i);
      g_autofree char *path = g_strconcat ("blobs/sha256/", sbx_digest_hex (layer->digest), NULL);

      if (!import_layer (imp, layout, path, layer->digest, layer->size, image->layers[i], error))
        return NULL;
    }
  if (!commit (imp, image, manifest, config_bytes, error))
    return NULL;
  return g_steal_pointer (&image);
}

/* ---------------------------------------------------------------------------
 * docker-archive:
 * ------------------------------------------------------------------------- */

static gboolean
is_number (const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

static gboolean
has_repo_tag (json_t *entry, const char *ref)
{
  g_auto(GStrv) tags = NULL;

  if (!sbx_json_object_get_strv (entry, "RepoTags", &tags) || tags == NULL)
    return FALSE;
  for (char **tag = tags; *tag; tag++)
    {
      g_autofree char *short_tag = short_image_name (*tag);
      if (strcmp (*tag, ref) == 0 || strcmp (short_tag, ref) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The manifest.json entry for @ref: an index ("N" or "@N", from 0), a RepoTags
 * entry, or the only entry when NULL. */
static json_t *
select_docker_entry (json_t *entries, const char *ref, GError **error)
{
  guint n = (guint) json_array_size (entries);
  const char *number = ref && ref[0] == '@' ? ref + 1 : ref;

  if (n == 0)
    return sbx_bad_image (error, "manifest.json lists no images"), NULL;
  if (ref == NULL && n > 1)
    return sbx_bad_image (error, "manifest.json lists %u images; pick one with :N or :NAME:TAG", n), NULL;
  if (ref == NULL)
    return json_array_get (entries, 0);
  if (is_number (number))
    {
      guint64 i = g_ascii_strtoull (number, NULL, 10);
      if (i >= n)
        return g_set_error (error, SBX_ERROR, SBX_ERROR_NOT_FOUND, "no image #%s (manifest.json lists %u)",
                            number, n),
               NULL;
      return json_array_get (entries, (size_t) i);
    }
  for (guint i = 0; i < n; i++)
    {
      json_t *node = json_array_get (entries, i);
      if (json_is_object (node) && has_repo_tag (node, ref))
        return node;
    }
  g_set_error (error, SBX_ERROR, SBX_ERROR_NOT_FOUND, "no image tagged '%s' in manifest.json", ref);
  return NULL;
}

/* Config "<hex>.json" (docker) or "blobs/sha256/<hex>" (docker 25+) names its digest. */
static gboolean
check_docker_config_digest (const char *config_path, const char *digest, GError **error)
{
  g_autofree char *base = g_path_get_basename (config_path);
  char *dot = strrchr (base, '.');

  if (dot && strcmp (dot, ".json") == 0)
    *dot = '\0';
  if (strlen (base) == SBX_DIGEST_HEX_LEN && strcmp (base, sbx_digest_hex (digest)) != 0)
    return sbx_bad_image (error, "%s: digest mismatch (got %s)", config_path, digest);
  return TRUE;
}

static char *
docker_default_name (json_t *entry, const char *ref)
{
  g_auto(GStrv) tags = NULL;

  if (ref && !is_number (ref[0] == '@' ? ref + 1 : ref))
    return short_image_name (ref);
  if (sbx_json_object_get_strv (entry, "RepoTags", &tags) && tags && tags[0])
    return short_image_name (tags[0]);
  return NULL;
}

static SbxImage *
import_docker_archive (Importer *imp, SbxImportSource *dir, const char *ref, const char *name, GError **error)
{
  g_autoptr(GBytes) manifest_json = read_small_file (dir, "manifest.json", error);
  g_autoptr(json_t) root = manifest_json ? parse_json (manifest_json, "manifest.json", error) : NULL;
  g_autoptr(SbxImage) image = g_new0 (SbxImage, 1);
  g_autoptr(GBytes) config = NULL;
  g_autoptr(GBytes) manifest = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *config_digest = NULL;
  g_autofree char *manifest_text = NULL;
  g_auto(GStrv) layer_paths = NULL;
  gsize manifest_length;
  json_t *entry_node;
  json_t *entry;

  if (root == NULL)
    return NULL;
  if (!json_is_array (root))
    return sbx_bad_image (error, "manifest.json: expected a JSON array"), NULL;
  if ((entry_node = select_docker_entry (root, ref, error)) == NULL ||
      (entry = expect_object (entry_node, "manifest.json entry", error)) == NULL)
    return NULL;
  config_path = sbx_json_object_dup_string (entry, "Config");
  if (config_path == NULL || !sbx_json_object_get_strv (entry, "Layers", &layer_paths) || layer_paths == NULL)
    return sbx_bad_image (error, "manifest.json: an entry lacks Config or Layers"), NULL;
  if ((config = read_small_file (dir, config_path, error)) == NULL)
    return NULL;
  config_digest = sha256_digest_of (config);
  if (!check_docker_config_digest (config_path, config_digest, error) ||
      !sbx_image_config_parse (config, image, error))
    return NULL;
  if (g_strv_length (image->layers) != g_strv_length (layer_paths))
    return sbx_bad_image (error, "manifest.json lists %u layers but the config %u diff_ids",
                          g_strv_length (layer_paths), g_strv_length (image->layers)),
           NULL;
  image->name = name ? g_strdup (name) : docker_default_name (entry, ref);
  if (image->name == NULL)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "the image has no RepoTags: give it a name"), NULL;
  if (!sbx_store_check_name (image->name, error))
    return NULL;
  /* No manifest blob in a docker-archive: its manifest.json entry stands for one. */
  manifest_text = sbx_json_to_text (entry, FALSE, &manifest_length);
  manifest = g_bytes_new_take (g_steal_pointer (&manifest_text), manifest_length);
  image->manifest_digest = sha256_digest_of (manifest);
  image->id = g_strdup (sbx_digest_hex (config_digest));
  for (guint i = 0; layer_paths[i]; i++)
    if (!import_layer (imp, dir, layer_paths[i], NULL, -1, image->layers[i], error))
      return NULL;
  if (!commit (imp, image, manifest, config, error))
    return NULL;
  return g_steal_pointer (&image);
}

/* ---------------------------------------------------------------------------
 * Sources
 * ------------------------------------------------------------------------- */

/* "TRANSPORT:PATH[:REF]", PATH ending at the first ':' (as skopeo). */
static gboolean
split_source (const char *source, char **out_transport, char **out_path, char **out_ref, GError **error)
{
  const char *colon = strchr (source, ':');
  const char *ref_colon = colon ? strchr (colon + 1, ':') : NULL;

  if (colon == NULL)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                        "expected oci:DIR[:TAG], oci-archive:FILE[:TAG] or docker-archive:FILE[:N]"),
           FALSE;
  *out_transport = g_strndup (source, colon - source);
  *out_path = ref_colon ? g_strndup (colon + 1, ref_colon - colon - 1) : g_strdup (colon + 1);
  *out_ref = ref_colon ? g_strdup (ref_colon + 1) : NULL;
  if (**out_path == '\0' || (*out_ref && **out_ref == '\0'))
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "empty path or reference"), FALSE;
  return TRUE;
}

/* Extracts the archive @file (as hostile as a layer) into the staging; returns its fd. */
static int
extract_archive (Importer *imp, const char *file, GError **error)
{
  g_autofree char *dir = g_build_filename (imp->staging->path, "source", NULL);
  int fd;

  if (mkdir (dir, 0700) < 0)
    return sbx_set_error_from_errno (error, errno, "creating %s", dir), -1;
  if (!sbx_unpack_layer (file, dir, NULL, NULL, imp->flags | SBX_UNPACK_IGNORE_CHOWN_ERRORS, NULL, error))
    return -1;
  fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    sbx_set_error_from_errno (error, errno, "opening %s", dir);
  return fd;
}

static void
close_fd_at (gpointer fdp)
{
  close (*(int *) fdp);
}

static void
close_job_fd (gpointer job)
{
  close (((SbxUnpackJob *) job)->blob_fd);
}

/* An archive is read in place when it is a plain tar (archive-index.c), else extracted. */
static gboolean
open_archive (Importer *imp, const char *path, SbxImportSource *source, GError **error)
{
  gboolean in_place = FALSE;
  int dir_fd;

  if (!sbx_import_source_open_archive (source, path, &in_place, error))
    return FALSE;
  if (in_place)
    return TRUE;
  g_debug ("%s: not a plain tar of directories and regular files: extracting it", path);
  dir_fd = extract_archive (imp, path, error);
  if (dir_fd < 0)
    return FALSE;
  sbx_import_source_set_dir (source, dir_fd);
  return TRUE;
}

static SbxImage *
import_source (Importer *imp, const char *transport, const char *path, const char *ref,
               const char *name, GError **error)
{
  g_auto(SbxImportSource) source = SBX_IMPORT_SOURCE_INIT;

  if (strcmp (transport, "oci") == 0)
    {
      int dir_fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dir_fd < 0)
        return sbx_set_error_from_errno (error, errno, "%s", path), NULL;
      sbx_import_source_set_dir (&source, dir_fd);
      return import_oci_layout (imp, &source, ref, name, error);
    }
  if (strcmp (transport, "oci-archive") == 0 || strcmp (transport, "docker-archive") == 0)
    {
      if (!open_archive (imp, path, &source, error))
        return NULL;
      if (transport[0] == 'o')
        return import_oci_layout (imp, &source, ref, name, error);
      return import_docker_archive (imp, &source, ref, name, error);
    }
  g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
               "unknown transport '%s' (expected oci:, oci-archive: or docker-archive:)", transport);
  return NULL;
}

SbxImage *
sbx_store_import (SbxStore *store, const char *source, const char *name,
                  SbxUnpackFlags flags, GError **error)
{
  g_autoptr(SbxStaging) staging = NULL;
  g_autoptr(GArray) lease_fds = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GPtrArray) staged = g_ptr_array_new_with_free_func ((GDestroyNotify) staged_layer_free);
  g_autoptr(GArray) jobs = g_array_new (FALSE, FALSE, sizeof (SbxUnpackJob));
  g_autofree char *transport = NULL;
  g_autofree char *path = NULL;
  g_autofree char *ref = NULL;
  Importer imp = { .store = store, .flags = flags, .lease_fds = lease_fds, .staged = staged, .jobs = jobs };
  SbxImage *image = NULL;

  g_array_set_clear_func (lease_fds, close_fd_at);
  g_array_set_clear_func (jobs, close_job_fd);
  if ((name == NULL || sbx_store_check_name (name, error)) &&
      split_source (source, &transport, &path, &ref, error))
    {
      sbx_store_clean_tmp (store);
      imp.staging = staging = sbx_store_staging_new (store, error);
      if (staging != NULL)
        image = import_source (&imp, transport, path, ref, name, error);
    }
  if (image == NULL)
    g_prefix_error (error, "%s: ", source);
  return image;
}
