/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* store.c: the image store: its layout, its locks, images.json, removal and leases.
 *
 * images.json changes only under LOCK_EX on `lock` (read under LOCK_SH) and is replaced
 * atomically.  Layers and blobs enter only in sbx_store_commit_image(), under LOCK_EX, by
 * rename of verified copies; they leave only in collect_garbage(), under LOCK_EX, when no
 * image references them and no sandbox holds their layers/<hex>.lock.  Staging
 * directories in tmp/ each have a flock'ed tmp/<name>.lock, so a cleanup only ever
 * removes the staging of a dead process. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "store.h"
#include "json-util.h"

#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "fd-util.h"
#include "lockfile.h"
#include "sbx-error.h"
#include "storage-private.h"
#include "sandbox.h"

#define IMAGES_FILE "images.json"
#define IMAGES_FORMAT_VERSION 1
#define LOCK_SUFFIX ".lock"
#define MAX_IMAGES_FILE (64 * 1024 * 1024)

struct SbxStore {
  char *root;
};

struct SbxStoreLease {
  GArray *lock_fds;
};

/* ---------------------------------------------------------------------------
 * Digests and names
 * ------------------------------------------------------------------------- */

static gboolean
is_sha256_hex (const char *hex)
{
  if (strlen (hex) != SBX_DIGEST_HEX_LEN)
    return FALSE;
  for (const char *p = hex; *p; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  return TRUE;
}

gboolean
sbx_digest_is_valid (const char *digest)
{
  return digest != NULL && g_str_has_prefix (digest, "sha256:") && is_sha256_hex (digest + strlen ("sha256:"));
}

gboolean
sbx_digest_check (const char *digest, const char *what, GError **error)
{
  if (sbx_digest_is_valid (digest))
    return TRUE;
  g_set_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE, "%s: invalid digest '%s' (expected sha256:<64 hex digits>)",
               what, digest ? digest : "");
  return FALSE;
}

gboolean
sbx_bad_image (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (SBX_ERROR, SBX_ERROR_BAD_IMAGE, format, args));
  va_end (args);
  return FALSE;
}

const char *
sbx_digest_hex (const char *digest)
{
  g_return_val_if_fail (sbx_digest_is_valid (digest), NULL);
  return digest + strlen ("sha256:");
}

gboolean
sbx_store_check_name (const char *name, GError **error)
{
  const char *problem = NULL;
  size_t len = name ? strlen (name) : 0;
  g_autofree char *escaped = NULL;

  if (len == 0 || len > 255)
    problem = "must be 1 to 255 characters";
  else if (!g_ascii_isalnum (name[0]))
    problem = "must start with a letter or digit";
  else if (strstr (name, "..") != NULL)
    problem = "must not contain '..'";
  else if (strstr (name, "//") != NULL)
    problem = "must not contain '//'";
  else
    for (const char *p = name; *p && problem == NULL; p++)
      if (!g_ascii_isalnum (*p) && strchr ("._-/:@", *p) == NULL)
        problem = "may only contain letters, digits and . _ - / : @";
  if (problem == NULL)
    return TRUE;
  escaped = g_strescape (name ? name : "", NULL);
  g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "invalid image name '%s': %s", escaped, problem);
  return FALSE;
}

/* ---------------------------------------------------------------------------
 * Opening
 * ------------------------------------------------------------------------- */

static char *
store_path (SbxStore *store, const char *relative)
{
  return g_build_filename (store->root, relative, NULL);
}

SbxStore *
sbx_store_open (const char *root, GError **error)
{
  static const char * const subdirs[] = { "blobs", "blobs/sha256", "layers", "tmp", "mnt", "sandboxes" };
  g_autoptr(SbxStore) store = g_new0 (SbxStore, 1);
  g_autofree char *lock_path = NULL;
  sbx_autofd int lock_fd = -1;

  store->root = root ? g_canonicalize_filename (root, NULL)
                     : g_build_filename (g_get_user_data_dir (), "sbx", NULL);
  if (g_mkdir_with_parents (store->root, 0700) < 0)
    return sbx_set_error_from_errno (error, errno, "creating the image store %s", store->root), NULL;
  for (guint i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *path = store_path (store, subdirs[i]);
      if (mkdir (path, 0700) < 0 && errno != EEXIST)
        return sbx_set_error_from_errno (error, errno, "creating %s", path), NULL;
    }
  lock_path = store_path (store, "lock");
  lock_fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (lock_fd < 0)
    return sbx_set_error_from_errno (error, errno, "creating %s", lock_path), NULL;
  return g_steal_pointer (&store);
}

