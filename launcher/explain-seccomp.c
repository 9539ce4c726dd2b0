/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* explain-seccomp.c: a seccomp filter (OCI JSON) told in groups, not as a list of hundreds of
 * names (explain.h).  A rule's group is the prefix of its comment ("keyrings: ..."), as the
 * shipped filter writes them (data/seccomp/README.md), else the group the table below puts
 * its first system call in, else "other". */
#include "explain.h"
#include "json-util.h"

#include <string.h>

#define CLONE_NEWUSER_BIT G_GINT64_CONSTANT (0x10000000)
#define MAX_NAMES_SHOWN 6

/* Well-known groups of system calls, with what they are for in plain words. */
static const struct {
  const char *group;
  const char *reason;
  const char *calls; /* space-separated */
} known_groups[] = {
  { "user namespaces", "making or joining namespaces: the door to kernel code that otherwise needs privilege",
    "unshare setns" },
  { "mounts", "changing the sandbox's mounts (sbx sets them up)",
    "mount umount umount2 pivot_root fsopen fsconfig fsmount fspick open_tree move_mount mount_setattr" },
  { "kernel", "loading kernel modules and new kernels",
    "init_module finit_module delete_module create_module kexec_load kexec_file_load" },
  { "hardware", "raw I/O port access", "iopl ioperm" },
  { "clock", "setting the system clock", "settimeofday clock_settime clock_adjtime stime" },
  { "host", "administration of the machine (reboot, swap, kernel log, accounting, quotas)",
    "reboot swapon swapoff syslog acct quotactl quotactl_fd vhangup sethostname setdomainname" },
  { "keyrings", "the kernel keyring, shared with your processes outside", "add_key request_key keyctl" },
  { "bpf", "eBPF programs and maps, a large kernel attack surface", "bpf" },
  { "perf", "performance counters: side channels", "perf_event_open" },
  { "userfaultfd", "stalling the kernel at a chosen page fault (an exploit aid)", "userfaultfd" },
  { "io_uring", "a second system call interface that seccomp cannot see into",
    "io_uring_setup io_uring_enter io_uring_register" },
  { "debugging", "reading and changing other processes' memory",
    "ptrace process_vm_readv process_vm_writev pidfd_getfd" },
  { "file handles", "opening files by handle, around the sandbox's view of the files",
    "open_by_handle_at name_to_handle_at" },
  { "x86", "16-bit segments, used by Wine and DOSEMU", "modify_ldt" },
  { "obsolete", "calls no current program needs", "uselib ustat sysfs _sysctl nfsservctl lookup_dcookie" },
  { "personality", "turning off address randomization and similar exploit aids", "personality" },
  { "terminal", "typing into the terminal outside (TIOCSTI, TIOCLINUX)", "" },
  { "sockets", "rarely used socket families (the kernel's network protocols beyond unix, IP and netlink)",
    "socket socketpair" },
  { "devices", "device control requests", "ioctl" },
  { "files", "reading and writing files",
    "read write open openat openat2 close creat stat fstat lstat newfstatat statx lseek pread64 pwrite64 "
    "readv writev preadv pwritev access faccessat faccessat2 getdents getdents64 mkdir mkdirat rmdir unlink "
    "unlinkat rename renameat renameat2 link linkat symlink symlinkat readlink readlinkat chmod fchmod "
    "fchmodat chown fchown fchownat lchown truncate ftruncate fsync fdatasync dup dup2 dup3 fcntl flock "
    "getcwd chdir fchdir umask utimensat statfs fstatfs fallocate sendfile copy_file_range splice" },
  { "memory", "managing its own memory", "mmap munmap mprotect brk mremap madvise mlock munlock memfd_create" },
  { "processes", "starting, running and waiting for processes",
    "clone clone3 fork vfork execve execveat exit exit_group wait4 waitid getpid getppid gettid kill tgkill "
    "tkill set_tid_address arch_prctl prctl getuid geteuid getgid getegid getrlimit setrlimit prlimit64 "
    "sched_yield sched_getaffinity rseq set_robust_list getrandom uname" },
  { "network", "connecting to and serving on the network",
    "connect bind listen accept accept4 sendto recvfrom sendmsg recvmsg sendmmsg recvmmsg shutdown "
    "getsockname getpeername setsockopt getsockopt" },
  { "signals", "signals", "rt_sigaction rt_sigprocmask rt_sigreturn sigaltstack rt_sigsuspend rt_sigtimedwait" },
  { "time", "reading the clock and sleeping", "clock_gettime clock_getres gettimeofday nanosleep clock_nanosleep time" },
  { "events", "waiting for events", "poll ppoll select pselect6 epoll_create epoll_create1 epoll_ctl epoll_wait "
                                    "epoll_pwait eventfd eventfd2 pipe pipe2 futex inotify_init1 inotify_add_watch inotify_rm_watch timerfd_create "
                                    "timerfd_settime signalfd4" },
};

