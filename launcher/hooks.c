/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hooks.c: the profile's OCI lifecycle hooks, run by the supervisor, init and the command
 * (hooks.h says which runs where).  One runner serves them all: plain fork, execve, poll and
 * waitpid, no main loop, so init and the confined command use it as the supervisor does. */
#include "hooks.h"
#include "apparmor.h"
#include "escape.h"
#include "fd-util.h"
#include "json-util.h"
#include "log.h"
#include "process.h"
#include "sbx-error.h"
#include "sync.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/close_range.h>

#define OCI_VERSION "1.0.2"
#define STDERR_KEPT 4096

/* How one hook ended. */
typedef struct {
  int wait_status;
  gboolean timed_out;
  int exec_errno;       /* not 0: it never ran */
  GString *stderr_tail; /* the last STDERR_KEPT bytes it wrote on stderr */
} Outcome;

/* Where a stage runs: for the debug lines, and its hooks' working directory. */
typedef struct {
  const char *process; /* "supervisor", "init", "command" */
  const char *status;  /* the state's */
  pid_t pid;           /* init's, as the host sees it */
  const char *cwd;     /* NULL: the caller's own */
  const char *label;   /* the AppArmor label its hooks are exec'd under; NULL: the caller's */
} Stage;

/* Hooks run by sbx's own processes (labelled `sbx`, which grants user namespaces) run under
 * sbx-nouserns where the command does: they get no user namespace the command could not. */
static const char *
hook_label (const SbxRunPlan *plan)
{
  return sbx_apparmor_label_denies_userns (plan->apparmor_label) ? SBX_APPARMOR_NOUSERNS : NULL;
}

/* The OCI state (runtime spec, state.md) but its status and pid, as one line of JSON:
 * made by the supervisor before it forks anything.  init and the command fill in the rest
 * with plain string functions: no JSON tree is built after a fork. */
static char *
state_without_status (const SbxRunPlan *plan)
{
  json_t *annotations = sbx_json_get_object (plan->profile->json, "annotations");
  g_autoptr(json_t) o = json_object ();

  sbx_json_set (o, "ociVersion", json_string (OCI_VERSION));
  sbx_json_set (o, "id", sbx_json_string_new (plan->run_id));
  sbx_json_set (o, "bundle", sbx_json_string_new (plan->bundle));
  sbx_json_set (o, "annotations", annotations != NULL ? json_incref (annotations) : json_object ());
  return sbx_json_to_text (o, FALSE, NULL);
}

/* The whole state of @stage: its status (one of OCI's words) and pid put in front. */
static char *
state_json (const SbxRunPlan *plan, const Stage *stage)
{
  g_assert (plan->hook_state != NULL && plan->hook_state[0] == '{');
  return g_strdup_printf ("{\"status\":\"%s\",\"pid\":%d,%s", stage->status, (int) stage->pid, plan->hook_state + 1);
}

gboolean
sbx_hooks_wanted (const SbxProfile *profile)
{
  for (int stage = 0; stage < SBX_N_HOOK_STAGES; stage++)
    if (profile->hooks[stage] != NULL && profile->hooks[stage]->len > 0)
      return TRUE;
  return FALSE;
}

void
sbx_hooks_settle (SbxRunPlan *plan, const char *run_dir, const char *name)
{
  const SbxProfile *profile = plan->profile;

  if (!sbx_hooks_wanted (profile))
    return;
  plan->bundle = g_strdup (run_dir);
  plan->run_id = name != NULL ? g_strdup (name) : g_path_get_basename (run_dir);
  plan->hook_state = state_without_status (plan);
  sbx_debug ("supervisor", "hooks", "id '%s', bundle %s; prestart %u, createRuntime %u, createContainer %u, "
                                    "startContainer %u, poststart %u, poststop %u",
             plan->run_id, plan->bundle,
             profile->hooks[SBX_HOOK_PRESTART]->len, profile->hooks[SBX_HOOK_CREATE_RUNTIME]->len,
             profile->hooks[SBX_HOOK_CREATE_CONTAINER]->len, profile->hooks[SBX_HOOK_START_CONTAINER]->len,
             profile->hooks[SBX_HOOK_POSTSTART]->len, profile->hooks[SBX_HOOK_POSTSTOP]->len);
}

/* A pipe already holding @state, its write end closed: the hook's stdin.  Filled before the
 * hook starts, so a hook that never reads it cannot block sbx or raise SIGPIPE. */
