/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* confine.c: the command's last steps before execve, as its profile says. */
#include "confine.h"
#include "accounts.h"
#include "apparmor.h"
#include "fd-util.h"
#include "desktop.h"
#include "hooks.h"
#include "log.h"
#include "sbx-error.h"
#include "sync.h"
#include "terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_GROUPS 64
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static void
reset_signals (void)
{
  sigset_t none;

  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      signal (sig, SIG_DFL);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
}

static gboolean
enter_working_directory (const char *cwd, GError **error)
{
  if (g_mkdir_with_parents (cwd, 0755) != 0 && errno != EEXIST)
    return sbx_set_error_from_errno (error, errno, "create the working directory %s", cwd);
  if (chdir (cwd) != 0)
    return sbx_set_error_from_errno (error, errno, "chdir to the working directory %s", cwd);
  return TRUE;
}

/* One system call per capability dropped (dropping one already gone is no error), and one for
 * the ambient set: libcap's reading before each drop and its probing of the ambient set were
 * 110 calls of the command's 280 before its execve. */
static gboolean
drop_bounding_set (guint64 keep, GError **error)
{
  cap_value_t last = (cap_value_t) cap_max_bits () - 1; /* the running kernel's, found by libcap */

  for (cap_value_t cap = 0; cap <= last; cap++)
    if (!(cap < 64 && (keep & (G_GUINT64_CONSTANT (1) << cap))) && prctl (PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 &&
        prctl (PR_CAPBSET_READ, cap, 0, 0, 0) != 0) /* without CAP_SETPCAP: only one still there is an error */
      return sbx_set_error_from_errno (error, EPERM, "drop capability %d from the bounding set", cap);
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    return sbx_set_error_from_errno (error, errno, "clear the ambient capabilities");
  return TRUE;
}

/* Capabilities survive the change of uid (PR_SET_KEEPCAPS) so the profile's sets can be
 * applied after it, as runc does. */
static gboolean
switch_user (const SbxAccount *user, gboolean may_setgroups, GError **error)
{
  gid_t groups[MAX_GROUPS] = { user->gid };
  int n_groups = 1;

  for (guint i = 0; i < user->groups->len && n_groups < MAX_GROUPS; i++)
    groups[n_groups++] = g_array_index (user->groups, gid_t, i);
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0)
    return sbx_set_error_from_errno (error, errno, "PR_SET_KEEPCAPS");
  if (may_setgroups && setgroups ((size_t) n_groups, groups) != 0)
    return sbx_set_error_from_errno (error, errno, "setgroups");
  if (setresgid (user->gid, user->gid, user->gid) != 0)
    return sbx_set_error_from_errno (error, errno, "setresgid %u", user->gid);
  if (setresuid (user->uid, user->uid, user->uid) != 0)
    return sbx_set_error_from_errno (error, errno, "setresuid %u", user->uid);
  return TRUE;
}

static gboolean
set_capability_flag (cap_t caps, cap_flag_t flag, guint64 mask, cap_value_t last)
{
  for (cap_value_t cap = 0; cap <= last && cap < 64; cap++)
    if ((mask & (G_GUINT64_CONSTANT (1) << cap)) && cap_set_flag (caps, flag, 1, &cap, CAP_SET) != 0)
      return FALSE;
  return TRUE;
}

/* The profile's effective, permitted and inheritable sets, then its ambient set.  execve
 * then does the rest: root gets the bounding set, anyone else the ambient set. */
static gboolean
set_process_capabilities (const guint64 *sets, GError **error)
{
  cap_value_t last = (cap_value_t) cap_max_bits () - 1;
  cap_t caps = cap_init ();
  int rc = -1;

  if (caps == NULL)
    return sbx_set_error_from_errno (error, errno, "cap_init");
  if (set_capability_flag (caps, CAP_EFFECTIVE, sets[SBX_CAPSET_EFFECTIVE], last) &&
      set_capability_flag (caps, CAP_PERMITTED,
                           sets[SBX_CAPSET_PERMITTED] | sets[SBX_CAPSET_EFFECTIVE] | sets[SBX_CAPSET_AMBIENT], last) &&
      /* The kernel raises an ambient capability only if it is inheritable too; `runc spec`
       * lists ambient ones without an inheritable set and means them to work. */
      set_capability_flag (caps, CAP_INHERITABLE, sets[SBX_CAPSET_INHERITABLE] | sets[SBX_CAPSET_AMBIENT], last))
    rc = cap_set_proc (caps);
  cap_free (caps);
  if (rc != 0)
    return sbx_set_error_from_errno (error, errno, "set the capabilities the profile gives");
  for (cap_value_t cap = 0; cap <= last && cap < 64; cap++)
    if ((sets[SBX_CAPSET_AMBIENT] & (G_GUINT64_CONSTANT (1) << cap)) && cap_set_ambient (cap, CAP_SET) != 0)
      {
        int errsv = errno;
        char *name = cap_to_name (cap); /* libcap's allocation: cap_free, never free */
        sbx_set_error_from_errno (error, errsv, "raise the ambient capability %s "
                                                "(it must be inheritable and permitted too)",
                                  name);
        cap_free (name);
        return FALSE;
      }
  return TRUE;
}

