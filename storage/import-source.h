/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* import-source.h: the files of an image source, from a directory or read in place from
 * an uncompressed archive (private to import.c). */
#pragma once

#include <glib.h>
#include "archive-index.h"

G_BEGIN_DECLS

typedef struct {
  int dir_fd;     /* a layout directory (oci:, or an extracted archive), or -1 */
  int archive_fd; /* an archive read in place, or -1 */
  SbxArchiveIndex *index;
} SbxImportSource;

#define SBX_IMPORT_SOURCE_INIT \
  { \
    .dir_fd = -1, .archive_fd = -1, .index = NULL \
  }

void sbx_import_source_clear (SbxImportSource *source);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SbxImportSource, sbx_import_source_clear)

/* Takes ownership of @dir_fd. */
void sbx_import_source_set_dir (SbxImportSource *source, int dir_fd);
/* Opens the archive @path: *out_in_place (and @source set) when it can be read in place,
 * else it must be extracted first.  FALSE with @error when it cannot be opened. */
gboolean sbx_import_source_open_archive (SbxImportSource *source, const char *path, gboolean *out_in_place,
                                         GError **error);

/* The regular file @path of the source: an fd of its own (read it with pread), and where
 * its bytes are in that file.  Beneath a directory, in-tree symlinks are followed and
 * nothing outside is reached. */
int sbx_import_source_open (SbxImportSource *source, const char *path, goffset *out_offset, goffset *out_length,
                            GError **error);
/* The whole of @path, refused beyond @max_size bytes. */
GBytes *sbx_import_source_read (SbxImportSource *source, const char *path, gsize max_size, GError **error);

G_END_DECLS
