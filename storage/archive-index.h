/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archive-index.h: an uncompressed tar read in place: where each member's bytes are. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  goffset offset; /* of the member's first byte in the archive file */
  goffset size;
} SbxArchiveMember;

typedef struct _SbxArchiveIndex SbxArchiveIndex;

/* Reads the headers of the tar @fd (seeking over the members' data).  NULL when the
 * archive is not a plain tar of directories and regular files with one member per path,
 * whose every member lies inside the file (compressed, links, sparse or device members,
 * "..", absolute or repeated names, more than 100,000 members, a read error): the caller
 * then extracts it, which reports what is wrong with it. */
SbxArchiveIndex *sbx_archive_index_new (int fd);
void sbx_archive_index_free (SbxArchiveIndex *index);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxArchiveIndex, sbx_archive_index_free)

/* The regular member at @path ("a/./b" and "./a/b" name "a/b"), or NULL. */
const SbxArchiveMember *sbx_archive_index_lookup (SbxArchiveIndex *index, const char *path);

G_END_DECLS
