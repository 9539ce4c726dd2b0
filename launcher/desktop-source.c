/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* desktop-source.c: reading an app's files (desktop files, icons) from the host or from an
 * image's layers, as desktop-source.h describes: layer by layer from the top, resolved inside
 * each layer, whiteouts and opaque directories honoured. */
#include "desktop-source.h"
#include "fd-util.h"
#include "sbx-error.h"
#include "store.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#define MAX_NAMES 4096

struct SbxAppFiles {
  char *what;
  GArray *roots; /* int: O_PATH fds of the layer directories, top first */
  SbxStore *store;
  SbxStoreLease *lease;
};

static void
close_root (gpointer fdp)
{
  sbx_close_fdp (fdp);
}

static gboolean
add_root (SbxAppFiles *files, const char *path, GError **error)
{
  int fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return sbx_set_error_from_errno (error, errno, "opening %s", path);
  g_array_append_val (files->roots, fd);
  return TRUE;
}

static gboolean
open_image_layers (SbxAppFiles *files, const char *image, GError **error)
{
  g_autoptr(SbxImage) record = NULL;
  guint n;

  if ((files->store = sbx_store_open (NULL, error)) == NULL ||
      (record = sbx_store_load_image (files->store, image, error)) == NULL ||
      (files->lease = sbx_store_lease_image (files->store, record, error)) == NULL)
    return FALSE;
  n = g_strv_length (record->layers);
  for (guint i = n; i > 0; i--)
    {
      g_autofree char *path = sbx_store_layer_path (files->store, record->layers[i - 1]);
      if (!add_root (files, path, error))
        return FALSE;
    }
  return TRUE;
}

SbxAppFiles *
sbx_app_files_open (const char *image, GError **error)
{
  g_autoptr(SbxAppFiles) files = g_new0 (SbxAppFiles, 1);
  gboolean host = g_str_equal (image, "host");

  files->roots = g_array_new (FALSE, FALSE, sizeof (int));
  g_array_set_clear_func (files->roots, close_root);
  files->what = host ? g_strdup ("the host") : g_strdup_printf ("image '%s'", image);
  if (host ? !add_root (files, "/", error) : !open_image_layers (files, image, error))
    return NULL;
  return g_steal_pointer (&files);
}

void
sbx_app_files_free (SbxAppFiles *files)
{
  if (files == NULL)
    return;
  g_clear_pointer (&files->roots, g_array_unref);
  g_clear_pointer (&files->lease, sbx_store_lease_free);
  g_clear_pointer (&files->store, sbx_store_free);
  g_free (files->what);
  g_free (files);
}

const char *
sbx_app_files_describe (SbxAppFiles *files)
{
  return files->what;
}

/* ------------------------------------------------------------------ one layer */

static gboolean
is_opaque (int fd)
{
  static const char * const names[] = { "user.overlay.opaque", "trusted.overlay.opaque", "user.fuseoverlayfs.opaque" };
  char proc_path[64], value[2];

  g_snprintf (proc_path, sizeof proc_path, "/proc/self/fd/%d", fd);
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (getxattr (proc_path, names[i], value, sizeof value) == 1 && value[0] == 'y')
      return TRUE;
  return FALSE;
}

static gboolean
is_whiteout (const struct stat *st)
{
  return S_ISCHR (st->st_mode) && st->st_rdev == 0;
}

typedef enum { ABSENT,
               FOUND,
               HIDDEN } Presence;

/* What @path is in the layer @root: FOUND (*out_fd: an O_PATH fd of it), ABSENT (look
 * below; unless *out_stop: an opaque directory on the way hides the layers below) or HIDDEN
 * (a whiteout, or a non-directory where a directory of the path would be). */
