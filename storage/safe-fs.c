/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* safe-fs.c: filesystem primitives that never follow a symlink planted by hostile
 * content: openat2 beneath a directory, and removal of a hostile tree (0000 dirs, deep
 * nesting, symlinks to outside) that only ever unlinks what lies below it. */
#include "storage-private.h"
#include "fd-util.h"
#include "sbx-error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
sbx_openat_beneath (int dirfd, const char *path, int flags, gboolean no_symlinks)
{
  return sbx_openat2 (dirfd, path, flags, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | (no_symlinks ? RESOLVE_NO_SYMLINKS : 0));
}

int
sbx_store_open_beneath (const char *root, const char *rel, int flags, GError **error)
{
  sbx_autofd int root_fd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  g_autofree char *escaped = NULL;
  int fd, errsv;

  if (root_fd >= 0 && (fd = sbx_openat_beneath (root_fd, rel, flags, TRUE)) >= 0)
    return fd;
  errsv = errno;
  escaped = g_strescape (rel, NULL);
  if (errsv == ELOOP || errsv == EXDEV)
    g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "%s/%s: a symlink in the store (refused; not followed)",
                 root, escaped);
  else
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv), "open %s/%s: %s", root, escaped,
                 g_strerror (errsv));
  return -1;
}

GBytes *
sbx_store_read_beneath (const char *root, const char *rel, gsize max, GError **error)
{
  sbx_autofd int fd = sbx_store_open_beneath (root, rel, O_RDONLY | O_NOCTTY, error);
  g_autoptr(GByteArray) data = NULL;
  struct stat st;

  if (fd < 0)
    return NULL;
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || (guint64) st.st_size > max)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "%s/%s: not a regular file of at most %" G_GSIZE_FORMAT " bytes", root, rel, max), NULL;
  data = g_byte_array_sized_new ((guint) st.st_size + 1);
  g_byte_array_set_size (data, (guint) st.st_size);
  if (st.st_size > 0 && !sbx_read_exact (fd, data->data, (gsize) st.st_size, error))
    return g_prefix_error (error, "%s/%s: ", root, rel), NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}
