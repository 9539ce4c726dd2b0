/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* process.c: children that die with their parent (process.h). */
#include "process.h"
#include "sbx-error.h"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

void
sbx_die_with_parent (pid_t expected_parent)
{
  if (prctl (PR_SET_PDEATHSIG, SIGKILL) != 0 || (expected_parent > 0 && getppid () != expected_parent))
    _exit (SBX_EXIT_SBX_ERROR);
}

void
sbx_die_with_parent_pidfd (int parent_pidfd)
{
  struct pollfd exited = { .fd = parent_pidfd, .events = POLLIN };

  if (prctl (PR_SET_PDEATHSIG, SIGKILL) != 0 || (parent_pidfd >= 0 && poll (&exited, 1, 0) != 0))
    _exit (SBX_EXIT_SBX_ERROR);
}

void
sbx_die_with_parent_child_setup (gpointer user_data)
{
  sbx_die_with_parent ((pid_t) GPOINTER_TO_INT (user_data));
}
