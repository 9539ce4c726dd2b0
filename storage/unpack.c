/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* unpack.c: unpacking one layer tar (plain, gzip or zstd) into a directory.
 *
 * The tar is hostile.  Every entry's parent is resolved with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS) from a directory fd of the destination, and every entry is
 * created with *at() calls relative to that parent, so nothing can land outside the
 * destination or go through a symlink, whatever an earlier entry planted.  The blob's
 * digest and the tar's diff_id are hashed in the same single pass that extracts it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <gio/gio.h>
#include <openssl/evp.h>

#include "fd-util.h"
#include "sbx-error.h"
#include "storage-private.h"

#define WHITEOUT_PREFIX ".wh."
#define OPAQUE_MARKER ".wh..wh..opq"
#define READ_BUFFER_SIZE (128 * 1024)

typedef struct archive SbxArchive;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxArchive, archive_read_free)

/* ---------------------------------------------------------------------------
 * Hashing readers: blob bytes (digest) -> decompressor -> tar bytes (diff_id)
 * ------------------------------------------------------------------------- */

/* SHA-256 by OpenSSL: SHA-NI or AVX2 where the CPU has them (GChecksum's is 4x slower). */
typedef EVP_MD_CTX SbxSha256;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxSha256, EVP_MD_CTX_free)

static SbxSha256 *
sha256_new (void)
{
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();

  if (ctx == NULL || EVP_DigestInit_ex (ctx, EVP_sha256 (), NULL) != 1)
    g_error ("OpenSSL: cannot set up SHA-256");
  return ctx;
}

static void
sha256_update (SbxSha256 *ctx, const void *data, size_t len)
{
  if (len > 0 && EVP_DigestUpdate (ctx, data, len) != 1)
    g_error ("OpenSSL: SHA-256 update failed");
}

/* "sha256:<hex>" of what went in. */
static char *
sha256_finish (SbxSha256 *ctx)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  GString *out = g_string_new ("sha256:");

  if (EVP_DigestFinal_ex (ctx, md, &len) != 1)
    g_error ("OpenSSL: SHA-256 final failed");
  for (unsigned int i = 0; i < len; i++)
    g_string_append_printf (out, "%02x", md[i]);
  return g_string_free (out, FALSE);
}

/* The blob's bytes from @offset, @remaining of them (-1: to the end of the file). */
typedef struct {
  int fd;
  goffset offset;
  goffset remaining;
  SbxSha256 *checksum;
  guint8 buffer[READ_BUFFER_SIZE];
} HashingFile;

static la_ssize_t
hashing_file_read (struct archive *archive, void *user_data, const void **out_buffer)
{
  HashingFile *file = user_data;
  size_t want = sizeof file->buffer;
  ssize_t n;

  if (file->remaining >= 0 && (goffset) want > file->remaining)
    want = (size_t) file->remaining;
  if (want == 0)
    return 0;
  do
    n = pread (file->fd, file->buffer, want, file->offset);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      archive_set_error (archive, errno, "read: %s", g_strerror (errno));
      return -1;
    }
  file->offset += n;
  if (file->remaining >= 0)
    file->remaining -= n;
  sha256_update (file->checksum, file->buffer, n);
  *out_buffer = file->buffer;
  return n;
}

typedef struct {
  struct archive *compressed;
  SbxSha256 *checksum;
  guint8 buffer[READ_BUFFER_SIZE];
} HashingStream;

static la_ssize_t
hashing_stream_read (struct archive *archive, void *user_data, const void **out_buffer)
{
  HashingStream *stream = user_data;
  la_ssize_t n = archive_read_data (stream->compressed, stream->buffer, sizeof stream->buffer);

  if (n < 0)
    {
      archive_set_error (archive, EIO, "%s",
                         archive_error_string (stream->compressed));
      return -1;
    }
  sha256_update (stream->checksum, stream->buffer, n);
  *out_buffer = stream->buffer;
  return n;
}

/* ---------------------------------------------------------------------------
 * Extraction of one entry
 * ------------------------------------------------------------------------- */