typedef struct {
  gboolean allowed; /* what the group's rules do: allow, or deny (errno, kill, trap...) */
  char *name;
  char *reason;
  gboolean mixed_reasons; /* its rules' comments differ: the table's reason is clearer */
  gboolean partial;       /* some rule applies to some arguments only */
  GPtrArray *calls;       /* char*, each once */
} Group;

static void
group_free (Group *group)
{
  g_free (group->name);
  g_free (group->reason);
  g_ptr_array_unref (group->calls);
  g_free (group);
}

static gboolean
action_allows (const char *action)
{
  return action == NULL || g_str_equal (action, "SCMP_ACT_ALLOW") || g_str_equal (action, "SCMP_ACT_LOG");
}

static int
known_group_of_call (const char *call)
{
  for (gsize i = 0; i < G_N_ELEMENTS (known_groups); i++)
    {
      g_auto(GStrv) calls = g_strsplit (known_groups[i].calls, " ", -1);
      if (g_strv_contains ((const char * const *) calls, call))
        return (int) i;
    }
  return -1;
}

static int
known_group_named (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (known_groups); i++)
    if (g_str_equal (known_groups[i].group, name))
      return (int) i;
  return -1;
}

/* The group of a rule and its reason: "PREFIX: REASON" in its comment, else the table's. */
static char *
rule_group (json_t *rule, const char *first_call, char **reason)
{
  const char *comment = sbx_json_get_string (rule, "comment");
  const char *colon = comment != NULL ? strstr (comment, ": ") : NULL;
  int known;

  if (colon != NULL && colon > comment && colon - comment <= 32)
    {
      *reason = g_strdup (colon + 2);
      return g_strndup (comment, colon - comment);
    }
  known = first_call != NULL ? known_group_of_call (first_call) : -1;
  *reason = g_strdup (known >= 0 ? known_groups[known].reason : comment);
  return g_strdup (known >= 0 ? known_groups[known].group : "other");
}

static Group *
find_group (GPtrArray *groups, const char *name, gboolean allowed)
{
  Group *group;

  for (guint i = 0; i < groups->len; i++)
    {
      group = g_ptr_array_index (groups, i);
      if (group->allowed == allowed && g_str_equal (group->name, name))
        return group;
    }
  group = g_new0 (Group, 1);
  group->allowed = allowed;
  group->name = g_strdup (name);
  group->calls = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (groups, group);
  return group;
}

static void
add_rule (GPtrArray *groups, json_t *rule)
{
  json_t *names = sbx_json_get_array (rule, "names");
  json_t *args = sbx_json_get_array (rule, "args");
  const char *first = json_string_value (json_array_get (names, 0));
  g_autofree char *reason = NULL;
  g_autofree char *name = rule_group (rule, first, &reason);
  Group *group = find_group (groups, name, action_allows (sbx_json_get_string (rule, "action")));

  if (group->reason == NULL)
    group->reason = g_steal_pointer (&reason);
  else if (g_strcmp0 (group->reason, reason) != 0)
    group->mixed_reasons = TRUE;
  group->partial |= json_array_size (args) > 0;
  for (gsize i = 0; i < json_array_size (names); i++)
    {
      const char *call = json_string_value (json_array_get (names, i));
      if (call != NULL && !g_ptr_array_find_with_equal_func (group->calls, call, g_str_equal, NULL))
        g_ptr_array_add (group->calls, g_strdup (call));
    }
}

/* "a, b, c and 4 more" */
static char *
calls_text (GPtrArray *calls)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < calls->len && i < MAX_NAMES_SHOWN; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? ", " : "", (char *) g_ptr_array_index (calls, i));
  if (calls->len > MAX_NAMES_SHOWN)
    g_string_append_printf (text, " and %u more", calls->len - MAX_NAMES_SHOWN);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
