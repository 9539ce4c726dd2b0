/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* supervise.c: the supervisor's main loop while the sandbox runs: signals sent to sbx go to
 * the sandbox, errors reported from inside over the sync socket are collected, and the loop
 * (which also drives libslirp and the scope's memory events, added by their owners) ends
 * when the setup child exits. */
#include "supervise.h"
#include "fd-util.h"
#include "sbx-error.h"
#include "sync.h"

#include <signal.h>
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

typedef struct {
  Supervisor *sup;
  int sig;
} ForwardedSignal;

/* GLib's unix signal sources, not a signalfd: a signal sent to the process may land on any
 * of its threads (GIO starts some, for D-Bus and thread pools), and only a handler, which
 * every thread shares, catches it on all of them. */
static gboolean
on_forwarded_signal (gpointer user_data)
{
  ForwardedSignal *fwd = user_data;

  if (fwd->sig == SIGWINCH && fwd->sup->terminal != NULL)
    sbx_terminal_resize (fwd->sup->terminal);
  else
    kill (fwd->sup->setup_pid, fwd->sig);
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
  ForwardedSignal forwards[G_N_ELEMENTS (supervisor_signals)];
  guint signal_sources[G_N_ELEMENTS (supervisor_signals)];
  sbx_autofd int pid_fd = (int) syscall (SYS_pidfd_open, setup_pid, 0);

  for (gsize i = 0; i < G_N_ELEMENTS (supervisor_signals); i++)
    {
      forwards[i] = (ForwardedSignal) { &sup, supervisor_signals[i] };
      signal_sources[i] = g_unix_signal_add (supervisor_signals[i], on_forwarded_signal, &forwards[i]);
    }
  sup.sync_source = g_unix_fd_add (sync_fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_sync_readable, &sup);
  /* The setup child's exit as an fd of this loop (pidfd): no hop through GLib's child watch. */
  if (pid_fd >= 0)
    g_unix_fd_add (pid_fd, G_IO_IN, on_setup_exited, &sup); /* removed by its callback, which ends the loop */
  else
    g_child_watch_add (setup_pid, on_setup_exited_watch, &sup); /* a kernel without pidfd_open */
  g_main_loop_run (loop);

  for (gsize i = 0; i < G_N_ELEMENTS (signal_sources); i++)
    g_clear_handle_id (&signal_sources[i], g_source_remove);
  g_clear_handle_id (&sup.sync_source, g_source_remove);
  while (receive_sync_message (&sup))
    ;
  *out_sandbox_error = sup.sandbox_error;
  return sup.wait_status;
}