void
sbx_store_free (SbxStore *store)
{
  if (store == NULL)
    return;
  g_free (store->root);
  g_free (store);
}

const char *
sbx_store_get_root (SbxStore *store)
{
  return store->root;
}

char *
sbx_store_layer_path (SbxStore *store, const char *diff_id)
{
  g_return_val_if_fail (sbx_digest_is_valid (diff_id), NULL);
  return g_build_filename (store->root, "layers", sbx_digest_hex (diff_id), NULL);
}

char *
sbx_store_mount_dir (SbxStore *store)
{
  return store_path (store, "mnt");
}

/* ---------------------------------------------------------------------------
 * Locks
 * ------------------------------------------------------------------------- */

int
sbx_store_lock (SbxStore *store, int operation, GError **error)
{
  g_autofree char *path = store_path (store, "lock");

  return sbx_lock_file_open (AT_FDCWD, path, operation, path, error);
}

static gboolean
is_directory (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0 && S_ISDIR (st.st_mode);
}

int
sbx_store_lock_layer_shared (SbxStore *store, const char *diff_id, gboolean *out_present, GError **error)
{
  g_autofree char *layer = sbx_store_layer_path (store, diff_id);
  g_autofree char *lock_path = g_strconcat (layer, LOCK_SUFFIX, NULL);

  g_autoptr(GError) local_error = NULL;
  sbx_autofd int fd = -1;

  *out_present = FALSE;
  /* An absent layer gets no lock file: a failed import leaves nothing in layers/. */
  if (!is_directory (layer))
    return -1;
  /* A collector unlinks the lock with the layer: one that keeps going is an absent layer
   * (a lock file left behind for it is the next collection's). */
  fd = sbx_lock_file_linked (AT_FDCWD, lock_path, LOCK_SH, 100, lock_path, &local_error);
  if (fd < 0 && !g_error_matches (local_error, SBX_ERROR, SBX_ERROR_BUSY))
    return g_propagate_error (error, g_steal_pointer (&local_error)), -1;
  *out_present = fd >= 0 && is_directory (layer);
  return *out_present ? sbx_steal_fd (&fd) : -1;
}

SbxStoreLease *
sbx_store_lease_image (SbxStore *store, const SbxImage *image, GError **error)
{
  g_autoptr(SbxStoreLease) lease = g_new0 (SbxStoreLease, 1);

  lease->lock_fds = g_array_new (FALSE, FALSE, sizeof (int));
  for (char **layer = image->layers; layer && *layer; layer++)
    {
      g_autoptr(GError) local_error = NULL;
      gboolean present = FALSE;
      int fd;

      if (!sbx_digest_check (*layer, image->name, error))
        return NULL;
      fd = sbx_store_lock_layer_shared (store, *layer, &present, &local_error);
      if (local_error != NULL)
        return g_propagate_error (error, g_steal_pointer (&local_error)), NULL;
      if (fd >= 0)
        g_array_append_val (lease->lock_fds, fd);
      if (!present)
        {
          g_set_error (error, SBX_ERROR, SBX_ERROR_NOT_FOUND, "image '%s': layer %s is missing from the store",
                       image->name, *layer);
          return NULL;
        }
    }
  return g_steal_pointer (&lease);
}

void
sbx_store_lease_free (SbxStoreLease *lease)
{
  if (lease == NULL)
    return;
  for (guint i = 0; lease->lock_fds && i < lease->lock_fds->len; i++)
    close (g_array_index (lease->lock_fds, int, i));
  if (lease->lock_fds)
    g_array_unref (lease->lock_fds);
  g_free (lease);
}

/* ---------------------------------------------------------------------------
 * Image records (images.json)
 * ------------------------------------------------------------------------- */

