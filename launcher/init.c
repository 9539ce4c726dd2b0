/* init.c: PID 1 of the sandbox. */
#include "init.h"
#include "confine.h"
#include "mounts.h"
#include "sbx-error.h"
#include "setup.h"
#include "sync.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static int
command_exit_code (int status)
{
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return WEXITSTATUS (status);
}

/* Signals arrive blocked (setup.c blocked them before fork): wait for them synchronously. */
static G_NORETURN void
reap_and_forward (pid_t command)
{
  sigset_t set;
  gsize n;
  const int *sigs = sbx_forwarded_signals (&n);

  sigemptyset (&set);
  sigaddset (&set, SIGCHLD);
  for (gsize i = 0; i < n; i++)
    sigaddset (&set, sigs[i]);
  for (;;)
    {
      int status;
      pid_t pid;
      int sig = sigwaitinfo (&set, NULL);

      /* To the whole group, as a terminal delivers ^C: a shell waits for its foreground
       * child before acting on SIGINT, so the child must get it too. */
      if (sig > 0 && sig != SIGCHLD)
        kill (-command, sig);
      while ((pid = waitpid (-1, &status, WNOHANG)) > 0)
        if (pid == command)
          _exit (command_exit_code (status));
    }
}

void
sbx_init_main (const SbxRunPlan *plan, int sync_fd, pid_t parent, const char *rootfs)
{
  g_autoptr(GError) error = NULL;
  pid_t command;

  /* In a new pid namespace getppid() is 0: the parent cannot be checked, only awaited. */
  sbx_die_with_parent (0);
  if (!sbx_mounts_setup (plan, rootfs, &error))
    sbx_sync_send_error_and_exit (sync_fd, error);
  command = fork ();
  if (command < 0)
    {
      sbx_set_error_from_errno (&error, errno, "fork the command");
      sbx_sync_send_error_and_exit (sync_fd, error);
    }
  if (command == 0)
    sbx_confine_and_exec (plan, sync_fd);
  (void) setpgid (command, command);  /* also done by the child: whoever runs first wins */
  close (sync_fd);
  reap_and_forward (command);
}
