/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-stop.c: `sbx stop [-t SECONDS] NAME|ID...` and `sbx kill [-s SIGNAL] NAME|ID...`, as
 * Podman's: each prints the name or id it was given once done.
 *
 * A sandbox is reached through its registration (run-state.h), with pidfds opened on
 * processes whose identity is checked after opening, so a reused pid is never signalled.
 * The signals the supervisor passes on (INT, TERM, HUP, USR1, USR2, WINCH) go to it, which
 * is what a terminal's ^C or a `kill` of `sbx run` does; any other (KILL above all) goes to
 * the sandbox's pid 1, sbx's init: KILL ends every process of the sandbox at once, the run
 * then exits 137 and removes its registration.  `stop` sends TERM, waits -t seconds (10),
 * sends KILL, and waits until the supervisor is gone. */
#include "cli.h"
#include "escape.h"
#include "fd-util.h"
#include "run-state.h"
#include "sbx-error.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#define KILL_WAIT_S 30

/* A pidfd on @pid, once it is known to be the process @check says (FALSE: -1, ESRCH). */
static int
open_checked (pid_t pid, gboolean (*check) (const SbxRunState *, pid_t), const SbxRunState *state)
{
  int fd = (int) syscall (SYS_pidfd_open, pid, 0);

  if (fd >= 0 && !check (state, pid))
    {
      close (fd);
      errno = ESRCH;
      return -1;
    }
  return fd;
}

static gboolean
is_supervisor (const SbxRunState *state, pid_t pid)
{
  return sbx_run_state_is_live (state);
}

/* The sandbox's pid 1 (or its setup process) is still below the live supervisor. */
static gboolean
is_sandbox (const SbxRunState *state, pid_t pid)
{
  pid_t ppid = 0, setup_ppid = 0;

  return sbx_run_state_is_live (state) && sbx_proc_stat (pid, NULL, &ppid) &&
         (pid == state->setup_pid ? ppid == state->supervisor_pid
                                  : ppid == state->setup_pid && sbx_proc_stat (state->setup_pid, NULL, &setup_ppid) &&
                                      setup_ppid == state->supervisor_pid);
}

static gboolean
is_forwarded (int sig)
{
  static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGWINCH };

  for (gsize i = 0; i < G_N_ELEMENTS (forwarded); i++)
    if (forwarded[i] == sig)
      return TRUE;
  return FALSE;
}

/* Sends @sig to the sandbox of @state as the file comment says. */
static gboolean
send_signal (const SbxRunState *state, const char *key, int sig, GError **error)
{
  gboolean to_supervisor = is_forwarded (sig);
  pid_t pid = to_supervisor ? state->supervisor_pid : sbx_run_state_init_pid (state);
  int fd = open_checked (pid, to_supervisor ? is_supervisor : is_sandbox, state);
  int errsv;

  if (fd >= 0 && syscall (SYS_pidfd_send_signal, fd, sig, NULL, 0) == 0)
    {
      close (fd);
      return TRUE;
    }
  errsv = errno;
  if (fd >= 0)
    close (fd);
  if (errsv == ESRCH)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_NOT_FOUND, "no running sandbox '%s'", key), FALSE;
  return sbx_set_error_from_errno (error, errsv, "signal %s to sandbox '%s' (pid %d)", sigabbrev_np (sig), key,
                                   (int) pid);
}

/* Waits at most @ms (-1: for ever) for the process of @pidfd to end; TRUE when it has. */
static gboolean
wait_exit (int pidfd, int ms)
{
  struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;
  int n;

  do
    {
      int left = ms < 0 ? -1 : (int) MAX ((deadline - g_get_monotonic_time ()) / 1000, 0);
      n = poll (&pfd, 1, left);
    }
  while (n < 0 && errno == EINTR);
  return n > 0;
}

/* --------------------------------------------------------------------- sbx stop */

/* SIGKILL to the sandbox, then, if it would not go, to its supervisor (setup dies with it).
 * TRUE once the supervisor is gone. */
