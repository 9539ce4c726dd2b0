/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* supervise.c: the supervisor's main loop while the sandbox runs: signals sent to sbx go to
 * the sandbox, errors reported from inside over the sync socket are collected, and the loop
 * (which also drives libslirp and the scope's memory events, added by their owners) ends
 * when the setup child exits. */
#include "supervise.h"
#include "fd-util.h"
#include "sbx-error.h"
#include "sync.h"

#include <errno.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib-unix.h>

typedef struct {
  GMainLoop *loop;
  pid_t setup_pid;
  int sync_fd;
  int wait_status;
  guint sync_source;     /* 0 once the sandbox closed its end */
  GError *sandbox_error; /* the first error a process inside reported */
  SbxTerminal *terminal; /* -t: SIGWINCH resizes its pty instead of being forwarded */
} Supervisor;

/* Reads one message; an ERROR is kept (the first one wins).  FALSE at end of stream. */
static gboolean
receive_sync_message (Supervisor *sup)
{
  SbxSyncType type;
  GError *remote_error = NULL;

  if (!sbx_sync_receive (sup->sync_fd, &type, &remote_error))
    return FALSE;
  if (remote_error != NULL && sup->sandbox_error == NULL)
    sup->sandbox_error = remote_error;
  else
    g_clear_error (&remote_error);
  return TRUE;
}

static gboolean
on_sync_readable (int fd, GIOCondition condition, gpointer user_data)
{
  Supervisor *sup = user_data;

  if (receive_sync_message (sup))
    return G_SOURCE_CONTINUE;
  sup->sync_source = 0;
  return G_SOURCE_REMOVE;
}

/* The signals sent to sbx that go to the sandbox; SIGQUIT is not one of them and kills sbx
 * (and so the sandbox). */
static const int supervisor_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGWINCH };

static gboolean
on_signals (int fd, GIOCondition condition, gpointer user_data)
{
  Supervisor *sup = user_data;
  struct signalfd_siginfo info;

  while (read (fd, &info, sizeof info) == (ssize_t) sizeof info)
    {
      if ((int) info.ssi_signo == SIGWINCH && sup->terminal != NULL)
        sbx_terminal_resize (sup->terminal);
      else
        kill (sup->setup_pid, (int) info.ssi_signo);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_setup_exited (int fd, GIOCondition condition, gpointer user_data)
{
  Supervisor *sup = user_data;

  if (waitpid (sup->setup_pid, &sup->wait_status, WNOHANG) == 0)
    return G_SOURCE_CONTINUE;
  g_main_loop_quit (sup->loop);
  return G_SOURCE_REMOVE;
}

static void
on_setup_exited_watch (GPid pid, int wait_status, gpointer user_data)
{
  Supervisor *sup = user_data;

  sup->wait_status = wait_status;
  g_main_loop_quit (sup->loop);
}

/* Runs the main loop until the setup child exits: signals go to the sandbox, errors from
 * inside are collected.  Returns the setup child's wait status. */
void
sbx_supervisor_ignore_job_control (void)
{
  signal (SIGTSTP, SIG_IGN);
  signal (SIGTTIN, SIG_IGN);
  signal (SIGTTOU, SIG_IGN);
}

int
sbx_supervise (pid_t setup_pid, int sync_fd, SbxTerminal *terminal, GError **out_sandbox_error)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Supervisor sup = { .loop = loop, .setup_pid = setup_pid, .sync_fd = sync_fd, .terminal = terminal };
  sbx_autofd int signal_fd = -1;
  sbx_autofd int pid_fd = (int) syscall (SYS_pidfd_open, setup_pid, 0);
  guint signal_source = 0, exit_source = 0;
  sigset_t forwarded, old_mask;

  /* Signals and the setup child's exit arrive as fds of this loop (signalfd, pidfd): no
   * helper thread, as GLib's own signal and child watches start, and no hop through it. */
  sigemptyset (&forwarded);
  for (gsize i = 0; i < G_N_ELEMENTS (supervisor_signals); i++)
    sigaddset (&forwarded, supervisor_signals[i]);
  sigprocmask (SIG_BLOCK, &forwarded, &old_mask);
  signal_fd = signalfd (-1, &forwarded, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd >= 0)
    signal_source = g_unix_fd_add (signal_fd, G_IO_IN, on_signals, &sup);
  sup.sync_source = g_unix_fd_add (sync_fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_sync_readable, &sup);
  if (pid_fd >= 0)
    exit_source = g_unix_fd_add (pid_fd, G_IO_IN, on_setup_exited, &sup); /* removed once it fired */
  else
    g_child_watch_add (setup_pid, on_setup_exited_watch, &sup); /* a kernel without pidfd_open */
  g_main_loop_run (loop);

  g_clear_handle_id (&signal_source, g_source_remove);
  (void) exit_source; /* removed by its callback, which is what ends the loop */
  g_clear_handle_id (&sup.sync_source, g_source_remove);
  /* What came once the sandbox was gone has nobody to go to (its pid may be another
   * process's by now): dropped.  Then the signals act as before the loop. */
  if (signal_fd >= 0)
    {
      struct signalfd_siginfo info;
      while (read (signal_fd, &info, sizeof info) == (ssize_t) sizeof info)
        ;
    }
  sigprocmask (SIG_SETMASK, &old_mask, NULL);
  while (receive_sync_message (&sup))
    ;
  *out_sandbox_error = sup.sandbox_error;
  return sup.wait_status;
}