static Presence
layer_lookup (int root, const char *path, int *out_fd, gboolean *out_stop)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  g_autoptr(GString) prefix = g_string_new (NULL);

  *out_fd = -1;
  *out_stop = FALSE;
  for (guint i = 0; parts[i] != NULL; i++)
    {
      sbx_autofd int fd = -1;
      struct stat st;

      if (*parts[i] == '\0')
        continue;
      g_string_append_printf (prefix, "%s%s", prefix->len > 0 ? "/" : "", parts[i]);
      fd = sbx_openat2 (root, prefix->str, O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
      if (fd < 0 || fstat (fd, &st) < 0)
        return ABSENT;
      if (is_whiteout (&st))
        return HIDDEN;
      if (parts[i + 1] == NULL)
        return (*out_fd = sbx_steal_fd (&fd)), FOUND;
      if (!S_ISDIR (st.st_mode))
        return HIDDEN;
      *out_stop |= is_opaque (fd);
    }
  return ABSENT;
}

/* An O_PATH fd of @path in the topmost layer that has it, or -1. */
static int
lookup (SbxAppFiles *files, const char *path)
{
  for (guint i = 0; i < files->roots->len; i++)
    {
      gboolean stop;
      int fd;
      Presence presence = layer_lookup (g_array_index (files->roots, int, i), path, &fd, &stop);

      if (presence == FOUND)
        return fd;
      if (presence == HIDDEN || stop)
        break;
    }
  return -1;
}

/* ------------------------------------------------------------------ reading */

static gboolean
read_limited (int fd, gsize max, const char *what, GBytes **out_bytes, GError **error)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  guint8 buffer[65536];
  gssize n;

  while ((n = read (fd, buffer, sizeof buffer)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return sbx_set_error_from_errno (error, errno, "reading %s", what);
      if (data->len + (gsize) n > max)
        return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s: larger than %" G_GSIZE_FORMAT " KiB",
                            what, max / 1024),
               FALSE;
      g_byte_array_append (data, buffer, n);
    }
  *out_bytes = g_byte_array_free_to_bytes (g_steal_pointer (&data));
  return TRUE;
}

gboolean
sbx_app_files_read (SbxAppFiles *files, const char *path, gsize max, GBytes **out_bytes, GError **error)
{
  sbx_autofd int path_fd = lookup (files, path);
  sbx_autofd int fd = -1;
  g_autofree char *what = g_strdup_printf ("/%s in %s", path, files->what);
  char proc_path[64];
  struct stat st;

  *out_bytes = NULL;
  if (path_fd < 0)
    return TRUE;
  if (fstat (path_fd, &st) < 0)
    return sbx_set_error_from_errno (error, errno, "%s", what);
  if (!S_ISREG (st.st_mode))
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s: not a regular file", what), FALSE;
  g_snprintf (proc_path, sizeof proc_path, "/proc/self/fd/%d", path_fd);
  if ((fd = open (proc_path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
    return sbx_set_error_from_errno (error, errno, "opening %s", what);
  return read_limited (fd, max, what, out_bytes, error);
}

/* ------------------------------------------------------------------ listing */

/* Adds the names of directory @path_fd not seen in a layer above to @names; whiteouts hide.
 * FALSE when @path_fd is no directory (it hides the layers below). */
static gboolean
list_layer_dir (int path_fd, GHashTable *seen, GPtrArray *names)
{
  int fd = openat (path_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *dir = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *entry;

  if (dir == NULL)
    {
      sbx_close_fdp (&fd);
      return FALSE;
    }
  while ((entry = readdir (dir)) != NULL && g_hash_table_size (seen) < MAX_NAMES)
    {
      struct stat st;

      if (g_str_equal (entry->d_name, ".") || g_str_equal (entry->d_name, "..") ||
          g_hash_table_contains (seen, entry->d_name) ||
          fstatat (dirfd (dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      g_hash_table_add (seen, g_strdup (entry->d_name));
      if (!is_whiteout (&st))
        g_ptr_array_add (names, g_strdup (entry->d_name));
    }
  closedir (dir);
  return TRUE;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GPtrArray *
sbx_app_files_list (SbxAppFiles *files, const char *path)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < files->roots->len; i++)
    {
      sbx_autofd int fd = -1;
      gboolean stop;
      Presence presence = layer_lookup (g_array_index (files->roots, int, i), path, &fd, &stop);

      if (presence == HIDDEN)
        break;
      if (presence == FOUND)
        {
          stop |= !list_layer_dir (fd, seen, names) || is_opaque (fd);
        }
      if (stop)
        break;
    }
  g_ptr_array_sort (names, compare_names);
  return names;
}