static gboolean
kill_and_wait (const SbxRunState *state, const char *key, int pidfd)
{
  if (send_signal (state, key, SIGKILL, NULL) ? wait_exit (pidfd, KILL_WAIT_S * 1000) : wait_exit (pidfd, 1000))
    return TRUE;
  (void) syscall (SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
  return wait_exit (pidfd, KILL_WAIT_S * 1000);
}

static gboolean
stop_one (const char *key, int timeout_s, GError **error)
{
  g_autoptr(SbxRunState) state = sbx_run_state_find_running (key, error);
  sbx_autofd int pidfd = -1;
  gboolean gone;

  if (state == NULL)
    return FALSE;
  if ((pidfd = open_checked (state->supervisor_pid, is_supervisor, state)) < 0)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_NOT_FOUND, "no running sandbox '%s'", key), FALSE;
  gone = (syscall (SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0) != 0 && errno == ESRCH) ||
         wait_exit (pidfd, timeout_s * 1000) || kill_and_wait (state, key, pidfd);
  if (!gone)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "sandbox '%s': its supervisor (pid %d) is still there "
                                                            "%d s after SIGKILL",
                        key, (int) state->supervisor_pid, KILL_WAIT_S),
           FALSE;
  (void) unlink (state->path); /* left behind only when the supervisor itself was killed */
  return TRUE;
}

/* Runs @one on each of argv[1..]: an error is printed for each that fails but the last
 * (which main.c prints); the status is 125 if any failed. */
static int
for_each_key (int argc, char **argv, gboolean (*one) (const char *key, int arg, GError **error), int arg,
              GError **error)
{
  int status = 0;

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *escaped = NULL;

      if (one (argv[i], arg, &local_error))
        {
          escaped = sbx_escape (argv[i]);
          printf ("%s\n", escaped);
          fflush (stdout);
          continue;
        }
      status = SBX_EXIT_SBX_ERROR;
      if (error != NULL && *error != NULL)
        {
          g_autofree char *message = sbx_escape ((*error)->message);
          g_printerr ("sbx: %s\n", message);
          g_clear_error (error);
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
    }
  return status;
}

int
sbx_cmd_stop (int argc, char **argv, GError **error)
{
  int timeout_s = 10;
  const GOptionEntry entries[] = {
    { "time", 't', 0, G_OPTION_ARG_INT, &timeout_s, "Seconds to wait after SIGTERM before SIGKILL (default 10)", "SECONDS" },
    { NULL }
  };

  if (!sbx_cli_parse ("stop", "NAME|ID...", "Stop running sandboxes: SIGTERM to the command, SIGKILL to the "
                                            "sandbox after -t seconds; returns once each has ended.",
                      entries, FALSE, &argc, &argv, error))
    return SBX_EXIT_SBX_ERROR;
  if (argc < 2 || timeout_s < 0)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, argc < 2 ? "stop: missing NAME or ID (see 'sbx ps')" : "stop: -t %d: expected a number of seconds, 0 or more", timeout_s);
      return SBX_EXIT_SBX_ERROR;
    }
  return for_each_key (argc, argv, stop_one, timeout_s, error);
}

/* --------------------------------------------------------------------- sbx kill */

/* "KILL", "SIGKILL", "kill" or "9". */
static int
parse_signal (const char *text, GError **error)
{
  const char *name = g_ascii_strncasecmp (text, "SIG", 3) == 0 ? text + 3 : text;
  char *end;
  gint64 n = g_ascii_strtoll (text, &end, 10);

  if (g_ascii_isdigit (text[0]) && *end == '\0' && n >= 1 && n < NSIG)
    return (int) n;
  for (int sig = 1; sig < NSIG && *name != '\0'; sig++)
    if (sigabbrev_np (sig) != NULL && g_ascii_strcasecmp (sigabbrev_np (sig), name) == 0)
      return sig;
  g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "kill: -s %s: not a signal (a name such as TERM or "
                                                        "SIGUSR1, or a number)",
               text);
  return -1;
}

static gboolean
kill_one (const char *key, int sig, GError **error)
{
  g_autoptr(SbxRunState) state = sbx_run_state_find_running (key, error);

  return state != NULL && send_signal (state, key, sig, error);
}

int
sbx_cmd_kill (int argc, char **argv, GError **error)
{
  g_autofree char *signal_name = NULL;
  const GOptionEntry entries[] = {
    { "signal", 's', 0, G_OPTION_ARG_STRING, &signal_name, "The signal to send (default KILL)", "SIGNAL" },
    { NULL }
  };
  int sig;

  if (!sbx_cli_parse ("kill", "NAME|ID...", "Send a signal to running sandboxes: INT, TERM, HUP, USR1, USR2 and "
                                            "WINCH reach the command, others the sandbox's pid 1 (KILL ends the sandbox).",
                      entries, FALSE, &argc, &argv, error))
    return SBX_EXIT_SBX_ERROR;
  if ((sig = parse_signal (signal_name != NULL ? signal_name : "KILL", error)) < 0)
    return SBX_EXIT_SBX_ERROR;
  if (argc < 2)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "kill: missing NAME or ID (see 'sbx ps')");
      return SBX_EXIT_SBX_ERROR;
    }
  return for_each_key (argc, argv, kill_one, sig, error);
}
