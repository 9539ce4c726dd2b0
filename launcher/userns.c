/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* userns.c: creating user namespaces and writing their id maps with newuidmap/newgidmap. */
#include "userns.h"
#include "apparmor.h"
#include "log.h"
#include "fd-util.h"
#include "sbx-error.h"
#include "error-pipe.h"
#include "process.h"

#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gio/gio.h>

typedef struct {
  const char *name;
  GPid pid;
  int stderr_fd;
} IdHelper;

/* Starts newuidmap or newgidmap for @pid with @map; its stderr is kept for the error.
 * posix_spawn, not g_spawn: GLib forks (it closes the child's descriptors itself), and a fork
 * of sbx's address space, then the child's copy-on-write faults up to its execve, took 3 to
 * 5 ms per helper here, the second helper's fork waiting for the first one's execve. */
static gboolean
start_id_helper (const char *name, pid_t pid, const SbxIdMap *map, IdHelper *out, GError **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *path = g_find_program_in_path (name);
  posix_spawn_file_actions_t actions;
  int fds[2];
  int rc;

  out->name = name;
  out->pid = -1;
  out->stderr_fd = -1;
  if (path == NULL)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "%s not found: install the uidmap package", name);
      return FALSE;
    }
  g_ptr_array_add (argv, g_strdup (path));
  g_ptr_array_add (argv, g_strdup_printf ("%d", pid));
  for (guint i = 0; i < map->n_ranges; i++)
    {
      g_ptr_array_add (argv, g_strdup_printf ("%u", map->ranges[i].inside));
      g_ptr_array_add (argv, g_strdup_printf ("%u", map->ranges[i].outside));
      g_ptr_array_add (argv, g_strdup_printf ("%u", map->ranges[i].count));
    }
  g_ptr_array_add (argv, NULL);
  if (pipe2 (fds, O_CLOEXEC) != 0)
    return sbx_set_error_from_errno (error, errno, "pipe");
  /* stdin as ours, stdout to /dev/null, stderr to the pipe, nothing else open. */
  posix_spawn_file_actions_init (&actions);
  rc = posix_spawn_file_actions_addopen (&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  if (rc == 0)
    rc = posix_spawn_file_actions_adddup2 (&actions, fds[1], STDERR_FILENO);
  if (rc == 0)
    rc = posix_spawn_file_actions_addclosefrom_np (&actions, STDERR_FILENO + 1);
  if (rc == 0)
    rc = posix_spawn (&out->pid, path, &actions, NULL, (char **) argv->pdata, environ);
  posix_spawn_file_actions_destroy (&actions);
  close (fds[1]);
  if (rc != 0)
    {
      close (fds[0]);
      out->pid = -1;
      return sbx_set_error_from_errno (error, rc, "start %s", path);
    }
  out->stderr_fd = fds[0];
  return TRUE;
}

/* Waits for a helper started by start_id_helper; FALSE with its message when it failed. */
static gboolean
finish_id_helper (IdHelper *helper, GError **error)
{
  char message[1024];
  gsize len = 0;
  ssize_t n;
  int status = 0;

  if (helper->pid < 0)
    return TRUE;
  while (len < sizeof message - 1 &&
         ((n = read (helper->stderr_fd, message + len, sizeof message - 1 - len)) > 0 ||
          (n < 0 && errno == EINTR)))
    len += n > 0 ? (gsize) n : 0;
  message[len] = '\0';
  close (helper->stderr_fd);
  while (waitpid (helper->pid, &status, 0) < 0 && errno == EINTR)
    ;
  helper->pid = -1;
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return TRUE;
  g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "%s failed: %s (%s needs a range for %s in %s: "
                                                   "sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 %s)",
               helper->name,
               *g_strstrip (message) ? message : "no message", helper->name, g_get_user_name (),
               g_str_equal (helper->name, "newuidmap") ? sbx_subuid_path () : sbx_subgid_path (), g_get_user_name ());
  return FALSE;
}

