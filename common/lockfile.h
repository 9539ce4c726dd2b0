/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lockfile.h: flock'ed lock files, including ones their remover unlinks. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Opens @dirfd/@path (created 0600 when missing, no symlinks, close-on-exec) and takes
 * flock(@operation), retrying on EINTR.  The fd, or -1 with @error naming @display:
 * G_FILE_ERROR_AGAIN when @operation has LOCK_NB and another holds the lock, else the
 * errno's ("opening @display: ...", "locking @display: ..."). */
int sbx_lock_file_open (int dirfd, const char *path, int operation, const char *display, GError **error);

/* sbx_lock_file_open(), for a lock file that whoever removes what it guards unlinks while
 * holding it: a lock taken on an unlinked file protects nothing, so until @path still names
 * the locked file, starts again, at most @attempts times; then SBX_ERROR_BUSY ("@display
 * keeps being replaced"). */
int sbx_lock_file_linked (int dirfd, const char *path, int operation, guint attempts,
                          const char *display, GError **error);

/* Creates @dirfd/@name (0600) already holding LOCK_EX: an unnamed file (O_TMPFILE) is locked,
 * then linked under its name, so that nobody ever finds the lock of a live owner free.  The
 * fd, or -1 with @error (G_FILE_ERROR_EXIST when @name exists). */
int sbx_lock_file_create_locked (int dirfd, const char *name, GError **error);

/* The lock file @dirfd/@name (made by sbx_lock_file_create_locked) when its owner is gone:
 * its fd holding LOCK_EX, taken without waiting on a file still linked; else -1.  What it
 * guards may then be removed, and the lock file last. */
int sbx_lock_file_open_stale (int dirfd, const char *name);

G_END_DECLS