static gboolean
apply_rlimits (const SbxProfile *profile, GError **error)
{
  for (guint i = 0; i < profile->rlimits->len; i++)
    {
      const SbxRlimit *r = &g_array_index (profile->rlimits, SbxRlimit, i);
      struct rlimit limit = { r->soft, r->hard };

      if (setrlimit (r->resource, &limit) != 0)
        return sbx_set_error_from_errno (error, errno, "process.rlimits: set limit %d to %llu/%llu "
                                                       "(a hard limit cannot go above the caller's)",
                                         r->resource,
                                         (unsigned long long) r->soft, (unsigned long long) r->hard);
    }
  return TRUE;
}

/* rlimits, OOM score, umask: the process attributes a profile may set. */
static gboolean
apply_process_attributes (const SbxProfile *profile, GError **error)
{
  if (!apply_rlimits (profile, error))
    return FALSE;
  if (profile->have_oom_score_adj)
    {
      g_autofree char *value = g_strdup_printf ("%d", profile->oom_score_adj);
      sbx_autofd int fd = sbx_open_procfs ("/proc/self/oom_score_adj", O_WRONLY, error);

      if (fd < 0 || !sbx_write_all (fd, value, strlen (value), error))
        {
          g_prefix_error (error, "process.oomScoreAdj: ");
          return FALSE;
        }
    }
  if (profile->have_umask)
    umask (profile->umask);
  return TRUE;
}

static char **
command_environment (const SbxRunPlan *plan, const SbxAccount *user)
{
  char **env = g_strdupv (plan->env);

  /* keep-id: the caller's home and name, whatever the image's Env says (as Podman does). */
  gboolean keep_id = plan->ids.mode == SBX_USERNS_KEEP_ID && user->uid == plan->ids.caller_uid;

  if (g_environ_getenv (env, "HOME") == NULL || keep_id)
    env = g_environ_setenv (env, "HOME", user->home, TRUE);
  if (keep_id && user->name != NULL)
    env = g_environ_setenv (env, "USER", user->name, TRUE);
  if (g_environ_getenv (env, "PATH") == NULL)
    env = g_environ_setenv (env, "PATH", DEFAULT_PATH, TRUE);
  return sbx_desktop_environ (plan, user, env);
}

static void
set_exec_error (GError **error, const char *program, int errsv)
{
  if (errsv == ENOENT || errsv == ENOTDIR)
    g_set_error (error, SBX_ERROR, SBX_ERROR_CMD_NOT_FOUND,
                 "%s: executable file not found%s", program, strchr (program, '/') ? "" : " in $PATH");
  else
    g_set_error (error, SBX_ERROR, SBX_ERROR_CMD_NOT_EXECUTABLE,
                 "%s: cannot execute: %s", program, g_strerror (errsv));
}

/* Returns only on failure, with @error set. */
static void
exec_command (char **argv, char **env, GError **error)
{
  const char *path;
  g_auto(GStrv) dirs = NULL;
  int first_errno = ENOENT;

  if (strchr (argv[0], '/') != NULL)
    {
      execve (argv[0], argv, env);
      set_exec_error (error, argv[0], errno);
      return;
    }
  path = g_environ_getenv (env, "PATH");
  dirs = g_strsplit (path != NULL ? path : DEFAULT_PATH, ":", -1);
  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autofree char *candidate = g_build_filename (*dirs[i] ? dirs[i] : ".", argv[0], NULL);
      execve (candidate, argv, env);
      if (errno != ENOENT && errno != ENOTDIR && first_errno == ENOENT)
        first_errno = errno;
    }
  set_exec_error (error, argv[0], first_errno);
}

