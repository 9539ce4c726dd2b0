/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sbx-probe.c: tries operations a sandbox's seccomp filter may deny, for the system tests.
 *
 *   sbx-probe NAME...     (sbx-probe --list prints the names)
 *
 * Each operation runs in a child of its own, with harmless arguments, so that one which
 * succeeds changes nothing for the next and one that kills its caller is seen from outside.
 * One line per NAME: "NAME ok", "NAME errno=ENAME" or "NAME killed-by-SIGNAME".  Exit 0,
 * or 2 for an unknown NAME.  Built static (cc -static), without GLib, to run in any image. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/mount.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/userfaultfd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#ifndef AF_ALG
#define AF_ALG 38
#endif

#define KEYCTL_GET_KEYRING_ID 0
#define KEY_SPEC_PROCESS_KEYRING (-2)
#define KEY_SPEC_SESSION_KEYRING (-3)

/* Each probe returns 0 on success or an errno. */
static int
result (long rc)
{
  return rc < 0 ? errno : 0;
}

static int
probe_unshare_user (void)
{
  return result (unshare (CLONE_NEWUSER));
}
static int
probe_getpid (void)
{
  return result (syscall (SYS_getpid));
}
static int
probe_chroot (void)
{
  return result (chroot ("/"));
}

static int
probe_clone_newuser (void)
{
  long pid = syscall (SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);

  if (pid == 0)
    _exit (0);
  return pid < 0 ? errno : (waitpid ((pid_t) pid, NULL, 0), 0);
}

static int
probe_clone3 (void)
{
  struct clone_args args = { .exit_signal = SIGCHLD };
  long pid = syscall (SYS_clone3, &args, sizeof args);

  if (pid == 0)
    _exit (0);
  return pid < 0 ? errno : (waitpid ((pid_t) pid, NULL, 0), 0);
}

