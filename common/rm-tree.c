/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rm-tree.c: removing a directory tree that may be hostile (rm-tree.h). */
#include "rm-tree.h"
#include "fd-util.h"
#include "sbx-error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Opens directory @name under @parent for reading, without following a symlink,
 * granting u+rwx first when it lacks them (a hostile layer ships 0000 dirs). */
static int
open_dir_for_removal (int parent, const char *name)
{
  sbx_autofd int path_fd = openat (parent, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;

  if (path_fd < 0 || fstat (path_fd, &st) < 0)
    return -1;
  if ((st.st_mode & S_IRWXU) != S_IRWXU)
    {
      char proc_path[64];

      g_snprintf (proc_path, sizeof proc_path, "/proc/self/fd/%d", path_fd);
      if (chmod (proc_path, (st.st_mode & 07777) | S_IRWXU) < 0 &&
          fchmodat (parent, name, (st.st_mode & 07777) | S_IRWXU, 0) < 0)
        return -1;
    }
  return openat (path_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* Unlinks every non-directory in @dir_fd; *out_subdir is the first directory left. */
static gboolean
remove_files_in_dir (int dir_fd, char **out_subdir, GError **error)
{
  int copy = fcntl (dir_fd, F_DUPFD_CLOEXEC, 3);
  DIR *dir;
  struct dirent *dent;

  if (copy < 0)
    return sbx_set_error_from_errno (error, errno, "dup");
  dir = fdopendir (copy);
  if (dir == NULL)
    {
      int errsv = errno;
      close (copy);
      return sbx_set_error_from_errno (error, errsv, "fdopendir");
    }
  while ((errno = 0, dent = readdir (dir)) != NULL)
    {
      struct stat st;
      gboolean is_dir = dent->d_type == DT_DIR;

      if (strcmp (dent->d_name, ".") == 0 || strcmp (dent->d_name, "..") == 0)
        continue;
      if (dent->d_type == DT_UNKNOWN && fstatat (dir_fd, dent->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
        is_dir = S_ISDIR (st.st_mode);
      if (is_dir)
        {
          if (*out_subdir == NULL)
            *out_subdir = g_strdup (dent->d_name);
          continue;
        }
      if (unlinkat (dir_fd, dent->d_name, 0) < 0 && errno != ENOENT)
        {
          int errsv = errno;
          closedir (dir);
          return sbx_set_error_from_errno (error, errsv, "unlink %s", dent->d_name);
        }
    }
  closedir (dir);
  return TRUE;
}

/* Removes the directory tree @name under @top without recursion (depth is the
 * tar's to choose): descend into the first subdirectory until one is empty, remove
 * it, climb back through "..", repeat. */
static gboolean
remove_tree (int top, const char *name, GError **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  sbx_autofd int current = open_dir_for_removal (top, name);

  if (current < 0)
    return errno == ENOENT ? TRUE : sbx_set_error_from_errno (error, errno, "open %s", name);
  g_ptr_array_add (names, g_strdup (name));
  while (names->len > 0)
    {
      g_autofree char *subdir = NULL;
      const char *current_name = g_ptr_array_index (names, names->len - 1);
      int parent;

      if (!remove_files_in_dir (current, &subdir, error))
        return FALSE;
      if (subdir != NULL)
        {
          int child = open_dir_for_removal (current, subdir);
          if (child < 0)
            return sbx_set_error_from_errno (error, errno, "open %s", subdir);
          close (sbx_steal_fd (&current));
          current = child;
          g_ptr_array_add (names, g_steal_pointer (&subdir));
          continue;
        }
      parent = names->len == 1 ? -1 : openat (current, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (names->len > 1 && parent < 0)
        return sbx_set_error_from_errno (error, errno, "open %s/..", current_name);
      if (unlinkat (parent < 0 ? top : parent, current_name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        {
          int errsv = errno;
          if (parent >= 0)
            close (parent);
          return sbx_set_error_from_errno (error, errsv, "rmdir %s", current_name);
        }
      g_ptr_array_remove_index (names, names->len - 1);
      close (sbx_steal_fd (&current));
      current = parent;
    }
  return TRUE;
}

gboolean
sbx_rm_rf_at (int dirfd, const char *name, GError **error)
{
  struct stat st;

  if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? TRUE : sbx_set_error_from_errno (error, errno, "stat %s", name);
  if (!S_ISDIR (st.st_mode))
    {
      if (unlinkat (dirfd, name, 0) < 0 && errno != ENOENT)
        return sbx_set_error_from_errno (error, errno, "unlink %s", name);
      return TRUE;
    }
  return remove_tree (dirfd, name, error);
}
