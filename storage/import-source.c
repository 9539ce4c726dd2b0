/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* import-source.c: the files of an image source, beneath a directory (openat2
 * RESOLVE_BENEATH, regular files only) or read in place from an uncompressed archive
 * (archive-index.c), so an oci-archive or docker-archive is not copied out before its
 * blobs are verified and unpacked. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "import-source.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gio/gio.h>

#include "fd-util.h"
#include "sbx-error.h"
#include "storage-private.h"

void
sbx_import_source_clear (SbxImportSource *source)
{
  sbx_close_fdp (&source->dir_fd);
  sbx_close_fdp (&source->archive_fd);
  source->dir_fd = source->archive_fd = -1;
  g_clear_pointer (&source->index, sbx_archive_index_free);
}

void
sbx_import_source_set_dir (SbxImportSource *source, int dir_fd)
{
  sbx_import_source_clear (source);
  source->dir_fd = dir_fd;
}

gboolean
sbx_import_source_open_archive (SbxImportSource *source, const char *path, gboolean *out_in_place, GError **error)
{
  sbx_autofd int fd = open (path, O_RDONLY | O_NOCTTY | O_CLOEXEC);

  *out_in_place = FALSE;
  if (fd < 0)
    return sbx_set_error_from_errno (error, errno, "%s", path);
  source->index = sbx_archive_index_new (fd);
  if (source->index == NULL)
    return TRUE;
  source->archive_fd = sbx_steal_fd (&fd);
  *out_in_place = TRUE;
  return TRUE;
}

/* Opens regular file @path beneath @dir_fd (in-tree symlinks allowed, nothing outside). */
static int
open_regular_beneath (int dir_fd, const char *path, struct stat *st, GError **error)
{
  sbx_autofd int fd = sbx_openat_beneath (dir_fd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, FALSE);

  if (fd < 0 && (errno == EXDEV || errno == ELOOP))
    return sbx_bad_image (error, "%s: points outside the image", path), -1;
  if (fd < 0)
    return sbx_set_error_from_errno (error, errno, "%s", path), -1;
  if (fstat (fd, st) < 0)
    return sbx_set_error_from_errno (error, errno, "%s", path), -1;
  if (!S_ISREG (st->st_mode))
    return sbx_bad_image (error, "%s: not a regular file", path), -1;
  return sbx_steal_fd (&fd);
}

int
sbx_import_source_open (SbxImportSource *source, const char *path, goffset *out_offset, goffset *out_length,
                        GError **error)
{
  const SbxArchiveMember *member;
  struct stat st;
  int fd;

  if (source->index == NULL)
    {
      fd = open_regular_beneath (source->dir_fd, path, &st, error);
      *out_offset = 0;
      *out_length = fd >= 0 ? st.st_size : 0;
      return fd;
    }
  member = sbx_archive_index_lookup (source->index, path);
  if (member == NULL)
    return sbx_set_error_from_errno (error, ENOENT, "%s", path), -1;
  fd = fcntl (source->archive_fd, F_DUPFD_CLOEXEC, 3);
  if (fd < 0)
    return sbx_set_error_from_errno (error, errno, "%s", path), -1;
  *out_offset = member->offset;
  *out_length = member->size;
  return fd;
}

GBytes *
sbx_import_source_read (SbxImportSource *source, const char *path, gsize max_size, GError **error)
{
  goffset offset = 0, length = 0;
  sbx_autofd int fd = sbx_import_source_open (source, path, &offset, &length, error);
  g_autofree char *data = NULL;
  gsize done = 0;

  if (fd < 0)
    return NULL;
  if (length > (goffset) max_size)
    return sbx_bad_image (error, "%s: larger than %" G_GSIZE_FORMAT " bytes", path, max_size), NULL;
  data = g_malloc (length + 1);
  while (done < (gsize) length)
    {
      ssize_t n = pread (fd, data + done, length - done, offset + done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return sbx_set_error_from_errno (error, errno, "reading %s", path), NULL;
      if (n == 0)
        break;
      done += n;
    }
  return g_bytes_new_take (g_steal_pointer (&data), done);
}