add_group_fact (SbxExplainSection *section, Group *group)
{
  g_autofree char *calls = calls_text (group->calls);
  int known = known_group_named (group->name);
  const char *reason = group->mixed_reasons && known >= 0 ? known_groups[known].reason : group->reason;
  SbxExplainFact *fact;
  json_t *array = json_array ();

  fact = sbx_explain_add (section, NULL, "%s: %s (%s%s)%s%s", group->allowed ? "allowed" : "denied", group->name,
                          calls, group->partial ? "; some only with certain arguments" : "",
                          reason != NULL ? ": " : "", reason != NULL ? reason : "");
  sbx_json_set (fact->data, "group", sbx_json_string_new (group->name));
  sbx_json_set (fact->data, "action", sbx_json_string_new (group->allowed ? "allow" : "deny"));
  for (guint i = 0; i < group->calls->len; i++)
    sbx_json_append (array, sbx_json_string_new (g_ptr_array_index (group->calls, i)));
  sbx_json_set (fact->data, "calls", array);
  sbx_json_set (fact->data, "partial", json_boolean (group->partial));
  if (reason != NULL)
    sbx_json_set (fact->data, "reason", sbx_json_string_new (reason));
}

void
sbx_explain_seccomp (SbxExplainSection *section, json_t *seccomp, const char *why)
{
  json_t *filter = json_is_object (seccomp) ? seccomp : NULL;
  json_t *rules = sbx_json_get_array (filter, "syscalls");
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func ((GDestroyNotify) group_free);
  gboolean default_allows;
  SbxExplainFact *fact;

  if (filter == NULL)
    {
      fact = sbx_explain_add (section, why, "no seccomp filter: every system call of the kernel is allowed");
      sbx_json_set (fact->data, "default", sbx_json_string_new ("none"));
      return;
    }
  default_allows = action_allows (sbx_json_get_string (filter, "defaultAction"));
  for (gsize i = 0; i < json_array_size (rules); i++)
    add_rule (groups, json_array_get (rules, i));
  for (guint i = 0; i < groups->len; i++)
    if (((Group *) g_ptr_array_index (groups, i))->allowed != default_allows)
      add_group_fact (section, g_ptr_array_index (groups, i));
  fact = sbx_explain_add (section, why, default_allows ? "all other system calls allowed" : "all other system calls denied");
  sbx_json_set (fact->data, "default", sbx_json_string_new (default_allows ? "allow" : "deny"));
}

/* ------------------------------------------------------------------ user namespaces */

/* Whether a refusing rule stops CLONE_NEWUSER: unconditionally, or on argument 0's bit. */
static gboolean
rule_refuses_newuser (json_t *rule)
{
  json_t *args = sbx_json_get_array (rule, "args");

  if (json_array_size (args) == 0)
    return TRUE;
  for (gsize i = 0; i < json_array_size (args); i++)
    {
      json_t *arg = json_array_get (args, i);
      gint64 value = sbx_json_get_int (arg, "value", 0);
      gint64 two = sbx_json_get_int (arg, "valueTwo", 0);

      if (sbx_json_get_int (arg, "index", -1) == 0 &&
          g_strcmp0 (sbx_json_get_string (arg, "op"), "SCMP_CMP_MASKED_EQ") == 0 &&
          (value & CLONE_NEWUSER_BIT) && (two & CLONE_NEWUSER_BIT))
        return TRUE;
    }
  return FALSE;
}

static gboolean
rule_names (json_t *rule, const char *call)
{
  json_t *names = sbx_json_get_array (rule, "names");

  for (gsize i = 0; i < json_array_size (names); i++)
    if (g_strcmp0 (json_string_value (json_array_get (names, i)), call) == 0)
      return TRUE;
  return FALSE;
}

/* A deny list must refuse @call's CLONE_NEWUSER; an allow list must not allow @call outright. */
static gboolean
blocks_newuser (json_t *filter, const char *call)
{
  json_t *rules = sbx_json_get_array (filter, "syscalls");
  gboolean default_allows = action_allows (sbx_json_get_string (filter, "defaultAction"));

  for (gsize i = 0; i < json_array_size (rules); i++)
    {
      json_t *rule = json_array_get (rules, i);
      json_t *args = sbx_json_get_array (rule, "args");
      gboolean allows = action_allows (sbx_json_get_string (rule, "action"));

      if (!rule_names (rule, call))
        continue;
      if (default_allows && !allows && rule_refuses_newuser (rule))
        return TRUE;
      if (!default_allows && allows && json_array_size (args) == 0)
        return FALSE;
    }
  return !default_allows;
}

gboolean
sbx_explain_seccomp_blocks_userns (json_t *seccomp)
{
  json_t *filter = json_is_object (seccomp) ? seccomp : NULL;

  if (filter == NULL)
    return FALSE;
  return blocks_newuser (filter, "unshare") && blocks_newuser (filter, "clone") &&
         blocks_newuser (filter, "clone3");
}