static int
state_pipe (const char *state, GError **error)
{
  int fds[2];
  gsize len = strlen (state);

  if (pipe2 (fds, O_CLOEXEC) != 0)
    return sbx_set_error_from_errno (error, errno, "pipe for a hook's state"), -1;
  (void) fcntl (fds[1], F_SETFL, O_NONBLOCK);
  if (len >= 65536 || write (fds[1], state, len) != (ssize_t) len)
    {
      close (fds[0]);
      close (fds[1]);
      return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "a hook's state JSON is too large "
                                                              "(%" G_GSIZE_FORMAT " bytes: fewer annotations)",
                          len),
           -1;
    }
  close (fds[1]);
  return fds[0];
}

/* The child: stdin the state, stdout sbx's stderr, stderr the pipe sbx reads, nothing else
 * open across execve, signals as at a fresh start, the hook's own environment only.  When
 * execve fails its errno goes to @report_fd. */
static G_NORETURN void
exec_hook (const SbxHook *hook, const char *cwd, const char *label, int state_fd, int stderr_fd, int report_fd,
           pid_t parent)
{
  sigset_t none;
  int errsv;

  sbx_die_with_parent (parent);
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      signal (sig, SIG_DFL);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  if (dup2 (state_fd, STDIN_FILENO) < 0 || dup2 (STDERR_FILENO, STDOUT_FILENO) < 0 ||
      dup2 (stderr_fd, STDERR_FILENO) < 0 || (cwd != NULL && chdir (cwd) != 0))
    errsv = errno;
  else if (label != NULL && !sbx_apparmor_change_onexec (label, NULL))
    errsv = errno != 0 ? errno : EPERM;
  else
    {
      (void) syscall (SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
      execve (hook->path, hook->args, hook->env);
      errsv = errno;
    }
  (void) !write (report_fd, &errsv, sizeof errsv);
  _exit (127);
}

/* Reads what is there of the hook's stderr, keeping its tail: the read's result. */
static ssize_t
read_stderr (int fd, GString *tail)
{
  char buf[4096];
  ssize_t n = read (fd, buf, sizeof buf);

  if (n <= 0)
    return n;
  g_string_append_len (tail, buf, n);
  if (tail->len > STDERR_KEPT)
    g_string_erase (tail, 0, (gssize) (tail->len - STDERR_KEPT));
  return n;
}

/* Waits for @pid, reading its stderr; SIGKILL once @timeout seconds (0: none) passed. */
static void
wait_hook (pid_t pid, int stderr_fd, int timeout, Outcome *out)
{
  gint64 deadline = timeout > 0 ? g_get_monotonic_time () + (gint64) timeout * G_USEC_PER_SEC : G_MAXINT64;
  gboolean open = TRUE;
  ssize_t n;

  for (;;)
    {
      pid_t done = waitpid (pid, &out->wait_status, WNOHANG);
      gint64 now = g_get_monotonic_time ();
      int slice = (int) MIN ((deadline - now) / 1000 + 1, open ? 100 : 10);
      struct pollfd p = { stderr_fd, POLLIN, 0 };

      if (done == pid || (done < 0 && errno != EINTR))
        break;
      if (now >= deadline)
        {
          kill (pid, SIGKILL);
          while (waitpid (pid, &out->wait_status, 0) < 0 && errno == EINTR)
            ;
          out->timed_out = TRUE;
          break;
        }
      if (poll (&p, open ? 1 : 0, slice) > 0)
        open = read_stderr (stderr_fd, out->stderr_tail) != 0;
    }
  /* What is left, without waiting: a child of the hook may still hold its stderr. */
  (void) fcntl (stderr_fd, F_SETFL, O_NONBLOCK);
  while (open && ((n = read_stderr (stderr_fd, out->stderr_tail)) > 0 || (n < 0 && errno == EINTR)))
    ;
}

/* Starts @hook and waits for it to end; FALSE (with @error) only when it could not be
 * started at all. */
static gboolean
run_hook (const SbxHook *hook, const char *state, const Stage *where, Outcome *out, GError **error)
{
  sbx_autofd int state_fd = state_pipe (state, error);
  int err[2] = { -1, -1 }, report[2] = { -1, -1 };
  pid_t parent = getpid (), pid;
  int fork_errno;

  if (state_fd < 0)
    return FALSE;
  if (pipe2 (err, O_CLOEXEC) != 0 || pipe2 (report, O_CLOEXEC) != 0)
    {
      int errsv = errno;
      sbx_close_fdp (&err[0]);
      sbx_close_fdp (&err[1]);
      return sbx_set_error_from_errno (error, errsv, "pipe for hook %s", hook->path);
    }
  pid = fork ();
  fork_errno = errno;
  if (pid == 0)
    exec_hook (hook, where->cwd, where->label, state_fd, err[1], report[1], parent);
  close (err[1]);
  close (report[1]);
  if (pid > 0)
    {
      wait_hook (pid, err[0], hook->timeout, out);
      if (read (report[0], &out->exec_errno, sizeof out->exec_errno) != sizeof out->exec_errno)
        out->exec_errno = 0;
    }
  close (err[0]);
  close (report[0]);
  if (pid < 0)
    return sbx_set_error_from_errno (error, fork_errno, "fork hook %s", hook->path);
  return TRUE;
}

/* The last non-empty line of what the hook wrote on stderr, escaped; NULL if none. */
static char *
last_stderr_line (GString *tail)
{
  g_autofree char *text = g_strndup (tail->str, tail->len);
  char *end = text + strlen (text), *start;

  while (end > text && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
    *--end = '\0';
  if (end == text)
    return NULL;
  start = strrchr (text, '\n');
  return sbx_escape (start != NULL ? start + 1 : text);
}

/* "exited with status 3", "killed by signal 9", ...: NULL when the hook succeeded. */
static char *
describe_failure (const SbxHook *hook, const Outcome *out)
{
  if (out->exec_errno != 0)
    return g_strdup_printf ("cannot execute: %s", g_strerror (out->exec_errno));
  if (out->timed_out)
    return g_strdup_printf ("still running after its timeout of %d s: killed", hook->timeout);
  if (WIFSIGNALED (out->wait_status))
    return g_strdup_printf ("killed by signal %d (%s)", WTERMSIG (out->wait_status),
                            g_strsignal (WTERMSIG (out->wait_status)));
  if (WIFEXITED (out->wait_status) && WEXITSTATUS (out->wait_status) != 0)
    return g_strdup_printf ("exited with status %d", WEXITSTATUS (out->wait_status));
  return NULL;
}

/* Runs the @index'th hook of @stage: FALSE with @error naming it when it failed. */
static gboolean
run_stage_hook (const SbxRunPlan *plan, SbxHookStage stage, guint index, const Stage *where, const char *state,
                GError **error)
{
  const SbxHook *hook = g_ptr_array_index (plan->profile->hooks[stage], index);
  g_autoptr(GString) tail = g_string_new (NULL);
  Outcome out = { .stderr_tail = tail };
  g_autofree char *path = sbx_escape (hook->path);
  g_autofree char *failure = NULL, *line = NULL;
  gint64 started = g_get_monotonic_time ();

  if (!run_hook (hook, state, where, &out, error))
    return g_prefix_error (error, "hooks.%s[%u]: ", sbx_hook_stage_name (stage), index), FALSE;
  failure = describe_failure (hook, &out);
  line = last_stderr_line (tail);
  sbx_debug (where->process, "hooks", "%s[%u] %s (status %s, pid %d): %s in %.3f s%s%s", sbx_hook_stage_name (stage),
             index, path, where->status, (int) where->pid, failure != NULL ? failure : "done",
             (g_get_monotonic_time () - started) / 1e6, line != NULL ? "; stderr: " : "", line != NULL ? line : "");
  if (failure == NULL)
    return TRUE;
  g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "hooks.%s[%u] %s: %s%s%s", sbx_hook_stage_name (stage), index,
               path, failure, line != NULL ? "; its stderr's last line: " : "", line != NULL ? line : "");
  return FALSE;
}

/* Runs @stage's hooks in order: the first failure stops them, unless @warn_only (poststart,
 * poststop: each failure is a warning, the others still run). */
static gboolean
run_stage (const SbxRunPlan *plan, SbxHookStage stage, const Stage *where, gboolean warn_only, GError **error)
{
  GPtrArray *hooks = plan->profile->hooks[stage];
  g_autofree char *state = NULL;

  if (hooks->len == 0)
    return TRUE;
  state = state_json (plan, where);
  for (guint i = 0; i < hooks->len; i++)
    {
      g_autoptr(GError) local_error = NULL;

      if (run_stage_hook (plan, stage, i, where, state, &local_error))
        continue;
      if (!warn_only)
        return g_propagate_error (error, g_steal_pointer (&local_error)), FALSE;
      sbx_warning ("%s", local_error->message);
    }
  return TRUE;
}

gboolean
sbx_hooks_create_runtime (const SbxRunPlan *plan, int sync_fd, pid_t *out_init_pid, GError **error)
{
  g_autofree char *text = NULL;
  guint64 pid;
  Stage where = { "supervisor", "creating", 0, plan->bundle, hook_label (plan) };

  if (!sbx_hooks_wanted (plan->profile))
    return TRUE;
  if (!sbx_sync_expect_text (sync_fd, SBX_SYNC_HOOKS, &text, error))
    return FALSE;
  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT32, &pid, NULL))
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "sync socket: init's pid '%s' is not a pid",
                        text),
           FALSE;
  *out_init_pid = where.pid = (pid_t) pid;
  sbx_debug ("supervisor", "hooks", "init is %d: prestart and createRuntime", (int) where.pid);
  return run_stage (plan, SBX_HOOK_PRESTART, &where, FALSE, error) &&
         run_stage (plan, SBX_HOOK_CREATE_RUNTIME, &where, FALSE, error) &&
         sbx_sync_send (sync_fd, SBX_SYNC_HOOKS_DONE, error);
}