static int
probe_keyctl (void)
{
  return result (syscall (SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
}

/* A key in the probe's own process keyring, gone when the child exits. */
static int
probe_add_key (void)
{
  return result (syscall (SYS_add_key, "user", "sbx-probe", "x", 1, KEY_SPEC_PROCESS_KEYRING));
}

/* No such command: the kernel says EINVAL (or EPERM where unprivileged bpf is off). */
static int
probe_bpf (void)
{
  return result (syscall (SYS_bpf, 1000, NULL, 0));
}

/* A software counter of the probe's own user-space time. */
static int
probe_perf_event_open (void)
{
  struct perf_event_attr attr = { .type = PERF_TYPE_SOFTWARE, .size = sizeof attr, .config = PERF_COUNT_SW_DUMMY, .exclude_kernel = 1, .exclude_hv = 1, .disabled = 1 };
  return result (syscall (SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC));
}

static int
probe_userfaultfd (void)
{
  return result (syscall (SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY));
}

static int
probe_io_uring_setup (void)
{
  struct io_uring_params params = { 0 };
  return result (syscall (SYS_io_uring_setup, 1, &params));
}

static int
probe_fsopen (void)
{
  return result (syscall (SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC));
}

/* Without OPEN_TREE_CLONE this is an O_PATH open of "/": no privilege needed. */
static int
probe_open_tree (void)
{
  return result (syscall (SYS_open_tree, AT_FDCWD, "/", OPEN_TREE_CLOEXEC));
}

/* Making "/" private again, a no-op wherever it is allowed at all. */
static int
probe_mount (void)
{
  return result (syscall (SYS_mount, NULL, "/", NULL, MS_PRIVATE | MS_REC, NULL));
}

/* The child offers itself to its parent, the probe, and exits at once. */
static int
probe_ptrace (void)
{
  return result (ptrace (PTRACE_TRACEME, 0, NULL, NULL));
}

/* A new pty made the controlling terminal of a new session; one byte pushed into its own
 * input.  @high sets bits above the low 32 of the request, which the kernel drops. */
static int
tiocsti (unsigned long high)
{
  char c = 'x';
  int master, slave;

  if (setsid () < 0 || (master = posix_openpt (O_RDWR | O_NOCTTY)) < 0 ||
      grantpt (master) != 0 || unlockpt (master) != 0 ||
      (slave = open (ptsname (master), O_RDWR)) < 0)
    return 255; /* no pty to try on: not what is probed */
  return result (syscall (SYS_ioctl, slave, high | TIOCSTI, &c));
}

static int
probe_tiocsti (void)
{
  return tiocsti (0);
}
static int
probe_tiocsti_high (void)
{
  return tiocsti (1UL << 32);
}

static int
probe_socket_unix (void)
{
  return result (socket (AF_UNIX, SOCK_STREAM, 0));
}
static int
probe_socket_inet (void)
{
  return result (socket (AF_INET, SOCK_DGRAM, 0));
}
static int
probe_socket_inet6 (void)
{
  return result (socket (AF_INET6, SOCK_DGRAM, 0));
}
static int
probe_socket_netlink (void)
{
  return result (socket (AF_NETLINK, SOCK_RAW, 0));
}
static int
probe_socket_packet (void)
{
  return result (socket (AF_PACKET, SOCK_DGRAM, 0));
}
static int
probe_socket_vsock (void)
{
  return result (socket (AF_VSOCK, SOCK_STREAM, 0));
}
static int
probe_socket_alg (void)
{
  return result (socket (AF_ALG, SOCK_SEQPACKET, 0));
}

static int
probe_personality (void)
{
  return result (personality (PER_LINUX | ADDR_NO_RANDOMIZE));
}

static int
probe_personality_linux (void)
{
  return result (personality (PER_LINUX));
}

/* The query setarch, Wine and 32-bit game launchers make: every bit set. */
static int
probe_personality_query (void)
{
  return result (personality (0xffffffff));
}
static int
probe_personality_linux32 (void)
{
  return result (personality (PER_LINUX32));
}
static int
probe_personality_uname26 (void)
{
  return result (personality (PER_LINUX | UNAME26));
}
static int
probe_personality_rie (void)
{
  return result (personality (PER_LINUX | READ_IMPLIES_EXEC));
}
static int
probe_personality_bsd (void)
{
  return result (personality (PER_BSD));
}

static int
probe_modify_ldt (void)
{
  char ldt[16];
  return result (syscall (SYS_modify_ldt, 0, ldt, sizeof ldt));
}

#ifdef __x86_64__
/* getpid through the i386 ABI (int 0x80, call 20). */
static int
probe_i386 (void)
{
  long rc;

  __asm__ volatile("int $0x80"
                   : "=a"(rc)
                   : "a"(20L)
                   : "memory", "r8", "r9", "r10", "r11");
  return rc < 0 ? (int) -rc : 0;
}

/* getpid through the x32 ABI (call 39 with bit 30 set). */
static int
probe_x32 (void)
{
  return result (syscall (0x40000000L | 39));
}
#endif

static const struct {
  const char *name;
  int (*fn) (void);
} probes[] = {
  { "unshare-user", probe_unshare_user },
  { "clone-newuser", probe_clone_newuser },
  { "clone3", probe_clone3 },
  { "keyctl", probe_keyctl },
  { "add_key", probe_add_key },
  { "bpf", probe_bpf },
  { "perf_event_open", probe_perf_event_open },
  { "userfaultfd", probe_userfaultfd },
  { "io_uring_setup", probe_io_uring_setup },
  { "fsopen", probe_fsopen },
  { "open_tree", probe_open_tree },
  { "mount", probe_mount },
  { "ptrace", probe_ptrace },
  { "tiocsti", probe_tiocsti },
  { "tiocsti-high", probe_tiocsti_high },
  { "socket-unix", probe_socket_unix },
  { "socket-inet", probe_socket_inet },
  { "socket-inet6", probe_socket_inet6 },
  { "socket-netlink", probe_socket_netlink },
  { "socket-packet", probe_socket_packet },
  { "socket-vsock", probe_socket_vsock },
  { "socket-alg", probe_socket_alg },
  { "getpid", probe_getpid },
  { "personality", probe_personality },
  { "personality-linux", probe_personality_linux },
  { "personality-query", probe_personality_query },
  { "personality-linux32", probe_personality_linux32 },
  { "personality-uname26", probe_personality_uname26 },
  { "personality-read-implies-exec", probe_personality_rie },
  { "personality-bsd", probe_personality_bsd },
  { "modify_ldt", probe_modify_ldt },
  { "chroot", probe_chroot },
#ifdef __x86_64__
  { "i386", probe_i386 },
  { "x32", probe_x32 },
#endif
};

static void
report (const char *name, int (*fn) (void))
{
  int status;
  pid_t pid;

  fflush (stdout);
  if ((pid = fork ()) < 0)
    {
      printf ("%s fork-failed\n", name);
      return;
    }
  if (pid == 0)
    _exit (fn ());
  if (waitpid (pid, &status, 0) < 0)
    printf ("%s wait-failed\n", name);
  else if (WIFSIGNALED (status))
    printf ("%s killed-by-SIG%s\n", name, sigabbrev_np (WTERMSIG (status)));
  else if (WEXITSTATUS (status) == 0)
    printf ("%s ok\n", name);
  else if (WEXITSTATUS (status) == 255)
    printf ("%s cannot-try\n", name);
  else
    printf ("%s errno=%s\n", name, strerrorname_np (WEXITSTATUS (status)));
}

static int (*lookup (const char *name)) (void)
{
  for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
    if (strcmp (probes[i].name, name) == 0)
      return probes[i].fn;
  return NULL;
}

int
main (int argc, char **argv)
{
  int status = 0;

  for (int i = 1; i < argc; i++)
    {
      int (*fn) (void) = lookup (argv[i]);

      if (strcmp (argv[i], "--list") == 0)
        for (size_t j = 0; j < sizeof probes / sizeof probes[0]; j++)
          puts (probes[j].name);
      else if (fn != NULL)
        report (argv[i], fn);
      else
        {
          printf ("%s unknown-probe\n", argv[i]);
          status = 2;
        }
    }
  return status;
}