void
sbx_image_free (SbxImage *image)
{
  if (image == NULL)
    return;
  g_free (image->name);
  g_free (image->id);
  g_free (image->manifest_digest);
  g_strfreev (image->layers);
  g_strfreev (image->entrypoint);
  g_strfreev (image->cmd);
  g_strfreev (image->env);
  g_free (image->working_dir);
  g_free (image->user);
  g_free (image);
}

static void
set_string_member (json_t *object, const char *member, const char *value)
{
  if (value != NULL)
    sbx_json_set (object, member, sbx_json_string_new (value));
}

gboolean
sbx_json_object_get_strv (json_t *object, const char *member, char ***out_strv)
{
  json_t *node = json_object_get (object, member);
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  json_t *element;
  size_t i;

  *out_strv = NULL;
  if (node == NULL || json_is_null (node))
    return TRUE;
  if (!json_is_array (node))
    return FALSE;
  json_array_foreach (node, i, element)
    {
      if (!json_is_string (element))
        return FALSE;
      g_ptr_array_add (strings, g_strdup (json_string_value (element)));
    }
  g_ptr_array_add (strings, NULL);
  *out_strv = (char **) g_ptr_array_free (g_steal_pointer (&strings), FALSE);
  return TRUE;
}

char *
sbx_json_object_dup_string (json_t *object, const char *member)
{
  return g_strdup (json_string_value (json_object_get (object, member)));
}

json_t *
sbx_image_to_json (const SbxImage *image)
{
  json_t *object = json_object ();

  set_string_member (object, "name", image->name);
  set_string_member (object, "id", image->id);
  set_string_member (object, "manifest_digest", image->manifest_digest);
  sbx_json_set_strv (object, "layers", image->layers);
  sbx_json_set_strv (object, "entrypoint", image->entrypoint);
  sbx_json_set_strv (object, "cmd", image->cmd);
  sbx_json_set_strv (object, "env", image->env);
  set_string_member (object, "working_dir", image->working_dir);
  set_string_member (object, "user", image->user);
  sbx_json_set (object, "created", json_integer (image->created));
  sbx_json_set (object, "size", json_integer ((json_int_t) image->size));
  return object;
}

/* A record is checked as strictly as an import: its digests end up in paths. */
SbxImage *
sbx_image_from_json (json_t *node, GError **error)
{
  g_autoptr(SbxImage) image = g_new0 (SbxImage, 1);
  json_t *object = json_is_object (node) ? node : NULL;
  gboolean well_typed;

  if (object == NULL)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "a record is not an object"), NULL;
  image->name = sbx_json_object_dup_string (object, "name");
  image->id = sbx_json_object_dup_string (object, "id");
  image->manifest_digest = sbx_json_object_dup_string (object, "manifest_digest");
  image->working_dir = sbx_json_object_dup_string (object, "working_dir");
  image->user = sbx_json_object_dup_string (object, "user");
  image->created = sbx_json_get_int (object, "created", 0);
  image->size = (guint64) sbx_json_get_int (object, "size", 0);
  well_typed = sbx_json_object_get_strv (object, "layers", &image->layers) &&
               sbx_json_object_get_strv (object, "entrypoint", &image->entrypoint) &&
               sbx_json_object_get_strv (object, "cmd", &image->cmd) &&
               sbx_json_object_get_strv (object, "env", &image->env);
  if (!well_typed || image->layers == NULL || image->id == NULL || !is_sha256_hex (image->id) ||
      !sbx_digest_is_valid (image->manifest_digest) || !sbx_store_check_name (image->name, NULL))
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "record '%s' is malformed",
                        image->name ? image->name : "?"),
           NULL;
  for (char **layer = image->layers; *layer; layer++)
    if (!sbx_digest_is_valid (*layer))
      return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "record '%s' has an invalid layer '%s'",
                          image->name, *layer),
             NULL;
  if (image->env == NULL)
    image->env = g_new0 (char *, 1);
  return g_steal_pointer (&image);
}

SbxImage *
sbx_image_copy (const SbxImage *image, GError **error)
{
  g_autoptr(json_t) record = sbx_image_to_json (image);

  return sbx_image_from_json (record, error);
}

/* The records (SbxImage *), in file order; none when images.json does not exist.
 * The caller holds `lock`. */
