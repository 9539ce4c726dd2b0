/* userns.c: creating user namespaces and writing their id maps with newuidmap/newgidmap. */
#include "userns.h"
#include "fd-util.h"
#include "sbx-error.h"
#include "error-pipe.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gio/gio.h>

static gboolean
run_id_helper (const char *helper, pid_t pid, const SbxIdMap *map, GError **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *path = g_find_program_in_path (helper);
  g_autofree char *err_out = NULL;
  int status;

  if (path == NULL)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED,
                   "%s not found: install the uidmap package", helper);
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

  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err_out, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "%s failed: %s", helper,
                   err_out != NULL && *err_out ? g_strstrip (err_out) : "no message");
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_proc_file (pid_t pid, const char *name, const char *contents, GError **error)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/%s", pid, name);
  sbx_autofd int fd = open (path, O_WRONLY | O_CLOEXEC);

  if (fd < 0)
    return sbx_set_error_from_errno (error, errno, "open %s", path);
  if (!sbx_write_all (fd, contents, strlen (contents), error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  return TRUE;
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

gboolean
sbx_userns_write_maps (pid_t pid, const SbxIdLayout *layout, GError **error)
{
  if (layout->single)
    return write_single_maps (pid, layout, error);
  return run_id_helper ("newuidmap", pid, &layout->uid_map, error) &&
         run_id_helper ("newgidmap", pid, &layout->gid_map, error);
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
      prctl (PR_SET_PDEATHSIG, SIGKILL);
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
      return sbx_set_error_from_errno (error, errsv, "create a user namespace");
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
sbx_userns_run_in_child (const SbxIdLayout *layout, SbxUsernsFunc func,
                         gpointer user_data, GError **error)
{
  SbxErrorPipe err_pipe;
  pid_t child;
  int status;

  if (!sbx_error_pipe_open (&err_pipe, error))
    return FALSE;
  child = fork ();
  if (child < 0)
    return sbx_set_error_from_errno (error, errno, "fork");
  if (child == 0)
    {
      g_autoptr(GError) child_error = NULL;

      prctl (PR_SET_PDEATHSIG, SIGKILL);
      if (!sbx_userns_enter (layout, &child_error) || !func (user_data, &child_error))
        sbx_error_pipe_send_and_exit (&err_pipe, child_error);
      _exit (0);
    }
  sbx_error_pipe_close_write (&err_pipe);
  while (waitpid (child, &status, 0) < 0 && errno == EINTR)
    ;
  if (!sbx_error_pipe_receive (&err_pipe, error))
    return FALSE;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "store helper process died (status %d)", status);
      return FALSE;
    }
  return TRUE;
}