static gboolean
write_proc_file (pid_t pid, const char *name, const char *contents, GError **error)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/%s", pid, name);

  return sbx_write_string_at (AT_FDCWD, path, 0, 0, contents, error);
}

/* Without subordinate ranges: the kernel lets us map our own ids, with setgroups denied. */
static gboolean
write_single_maps (pid_t pid, const SbxIdLayout *layout, GError **error)
{
  g_autofree char *uid_map = sbx_id_map_to_string (&layout->uid_map);
  g_autofree char *gid_map = sbx_id_map_to_string (&layout->gid_map);

  return write_proc_file (pid, "setgroups", "deny", error) &&
         write_proc_file (pid, "uid_map", uid_map, error) &&
         write_proc_file (pid, "gid_map", gid_map, error);
}

/* newuidmap and newgidmap run side by side: each is a setuid exec of a millisecond. */
gboolean
sbx_userns_write_maps (pid_t pid, const SbxIdLayout *layout, GError **error)
{
  IdHelper uid_helper = { .pid = -1 }, gid_helper = { .pid = -1 };
  g_autoptr(GError) gid_error = NULL;
  gboolean ok;

  if (layout->single)
    return write_single_maps (pid, layout, error);
  ok = start_id_helper ("newuidmap", pid, &layout->uid_map, &uid_helper, error);
  if (ok && !start_id_helper ("newgidmap", pid, &layout->gid_map, &gid_helper, error))
    ok = FALSE;
  if (!finish_id_helper (&uid_helper, ok ? error : NULL))
    ok = FALSE;
  if (!finish_id_helper (&gid_helper, &gid_error) && ok)
    {
      g_propagate_error (error, g_steal_pointer (&gid_error));
      ok = FALSE;
    }
  return ok;
}

static gboolean
become_namespace_root (const SbxIdLayout *layout, GError **error)
{
  uid_t uid = layout->mode == SBX_USERNS_KEEP_ID ? layout->caller_uid : 0;
  gid_t gid = layout->mode == SBX_USERNS_KEEP_ID ? layout->caller_gid : 0;

  if (setresgid (gid, gid, gid) != 0)
    return sbx_set_error_from_errno (error, errno, "setresgid in the user namespace");
  if (!layout->single && setgroups (0, NULL) != 0)
    return sbx_set_error_from_errno (error, errno, "setgroups in the user namespace");
  if (setresuid (uid, uid, uid) != 0)
    return sbx_set_error_from_errno (error, errno, "setresuid in the user namespace");
  return TRUE;
}

gboolean
sbx_userns_enter (const SbxIdLayout *layout, GError **error)
{
  sbx_autofd int go_read = -1, go_write = -1;
  int pipefd[2];
  SbxErrorPipe err_pipe;
  pid_t parent = getpid ();
  pid_t mapper;
  int status;

  if (!sbx_apparmor_check_userns_restriction (error))
    return FALSE;
  if (pipe2 (pipefd, O_CLOEXEC) != 0)
    return sbx_set_error_from_errno (error, errno, "pipe");
  go_read = pipefd[0];
  go_write = pipefd[1];
  if (!sbx_error_pipe_open (&err_pipe, error))
    return FALSE;

  mapper = fork ();
  if (mapper < 0)
    return sbx_set_error_from_errno (error, errno, "fork");
  if (mapper == 0)
    {
      g_autoptr(GError) child_error = NULL;
      char c;

      sbx_close_fdp (&go_write);
      sbx_die_with_parent (parent);
      if (!sbx_read_exact (go_read, &c, 1, &child_error) ||
          !sbx_userns_write_maps (parent, layout, &child_error))
        sbx_error_pipe_send_and_exit (&err_pipe, child_error);
      _exit (0);
    }

  sbx_error_pipe_close_write (&err_pipe);
  if (unshare (CLONE_NEWUSER | CLONE_NEWNS) != 0)
    {
      int errsv = errno;
      kill (mapper, SIGKILL);
      waitpid (mapper, NULL, 0);
      sbx_error_pipe_close (&err_pipe);
      return sbx_userns_error (error, errsv, "create a user namespace");
    }
  (void) sbx_write_all (go_write, "g", 1, NULL);
  while (waitpid (mapper, &status, 0) < 0 && errno == EINTR)
    ;
  if (!sbx_error_pipe_receive (&err_pipe, error))
    return FALSE;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "writing the id maps failed");
      return FALSE;
    }
  return become_namespace_root (layout, error);
}