static GPtrArray *
read_records (SbxStore *store, GError **error)
{
  g_autofree char *path = store_path (store, IMAGES_FILE);
  g_autoptr(GPtrArray) images = g_ptr_array_new_with_free_func ((GDestroyNotify) sbx_image_free);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) bytes = sbx_store_read_beneath (store->root, IMAGES_FILE, MAX_IMAGES_FILE, &local_error);
  g_autoptr(json_t) root = NULL;
  json_t *records;
  json_t *record;
  size_t i;

  if (bytes == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&images);
      return g_propagate_error (error, g_steal_pointer (&local_error)), NULL;
    }
  root = sbx_json_parse_checked (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &local_error);
  if (root == NULL)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "%s: %s", path, local_error->message), NULL;
  records = sbx_json_get_array (json_is_object (root) ? root : NULL, "images");
  if (records == NULL)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "%s: no \"images\" array", path), NULL;
  json_array_foreach (records, i, record)
    {
      SbxImage *image = sbx_image_from_json (record, error);
      if (image == NULL)
        return g_prefix_error (error, "%s: ", path), NULL;
      g_ptr_array_add (images, image);
    }
  return g_steal_pointer (&images);
}

/* Replaces images.json (temporary file, fsync, rename).  The caller holds LOCK_EX. */
static gboolean
write_records (SbxStore *store, GPtrArray *images, GError **error)
{
  g_autofree char *path = store_path (store, IMAGES_FILE);
  g_autoptr(json_t) root = json_object ();
  json_t *records = json_array ();
  g_autofree char *data = NULL;
  gsize length;

  sbx_json_set (root, "version", json_integer (IMAGES_FORMAT_VERSION));
  sbx_json_set (root, "images", records);
  for (guint i = 0; i < images->len; i++)
    sbx_json_append (records, sbx_image_to_json (g_ptr_array_index (images, i)));
  data = sbx_json_to_text (root, TRUE, &length);
  if (!g_file_set_contents_full (path, data, length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600, error))
    return g_prefix_error (error, "writing the image records: "), FALSE;
  return TRUE;
}

static gint
find_record (GPtrArray *images, const char *name)
{
  for (guint i = 0; i < images->len; i++)
    if (strcmp (((SbxImage *) g_ptr_array_index (images, i))->name, name) == 0)
      return (gint) i;
  return -1;
}

static SbxImage *
image_copy (const SbxImage *image)
{
  SbxImage *copy = g_new0 (SbxImage, 1);

  *copy = (SbxImage) {
    .name = g_strdup (image->name),
    .id = g_strdup (image->id),
    .manifest_digest = g_strdup (image->manifest_digest),
    .layers = g_strdupv (image->layers),
    .entrypoint = g_strdupv (image->entrypoint),
    .cmd = g_strdupv (image->cmd),
    .env = image->env ? g_strdupv (image->env) : g_new0 (char *, 1),
    .working_dir = g_strdup (image->working_dir),
    .user = g_strdup (image->user),
    .created = image->created,
    .size = image->size,
  };
  return copy;
}

SbxImage *
sbx_store_load_image (SbxStore *store, const char *name, GError **error)
{
  sbx_autofd int lock_fd = sbx_store_lock (store, LOCK_SH, error);
  g_autoptr(GPtrArray) images = NULL;
  gint index;

  if (lock_fd < 0 || (images = read_records (store, error)) == NULL)
    return NULL;
  index = find_record (images, name);
  if (index < 0)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_NOT_FOUND, "no image named '%s'", name), NULL;
  return image_copy (g_ptr_array_index (images, index));
}

gboolean
sbx_store_has_image (SbxStore *store, const char *name)
{
  g_autoptr(SbxImage) image = sbx_store_load_image (store, name, NULL);
  return image != NULL;
}

static gint
compare_image_names (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(SbxImage * const *) a)->name, (*(SbxImage * const *) b)->name);
}

GPtrArray *
sbx_store_list_images (SbxStore *store, GError **error)
{
  sbx_autofd int lock_fd = sbx_store_lock (store, LOCK_SH, error);
  GPtrArray *images;

  if (lock_fd < 0 || (images = read_records (store, error)) == NULL)
    return NULL;
  g_ptr_array_sort (images, compare_image_names);
  return images;
}

/* ---------------------------------------------------------------------------
 * Staging directories in tmp/
 * ------------------------------------------------------------------------- */

