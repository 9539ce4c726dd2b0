/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* run-dir.c: a run's private directory on the host (run-dir.h). */
#include "run-dir.h"
#include "fd-util.h"
#include "lockfile.h"
#include "log.h"
#include "rm-tree.h"
#include "sbx-error.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOCK_SUFFIX ".lock"
#define MAX_ATTEMPTS 100

struct _SbxRunDir {
  char *path;
  char *lock_path;
  int lock_fd; /* run-XXXXXX.lock, flock'ed from before the directory exists to its removal */
};

/* Run directories whose supervisor is gone: their lock is free (or, for one made by an older
 * sbx, they have no lock file; a live run's lock exists before its directory does). */
static void
remove_stale (int base_fd, const char *base)
{
  g_autoptr(GDir) dir = g_dir_open (base, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *guarded = NULL, *lock_name = NULL;
      sbx_autofd int lock_fd = -1;

      if (!g_str_has_prefix (name, "run-"))
        continue;
      if (g_str_has_suffix (name, LOCK_SUFFIX))
        {
          if ((lock_fd = sbx_lock_file_open_stale (base_fd, name)) < 0)
            continue;
          guarded = g_strndup (name, strlen (name) - strlen (LOCK_SUFFIX));
          sbx_debug ("supervisor", "run-dir", "removing %s/%s, left by a run that was killed", base, guarded);
          if (sbx_rm_rf_at (base_fd, guarded, NULL))
            (void) unlinkat (base_fd, name, 0);
          continue;
        }
      lock_name = g_strconcat (name, LOCK_SUFFIX, NULL);
      if (faccessat (base_fd, lock_name, F_OK, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT)
        (void) sbx_rm_rf_at (base_fd, name, NULL);
    }
}

static char *
random_name (void)
{
  return g_strdup_printf ("run-%08x", g_random_int ());
}

/* The lock first, created already locked, then the directory it guards: no other run ever
 * sees the directory of a live run without its lock held. */
static gboolean
create_locked_dir (SbxRunDir *dir, int base_fd, const char *base, GError **error)
{
  for (guint attempt = 0; attempt < MAX_ATTEMPTS; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *name = random_name ();
      g_autofree char *lock_name = g_strconcat (name, LOCK_SUFFIX, NULL);

      dir->lock_fd = sbx_lock_file_create_locked (base_fd, lock_name, &local_error);
      if (dir->lock_fd < 0 && g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_EXIST))
        continue;
      if (dir->lock_fd < 0)
        return g_propagate_error (error, g_steal_pointer (&local_error)), FALSE;
      dir->lock_path = g_build_filename (base, lock_name, NULL);
      dir->path = g_build_filename (base, name, NULL);
      if (mkdirat (base_fd, name, 0700) != 0)
        return sbx_set_error_from_errno (error, errno, "create %s", dir->path);
      return TRUE;
    }
  g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "create a run directory in %s: every name tried exists", base);
  return FALSE;
}

char *
sbx_run_dir_base (GError **error)
{
  g_autofree char *base = g_build_filename (g_get_user_runtime_dir (), "sbx", NULL);

  if (g_mkdir_with_parents (base, 0700) != 0)
    return sbx_set_error_from_errno (error, errno, "create %s", base), NULL;
  return g_steal_pointer (&base);
}

SbxRunDir *
sbx_run_dir_new (GError **error)
{
  g_autofree char *base = sbx_run_dir_base (error);
  g_autoptr(SbxRunDir) dir = g_new0 (SbxRunDir, 1);
  sbx_autofd int base_fd = -1;

  dir->lock_fd = -1;
  if (base == NULL)
    return NULL;
  if ((base_fd = open (base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
    return sbx_set_error_from_errno (error, errno, "open %s", base), NULL;
  remove_stale (base_fd, base);
  if (!create_locked_dir (dir, base_fd, base, error))
    return NULL;
  sbx_debug ("supervisor", "run-dir", "%s", dir->path);
  return g_steal_pointer (&dir);
}

const char *
sbx_run_dir_path (SbxRunDir *dir)
{
  return dir->path;
}

void
sbx_run_dir_free (SbxRunDir *dir)
{
  /* The directory first, its lock last: a directory is never without its lock. */
  if (dir->path != NULL && sbx_rm_rf_at (AT_FDCWD, dir->path, NULL) && dir->lock_path != NULL)
    (void) unlink (dir->lock_path);
  sbx_close_fdp (&dir->lock_fd);
  g_free (dir->path);
  g_free (dir->lock_path);
  g_free (dir);
}