typedef struct {
  char *path; /* relative to the destination, "." for its root */
  mode_t mode;
  struct timespec times[2];
} DeferredDir;

static void
deferred_dir_free (DeferredDir *dir)
{
  g_free (dir->path);
  g_free (dir);
}

typedef struct {
  const char *label; /* "layer sha256:..." */
  int dest_fd;       /* O_PATH of the destination */
  SbxUnpackFlags flags;
  GPtrArray *deferred_dirs; /* DeferredDir: mode and mtime applied after contents */
  const gint *cancel;       /* when set (another layer failed): stop */
  guint64 size;
  guint skipped_devices;
} Unpacker;

static gboolean
entry_error (Unpacker *u, const char *name, GError **error, const char *format, ...) G_GNUC_PRINTF (4, 5);

static gboolean
entry_error (Unpacker *u, const char *name, GError **error, const char *format, ...)
{
  g_autofree char *what = NULL;
  g_autofree char *escaped = g_strescape (name, NULL); /* the name is the tar's: one line */
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE, "%s: entry '%s' %s", u->label, escaped, what);
  return FALSE;
}

static gboolean
entry_errno (Unpacker *u, const char *name, const char *op, GError **error)
{
  int errsv = errno;
  g_autofree char *escaped = g_strescape (name, NULL);
  return sbx_set_error_from_errno (error, errsv, "%s: entry '%s': %s", u->label, escaped, op);
}

char *
sbx_unpack_clean_path (const char *raw, const char **out_reason)
{
  g_auto(GStrv) parts = NULL;
  GString *clean;

  if (raw == NULL || *raw == '\0')
    return *out_reason = "empty name", NULL;
  if (raw[0] == '/')
    return *out_reason = "absolute path", NULL;
  parts = g_strsplit (raw, "/", -1);
  clean = g_string_new (NULL);
  for (char **part = parts; *part != NULL; part++)
    {
      if (**part == '\0' || strcmp (*part, ".") == 0)
        continue;
      if (strcmp (*part, "..") == 0)
        {
          g_string_free (clean, TRUE);
          return *out_reason = "'..' component", NULL;
        }
      if (clean->len > 0)
        g_string_append_c (clean, '/');
      g_string_append (clean, *part);
    }
  return g_string_free (clean, FALSE);
}

/* Splits "a/b/c" into parent "a/b" (or ".") and base "c". */
static void
split_path (const char *path, char **out_parent, const char **out_base)
{
  const char *slash = strrchr (path, '/');

  *out_parent = slash ? g_strndup (path, slash - path) : g_strdup (".");
  *out_base = slash ? slash + 1 : path;
}

static int
resolve_error (Unpacker *u, const char *name, GError **error)
{
  if (errno == ELOOP || errno == EXDEV)
    entry_error (u, name, error, "escapes the layer (goes through a symlink)");
  else if (errno == ENOTDIR)
    entry_error (u, name, error, "has a parent that is not a directory");
  else
    entry_errno (u, name, "resolving its parent", error);
  return -1;
}

/* Opens (O_PATH) the parent directory @parent of entry @name, creating missing
 * directories (0755) as tar does; never through a symlink. */
static int
open_parent_dir (Unpacker *u, const char *name, const char *parent, gboolean create, GError **error)
{
  g_auto(GStrv) parts = NULL;
  sbx_autofd int current = sbx_openat_beneath (u->dest_fd, parent, O_PATH | O_DIRECTORY, TRUE);

  if (current >= 0)
    return sbx_steal_fd (&current);
  if (errno != ENOENT || !create)
    return resolve_error (u, name, error);

  current = sbx_openat_beneath (u->dest_fd, ".", O_PATH | O_DIRECTORY, TRUE);
  if (current < 0)
    return resolve_error (u, name, error);
  parts = g_strsplit (parent, "/", -1);
  for (char **part = parts; *part != NULL; part++)
    {
      int next = sbx_openat_beneath (current, *part, O_PATH | O_DIRECTORY, TRUE);

      if (next < 0 && errno == ENOENT)
        {
          if (mkdirat (current, *part, 0755) < 0 && errno != EEXIST)
            return entry_errno (u, name, "creating its parent", error), -1;
          next = sbx_openat_beneath (current, *part, O_PATH | O_DIRECTORY, TRUE);
        }
      if (next < 0)
        return resolve_error (u, name, error);
      close (current);
      current = next;
    }
  return sbx_steal_fd (&current);
}

