/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* usage.c: what the store takes on disk (`sbx system df`): a walk that never follows a
 * symlink and counts a hard-linked file once. */
#include "store.h"
#include "sandbox.h"
#include "fd-util.h"
#include "sbx-error.h"
#include "storage-private.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
  guint64 bytes;
  GHashTable *seen; /* "dev:ino" of hard-linked files counted once */
} Usage;

static gboolean
add_usage (Usage *usage, const struct stat *st)
{
  if (!S_ISDIR (st->st_mode) && st->st_nlink > 1)
    {
      char *key = g_strdup_printf ("%lu:%lu", (gulong) st->st_dev, (gulong) st->st_ino);
      if (!g_hash_table_add (usage->seen, key))
        return TRUE;
    }
  usage->bytes += (guint64) st->st_blocks * 512;
  return TRUE;
}

static guint64
usage_walk (int dirfd, Usage *usage, guint depth)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  DIR *dir;
  struct dirent *entry;
  int fd;

  if (depth > 256 || (fd = dup (dirfd)) < 0 || (dir = fdopendir (fd)) == NULL)
    return usage->bytes;
  while ((entry = readdir (dir)) != NULL)
    if (strcmp (entry->d_name, ".") != 0 && strcmp (entry->d_name, "..") != 0)
      g_ptr_array_add (names, g_strdup (entry->d_name));
  closedir (dir);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      struct stat st;

      if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        continue;
      add_usage (usage, &st);
      if (S_ISDIR (st.st_mode))
        {
          sbx_autofd int child = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (child >= 0)
            usage_walk (child, usage, depth + 1);
        }
    }
  return usage->bytes;
}

guint64
sbx_disk_usage (const char *path)
{
  Usage usage = { 0, g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL) };
  sbx_autofd int fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;

  if (fd >= 0 && fstat (fd, &st) == 0)
    {
      add_usage (&usage, &st);
      usage_walk (fd, &usage, 0);
    }
  else if (lstat (path, &st) == 0)
    add_usage (&usage, &st);
  g_hash_table_unref (usage.seen);
  return usage.bytes;
}

static char *
store_subdir (SbxStore *store, const char *name)
{
  return g_build_filename (sbx_store_get_root (store), name, NULL);
}

static void
add_used_layers (GHashTable *used, char **layers)
{
  for (char **layer = layers; layer != NULL && *layer != NULL; layer++)
    if (sbx_digest_is_valid (*layer))
      g_hash_table_add (used, g_strdup (sbx_digest_hex (*layer)));
}

/* layers/: each layer directory, and the ones nothing uses. */
static void
layers_usage (SbxStore *store, GHashTable *used, SbxStoreUsage *out)
{
  g_autofree char *path = store_subdir (store, "layers");
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *layer = g_build_filename (path, name, NULL);
      guint64 bytes;

      if (strlen (name) != SBX_DIGEST_HEX_LEN)
        continue;
      bytes = sbx_disk_usage (layer);
      out->n_layers++;
      out->layers += bytes;
      if (!g_hash_table_contains (used, name))
        out->layers_unused += bytes;
    }
}

gboolean
sbx_store_usage (SbxStore *store, SbxStoreUsage *out, GError **error)
{
  sbx_autofd int lock_fd = sbx_store_lock (store, LOCK_SH, error);
  g_autoptr(GHashTable) used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GPtrArray) sandboxes = NULL;
  g_autofree char *blobs = store_subdir (store, "blobs");
  g_autofree char *sandbox_dir = store_subdir (store, "sandboxes");
  g_autofree char *tmp = store_subdir (store, "tmp");

  memset (out, 0, sizeof *out);
  if (lock_fd < 0 || (images = sbx_store_list_images (store, error)) == NULL ||
      (sandboxes = sbx_sandbox_list (store, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < images->len; i++)
    add_used_layers (used, ((SbxImage *) g_ptr_array_index (images, i))->layers);
  for (guint i = 0; i < sandboxes->len; i++)
    add_used_layers (used, ((SbxSandbox *) g_ptr_array_index (sandboxes, i))->image->layers);
  out->n_images = images->len;
  out->n_sandboxes = sandboxes->len;
  layers_usage (store, used, out);
  out->blobs = sbx_disk_usage (blobs);
  out->sandboxes = sbx_disk_usage (sandbox_dir);
  out->tmp = sbx_disk_usage (tmp);
  return TRUE;
}