/* Init's pid as the host sees it: /proc is still the host's before pivot_root. */
static gboolean
host_pid_of_self (pid_t *out_pid, GError **error)
{
  char buf[32];
  ssize_t n = readlink ("/proc/self", buf, sizeof buf - 1);
  guint64 pid;

  if (n <= 0)
    return sbx_set_error_from_errno (error, errno, "readlink /proc/self (the host's)");
  buf[n] = '\0';
  if (!g_ascii_string_to_unsigned (buf, 10, 1, G_MAXINT32, &pid, NULL))
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "/proc/self is '%s', not a pid", buf), FALSE;
  *out_pid = (pid_t) pid;
  return TRUE;
}

gboolean
sbx_hooks_create_container (const SbxRunPlan *plan, int sync_fd, pid_t *out_init_pid, GError **error)
{
  char text[32];
  Stage where = { "init", "creating", 0, plan->bundle, hook_label (plan) };

  if (!sbx_hooks_wanted (plan->profile))
    return TRUE;
  if (!host_pid_of_self (&where.pid, error))
    return FALSE;
  *out_init_pid = where.pid;
  g_snprintf (text, sizeof text, "%d", (int) where.pid);
  if (!sbx_sync_send_text (sync_fd, SBX_SYNC_HOOKS, text, error) ||
      !sbx_sync_expect (sync_fd, SBX_SYNC_HOOKS_DONE, error))
    return FALSE;
  return run_stage (plan, SBX_HOOK_CREATE_CONTAINER, &where, FALSE, error);
}

