/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* signals.c: passing signals on to the sandboxed command, and reaping. */
#include "signals.h"
#include "sbx-error.h"

#include <errno.h>
#include <sys/wait.h>

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

int
sbx_signals_forward_until_exit (pid_t target, pid_t child, pid_t *other)
{
  sigset_t set;

  sbx_signals_forwarded_set (&set);
  for (;;)
    {
      int status;
      pid_t pid;
      int sig = sigwaitinfo (&set, NULL);

      if (sig > 0 && sig != SIGCHLD)
        kill (target, sig);
      while ((pid = waitpid (-1, &status, WNOHANG)) > 0)
        {
          if (other != NULL && pid == *other)
            *other = -1;
          if (pid == child)
            return sbx_exit_code_from_wait_status (status);
        }
    }
}
