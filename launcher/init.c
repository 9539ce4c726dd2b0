/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* init.c: PID 1 of the sandbox. */
#include "init.h"
#include "confine.h"
#include "fd-util.h"
#include "mounts.h"
#include "process.h"
#include "sbx-error.h"
#include "signals.h"
#include "sync.h"

#include <errno.h>
#include <unistd.h>

typedef struct
{
  const SbxRunPlan *plan;
  const SbxSeccompProgram *seccomp;
  int sync_fd;
  pid_t init_pid;
} CommandStart;

static int
command_main (void *data)
{
  CommandStart *start = data;

  sbx_confine_and_exec (start->plan, start->seccomp, start->sync_fd, start->init_pid);
}

/* The seccomp filter the supervisor compiled while the sandbox was set up (sync.h). */
static gboolean
receive_seccomp (const SbxRunPlan *plan, int sync_fd, SbxSeccompProgram *out, GError **error)
{
  sbx_autofd int fd = -1;

  if (!plan->seccomp_follows)
    return TRUE;
  return sbx_sync_expect_fd (sync_fd, SBX_SYNC_SECCOMP, &fd, error) && sbx_seccomp_program_from_fd (fd, out, error);
}

void
sbx_init_main (const SbxRunPlan *plan, int sync_fd, pid_t parent, int parent_pidfd, const char *rootfs)
{
  g_autoptr(GError) error = NULL;
  g_auto(SbxSeccompProgram) seccomp = { 0 };
  pid_t command, init_pid = 0;

  /* In a new pid namespace getppid() is 0: the parent is checked through its pidfd, so that
   * a setup process killed right after the fork leaves no init running on its own. */
  sbx_die_with_parent_pidfd (parent_pidfd);
  sbx_process_set_name ("sbx-init");
  if (parent_pidfd >= 0)
    close (parent_pidfd);
  if (!sbx_mounts_setup (plan, rootfs, sync_fd, &init_pid, &error) ||
      !receive_seccomp (plan, sync_fd, &seccomp, &error))
    sbx_sync_send_error_and_exit (sync_fd, error);
  /* The command shares init's memory until its execve: init is a fork of a fork of the
   * supervisor, and copying its address space once more was the dearest step of a start. */
  command = sbx_spawn_sharing_memory (command_main, &(CommandStart) { plan, &seccomp, sync_fd, init_pid });
  if (command < 0)
    {
      sbx_set_error_from_errno (&error, errno, "start the command");
      sbx_sync_send_error_and_exit (sync_fd, error);
    }
  if (!plan->terminal)
    (void) setpgid (command, command); /* also done by the child: whoever runs first wins */
  close (sync_fd);
  /* To the whole group, as a terminal delivers ^C: a shell waits for its foreground
   * child before acting on SIGINT, so the child must get it too. */
  _exit (sbx_signals_forward_until_exit (-command, command, NULL));
}