SbxStaging *
sbx_store_staging_new (SbxStore *store, GError **error)
{
  g_autofree char *tmp = store_path (store, "tmp");
  g_autofree char *name = g_strdup_printf ("staging-%08x%08x", g_random_int (), g_random_int ());
  g_autofree char *lock_name = g_strconcat (name, LOCK_SUFFIX, NULL);
  g_autoptr(SbxStaging) staging = g_new0 (SbxStaging, 1);
  sbx_autofd int tmp_fd = open (tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  staging->lock_fd = -1;
  if (tmp_fd < 0)
    return sbx_set_error_from_errno (error, errno, "opening %s", tmp), NULL;
  staging->lock_fd = sbx_lock_file_create_locked (tmp_fd, lock_name, error);
  if (staging->lock_fd < 0)
    return NULL;
  staging->lock_path = g_build_filename (tmp, lock_name, NULL);
  if (mkdirat (tmp_fd, name, 0700) < 0)
    return sbx_set_error_from_errno (error, errno, "creating %s/%s", tmp, name), NULL;
  staging->path = g_build_filename (tmp, name, NULL);
  return g_steal_pointer (&staging);
}

void
sbx_staging_free (SbxStaging *staging)
{
  g_autoptr(GError) error = NULL;

  if (staging == NULL)
    return;
  if (staging->path && !sbx_rm_rf_at (AT_FDCWD, staging->path, &error))
    g_debug ("leaving %s for a later cleanup: %s", staging->path, error->message);
  else if (staging->lock_path)
    (void) unlink (staging->lock_path);
  if (staging->lock_fd >= 0)
    close (staging->lock_fd);
  g_free (staging->path);
  g_free (staging->lock_path);
  g_free (staging);
}

/* Names in directory @path (none when it cannot be read). */
static GPtrArray *
list_names (const char *path)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  return g_steal_pointer (&names);
}

void
sbx_store_clean_tmp (SbxStore *store)
{
  g_autofree char *tmp = store_path (store, "tmp");
  g_autoptr(GPtrArray) names = list_names (tmp);
  sbx_autofd int tmp_fd = open (tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  for (guint i = 0; tmp_fd >= 0 && i < names->len; i++)
    {
      const char *lock_name = g_ptr_array_index (names, i);
      g_autofree char *staging_name = NULL;
      g_autoptr(GError) error = NULL;
      sbx_autofd int lock_fd = -1;

      if (!g_str_has_suffix (lock_name, LOCK_SUFFIX))
        continue;
      if ((lock_fd = sbx_lock_file_open_stale (tmp_fd, lock_name)) < 0)
        continue;
      staging_name = g_strndup (lock_name, strlen (lock_name) - strlen (LOCK_SUFFIX));
      if (!sbx_rm_rf_at (tmp_fd, staging_name, &error))
        g_debug ("cannot remove %s/%s: %s", tmp, staging_name, error->message);
      else
        (void) unlinkat (tmp_fd, lock_name, 0);
    }
}

/* ---------------------------------------------------------------------------
 * Removal and garbage collection (the caller holds LOCK_EX)
 * ------------------------------------------------------------------------- */

/* Moves layers/<hex> out of sight into a staging dir and deletes it there, unless a
 * sandbox holds layers/<hex>.lock. */
static gboolean
remove_layer_unless_leased (SbxStore *store, int layers_fd, const char *hex, GError **error)
{
  g_autofree char *lock_name = g_strconcat (hex, LOCK_SUFFIX, NULL);
  g_autofree char *display = g_strconcat ("layers/", lock_name, NULL);
  g_autoptr(GError) local_error = NULL;
  sbx_autofd int lock_fd = sbx_lock_file_open (layers_fd, lock_name, LOCK_EX | LOCK_NB, display, &local_error);
  g_autoptr(SbxStaging) trash = NULL;
  g_autofree char *trash_path = NULL;
  struct stat st;

  if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_AGAIN))
    {
      g_debug ("layer sha256:%s is in use, keeping it", hex);
      return TRUE;
    }
  if (lock_fd < 0)
    return g_propagate_error (error, g_steal_pointer (&local_error)), FALSE;
  if (fstatat (layers_fd, hex, &st, AT_SYMLINK_NOFOLLOW) == 0)
    {
      trash = sbx_store_staging_new (store, error);
      if (trash == NULL)
        return FALSE;
      trash_path = g_build_filename (trash->path, hex, NULL);
      if (renameat (layers_fd, hex, AT_FDCWD, trash_path) < 0)
        return sbx_set_error_from_errno (error, errno, "moving layers/%s to %s", hex, trash_path);
    }
  if (unlinkat (layers_fd, lock_name, 0) < 0 && errno != ENOENT)
    return sbx_set_error_from_errno (error, errno, "removing layers/%s", lock_name);
  return TRUE;
}

