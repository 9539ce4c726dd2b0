/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fd-util.h: small helpers for file descriptors: cleanup, full reads and writes. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <unistd.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* g_autofd (GLib 2.76) is not in bookworm's 2.74: our own close-on-scope-exit. */
static inline void
sbx_close_fdp (int *fdp)
{
  if (*fdp >= 0)
    {
      int errsv = errno;
      (void) close (*fdp);
      errno = errsv;
    }
}
#define sbx_autofd __attribute__ ((cleanup (sbx_close_fdp)))

static inline int
sbx_steal_fd (int *fdp)
{
  int fd = *fdp;
  *fdp = -1;
  return fd;
}

/* Writes all of @buf, retrying on EINTR and short writes. */
gboolean sbx_write_all (int fd, const void *buf, size_t len, GError **error);
/* Reads exactly @len bytes; FALSE with G_IO_ERROR_CLOSED at end of file. */
gboolean sbx_read_exact (int fd, void *buf, size_t len, GError **error);
/* Opens @name under @dirfd with @flags (O_WRONLY and O_CLOEXEC added; @mode for O_CREAT)
 * and writes all of @contents; errors name @name. */
gboolean sbx_write_string_at (int dirfd, const char *name, int flags, mode_t mode,
                              const char *contents, GError **error);
/* Creates @name under @dirfd holding @data, in one step: an unnamed file (O_TMPFILE) is
 * written, then linked under its name.  A kill at any moment leaves the whole file or
 * nothing, never a part of it nor a temporary name.  Where the filesystem has no O_TMPFILE,
 * a temporary ".NAME.sbx-XXXXXX" is written and linked instead: still never a part of
 * @name.  An existing @name is an error (G_FILE_ERROR_EXIST), as with O_EXCL. */
gboolean sbx_write_new_file_at (int dirfd, const char *name, mode_t mode, const void *data, size_t len,
                                GError **error);
/* What sbx_write_new_file_at does where the filesystem has no O_TMPFILE (some FUSE and
 * network filesystems): a file under a temporary name, written whole, then linked under
 * @name and the temporary name removed.  Only a kill between the two leaves the temporary
 * ".NAME.sbx-XXXXXXXX" behind. */
gboolean sbx_write_new_file_linked_at (int dirfd, const char *name, mode_t mode, const void *data, size_t len,
                                       GError **error);
/* openat2(@dirfd, @path, @flags | O_CLOEXEC, @resolve), retried (a bounded number of times)
 * on EINTR and on the EAGAIN a concurrent rename or mount asks for.  The fd, or -1 with errno. */
int sbx_openat2 (int dirfd, const char *path, int flags, guint64 resolve);
/* Whether @fd is on procfs (fstatfs, PROC_SUPER_MAGIC): what sbx opened under /proc is the
 * kernel's and not something mounted over it.  FALSE with @error naming @path otherwise. */
gboolean sbx_fd_check_procfs (int fd, const char *path, GError **error);
/* Opens @path (under /proc) with @flags, O_CLOEXEC and O_NOFOLLOW, and checks the fd is on
 * procfs.  The fd, or -1 with @error. */
int sbx_open_procfs (const char *path, int flags, GError **error);
/* Creates @path (mode 0700) and missing parents; an existing directory is fine. */
gboolean sbx_mkdir_p (const char *path, int mode, GError **error);
/* A small number from a /proc/sys file; -1 when absent or unreadable. */
long sbx_read_sysctl (const char *path);

G_END_DECLS
