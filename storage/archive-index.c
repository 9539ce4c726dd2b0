/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archive-index.c: an uncompressed tar (an oci-archive or docker-archive) read in place.
 *
 * libarchive reads the headers and seeks over the data; after each header the bytes it has
 * consumed are the offset of the member's data in the file, as the tar is not compressed.
 * The importer then reads blobs (and unpacks layers) straight from the archive, without
 * first extracting a copy of every blob.  What is read is verified by digest as before, so
 * an index that pointed at the wrong bytes would fail the import, never pass it.  Anything
 * unusual makes no index: the caller extracts the archive as before. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "archive-index.h"
#include "unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_MEMBERS 100000

struct _SbxArchiveIndex {
  GHashTable *members; /* clean path -> SbxArchiveMember */
};

typedef struct archive SbxIndexArchive;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxIndexArchive, archive_read_free)

/* "./a//b/./c/" -> "a/b/c"; NULL for absolute paths, ".." and empty names (the layer
 * unpacker's rules, sbx_unpack_clean_path, where "./" is the root: not a member here). */
static char *
clean_path (const char *raw)
{
  const char *reason;
  char *clean = sbx_unpack_clean_path (raw, &reason);

  if (clean != NULL && clean[0] == '\0')
    g_clear_pointer (&clean, g_free);
  return clean;
}

/* Adds @entry (a directory is only checked); FALSE when it rules the index out. */
static gboolean
add_member (SbxArchiveIndex *index, struct archive *archive, struct archive_entry *entry, goffset file_size)
{
  const char *name = archive_entry_pathname (entry);
  g_autofree char *path = NULL;
  SbxArchiveMember *member;

  if (archive_entry_hardlink (entry) != NULL || archive_entry_sparse_count (entry) > 0)
    return FALSE;
  if (archive_entry_filetype (entry) == AE_IFDIR)
    return name != NULL && (strcmp (name, "./") == 0 || strcmp (name, ".") == 0 || (path = clean_path (name)) != NULL);
  if (archive_entry_filetype (entry) != AE_IFREG || !archive_entry_size_is_set (entry) ||
      (path = clean_path (name)) == NULL || g_hash_table_contains (index->members, path))
    return FALSE;
  member = g_new (SbxArchiveMember, 1);
  member->offset = archive_filter_bytes (archive, 0);
  member->size = archive_entry_size (entry);
  g_hash_table_insert (index->members, g_steal_pointer (&path), member);
  return member->offset >= 0 && member->size >= 0 && member->offset <= file_size &&
         member->size <= file_size - member->offset;
}

static gboolean
read_headers (SbxArchiveIndex *index, struct archive *archive, goffset file_size)
{
  struct archive_entry *entry;
  int r;

  for (guint n = 0; (r = archive_read_next_header (archive, &entry)) != ARCHIVE_EOF; n++)
    {
      if (r != ARCHIVE_OK || n == MAX_MEMBERS || archive_filter_count (archive) != 1 ||
          archive_filter_code (archive, 0) != ARCHIVE_FILTER_NONE ||
          !add_member (index, archive, entry, file_size))
        return FALSE;
      if (archive_read_data_skip (archive) != ARCHIVE_OK)
        return FALSE;
    }
  return TRUE;
}

SbxArchiveIndex *
sbx_archive_index_new (int fd)
{
  g_autoptr(SbxArchiveIndex) index = g_new0 (SbxArchiveIndex, 1);
  g_autoptr(SbxIndexArchive) archive = archive_read_new ();
  struct stat st;

  index->members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || lseek (fd, 0, SEEK_SET) < 0 ||
      archive_read_support_format_tar (archive) != ARCHIVE_OK ||
      archive_read_open_fd (archive, fd, 64 * 1024) != ARCHIVE_OK ||
      !read_headers (index, archive, st.st_size))
    return NULL;
  return g_steal_pointer (&index);
}

void
sbx_archive_index_free (SbxArchiveIndex *index)
{
  if (index == NULL)
    return;
  g_hash_table_unref (index->members);
  g_free (index);
}

const SbxArchiveMember *
sbx_archive_index_lookup (SbxArchiveIndex *index, const char *path)
{
  g_autofree char *clean = clean_path (path);

  return clean ? g_hash_table_lookup (index->members, clean) : NULL;
}