static GHashTable *
used_digests (GPtrArray *images, gboolean layers)
{
  GHashTable *used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < images->len; i++)
    {
      SbxImage *image = g_ptr_array_index (images, i);
      if (!layers)
        {
          g_hash_table_add (used, g_strdup (image->id));
          g_hash_table_add (used, g_strdup (sbx_digest_hex (image->manifest_digest)));
          continue;
        }
      for (char **layer = image->layers; *layer; layer++)
        g_hash_table_add (used, g_strdup (sbx_digest_hex (*layer)));
    }
  return used;
}

/* Removes every layer (and its lock) and blob that no image of @images references. */
static gboolean
collect_garbage (SbxStore *store, GPtrArray *images, GError **error)
{
  g_autoptr(GHashTable) used_layers = used_digests (images, TRUE);
  g_autoptr(GPtrArray) sandboxes = sbx_sandbox_list (store, NULL);
  g_autoptr(GHashTable) used_blobs = used_digests (images, FALSE);
  g_autofree char *layers_dir = store_path (store, "layers");
  g_autofree char *blobs_dir = store_path (store, "blobs/sha256");
  g_autoptr(GPtrArray) layer_names = list_names (layers_dir);
  g_autoptr(GPtrArray) blob_names = list_names (blobs_dir);
  sbx_autofd int layers_fd = open (layers_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  sbx_autofd int blobs_fd = open (blobs_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (layers_fd < 0 || blobs_fd < 0)
    return sbx_set_error_from_errno (error, errno, "opening %s", layers_fd < 0 ? layers_dir : blobs_dir);
  /* A named sandbox's upper dir is a diff against its layers: they stay while it exists. */
  for (guint i = 0; sandboxes != NULL && i < sandboxes->len; i++)
    {
      SbxSandbox *sandbox = g_ptr_array_index (sandboxes, i);
      for (char **layer = sandbox->image->layers; *layer; layer++)
        g_hash_table_add (used_layers, g_strdup (sbx_digest_hex (*layer)));
    }
  for (guint i = 0; i < layer_names->len; i++)
    {
      const char *name = g_ptr_array_index (layer_names, i);
      g_autofree char *hex = g_strndup (name, SBX_DIGEST_HEX_LEN);

      if ((strcmp (name, hex) != 0 && strcmp (name + strlen (hex), LOCK_SUFFIX) != 0) ||
          !is_sha256_hex (hex) || g_hash_table_contains (used_layers, hex))
        continue;
      g_hash_table_add (used_layers, g_strdup (hex)); /* once per layer */
      if (!remove_layer_unless_leased (store, layers_fd, hex, error))
        return FALSE;
    }
  for (guint i = 0; i < blob_names->len; i++)
    {
      const char *name = g_ptr_array_index (blob_names, i);
      if (is_sha256_hex (name) && !g_hash_table_contains (used_blobs, name) &&
          unlinkat (blobs_fd, name, 0) < 0 && errno != ENOENT)
        return sbx_set_error_from_errno (error, errno, "removing %s/%s", blobs_dir, name);
    }
  return TRUE;
}

gboolean
sbx_store_remove_image (SbxStore *store, const char *name, GError **error)
{
  sbx_autofd int lock_fd = sbx_store_lock (store, LOCK_EX, error);
  g_autoptr(GPtrArray) images = NULL;
  gint index;

  if (lock_fd < 0 || (images = read_records (store, error)) == NULL)
    return FALSE;
  index = find_record (images, name);
  if (index < 0)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_NOT_FOUND, "no image named '%s'", name), FALSE;
  g_ptr_array_remove_index (images, index);
  if (!write_records (store, images, error))
    return FALSE;
  if (!collect_garbage (store, images, error))
    return g_prefix_error (error, "image '%s' removed, but not all its layers: ", name), FALSE;
  return TRUE;
}

gboolean
sbx_store_prune (SbxStore *store, gboolean all, GPtrArray *out_removed, GError **error)
{
  sbx_autofd int lock_fd = sbx_store_lock (store, LOCK_EX, error);
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GPtrArray) sandboxes = NULL;
  g_autoptr(GHashTable) kept_ids = g_hash_table_new (g_str_hash, g_str_equal);

  if (lock_fd < 0 || (images = read_records (store, error)) == NULL)
    return FALSE;
  sbx_store_clean_tmp (store);
  if (all)
    {
      sandboxes = sbx_sandbox_list (store, NULL);
      for (guint i = 0; i < sandboxes->len; i++)
        g_hash_table_add (kept_ids, ((SbxSandbox *) g_ptr_array_index (sandboxes, i))->image->id);
      for (guint i = images->len; i > 0; i--)
        {
          SbxImage *image = g_ptr_array_index (images, i - 1);
          if (g_hash_table_contains (kept_ids, image->id))
            continue;
          if (out_removed != NULL)
            g_ptr_array_add (out_removed, g_strdup (image->name));
          g_ptr_array_remove_index (images, i - 1);
        }
      if (!write_records (store, images, error))
        return FALSE;
    }
  return collect_garbage (store, images, error);
}

