/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* signals.c: passing signals on to the sandboxed command, and reaping. */
#include "signals.h"
#include "sbx-error.h"

#include <errno.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

static const int forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

void
sbx_signals_forwarded_set (sigset_t *set)
{
  sigemptyset (set);
  sigaddset (set, SIGCHLD);
  for (gsize i = 0; i < G_N_ELEMENTS (forwarded_signals); i++)
    sigaddset (set, forwarded_signals[i]);
}

gboolean
sbx_signals_block_forwarded (GError **error)
{
  sigset_t set;

  sbx_signals_forwarded_set (&set);
  if (sigprocmask (SIG_BLOCK, &set, NULL) != 0)
    return sbx_set_error_from_errno (error, errno, "sigprocmask");
  return TRUE;
}

/* Reaps every child that exited; TRUE once @child is one (its exit code in *out_code). */
static gboolean
reap (pid_t child, pid_t *other, int *out_code)
{
  int status;
  pid_t pid;

  while ((pid = waitpid (-1, &status, WNOHANG)) > 0)
    {
      if (other != NULL && pid == *other)
        *other = -1;
      if (pid == child)
        {
          *out_code = sbx_exit_code_from_wait_status (status);
          return TRUE;
        }
    }
  return FALSE;
}

int
sbx_signals_forward_until_exit (pid_t target, pid_t child, pid_t *other)
{
  sigset_t set;
  int code;

  sbx_signals_forwarded_set (&set);
  for (;;)
    {
      int sig = sigwaitinfo (&set, NULL);

      if (sig > 0 && sig != SIGCHLD)
        kill (target, sig);
      if (reap (child, other, &code))
        return code;
    }
}

int
sbx_signals_forward_serving (pid_t target, pid_t child, pid_t *other, int fd, gboolean (*serve) (int fd))
{
  sigset_t set;
  int sfd, code;

  sbx_signals_forwarded_set (&set);
  sfd = fd >= 0 ? signalfd (-1, &set, SFD_CLOEXEC) : -1;
  if (sfd < 0)
    {
      if (fd >= 0)
        close (fd);
      return sbx_signals_forward_until_exit (target, child, other);
    }
  for (;;)
    {
      struct pollfd pfd[2] = { { .fd = sfd, .events = POLLIN }, { .fd = fd, .events = POLLIN } };
      struct signalfd_siginfo info;

      if (poll (pfd, fd >= 0 ? 2 : 1, -1) < 0)
        continue;
      if ((pfd[0].revents & POLLIN) && read (sfd, &info, sizeof info) == sizeof info &&
          info.ssi_signo != SIGCHLD)
        kill (target, (int) info.ssi_signo);
      if (fd >= 0 && pfd[1].revents != 0 && !serve (fd))
        {
          close (fd);
          fd = -1;
        }
      if (reap (child, other, &code))
        return code;
    }
}