static gboolean
set_no_new_privs (GError **error)
{
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return sbx_set_error_from_errno (error, errno, "set no_new_privs");
  return TRUE;
}

/* The confinement proper, in the order the kernel needs: without no_new_privs the seccomp
 * filter goes in while the process still holds CAP_SYS_ADMIN (in the sandbox's user
 * namespace), so it must allow what follows; with it, the filter goes in last. */
static gboolean
confine (const SbxRunPlan *plan, const SbxSeccompProgram *seccomp, const SbxAccount *user, GError **error)
{
  const SbxProfile *profile = plan->profile;
  gboolean nnp = profile->no_new_privileges;

  if (!apply_process_attributes (profile, error))
    return FALSE;
  if (!nnp && !sbx_seccomp_program_load (seccomp, error))
    return FALSE;
  if (!drop_bounding_set (profile->caps[SBX_CAPSET_BOUNDING], error))
    return FALSE;
  if (!switch_user (user, !plan->ids.single, error))
    return FALSE;
  if (!set_process_capabilities (profile->caps, error))
    return FALSE;
  if (nnp && !set_no_new_privs (error))
    return FALSE;
  if (plan->apparmor_label != NULL && !sbx_apparmor_change_onexec (plan->apparmor_label, error))
    return FALSE;
  /* Last: from here on the filter judges every system call, the execve included. */
  if (nnp && !sbx_seccomp_program_load (seccomp, error))
    return FALSE;
  return TRUE;
}

/* The steps `sbx run`'s command and `sbx exec`'s share: signals reset, the user resolved,
 * the pty with -t, the working directory, the confinement.  Fills @user; on failure the
 * error goes over @sync_fd and the process exits. */
static void
confine_command (const SbxRunPlan *plan, const SbxSeccompProgram *seccomp, int sync_fd, SbxAccount *user)
{
  g_autoptr(GError) error = NULL;
  sbx_autofd int root_fd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

  reset_signals ();
  /* Its own process group, as a shell makes one per job; with -t, a session with the pty as
   * its controlling terminal (terminal.c), which makes it a process group leader too. */
  if (!plan->terminal)
    (void) setpgid (0, 0);
  if (!sbx_account_resolve (root_fd, plan->user, plan->additional_gids, user, &error) ||
      (plan->terminal && !sbx_terminal_setup_inside (plan, user, sync_fd, &error)) ||
      !enter_working_directory (plan->cwd, &error) ||
      !confine (plan, seccomp, user, &error))
    sbx_sync_send_error_and_exit (sync_fd, error);
  sbx_debug ("command", "confine", "uid %u gid %u, %u supplementary groups, capabilities (effective) 0x%" G_GINT64_MODIFIER "x, no_new_privs %s, AppArmor %s, seccomp %s", (guint) user->uid, (guint) user->gid,
             user->groups != NULL ? user->groups->len : 0, (guint64) plan->profile->caps[SBX_CAPSET_EFFECTIVE],
             plan->profile->no_new_privileges ? "on" : "off",
             plan->apparmor_label != NULL ? plan->apparmor_label : "not used",
             seccomp->program != NULL ? "loaded" : "none");
}

static G_NORETURN void
exec_confined (const SbxRunPlan *plan, const SbxAccount *user, int sync_fd)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = command_environment (plan, user);

  sbx_debug ("command", "exec", "%s in %s", plan->argv[0], plan->cwd);
  exec_command (plan->argv, env, &error);
  sbx_sync_send_error_and_exit (sync_fd, error);
}

void
sbx_confine_and_exec (const SbxRunPlan *plan, const SbxSeccompProgram *seccomp, int sync_fd, pid_t init_pid)
{
  g_autoptr(GError) error = NULL;
  g_auto(SbxAccount) user = { 0 };

  confine_command (plan, seccomp, sync_fd, &user);
  if (!sbx_hooks_start_container (plan, init_pid, &error))
    sbx_sync_send_error_and_exit (sync_fd, error);
  exec_confined (plan, &user, sync_fd);
}

void
sbx_confine_and_exec_joined (const SbxRunPlan *plan, int sync_fd)
{
  g_auto(SbxAccount) user = { 0 };

  confine_command (plan, &plan->seccomp, sync_fd, &user);
  exec_confined (plan, &user, sync_fd);
}