gboolean
sbx_userns_become_root (const SbxIdLayout *ids, GError **error)
{
  if (!sbx_id_map_to_host (&ids->uid_map, 0, NULL))
    return TRUE;
  if (setresgid (0, 0, 0) != 0)
    return sbx_set_error_from_errno (error, errno, "setresgid 0 in the sandbox");
  if (!ids->single && setgroups (0, NULL) != 0)
    return sbx_set_error_from_errno (error, errno, "setgroups in the sandbox");
  if (setresuid (0, 0, 0) != 0)
    return sbx_set_error_from_errno (error, errno, "setresuid 0 in the sandbox");
  return TRUE;
}

const char *
sbx_userns_refusal_hint (int errsv)
{
  if (errsv == ENOSPC || sbx_read_sysctl ("/proc/sys/user/max_user_namespaces") == 0)
    return "user namespaces are off or used up (user.max_user_namespaces): "
           "sudo sysctl -w user.max_user_namespaces=15000";
  if (sbx_read_sysctl ("/proc/sys/kernel/unprivileged_userns_clone") == 0)
    return "unprivileged user namespaces are off: sudo sysctl -w kernel.unprivileged_userns_clone=1";
  if (sbx_read_sysctl ("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1)
    return "AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1) "
           "and sbx's AppArmor profile does not exempt this sbx: sudo apparmor_parser -r " SBX_APPARMOR_PROFILE_FILE;
  if (errsv == EPERM || errsv == EACCES)
    return "this process may not create user namespaces here (inside a container or a seccomp sandbox?)";
  return NULL;
}

gboolean
sbx_userns_error (GError **error, int errsv, const char *what)
{
  const char *hint = sbx_userns_refusal_hint (errsv);

  if (hint != NULL)
    return sbx_set_error_from_errno (error, errsv, "%s (%s)", what, hint);
  return sbx_set_error_from_errno (error, errsv, "%s", what);
}

gboolean
sbx_namespaces_error (GError **error, int errsv, const char *what)
{
  if (errsv == ENOSPC)
    return sbx_set_error_from_errno (error, errsv,
                                     "%s (a namespace limit is reached: the sysctls user.max_net_namespaces, "
                                     "max_mnt_namespaces, max_ipc_namespaces, max_uts_namespaces, max_pid_namespaces)",
                                     what);
  return sbx_set_error_from_errno (error, errsv, "%s", what);
}

const char *
sbx_subuid_path (void)
{
  const char *path = g_getenv ("SBX_SUBUID_FILE");
  return path != NULL ? path : "/etc/subuid";
}

const char *
sbx_subgid_path (void)
{
  const char *path = g_getenv ("SBX_SUBGID_FILE");
  return path != NULL ? path : "/etc/subgid";
}

gboolean
sbx_userns_layout_for_caller (SbxUsernsMode mode, SbxIdLayout *out, GError **error)
{
  if (!sbx_id_layout_for_caller (mode, sbx_subuid_path (), sbx_subgid_path (), out, error))
    return FALSE;
  if (out->single)
    sbx_warning ("no subordinate id range for uid %u in %s/%s: mapping only your own "
                 "ids; files of other owners show as nobody (65534)",
                 (guint) out->caller_uid, sbx_subuid_path (), sbx_subgid_path ());
  return TRUE;
}

gboolean
sbx_userns_enter_store_namespace (gboolean *out_single, GError **error)
{
  SbxIdLayout ids;

  if (!sbx_userns_layout_for_caller (SBX_USERNS_DEFAULT, &ids, error) ||
      !sbx_userns_enter (&ids, error))
    return FALSE;
  *out_single = ids.single;
  return TRUE;
}
