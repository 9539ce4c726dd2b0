/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fd-util.c: full reads and writes on file descriptors, recursive mkdir, procfs checks. */
#include "fd-util.h"
#include "escape.h"
#include "sbx-error.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

gboolean
sbx_write_all (int fd, const void *buf, size_t len, GError **error)
{
  const char *p = buf;

  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return sbx_set_error_from_errno (error, errno, "write");
      p += n;
      len -= (size_t) n;
    }
  return TRUE;
}

gboolean
sbx_read_exact (int fd, void *buf, size_t len, GError **error)
{
  char *p = buf;

  while (len > 0)
    {
      ssize_t n = read (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return sbx_set_error_from_errno (error, errno, "read");
      if (n == 0)
        {
          g_set_error_literal (error, SBX_ERROR, SBX_ERROR_FAILED, "unexpected end of file");
          return FALSE;
        }
      p += n;
      len -= (size_t) n;
    }
  return TRUE;
}

gboolean
sbx_write_string_at (int dirfd, const char *name, int flags, mode_t mode,
                     const char *contents, GError **error)
{
  sbx_autofd int fd = openat (dirfd, name, flags | O_WRONLY | O_CLOEXEC, mode);

  if (fd < 0)
    return sbx_set_error_from_errno (error, errno, "open %s", name);
  if (!sbx_write_all (fd, contents, strlen (contents), error))
    {
      g_prefix_error (error, "%s: ", name);
      return FALSE;
    }
  return TRUE;
}

/* The contents of a new file, with @mode itself (the umask is not for runtime state). */
static gboolean
fill_new_file (int fd, const char *name, mode_t mode, const void *data, size_t len, GError **error)
{
  if (fchmod (fd, mode) != 0)
    return sbx_set_error_from_errno (error, errno, "chmod %s", name);
  if (!sbx_write_all (fd, data, len, error))
    return g_prefix_error (error, "%s: ", name), FALSE;
  return TRUE;
}

/* Linking the new file as @name failed with @errsv (EEXIST: G_FILE_ERROR_EXIST). */
static gboolean
link_failed (const char *name, int errsv, GError **error)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv), "create %s: %s", name, g_strerror (errsv));
  return FALSE;
}

gboolean
sbx_write_new_file_linked_at (int dirfd, const char *name, mode_t mode, const void *data, size_t len, GError **error)
{
  g_autofree char *tmp = NULL;
  sbx_autofd int fd = -1;
  int errsv;

  for (int attempt = 0; fd < 0 && attempt < 16; attempt++)
    {
      g_free (tmp);
      tmp = g_strdup_printf (".%s.sbx-%08x", name, g_random_int ());
      fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
      if (fd < 0 && errno != EEXIST)
        return sbx_set_error_from_errno (error, errno, "create %s", name);
    }
  if (fd < 0)
    return sbx_set_error_from_errno (error, EEXIST, "create %s", name);
  if (!fill_new_file (fd, name, mode, data, len, error))
    {
      (void) unlinkat (dirfd, tmp, 0);
      return FALSE;
    }
  errsv = linkat (dirfd, tmp, dirfd, name, 0) == 0 ? 0 : errno;
  (void) unlinkat (dirfd, tmp, 0);
  return errsv == 0 || link_failed (name, errsv, error);
}

gboolean
sbx_write_new_file_at (int dirfd, const char *name, mode_t mode, const void *data, size_t len, GError **error)
{
  sbx_autofd int fd = openat (dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
  char proc_path[64];

  if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL))
    return sbx_write_new_file_linked_at (dirfd, name, mode, data, len, error);
  if (fd < 0)
    return sbx_set_error_from_errno (error, errno, "create %s", name);
  if (!fill_new_file (fd, name, mode, data, len, error))
    return FALSE;
  g_snprintf (proc_path, sizeof proc_path, "/proc/self/fd/%d", fd);
  if (linkat (AT_FDCWD, proc_path, dirfd, name, AT_SYMLINK_FOLLOW) != 0)
    return link_failed (name, errno, error);
  return TRUE;
}

gboolean
sbx_fd_check_procfs (int fd, const char *path, GError **error)
{
  struct statfs sf;

  if (fstatfs (fd, &sf) != 0)
    return sbx_set_error_from_errno (error, errno, "statfs %s", path);
  if (sf.f_type != PROC_SUPER_MAGIC)
    {
      g_autofree char *escaped = sbx_escape (path);
      g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED,
                   "%s is not on procfs (filesystem type 0x%lx): something is mounted over /proc",
                   escaped, (unsigned long) sf.f_type);
      return FALSE;
    }
  return TRUE;
}

int
sbx_open_procfs (const char *path, int flags, GError **error)
{
  sbx_autofd int fd = open (path, flags | O_CLOEXEC | O_NOFOLLOW);

  if (fd < 0)
    return sbx_set_error_from_errno (error, errno, "open %s", path), -1;
  if (!sbx_fd_check_procfs (fd, path, error))
    return -1;
  return sbx_steal_fd (&fd);
}

gboolean
sbx_mkdir_p (const char *path, int mode, GError **error)
{
  if (g_mkdir_with_parents (path, mode) != 0)
    return sbx_set_error_from_errno (error, errno, "create directory %s", path);
  return TRUE;
}

int
sbx_openat2 (int dirfd, const char *path, int flags, guint64 resolve)
{
  struct open_how how = { .flags = (guint64) (flags | O_CLOEXEC), .resolve = resolve };
  int fd = -1;

  for (int attempt = 0; attempt < 16; attempt++)
    if ((fd = (int) syscall (SYS_openat2, dirfd, path, &how, sizeof how)) >= 0 ||
        (errno != EAGAIN && errno != EINTR))
      break;
  return fd;
}

long
sbx_read_sysctl (const char *path)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1;
  return strtol (text, NULL, 10);
}
