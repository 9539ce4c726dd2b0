/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lockfile.c: flock'ed lock files (lockfile.h). */
#include "lockfile.h"
#include "fd-util.h"
#include "sbx-error.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

int
sbx_lock_file_open (int dirfd, const char *path, int operation, const char *display, GError **error)
{
  sbx_autofd int fd = openat (dirfd, path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  int r;

  if (fd < 0)
    return sbx_set_error_from_errno (error, errno, "opening %s", display), -1;
  do
    r = flock (fd, operation);
  while (r < 0 && errno == EINTR);
  if (r < 0 && errno == EWOULDBLOCK)
    return g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_AGAIN, "%s is locked", display), -1;
  if (r < 0)
    return sbx_set_error_from_errno (error, errno, "locking %s", display), -1;
  return sbx_steal_fd (&fd);
}

/* TRUE when @dirfd/@path is the file open as @fd. */
static gboolean
still_named (int dirfd, const char *path, int fd)
{
  struct stat st_fd, st_name;

  return fstat (fd, &st_fd) == 0 && fstatat (dirfd, path, &st_name, AT_SYMLINK_NOFOLLOW) == 0 &&
         st_fd.st_ino == st_name.st_ino && st_fd.st_dev == st_name.st_dev;
}

int
sbx_lock_file_linked (int dirfd, const char *path, int operation, guint attempts,
                      const char *display, GError **error)
{
  for (guint attempt = 0; attempt < attempts; attempt++)
    {
      sbx_autofd int fd = sbx_lock_file_open (dirfd, path, operation, display, error);

      if (fd < 0)
        return -1;
      if (still_named (dirfd, path, fd))
        return sbx_steal_fd (&fd);
    }
  g_set_error (error, SBX_ERROR, SBX_ERROR_BUSY, "%s keeps being replaced", display);
  return -1;
}

int
sbx_lock_file_create_locked (int dirfd, const char *name, GError **error)
{
  sbx_autofd int fd = openat (dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  char proc_path[64];

  if (fd < 0)
    return sbx_set_error_from_errno (error, errno, "creating %s", name), -1;
  if (flock (fd, LOCK_EX) < 0)
    return sbx_set_error_from_errno (error, errno, "locking %s", name), -1;
  g_snprintf (proc_path, sizeof proc_path, "/proc/self/fd/%d", fd);
  if (linkat (AT_FDCWD, proc_path, dirfd, name, AT_SYMLINK_FOLLOW) < 0)
    {
      int errsv = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv), "creating %s: %s", name, g_strerror (errsv));
      return -1;
    }
  return sbx_steal_fd (&fd);
}

int
sbx_lock_file_open_stale (int dirfd, const char *name)
{
  sbx_autofd int fd = openat (dirfd, name, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  struct stat st;

  /* Still linked once locked: not unlinked meanwhile by another cleanup that took it first. */
  if (fd < 0 || flock (fd, LOCK_EX | LOCK_NB) != 0 || fstat (fd, &st) != 0 || st.st_nlink == 0)
    return -1;
  return sbx_steal_fd (&fd);
}
