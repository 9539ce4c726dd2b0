/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* process.c: children that die with their parent (process.h). */
#include "process.h"
#include "sbx-error.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

/* The shared-memory child's stack: what sbx's confinement and GLib need, with room to spare
 * (untouched pages cost nothing), above a guard page. */
#define SHARED_CHILD_STACK_SIZE (1024 * 1024)

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

void
sbx_process_set_name (const char *name)
{
  (void) prctl (PR_SET_NAME, (unsigned long) name, 0, 0, 0);
}

pid_t
sbx_spawn_sharing_memory (int (*fn) (void *data), void *data)
{
#ifdef SBX_SANITIZED
  pid_t pid = fork ();

  if (pid == 0)
    _exit (fn (data));
  return pid;
#else
  long page = sysconf (_SC_PAGESIZE);
  size_t size = SHARED_CHILD_STACK_SIZE + (size_t) page;
  char *stack = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  pid_t pid;
  int errsv;

  if (stack == MAP_FAILED)
    return -1;
  if (mprotect (stack, (size_t) page, PROT_NONE) != 0)
    {
      errsv = errno;
      munmap (stack, size);
      errno = errsv;
      return -1;
    }
  /* Returns once the child has exec'd or exited: its stack is no longer in use. */
  pid = clone (fn, stack + size, CLONE_VM | CLONE_VFORK | SIGCHLD, data);
  errsv = errno;
  munmap (stack, size);
  errno = errsv;
  return pid;
#endif
}

void
sbx_exit_now (int status)
{
#ifdef SBX_SANITIZED
  exit (status);
#else
  fflush (stdout);
  fflush (stderr);
  _exit (status);
#endif
}

guint
sbx_process_thread_count (void)
{
  DIR *dir = opendir ("/proc/self/task");
  struct dirent *entry;
  guint count = 0;

  if (dir == NULL)
    return 0;
  while ((entry = readdir (dir)) != NULL)
    if (entry->d_name[0] != '.')
      count++;
  closedir (dir);
  return count;
}
