/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* unpack.h: unpacking one OCI layer tar (plain, gzip or zstd) into a directory.
 *
 * Applies OCI whiteouts as overlayfs expects them in a lower layer: `.wh.NAME` becomes a
 * 0:0 character device NAME, `.wh..wh..opq` sets the xattr user.overlay.opaque="y" (and
 * user.fuseoverlayfs.opaque="y") on its directory.  Keeps ownership, modes (setuid too),
 * mtimes, symlinks, hardlinks and xattrs where allowed.  Refuses, with an error naming the
 * entry, anything that would land outside the directory: absolute paths, "..", writes
 * through a symlink, hardlinks to outside.  Device nodes other than whiteouts are skipped. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SBX_UNPACK_NONE = 0,
  /* chown() failures (EPERM/EINVAL: the owner is not mapped) leave the caller's ownership. */
  SBX_UNPACK_IGNORE_CHOWN_ERRORS = 1 << 0,
} SbxUnpackFlags;

/* Unpacks the layer blob at @blob_path into the existing empty directory @dest.
 * @expected_digest ("sha256:<hex>", the blob's digest, may be NULL) and
 * @expected_diff_id ("sha256:<hex>", the digest of the uncompressed tar, may be NULL)
 * are checked while reading; on mismatch the function fails (the caller removes @dest).
 * On success *out_size (may be NULL) is the bytes of file data written. */
gboolean sbx_unpack_layer (const char *blob_path, const char *dest,
                           const char *expected_digest, const char *expected_diff_id,
                           SbxUnpackFlags flags, guint64 *out_size, GError **error);

/* One layer to unpack: the blob is @length bytes (-1: to the end of the file) of @blob_fd
 * from @offset, read with pread (several jobs may share one fd). */
typedef struct {
  int blob_fd;
  goffset offset;
  goffset length;
  const char *dest;    /* an existing empty directory */
  const char *digest;  /* the blob's digest, may be NULL */
  const char *diff_id; /* the tar's digest, may be NULL */
  SbxUnpackFlags flags;
  const gint *cancel; /* may be NULL; once non-zero (atomically), the job stops with an error */
} SbxUnpackJob;

/* sbx_unpack_layer() of a job; safe to call from several threads at once. */
gboolean sbx_unpack_blob (const SbxUnpackJob *job, guint64 *out_size, GError **error);

/* A layer entry's name made plain: "./a//b/./c/" -> "a/b/c", "./" -> ""; NULL (and
 * *out_reason) for an empty name, an absolute path and "..". */
char *sbx_unpack_clean_path (const char *raw, const char **out_reason);

G_END_DECLS