/* ---------------------------------------------------------------------------
 * Commit of an import (LOCK_EX)
 * ------------------------------------------------------------------------- */

static gboolean
install_layers (SbxStore *store, SbxStagedLayer *layers, guint n_layers, GError **error)
{
  for (guint i = 0; i < n_layers; i++)
    {
      g_autofree char *target = sbx_store_layer_path (store, layers[i].diff_id);
      struct stat st;

      if (layers[i].staged_path == NULL)
        {
          /* Reused: its shared lock, held by the caller, kept any rm away. */
          if (stat (target, &st) < 0 || !S_ISDIR (st.st_mode))
            return sbx_set_error_from_errno (error, errno ? errno : ENOTDIR, "layer %s", layers[i].diff_id);
          continue;
        }
      if (rename (layers[i].staged_path, target) < 0 && errno != EEXIST && errno != ENOTEMPTY)
        return sbx_set_error_from_errno (error, errno, "moving layer %s into the store", layers[i].diff_id);
      /* EEXIST/ENOTEMPTY: a concurrent import won; our copy goes with the staging. */
    }
  return TRUE;
}

static gboolean
install_blob (SbxStore *store, const char *digest, GBytes *data, GError **error)
{
  g_autofree char *path = g_build_filename (store->root, "blobs", "sha256", sbx_digest_hex (digest), NULL);
  gsize size;
  const char *bytes = g_bytes_get_data (data, &size);

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  return g_file_set_contents_full (path, bytes, size,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600, error);
}

gboolean
sbx_store_commit_image (SbxStore *store, const SbxImage *image, GBytes *manifest, GBytes *config,
                        SbxStagedLayer *layers, guint n_layers, GError **error)
{
  sbx_autofd int lock_fd = sbx_store_lock (store, LOCK_EX, error);
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GPtrArray) old_images = NULL;
  g_autofree char *config_digest = g_strconcat ("sha256:", image->id, NULL);
  gint index;

  if (lock_fd < 0 || (images = read_records (store, error)) == NULL ||
      (old_images = read_records (store, error)) == NULL)
    return FALSE;
  if (!install_layers (store, layers, n_layers, error) ||
      !install_blob (store, image->manifest_digest, manifest, error) ||
      !install_blob (store, config_digest, config, error))
    goto rollback;
  index = find_record (images, image->name);
  if (index >= 0)
    g_ptr_array_remove_index (images, index);
  g_ptr_array_add (images, image_copy (image));
  if (!write_records (store, images, error))
    goto rollback;
  /* The replaced image's layers may be unused now. */
  if (index >= 0)
    (void) collect_garbage (store, images, NULL);
  return TRUE;

rollback:
  /* Whatever this commit added is referenced by no record: collect it. */
  (void) collect_garbage (store, old_images, NULL);
  return FALSE;
}
