/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caller-bind.c: a bind mount made with the caller's own ids (caller-bind.h). */
#include "caller-bind.h"
#include "fd-util.h"
#include "mounts.h"
#include "sbx-error.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/mount.h>

/* The namespace id that maps to host id @host; FALSE when none does. */
static gboolean
inside_id (const SbxIdMap *map, guint32 host, guint32 *out)
{
  for (guint i = 0; i < map->n_ranges; i++)
    if (host >= map->ranges[i].outside && host - map->ranges[i].outside < map->ranges[i].count)
      {
        *out = map->ranges[i].inside + (host - map->ranges[i].outside);
        return TRUE;
      }
  return FALSE;
}

/* open_tree, its options, move_mount onto @target; 0 or an errno, *step saying where. */
static int
bind_now (const char *source, int target, const char **step)
{
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
  sbx_autofd int tree = (int) syscall (SYS_open_tree, AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

  *step = "bind";
  if (tree < 0)
    return errno;
  *step = "set the options of the bind mount of";
  if (syscall (SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof attr) != 0)
    return errno;
  *step = "move the bind mount of";
  if (syscall (SYS_move_mount, tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
    return errno;
  return 0;
}

/* In the child: the caller's ids, CAP_SYS_ADMIN still effective. */
static int
become_caller (uid_t uid, gid_t gid, const char **step)
{
  cap_value_t admin = CAP_SYS_ADMIN;
  cap_t caps;
  int rc;

  *step = "keep capabilities across the id change for";
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0)
    return errno;
  *step = "take the caller's ids to bind";
  if (setresgid (gid, gid, gid) != 0 || setresuid (uid, uid, uid) != 0)
    return errno;
  *step = "raise CAP_SYS_ADMIN to bind";
  if ((caps = cap_get_proc ()) == NULL)
    return errno;
  rc = cap_set_flag (caps, CAP_EFFECTIVE, 1, &admin, CAP_SET) == 0 ? cap_set_proc (caps) : -1;
  cap_free (caps);
  return rc == 0 ? 0 : errno;
}

/* Forks; the child binds as the caller and reports an errno and its step's index. */
static gboolean
bind_in_child (const char *source, int target, uid_t uid, gid_t gid, GError **error)
{
  static const char * const steps[] = {
    "bind",
    "set the options of the bind mount of",
    "move the bind mount of",
    "keep capabilities across the id change for",
    "take the caller's ids to bind",
    "raise CAP_SYS_ADMIN to bind",
  };
  int fds[2], report[2] = { 0, 0 }, status = 0;
  pid_t pid;

  if (pipe2 (fds, O_CLOEXEC) != 0)
    return sbx_set_error_from_errno (error, errno, "pipe");
  if ((pid = fork ()) < 0)
    return close (fds[0]), close (fds[1]), sbx_set_error_from_errno (error, errno, "fork");
  if (pid == 0)
    {
      const char *step = NULL;
      int err = become_caller (uid, gid, &step);

      if (err == 0)
        err = bind_now (source, target, &step);
      for (int i = 0; err != 0 && i < (int) G_N_ELEMENTS (steps); i++)
        if (g_str_equal (steps[i], step))
          report[1] = i;
      report[0] = err;
      (void) !write (fds[1], report, sizeof report);
      _exit (err == 0 ? 0 : 1);
    }
  close (fds[1]);
  if (read (fds[0], report, sizeof report) != (ssize_t) sizeof report)
    report[0] = EIO;
  close (fds[0]);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (report[0] != 0)
    return sbx_set_error_from_errno (error, report[0], "%s %s (as the caller)", steps[report[1]], source);
  return TRUE;
}

gboolean
sbx_caller_bind (int root_fd, const char *source, const char *destination, const SbxIdLayout *ids,
                 GError **error)
{
  sbx_autofd int target = -1;
  guint32 uid, gid;
  const char *step = NULL;
  int err;

  if (!inside_id (&ids->uid_map, ids->caller_uid, &uid) || !inside_id (&ids->gid_map, ids->caller_gid, &gid))
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "bind %s: the caller's ids are not mapped in the "
                                                            "sandbox",
                        source),
           FALSE;
  if ((target = sbx_mounts_make_point (root_fd, destination, TRUE, error)) < 0)
    return FALSE;
  if (uid != getuid () || gid != getgid ())
    return bind_in_child (source, target, uid, gid, error);
  if ((err = bind_now (source, target, &step)) != 0)
    return sbx_set_error_from_errno (error, err, "%s %s", step, source);
  return TRUE;
}