gboolean
sbx_hooks_start_container (const SbxRunPlan *plan, pid_t init_pid, GError **error)
{
  Stage where = { "command", "created", init_pid, NULL, NULL };

  return !sbx_hooks_wanted (plan->profile) || run_stage (plan, SBX_HOOK_START_CONTAINER, &where, FALSE, error);
}

gboolean
sbx_hooks_poststart (const SbxRunPlan *plan, int sync_fd, pid_t init_pid, GError **error)
{
  Stage where = { "supervisor", "running", init_pid, plan->bundle, hook_label (plan) };
  SbxSyncType type;
  GError *remote_error = NULL;

  if (!sbx_hooks_wanted (plan->profile) || plan->profile->hooks[SBX_HOOK_POSTSTART]->len == 0)
    return TRUE;
  /* The sandbox's end of the socket is close-on-exec: it ends once the command's execve is
   * done, the last process inside to hold it. */
  while (sbx_sync_receive (sync_fd, &type, &remote_error))
    if (remote_error != NULL)
      return g_propagate_error (error, remote_error), FALSE;
  sbx_debug ("supervisor", "hooks", "the command started: poststart");
  return run_stage (plan, SBX_HOOK_POSTSTART, &where, TRUE, error);
}

void
sbx_hooks_poststop (const SbxRunPlan *plan, pid_t init_pid)
{
  Stage where = { "supervisor", "stopped", init_pid, plan->bundle, hook_label (plan) };

  if (plan->profile == NULL || !sbx_hooks_wanted (plan->profile))
    return;
  sbx_debug ("supervisor", "hooks", "the sandbox is gone: poststop");
  (void) run_stage (plan, SBX_HOOK_POSTSTOP, &where, TRUE, NULL);
}
