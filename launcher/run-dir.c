/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* run-dir.c: a run's private directory on the host (run-dir.h). */
#include "run-dir.h"
#include "fd-util.h"
#include "log.h"
#include "rm-tree.h"
#include "sbx-error.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

struct _SbxRunDir {
  char *path;
  int lock_fd; /* the directory itself, flock'ed while the run lasts */
};

/* Run directories whose supervisor is gone (their lock is free). */
static void
remove_stale (const char *base)
{
  g_autoptr(GDir) dir = g_dir_open (base, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (base, name, NULL);
      sbx_autofd int fd = -1;

      if (!g_str_has_prefix (name, "run-"))
        continue;
      fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0 || flock (fd, LOCK_EX | LOCK_NB) != 0)
        continue;
      sbx_debug ("supervisor", "run-dir", "removing %s, left by a run that was killed", path);
      (void) sbx_rm_rf_at (AT_FDCWD, path, NULL);
    }
}

SbxRunDir *
sbx_run_dir_new (GError **error)
{
  g_autofree char *base = g_build_filename (g_get_user_runtime_dir (), "sbx", NULL);
  g_autofree char *template = g_build_filename (base, "run-XXXXXX", NULL);
  SbxRunDir *dir;

  if (g_mkdir_with_parents (base, 0700) != 0)
    return sbx_set_error_from_errno (error, errno, "create %s", base), NULL;
  remove_stale (base);
  if (g_mkdtemp_full (template, 0700) == NULL)
    return sbx_set_error_from_errno (error, errno, "create a run directory in %s", base), NULL;
  dir = g_new0 (SbxRunDir, 1);
  dir->path = g_steal_pointer (&template);
  dir->lock_fd = open (dir->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir->lock_fd < 0 || flock (dir->lock_fd, LOCK_EX | LOCK_NB) != 0)
    {
      int errsv = errno;
      sbx_run_dir_free (dir);
      return sbx_set_error_from_errno (error, errsv, "lock the run directory"), NULL;
    }
  sbx_debug ("supervisor", "run-dir", "%s", dir->path);
  return dir;
}

const char *
sbx_run_dir_path (SbxRunDir *dir)
{
  return dir->path;
}

void
sbx_run_dir_free (SbxRunDir *dir)
{
  if (dir->path != NULL)
    (void) sbx_rm_rf_at (AT_FDCWD, dir->path, NULL);
  sbx_close_fdp (&dir->lock_fd);
  g_free (dir->path);
  g_free (dir);
}
