/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-exec.c: `sbx exec [-t] [-i] [-u USER] [-w DIR] [-e K=V]... NAME|ID CMD...`: a process in a
 * running sandbox's namespaces, scope and confinement.
 *
 *   find-sandbox → open-target → make-plan (the effective profile saved by the run, its seccomp
 *   filter compiled again, AppArmor checked) → spawn → attach-terminal → supervise.
 *
 * The process joined is the sandbox's command (its pid 1's first child): pid 1 itself, sbx's
 * init, is not dumpable (setup.c: nothing inside may ptrace it), so the kernel refuses its
 * namespaces to the caller; the command exec'd in the sandbox's user namespace, which the caller
 * owns.  A pidfd is opened on it and its identity checked afterwards (the registration live,
 * the process below the sandbox's init with the start time read before), so a reused pid is
 * never joined.
 *
 * The exec'd command gets the same confinement as the sandbox's (confine.c, the same steps):
 * a joining process (this one's child) enters the namespaces with setns on the pidfd, becomes
 * root of the user namespace where 0 is mapped and forks the command inside the pid namespace;
 * it then passes signals on and exits with the command's status, as init does.  This process
 * supervises as `sbx run` does (supervise.h): signals forwarded, -t's pty relayed, the status
 * (125/126/127, 128+N) returned.  Nothing is started when the sandbox is not running. */
#include "cli.h"
#include "apparmor.h"
#include "confine.h"
#include "fd-util.h"
#include "log.h"
#include "plan.h"
#include "process.h"
#include "run-state.h"
#include "sbx-error.h"
#include "userns.h"
#include "scope.h"
#include "signals.h"
#include "supervise.h"
#include "sync.h"
#include "terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
  char *user, *workdir;
  char **env;
  gboolean tty, interactive;
} ExecArgs;

typedef struct {
  SbxRunState *state;
  const char *key;
  int target_fd; /* pidfd on the sandbox's command */
  SbxRunPlan plan;
  pid_t joiner_pid; /* -1 once reaped */
  int sync_fd;
  SbxTerminal *terminal;
} Exec;

static void
exec_clear (Exec *e)
{
  g_clear_pointer (&e->terminal, sbx_terminal_free);
  if (e->joiner_pid > 0)
    {
      kill (e->joiner_pid, SIGKILL);
      waitpid (e->joiner_pid, NULL, 0);
    }
  sbx_close_fdp (&e->sync_fd);
  sbx_run_plan_clear (&e->plan);
  sbx_close_fdp (&e->target_fd);
  g_clear_pointer (&e->state, sbx_run_state_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Exec, exec_clear)

static gboolean
not_running (const Exec *e, GError **error)
{
  g_set_error (error, SBX_ERROR, SBX_ERROR_NOT_FOUND, "no running sandbox '%s'", e->key);
  return FALSE;
}

/* The first-started child of the sandbox's pid 1: its command (later children are orphans
 * init adopted).  0 when there is none. */
static pid_t
command_pid (pid_t init, guint64 *out_start)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/task/%d/children", (int) init, (int) init);
  g_autofree char *children = NULL;
  g_auto(GStrv) pids = NULL;
  pid_t best = 0;

  if (!g_file_get_contents (path, &children, NULL, NULL))
    return 0;
  pids = g_strsplit (g_strstrip (children), " ", -1);
  for (guint i = 0; pids[i] != NULL; i++)
    {
      pid_t pid = (pid_t) g_ascii_strtoll (pids[i], NULL, 10);
      guint64 start;
      if (pid > 0 && sbx_proc_stat (pid, &start, NULL) && (best == 0 || start < *out_start))
        best = pid, *out_start = start;
    }
  return best;
}

/* @pid (started at @start) is still the command of the live sandbox @state, below @init. */
static gboolean
is_sandbox_command (const SbxRunState *state, pid_t init, pid_t pid, guint64 start)
{
  pid_t ppid = 0, init_ppid = 0, setup_ppid = 0;
  guint64 now_start = 0;

  return sbx_run_state_is_live (state) && sbx_proc_stat (pid, &now_start, &ppid) && now_start == start &&
         ppid == init && sbx_proc_stat (init, NULL, &init_ppid) && init_ppid == state->setup_pid &&
         sbx_proc_stat (state->setup_pid, NULL, &setup_ppid) && setup_ppid == state->supervisor_pid;
}

static gboolean
find_sandbox (Exec *e, GError **error)
{
  e->state = sbx_run_state_find_running (e->key, error);
  if (e->state == NULL)
    return FALSE;
  sbx_debug ("exec", "find-sandbox", "'%s': %s (supervisor %d)", e->key, e->state->id, (int) e->state->supervisor_pid);
  return TRUE;
}

static gboolean
open_target (Exec *e, GError **error)
{
  pid_t init = sbx_run_state_init_pid (e->state), pid;
  guint64 start = 0;

  if (init == e->state->setup_pid || (pid = command_pid (init, &start)) <= 0)
    return not_running (e, error);
  e->target_fd = (int) syscall (SYS_pidfd_open, pid, 0);
  if (e->target_fd < 0 || !is_sandbox_command (e->state, init, pid, start))
    return not_running (e, error);
  sbx_debug ("exec", "open-target", "the sandbox's command, pid %d (init %d)", (int) pid, (int) init);
  return TRUE;
}

/* -e KEY=VALUE sets KEY; -e KEY passes the caller's KEY (unset when the caller has none). */
static char **
apply_env (char **env, char **overrides)
{
  for (guint i = 0; overrides != NULL && overrides[i] != NULL; i++)
    {
      const char *eq = strchr (overrides[i], '=');
      g_autofree char *key = eq != NULL ? g_strndup (overrides[i], (gsize) (eq - overrides[i])) : g_strdup (overrides[i]);
      const char *value = eq != NULL ? eq + 1 : g_getenv (key);

      env = value != NULL ? g_environ_setenv (env, key, value, TRUE) : g_environ_unsetenv (env, key);
    }
  return env;
}

static void
settle_terminal (SbxRunPlan *plan, gboolean tty)
{
  struct winsize size;

  plan->terminal = tty;
  if (tty && (ioctl (STDIN_FILENO, TIOCGWINSZ, &size) == 0 || ioctl (STDOUT_FILENO, TIOCGWINSZ, &size) == 0))
    {
      plan->terminal_rows = size.ws_row;
      plan->terminal_cols = size.ws_col;
    }
}

/* The run's confinement again: the seccomp filter compiled from the saved profile as the run
 * did, AppArmor where the run used it (refused when it is gone: never less confinement). */
static gboolean
settle_confinement (Exec *e, GError **error)
{
  SbxRunPlan *plan = &e->plan;
  const SbxProfile *profile = plan->profile;
  gboolean use = FALSE;

  if (profile->seccomp_rules != NULL &&
      !sbx_seccomp_compile (profile->seccomp_rules, profile->caps[SBX_CAPSET_BOUNDING], &plan->seccomp, error))
    return g_prefix_error (error, "sandbox '%s': linux.seccomp: ", e->key), FALSE;
  if (plan->use_apparmor &&
      (!sbx_apparmor_check (profile->apparmor_profile, SBX_APPARMOR_FAIL, &use, error) || !use))
    return g_prefix_error (error, "sandbox '%s': ", e->key), FALSE;
  /* The run's label as it recorded it; a run of an older sbx recorded none: settled again. */
  if (plan->apparmor_label == NULL &&
      !sbx_apparmor_settle (plan->use_apparmor ? profile->apparmor_profile : NULL, SBX_APPARMOR_FAIL,
                            profile->apparmor_userns, &use, &plan->apparmor_label, error))
    return g_prefix_error (error, "sandbox '%s': ", e->key), FALSE;
  sbx_debug ("exec", "settle-confinement", "seccomp %s (%" G_GSIZE_FORMAT " BPF instructions); AppArmor %s",
             plan->seccomp.program != NULL ? "on" : "off",
             plan->seccomp.program != NULL ? g_bytes_get_size (plan->seccomp.program) / 8 : 0,
             plan->apparmor_label != NULL ? plan->apparmor_label : "not used");
  return TRUE;
}

/* The exec'd command's plan: the run's saved settings and profile, with -u, -w and -e. */
static gboolean
make_plan (Exec *e, const ExecArgs *a, char **command, GError **error)
{
  SbxRunPlan *plan = &e->plan;

  if (!sbx_run_plan_exec_from_json (e->state->exec, plan, error) ||
      (plan->profile = sbx_profile_from_effective_json (e->state->profile != NULL ? e->state->profile : "",
                                                        e->state->profile_json, error)) == NULL)
    return g_prefix_error (error, "sandbox '%s': ", e->key), FALSE;
  plan->argv = g_strdupv (command);
  plan->env = apply_env (plan->env, a->env);
  if (a->workdir != NULL)
    {
      char *cwd = g_canonicalize_filename (a->workdir, plan->cwd);
      g_free (plan->cwd);
      plan->cwd = cwd;
    }
  if (a->user != NULL)
    {
      g_free (plan->user);
      plan->user = g_strdup (a->user);
    }
  plan->additional_gids = g_array_ref (plan->profile->additional_gids);
  plan->supervisor_pid = getpid ();
  settle_terminal (plan, a->tty);
  sbx_debug ("exec", "make-plan", "command %s (%u arguments), user '%s', cwd %s", plan->argv[0],
             g_strv_length (plan->argv) - 1, plan->user != NULL ? plan->user : "", plan->cwd);
  return settle_confinement (e, error);
}

/* ------------------------------------------------------------------ the joining process */

/* Keeps stdin, stdout, stderr, the sync socket (fd 3) and the target's pidfd (fd 4). */
static void
keep_only (int *sync_fd, int *target_fd)
{
  int s = fcntl (*sync_fd, F_DUPFD_CLOEXEC, 10), t = fcntl (*target_fd, F_DUPFD_CLOEXEC, 10);

  if (s < 0 || t < 0 || dup3 (s, 3, O_CLOEXEC) != 3 || dup3 (t, 4, O_CLOEXEC) != 4 ||
      syscall (SYS_close_range, 5U, ~0U, 0) != 0)
    _exit (SBX_EXIT_SBX_ERROR);
  *sync_fd = 3;
  *target_fd = 4;
}

/* Root of the user namespace where 0 is mapped (as setup.c's process is); else the caller's
 * own id with the full capabilities setns gave. */
static gboolean
join_sandbox (const SbxRunPlan *plan, int sync_fd, int target_fd, GError **error)
{
  int flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID |
              (plan->unshare_flags & (CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP));

  if (!sbx_sync_expect (sync_fd, SBX_SYNC_ATTACHED, error))
    return FALSE;
  if (setns (target_fd, flags) != 0)
    return sbx_set_error_from_errno (error, errno, "join the sandbox's namespaces");
  close (target_fd);
  if (!sbx_userns_become_root (&plan->ids, error))
    return FALSE;
  /* A change of credentials clears the parent-death signal; nothing inside may ptrace us. */
  sbx_die_with_parent (plan->supervisor_pid);
  if (prctl (PR_SET_DUMPABLE, 0) != 0)
    return sbx_set_error_from_errno (error, errno, "PR_SET_DUMPABLE");
  return sbx_signals_block_forwarded (error);
}

static G_NORETURN void
joiner_main (const SbxRunPlan *plan, int target_fd, int sync_fd)
{
  g_autoptr(GError) error = NULL;
  pid_t command;

  sbx_die_with_parent (plan->supervisor_pid);
  keep_only (&sync_fd, &target_fd);
  if (!join_sandbox (plan, sync_fd, target_fd, &error))
    sbx_sync_send_error_and_exit (sync_fd, error);
  if ((command = fork ()) < 0)
    {
      sbx_set_error_from_errno (&error, errno, "fork the command");
      sbx_sync_send_error_and_exit (sync_fd, error);
    }
  if (command == 0)
    {
      sbx_die_with_parent (0);
      sbx_confine_and_exec_joined (plan, sync_fd);
    }
  if (!plan->terminal)
    (void) setpgid (command, command);
  close (sync_fd);
  _exit (sbx_signals_forward_until_exit (-command, command, NULL));
}

/* ------------------------------------------------------------------ the supervisor */

static gboolean
attach_scope (Exec *e, GError **error)
{
  if (e->state->scope == NULL)
    return TRUE;
  if (!sbx_scope_attach (e->state->scope, e->joiner_pid, error))
    return g_prefix_error (error, "put the process into the sandbox's scope %s: ", e->state->scope), FALSE;
  sbx_debug ("exec", "attach-scope", "%s", e->state->scope);
  return TRUE;
}

static gboolean
spawn (Exec *e, GError **error)
{
  int inside;

  if (!sbx_sync_socketpair (&e->sync_fd, &inside, error))
    return FALSE;
  e->joiner_pid = fork ();
  if (e->joiner_pid < 0)
    {
      close (inside);
      return sbx_set_error_from_errno (error, errno, "fork");
    }
  if (e->joiner_pid == 0)
    {
      close (e->sync_fd);
      joiner_main (&e->plan, e->target_fd, inside);
    }
  close (inside);
  sbx_close_fdp (&e->target_fd);
  sbx_debug ("exec", "spawn", "joining process %d", (int) e->joiner_pid);
  return attach_scope (e, error) && sbx_sync_send (e->sync_fd, SBX_SYNC_ATTACHED, error);
}

static gboolean
attach_terminal (Exec *e, gboolean interactive, GError **error)
{
  int master;

  if (!e->plan.terminal)
    return TRUE;
  if (!sbx_sync_expect_fd (e->sync_fd, SBX_SYNC_PTY, &master, error))
    return FALSE;
  e->terminal = sbx_terminal_attach (master, interactive || isatty (STDIN_FILENO), error);
  return e->terminal != NULL;
}

static gboolean
supervise (Exec *e, int *out_status, GError **error)
{
  g_autoptr(GError) inside_error = NULL;
  int wait_status = sbx_supervise (e->joiner_pid, e->sync_fd, e->terminal, &inside_error);

  e->joiner_pid = -1; /* reaped */
  if (inside_error != NULL)
    return g_propagate_error (error, g_steal_pointer (&inside_error)), FALSE;
  *out_status = sbx_exit_code_from_wait_status (wait_status);
  return TRUE;
}

static gboolean
exec_in_sandbox (const char *key, const ExecArgs *a, char **command, int *out_status, GError **error)
{
  g_auto(Exec) e = { .key = key, .target_fd = -1, .joiner_pid = -1, .sync_fd = -1 };

  sbx_supervisor_ignore_job_control ();
  if (!find_sandbox (&e, error))
    return FALSE;
  if (!open_target (&e, error))
    return FALSE;
  if (!make_plan (&e, a, command, error))
    return FALSE;
  if (!spawn (&e, error))
    return FALSE;
  if (!attach_terminal (&e, a->interactive, error))
    return FALSE;
  return supervise (&e, out_status, error);
}

static void
exec_args_clear (ExecArgs *a)
{
  g_clear_pointer (&a->user, g_free);
  g_clear_pointer (&a->workdir, g_free);
  g_clear_pointer (&a->env, g_strfreev);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ExecArgs, exec_args_clear)

int
sbx_cmd_exec (int argc, char **argv, GError **error)
{
  g_auto(ExecArgs) a = { 0 };
  const GOptionEntry entries[] = {
    { "tty", 't', 0, G_OPTION_ARG_NONE, &a.tty, "Give the command a pseudo-terminal of the sandbox's own", NULL },
    { "interactive", 'i', 0, G_OPTION_ARG_NONE, &a.interactive, "With -t, send what you type to it (the default when your stdin is a terminal)", NULL },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &a.user, "Run as this user inside (default: the sandbox command's)", "USER[:GROUP]" },
    { "workdir", 'w', 0, G_OPTION_ARG_STRING, &a.workdir, "Working directory inside (default: the sandbox command's)", "DIR" },
    { "env", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &a.env, "Set an environment variable (KEY=VALUE, or KEY to pass yours)", "KEY=VALUE" },
    { NULL }
  };
  int status = SBX_EXIT_SBX_ERROR;

  if (!sbx_cli_parse ("exec", "NAME|ID COMMAND [ARG...]", "Run a command in a running sandbox, in its namespaces "
                                                          "and under its confinement.",
                      entries, TRUE, &argc, &argv, error))
    return SBX_EXIT_SBX_ERROR;
  if (argc < 3)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, argc < 2 ? "exec: missing NAME or ID (see 'sbx ps')" : "exec: missing COMMAND");
      return SBX_EXIT_SBX_ERROR;
    }
  if (!exec_in_sandbox (argv[1], &a, argv + 2, &status, error))
    return SBX_EXIT_SBX_ERROR;
  return status;
}