/* Makes room for entry @base: removes an existing non-directory, or an existing
 * directory tree unless @keep_dir (then *out_is_dir is set). */
static gboolean
clear_slot (Unpacker *u, int parent_fd, const char *base, const char *name,
            gboolean keep_dir, gboolean *out_is_dir, GError **error)
{
  struct stat st;

  if (out_is_dir)
    *out_is_dir = FALSE;
  if (fstatat (parent_fd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? TRUE : entry_errno (u, name, "stat", error);
  if (S_ISDIR (st.st_mode))
    {
      if (keep_dir)
        {
          *out_is_dir = TRUE;
          return TRUE;
        }
      if (!sbx_rm_rf_at (parent_fd, base, error))
        return g_prefix_error (error, "%s: entry '%s': replacing a directory: ", u->label, name), FALSE;
      return TRUE;
    }
  if (unlinkat (parent_fd, base, 0) < 0)
    return entry_errno (u, name, "replacing an existing file", error);
  return TRUE;
}

static gboolean
check_chown (Unpacker *u, int result, const char *name, GError **error)
{
  if (result == 0)
    return TRUE;
  if ((u->flags & SBX_UNPACK_IGNORE_CHOWN_ERRORS) && (errno == EPERM || errno == EINVAL))
    return TRUE;
  return entry_errno (u, name, "chown", error);
}

static gboolean
xattr_is_overlay_control (const char *xattr)
{
  return g_str_has_prefix (xattr, "user.overlay.") || g_str_has_prefix (xattr, "user.fuseoverlayfs.") ||
         g_str_has_prefix (xattr, "trusted.overlay.");
}

/* Privileged namespaces whose EPERM/ENOTSUP is not the image's fault. */
static gboolean
xattr_may_be_skipped (const char *xattr)
{
  if (strcmp (xattr, "security.capability") == 0)
    return FALSE;
  return g_str_has_prefix (xattr, "trusted.") || g_str_has_prefix (xattr, "security.") ||
         g_str_has_prefix (xattr, "system.");
}

/* Sets the entry's xattrs on @fd.  Overlay control xattrs (redirect, metacopy,
 * opaque...) are never taken from the tar: only whiteout entries make those. */
static gboolean
apply_xattrs (Unpacker *u, struct archive_entry *entry, int fd, const char *name, GError **error)
{
  const char *xattr;
  const void *value;
  size_t size;

  archive_entry_xattr_reset (entry);
  while (archive_entry_xattr_next (entry, &xattr, &value, &size) == ARCHIVE_OK)
    {
      if (xattr_is_overlay_control (xattr))
        {
          g_debug ("%s: entry '%s': ignoring xattr %s", u->label, name, xattr);
          continue;
        }
      if (fsetxattr (fd, xattr, value, size, 0) == 0)
        continue;
      if ((errno == EPERM || errno == ENOTSUP) && xattr_may_be_skipped (xattr))
        continue;
      return entry_errno (u, name, xattr, error);
    }
  return TRUE;
}

static void
entry_times (struct archive_entry *entry, struct timespec times[2])
{
  times[1].tv_sec = archive_entry_mtime (entry);
  times[1].tv_nsec = archive_entry_mtime_nsec (entry);
  times[0] = times[1];
  if (archive_entry_atime_is_set (entry))
    {
      times[0].tv_sec = archive_entry_atime (entry);
      times[0].tv_nsec = archive_entry_atime_nsec (entry);
    }
}

/* Owner, xattrs, mode (after chown: chown clears setuid), times, on an open file. */
static gboolean
apply_file_metadata (Unpacker *u, struct archive_entry *entry, int fd, const char *name, GError **error)
{
  struct timespec times[2];

  if (!check_chown (u, fchown (fd, archive_entry_uid (entry), archive_entry_gid (entry)), name, error) ||
      !apply_xattrs (u, entry, fd, name, error))
    return FALSE;
  if (fchmod (fd, archive_entry_perm (entry) & 07777) < 0)
    return entry_errno (u, name, "chmod", error);
  entry_times (entry, times);
  if (futimens (fd, times) < 0)
    return entry_errno (u, name, "utimens", error);
  return TRUE;
}

static gboolean
write_at (int fd, const guint8 *data, size_t len, off_t offset)
{
  while (len > 0)
    {
      ssize_t n = pwrite (fd, data, len, offset);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= n;
      offset += n;
    }
  return TRUE;
}

static gboolean
copy_file_data (Unpacker *u, struct archive *tar, struct archive_entry *entry, int fd,
                const char *name, GError **error)
{
  gint64 size = archive_entry_size (entry);
  gint64 end = 0;

  for (;;)
    {
      const void *block;
      size_t len;
      la_int64_t offset;
      int r = archive_read_data_block (tar, &block, &len, &offset);

      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        return entry_error (u, name, error, "cannot be read: %s", archive_error_string (tar));
      if (len > 0 && !write_at (fd, block, len, offset))
        return entry_errno (u, name, "write", error);
      end = MAX (end, offset + (gint64) len);
    }
  if (size > end && ftruncate (fd, size) < 0)
    return entry_errno (u, name, "truncate", error);
  u->size += MAX (size, end);
  return TRUE;
}

static gboolean
extract_regular (Unpacker *u, struct archive *tar, struct archive_entry *entry,
                 int parent_fd, const char *base, const char *name, GError **error)
{
  sbx_autofd int fd = -1;

  if (!clear_slot (u, parent_fd, base, name, FALSE, NULL, error))
    return FALSE;
  fd = openat (parent_fd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return entry_errno (u, name, "create", error);
  return copy_file_data (u, tar, entry, fd, name, error) &&
         apply_file_metadata (u, entry, fd, name, error);
}

static void
defer_dir_metadata (Unpacker *u, const char *path, struct archive_entry *entry)
{
  DeferredDir *dir = g_new0 (DeferredDir, 1);

  dir->path = g_strdup (path);
  dir->mode = archive_entry_perm (entry) & 07777;
  entry_times (entry, dir->times);
  g_ptr_array_add (u->deferred_dirs, dir);
}

/* A directory keeps what an earlier entry put in it; it stays u+rwx until
 * apply_deferred_dirs() so read-only directories can still be filled. */
static gboolean
extract_dir (Unpacker *u, struct archive_entry *entry, int parent_fd, const char *base,
             const char *path, const char *name, GError **error)
{
  gboolean exists = FALSE;
  sbx_autofd int fd = -1;

  if (!clear_slot (u, parent_fd, base, name, TRUE, &exists, error))
    return FALSE;
  if (!exists && mkdirat (parent_fd, base, 0700) < 0)
    return entry_errno (u, name, "mkdir", error);
  fd = openat (parent_fd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return entry_errno (u, name, "open", error);
  if (!check_chown (u, fchown (fd, archive_entry_uid (entry), archive_entry_gid (entry)), name, error) ||
      !apply_xattrs (u, entry, fd, name, error))
    return FALSE;
  defer_dir_metadata (u, path, entry);
  return TRUE;
}

static gboolean
extract_symlink (Unpacker *u, struct archive_entry *entry, int parent_fd, const char *base,
                 const char *name, GError **error)
{
  const char *target = archive_entry_symlink (entry);
  struct timespec times[2];

  if (target == NULL || *target == '\0')
    return entry_error (u, name, error, "is a symlink without a target");
  if (!clear_slot (u, parent_fd, base, name, FALSE, NULL, error))
    return FALSE;
  if (symlinkat (target, parent_fd, base) < 0)
    return entry_errno (u, name, "symlink", error);
  if (!check_chown (u, fchownat (parent_fd, base, archive_entry_uid (entry), archive_entry_gid (entry), AT_SYMLINK_NOFOLLOW), name, error))
    return FALSE;
  entry_times (entry, times);
  if (utimensat (parent_fd, base, times, AT_SYMLINK_NOFOLLOW) < 0)
    return entry_errno (u, name, "utimens", error);
  return TRUE;
}

static gboolean
extract_fifo (Unpacker *u, struct archive_entry *entry, int parent_fd, const char *base,
              const char *name, GError **error)
{
  struct timespec times[2];

  if (!clear_slot (u, parent_fd, base, name, FALSE, NULL, error))
    return FALSE;
  if (mkfifoat (parent_fd, base, 0600) < 0)
    return entry_errno (u, name, "mkfifo", error);
  if (!check_chown (u, fchownat (parent_fd, base, archive_entry_uid (entry), archive_entry_gid (entry), AT_SYMLINK_NOFOLLOW), name, error))
    return FALSE;
  /* The fifo was just created by us in a directory no one else writes: not a symlink. */
  if (fchmodat (parent_fd, base, archive_entry_perm (entry) & 07777, 0) < 0)
    return entry_errno (u, name, "chmod", error);
  entry_times (entry, times);
  if (utimensat (parent_fd, base, times, AT_SYMLINK_NOFOLLOW) < 0)
    return entry_errno (u, name, "utimens", error);
  return TRUE;
}

/* A hardlink's target must already be in this layer, reached without symlinks. */
static gboolean
extract_hardlink (Unpacker *u, const char *raw_target, int parent_fd, const char *base,
                  const char *name, GError **error)
{
  g_autofree char *target = NULL;
  g_autofree char *target_parent = NULL;
  const char *target_base;
  const char *reason = NULL;
  sbx_autofd int target_parent_fd = -1;
  struct stat target_st, st;

  target = sbx_unpack_clean_path (raw_target, &reason);
  if (target == NULL)
    return entry_error (u, name, error, "escapes the layer (hardlink to '%s': %s)",
                        raw_target ? raw_target : "", reason);
  if (*target == '\0')
    return entry_error (u, name, error, "is a hardlink to the layer root");
  split_path (target, &target_parent, &target_base);
  target_parent_fd = open_parent_dir (u, name, target_parent, FALSE, error);
  if (target_parent_fd < 0)
    return FALSE;
  if (fstatat (target_parent_fd, target_base, &target_st, AT_SYMLINK_NOFOLLOW) < 0)
    return entry_error (u, name, error, "links to '%s', which is not in the layer", raw_target);
  if (S_ISDIR (target_st.st_mode))
    return entry_error (u, name, error, "is a hardlink to a directory");
  if (fstatat (parent_fd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
      st.st_dev == target_st.st_dev && st.st_ino == target_st.st_ino)
    return TRUE;
  if (!clear_slot (u, parent_fd, base, name, FALSE, NULL, error))
    return FALSE;
  if (linkat (target_parent_fd, target_base, parent_fd, base, 0) < 0)
    return entry_errno (u, name, "link", error);
  return TRUE;
}

static gboolean
mark_opaque (Unpacker *u, int parent_fd, const char *name, GError **error)
{
  static const char * const opaque_xattrs[] = { "user.overlay.opaque", "user.fuseoverlayfs.opaque" };
  sbx_autofd int dir_fd = openat (parent_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (dir_fd < 0)
    return entry_errno (u, name, "open its directory", error);
  for (guint i = 0; i < G_N_ELEMENTS (opaque_xattrs); i++)
    if (fsetxattr (dir_fd, opaque_xattrs[i], "y", 1, 0) < 0)
      return entry_errno (u, name, "marking the directory opaque", error);
  return TRUE;
}

/* `.wh.NAME` -> a 0:0 character device NAME; `.wh..wh..opq` -> opaque directory. */
static gboolean
apply_whiteout (Unpacker *u, int parent_fd, const char *base, const char *name, GError **error)
{
  const char *hidden = base + strlen (WHITEOUT_PREFIX);

  if (strcmp (base, OPAQUE_MARKER) == 0)
    return mark_opaque (u, parent_fd, name, error);
  if (g_str_has_prefix (hidden, WHITEOUT_PREFIX))
    return TRUE; /* other aufs metadata (.wh..wh.plnk...): meaningless here */
  if (*hidden == '\0' || strcmp (hidden, ".") == 0 || strcmp (hidden, "..") == 0)
    return entry_error (u, name, error, "is not a valid whiteout");
  if (!clear_slot (u, parent_fd, hidden, name, FALSE, NULL, error))
    return FALSE;
  if (mknodat (parent_fd, hidden, S_IFCHR | 0000, makedev (0, 0)) < 0)
    return entry_errno (u, name, "creating the whiteout", error);
  return TRUE;
}

/* The "./" entry: the destination itself. */
static gboolean
extract_root_dir (Unpacker *u, struct archive_entry *entry, const char *name, GError **error)
{
  sbx_autofd int fd = -1;

  if (archive_entry_filetype (entry) != AE_IFDIR || archive_entry_hardlink (entry) != NULL)
    return entry_error (u, name, error, "replaces the layer root");
  fd = openat (u->dest_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return entry_errno (u, name, "open", error);
  if (!check_chown (u, fchown (fd, archive_entry_uid (entry), archive_entry_gid (entry)), name, error) ||
      !apply_xattrs (u, entry, fd, name, error))
    return FALSE;
  defer_dir_metadata (u, ".", entry);
  return TRUE;
}

static gboolean
extract_entry (Unpacker *u, struct archive *tar, struct archive_entry *entry, GError **error)
{
  const char *name = archive_entry_pathname (entry);
  const char *hardlink = archive_entry_hardlink (entry);
  const char *reason = NULL;
  g_autofree char *path = sbx_unpack_clean_path (name, &reason);
  g_autofree char *parent = NULL;
  const char *base;
  sbx_autofd int parent_fd = -1;

  if (path == NULL)
    return entry_error (u, name ? name : "", error, "escapes the layer (%s)", reason);
  if (*path == '\0')
    return extract_root_dir (u, entry, name, error);
  split_path (path, &parent, &base);
  parent_fd = open_parent_dir (u, name, parent, TRUE, error);
  if (parent_fd < 0)
    return FALSE;
  if (g_str_has_prefix (base, WHITEOUT_PREFIX))
    return apply_whiteout (u, parent_fd, base, name, error);
  if (hardlink != NULL)
    return extract_hardlink (u, hardlink, parent_fd, base, name, error);

  switch (archive_entry_filetype (entry))
    {
    case AE_IFREG:
      return extract_regular (u, tar, entry, parent_fd, base, name, error);
    case AE_IFDIR:
      return extract_dir (u, entry, parent_fd, base, path, name, error);
    case AE_IFLNK:
      return extract_symlink (u, entry, parent_fd, base, name, error);
    case AE_IFIFO:
      return extract_fifo (u, entry, parent_fd, base, name, error);
    case AE_IFCHR:
    case AE_IFBLK:
      u->skipped_devices++;
      return TRUE;
    default:
      return entry_error (u, name, error, "has an unsupported type 0%o",
                          (unsigned) archive_entry_filetype (entry));
    }
}

static guint
path_depth (const char *path)
{
  guint depth = strcmp (path, ".") == 0 ? 0 : 1;

  for (const char *p = path; *p; p++)
    depth += *p == '/';
  return depth;
}

static gint
compare_deeper_first (gconstpointer a, gconstpointer b)
{
  const DeferredDir *dir_a = *(DeferredDir * const *) a;
  const DeferredDir *dir_b = *(DeferredDir * const *) b;

  return (gint) path_depth (dir_b->path) - (gint) path_depth (dir_a->path);
}

/* Modes and mtimes of directories, deepest first, once all contents exist.  A
 * directory a later entry replaced (by a file, a symlink or a whiteout) is skipped. */
static gboolean
apply_deferred_dirs (Unpacker *u, GError **error)
{
  /* g_ptr_array_sort is stable: of two entries for one directory, the later wins. */
  g_ptr_array_sort (u->deferred_dirs, compare_deeper_first);
  for (guint i = 0; i < u->deferred_dirs->len; i++)
    {
      DeferredDir *dir = g_ptr_array_index (u->deferred_dirs, i);
      sbx_autofd int fd = sbx_openat_beneath (u->dest_fd, dir->path,
                                              O_RDONLY | O_DIRECTORY | O_NOFOLLOW, TRUE);

      if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP))
        continue;
      if (fd < 0)
        return entry_errno (u, dir->path, "open", error);
      if (fchmod (fd, dir->mode) < 0)
        return entry_errno (u, dir->path, "chmod", error);
      if (futimens (fd, dir->times) < 0)
        return entry_errno (u, dir->path, "utimens", error);
    }
  return TRUE;
}

/* ---------------------------------------------------------------------------
 * The layer
 * ------------------------------------------------------------------------- */

static gboolean
check_archive (int r, struct archive *archive, const char *label, const char *what, GError **error)
{
  if (r >= ARCHIVE_WARN)
    return TRUE;
  g_set_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE, "%s: %s: %s", label, what,
               archive_error_string (archive) ? archive_error_string (archive) : "unknown error");
  return FALSE;
}

/* Archive A: the blob's bytes (hashed) through a decompressor, as one raw entry.
 * Only gzip, zstd, xz and bzip2: no external-program filters, no uu/rpm guessing. */
static struct archive *
open_decompressor (HashingFile *file, const char *label, GError **error)
{
  g_autoptr(SbxArchive) archive = archive_read_new ();
  struct archive_entry *raw_entry;

  if (archive_read_support_filter_gzip (archive) != ARCHIVE_OK ||
      archive_read_support_filter_zstd (archive) != ARCHIVE_OK ||
      archive_read_support_filter_xz (archive) != ARCHIVE_OK ||
      archive_read_support_filter_bzip2 (archive) != ARCHIVE_OK ||
      archive_read_support_format_raw (archive) != ARCHIVE_OK)
    return check_archive (ARCHIVE_FATAL, archive, label, "libarchive setup", error), NULL;
  if (!check_archive (archive_read_open (archive, file, NULL, hashing_file_read, NULL),
                      archive, label, "reading the blob", error) ||
      !check_archive (archive_read_next_header (archive, &raw_entry),
                      archive, label, "reading the blob", error))
    return NULL;
  return g_steal_pointer (&archive);
}

/* Archive B: the tar read from A's decompressed bytes (hashed for the diff_id). */
static struct archive *
open_tar (HashingStream *stream, const char *label, GError **error)
{
  g_autoptr(SbxArchive) archive = archive_read_new ();

  if (archive_read_support_format_tar (archive) != ARCHIVE_OK)
    return check_archive (ARCHIVE_FATAL, archive, label, "libarchive setup", error), NULL;
  if (!check_archive (archive_read_open (archive, stream, NULL, hashing_stream_read, NULL),
                      archive, label, "reading the tar", error))
    return NULL;
  return g_steal_pointer (&archive);
}

static gboolean
extract_all (Unpacker *u, struct archive *tar, GError **error)
{
  for (;;)
    {
      struct archive_entry *entry;
      int r = archive_read_next_header (tar, &entry);

      if (r == ARCHIVE_EOF)
        return TRUE;
      if (u->cancel != NULL && g_atomic_int_get (u->cancel))
        return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "%s: cancelled", u->label), FALSE;
      if (!check_archive (r, tar, u->label, "reading the tar", error) ||
          !extract_entry (u, tar, entry, error))
        return FALSE;
    }
}

/* Reads both streams to their ends so the hashes cover every byte (tar padding,
 * trailing compressed data). */
static gboolean
drain_streams (HashingStream *stream, struct archive *tar, HashingFile *file,
               struct archive *decompressor, const char *label, GError **error)
{
  const void *ignored;
  la_ssize_t n;

  while ((n = hashing_stream_read (tar, stream, &ignored)) > 0)
    ;
  if (n < 0)
    return check_archive (ARCHIVE_FATAL, tar, label, "reading the tar", error);
  while ((n = hashing_file_read (decompressor, file, &ignored)) > 0)
    ;
  if (n < 0)
    return check_archive (ARCHIVE_FATAL, decompressor, label, "reading the blob", error);
  return TRUE;
}

static gboolean
check_digest (SbxSha256 *checksum, const char *expected, const char *label, const char *what,
              GError **error)
{
  g_autofree char *got = NULL;

  if (expected == NULL)
    return TRUE;
  got = sha256_finish (checksum);
  if (strcmp (got, expected) == 0)
    return TRUE;
  g_set_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE, "%s: %s mismatch (got %s)", label, what, got);
  return FALSE;
}

gboolean
sbx_unpack_blob (const SbxUnpackJob *job, guint64 *out_size, GError **error)
{
  g_autofree char *label = g_strdup_printf ("layer %s", job->digest    ? job->digest
                                                        : job->diff_id ? job->diff_id
                                                                       : job->dest);
  g_autoptr(SbxSha256) blob_checksum = sha256_new ();
  g_autoptr(SbxSha256) tar_checksum = sha256_new ();
  g_autofree HashingFile *file = g_new0 (HashingFile, 1);
  g_autofree HashingStream *stream = g_new0 (HashingStream, 1);
  g_autoptr(GPtrArray) deferred_dirs = g_ptr_array_new_with_free_func ((GDestroyNotify) deferred_dir_free);
  g_autoptr(SbxArchive) decompressor = NULL;
  g_autoptr(SbxArchive) tar = NULL;
  sbx_autofd int dest_fd = -1;
  Unpacker u = { .label = label, .flags = job->flags, .deferred_dirs = deferred_dirs, .cancel = job->cancel };

  if ((job->digest && !sbx_digest_check (job->digest, label, error)) ||
      (job->diff_id && !sbx_digest_check (job->diff_id, label, error)))
    return FALSE;
  dest_fd = open (job->dest, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dest_fd < 0)
    return sbx_set_error_from_errno (error, errno, "%s: open %s", label, job->dest);
  u.dest_fd = dest_fd;

  *file = (HashingFile) { .fd = job->blob_fd, .offset = job->offset, .remaining = job->length, .checksum = blob_checksum };
  decompressor = open_decompressor (file, label, error);
  if (decompressor == NULL)
    return FALSE;
  *stream = (HashingStream) { .compressed = decompressor, .checksum = tar_checksum };
  tar = open_tar (stream, label, error);
  if (tar == NULL ||
      !extract_all (&u, tar, error) ||
      !drain_streams (stream, tar, file, decompressor, label, error) ||
      !check_digest (blob_checksum, job->digest, label, "digest", error) ||
      !check_digest (tar_checksum, job->diff_id, label, "diff_id", error) ||
      !apply_deferred_dirs (&u, error))
    return FALSE;
  if (u.skipped_devices > 0)
    g_debug ("%s: skipped %u device nodes", label, u.skipped_devices);
  if (out_size)
    *out_size = u.size;
  return TRUE;
}

gboolean
sbx_unpack_layer (const char *blob_path, const char *dest,
                  const char *expected_digest, const char *expected_diff_id,
                  SbxUnpackFlags flags, guint64 *out_size, GError **error)
{
  sbx_autofd int blob_fd = open (blob_path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
  SbxUnpackJob job = { .blob_fd = blob_fd, .offset = 0, .length = -1, .dest = dest, .digest = expected_digest, .diff_id = expected_diff_id, .flags = flags };

  if (blob_fd < 0)
    return sbx_set_error_from_errno (error, errno, "layer %s: open %s",
                                     expected_digest ? expected_digest : expected_diff_id ? expected_diff_id
                                                                                          : blob_path,
                                     blob_path);
  return sbx_unpack_blob (&job, out_size, error);
}
