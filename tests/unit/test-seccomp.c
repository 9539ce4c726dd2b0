/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-seccomp.c: seccomp JSON checking (with file:line:col), compiling, and the effect of
 * the loaded filters, watched from a forked child: sbx's default filter, containers-common's
 * /usr/share/containers/seccomp.json and small filters of each feature.
 *
 * data/seccomp/default.json is found through G_TEST_SRCDIR (the tests/ source directory). */
#include "json-doc.h"
#include "json-util.h"
#include "sbx-error.h"
#include "seccomp-filter.h"

#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define CONTAINERS_COMMON "/usr/share/containers/seccomp.json"
#define CAP(n) (G_GUINT64_CONSTANT (1) << (n))
/* Podman's default capabilities, which the containers-common file is written for. */
#define PODMAN_CAPS (CAP (CAP_CHOWN) | CAP (CAP_DAC_OVERRIDE) | CAP (CAP_FOWNER) | CAP (CAP_FSETID) | \
                     CAP (CAP_KILL) | CAP (CAP_NET_BIND_SERVICE) | CAP (CAP_SETFCAP) | CAP (CAP_SETGID) | \
                     CAP (CAP_SETPCAP) | CAP (CAP_SETUID) | CAP (CAP_SYS_CHROOT))

/* ------------------------------------------------------------------------ helpers */

static char *
default_filter_path (void)
{
  return g_test_build_filename (G_TEST_DIST, "..", "data", "seccomp", "default.json", NULL);
}

static SbxJsonDoc *
load_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  SbxJsonDoc *doc = sbx_json_doc_new_from_file (path, &error);

  g_assert_no_error (error);
  return doc;
}

static SbxJsonDoc *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  SbxJsonDoc *doc = sbx_json_doc_new_from_data ("f.json", json, strlen (json), &error);

  g_assert_no_error (error);
  return doc;
}

static void
compile_node (json_t *node, guint64 caps, SbxSeccompProgram *program)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sbx_seccomp_compile (node, caps, program, &error));
  g_assert_no_error (error);
  g_assert_nonnull (program->program);
}

/* Checks, compiles and loads @doc's filter in a child that then runs @body; returns the
 * child's wait status.  @body returns 0 when everything it saw was as expected. */
static int
run_filtered (SbxJsonDoc *doc, guint64 caps, int (*body) (void))
{
  g_autoptr(GError) error = NULL;
  g_auto(SbxSeccompProgram) program = { 0 };
  int status;
  pid_t pid;

  g_assert_true (sbx_seccomp_check (doc, "", sbx_json_doc_get_root (doc), &error));
  g_assert_no_error (error);
  compile_node (sbx_json_doc_get_root (doc), caps, &program);
  fflush (stdout);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      struct rlimit no_core = { 0, 0 };

      setrlimit (RLIMIT_CORE, &no_core); /* the SIGSYS cases dump no core */
      if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || !sbx_seccomp_program_load (&program, &error))
        {
          fprintf (stderr, "# cannot load the filter: %s\n", error != NULL ? error->message : g_strerror (errno));
          _exit (100);
        }
      _exit (body ());
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  return status;
}

static void
assert_exit_ok (int status)
{
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

static void
assert_killed_by_sigsys (int status)
{
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGSYS);
}

/* In the child: 0 when @rc is what was wanted (@want_errno 0: success), else 1, said on stderr. */
static int
expect (const char *what, long rc, int want_errno)
{
  int got = rc < 0 ? errno : 0;

  if (got == want_errno)
    return 0;
  fprintf (stderr, "# %s: got %s, wanted %s\n", what, got ? strerrorname_np (got) : "success",
           want_errno ? strerrorname_np (want_errno) : "success");
  return 1;
}

#ifdef __x86_64__
static long
i386_getpid (void)
{
  long rc;

  __asm__ volatile("int $0x80"
                   : "=a"(rc)
                   : "a"(20L)
                   : "memory", "r8", "r9", "r10", "r11");
  return rc;
}

static int
call_i386_getpid (void)
{
  return i386_getpid () == getpid () ? 0 : 1;
}

static int
call_x32_getpid (void)
{
  syscall (0x40000000L | 39);
  return 0;
}

/* Whether this kernel takes i386 calls at all (ia32_emulation, and some hypervisors). */
static gboolean
i386_calls_work (void)
{
  int status;
  pid_t pid = fork ();

  if (pid == 0)
    {
      signal (SIGSEGV, SIG_DFL); /* quietly, even under AddressSanitizer */
      _exit (call_i386_getpid ());
    }
  waitpid (pid, &status, 0);
  return WIFEXITED (status) && WEXITSTATUS (status) == 0;
}
#endif

/* ------------------------------------------------------------------------ checking */

static void
test_check_default (void)
{
  g_autofree char *path = default_filter_path ();
  g_autoptr(SbxJsonDoc) doc = load_file (path);
  g_autoptr(GError) error = NULL;
  g_auto(SbxSeccompProgram) program = { 0 };

  g_assert_true (sbx_seccomp_check (doc, "", sbx_json_doc_get_root (doc), &error));
  g_assert_no_error (error);
  compile_node (sbx_json_doc_get_root (doc), PODMAN_CAPS, &program);
  g_test_message ("default filter: %zu BPF instructions",
                  g_bytes_get_size (program.program) / 8);
}

/* The default profile carries this filter; the two copies must not drift apart. */
static void
test_default_profile_carries_filter (void)
{
  g_autofree char *path = default_filter_path ();
  g_autofree char *profile_path = g_test_build_filename (G_TEST_DIST, "..", "data", "profiles",
                                                         "default.json", NULL);
  g_autoptr(SbxJsonDoc) filter = load_file (path);
  g_autoptr(SbxJsonDoc) profile = load_file (profile_path);
  json_t *seccomp = json_object_get (sbx_json_get_object (sbx_json_doc_get_root (profile), "linux"), "seccomp");

  g_assert_nonnull (seccomp);
  if (!json_equal (seccomp, sbx_json_doc_get_root (filter)))
    g_error ("%s: linux.seccomp is not %s: copy the filter into the profile", profile_path, path);
}

static void
test_check_containers_common (void)
{
  g_autoptr(SbxJsonDoc) doc = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_file_test (CONTAINERS_COMMON, G_FILE_TEST_EXISTS))
    {
      g_test_skip (CONTAINERS_COMMON " is missing (Debian package golang-github-containers-common)");
      return;
    }
  doc = load_file (CONTAINERS_COMMON);
  g_assert_true (sbx_seccomp_check (doc, "", sbx_json_doc_get_root (doc), &error));
  g_assert_no_error (error);
}

static void
test_check_bad (void)
{
  static const struct {
    const char *json, *message;
  } cases[] = {
    { "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"syscalls\": [\n"
      "    {\"names\": [\"keyctl\"], \"action\": \"SCMP_ACT_DENY\"}\n  ]\n}",
      "f.json:4:27: syscalls[0].action: unknown seccomp action 'SCMP_ACT_DENY'" },
    { "{\n  \"defaultActoin\": \"SCMP_ACT_ALLOW\"\n}",
      "f.json:2:3: defaultActoin: unknown key (did you mean 'defaultAction'?)" },
    { "{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n \"syscalls\": [{\"names\": [\"getpid\", \"keyctll\"],\n"
      "  \"action\": \"SCMP_ACT_ERRNO\"}]}",
      "f.json:2:36: syscalls[0].names[1]: unknown syscall 'keyctll'" },
    { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"ioctl\"], \"action\": \"SCMP_ACT_ERRNO\",\n"
      "  \"args\": [{\"index\": 1, \"value\": 21522, \"op\": \"SCMP_CMP_EQUAL\"}]}]}",
      "f.json:2:41: syscalls[0].args[0].op: unknown seccomp operator 'SCMP_CMP_EQUAL'" },
    { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"ioctl\"], \"action\": \"SCMP_ACT_ERRNO\",\n"
      "  \"args\": [{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
      "f.json:2:13: syscalls[0].args[0].index: expected an integer from 0 to 5" },
    { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"ioctl\"], \"action\": \"SCMP_ACT_ERRNO\",\n"
      "  \"args\": [{\"index\": 1, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 1, \"value\": 2, \"op\": \"SCMP_CMP_EQ\"}]}]}",
      "f.json:2:59: syscalls[0].args[1]: a second condition on argument 1" },
    { "{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}",
      "f.json:1:2: defaultAction: SCMP_ACT_NOTIFY is not supported" },
    { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/agent.sock\"}",
      "f.json:1:37: listenerPath: not supported" },
    { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_BOGUS\"]}",
      "f.json:1:47: flags[0]: unknown seccomp flag 'SECCOMP_FILTER_FLAG_BOGUS'" },
    { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_Z80\"]}",
      "f.json:1:55: architectures[0]: unknown architecture 'SCMP_ARCH_Z80'" },
    { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86_64\"],\n"
      " \"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\"}]}",
      "f.json:2:2: archMap: give either 'architectures' or 'archMap', not both" },
    { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"keyctl\"], \"action\": \"SCMP_ACT_KILL\", \"errnoRet\": 1}]}",
      "f.json:1:99: syscalls[0].errnoRet: an errno applies only to SCMP_ACT_ERRNO and SCMP_ACT_TRACE" },
    { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"keyctl\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1, \"errno\": \"ENOSYS\"}]}",
      "f.json:1:115: syscalls[0].errno: 'ENOSYS' is 38, but errnoRet says 1" },
    { "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": -1}",
      "f.json:1:37: defaultErrnoRet: expected an integer from 0 to 4095" },
    { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": \"keyctl\", \"action\": \"SCMP_ACT_ERRNO\"}]}",
      "f.json:1:51: syscalls[0].names: expected an array" },
    { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"bpf\"], \"action\": \"SCMP_ACT_ERRNO\",\n"
      " \"excludes\": {\"caps\": [\"CAP_SYS_ADMINN\"]}}]}",
      "f.json:2:24: syscalls[0].excludes.caps[0]: unknown capability 'CAP_SYS_ADMINN'" },
    { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"bpf\"], \"action\": \"SCMP_ACT_ERRNO\",\n"
      " \"includes\": {\"arches\": [\"x86-64\"], \"minKernel\": \"4.8\"}}]}",
      "f.json:2:26: syscalls[0].includes.arches[0]: unknown architecture 'x86-64'" },
    { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"bpf\"], \"action\": \"SCMP_ACT_ERRNO\",\n"
      " \"includes\": {\"minKernel\": \"four\"}}]}",
      "f.json:2:15: syscalls[0].includes.minKernel: 'four' is not a kernel version MAJOR.MINOR" },
    { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"name\": \"bpf\", \"names\": [\"bpf\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
      "f.json:1:51: syscalls[0].name: give either 'name' or 'names', not both" },
    { "{\"syscalls\": []}", "f.json:1:1: 'defaultAction' is missing" },
    { "[]", "f.json:1:1: expected an object" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SbxJsonDoc) doc = parse (cases[i].json);
      g_autoptr(GError) error = NULL;

      g_assert_false (sbx_seccomp_check (doc, "", sbx_json_doc_get_root (doc), &error));
      g_assert_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG);
      if (!g_str_has_prefix (error->message, cases[i].message))
        g_error ("case %zu: got \"%s\", wanted \"%s...\"", i, error->message, cases[i].message);
    }
}

/* Inside a profile the paths carry the profile's prefix. */
static void
test_check_nested_path (void)
{
  g_autoptr(SbxJsonDoc) doc = parse ("{\"linux\": {\"seccomp\": {\n"
                                      "  \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscals\": []}}}");
  json_t *seccomp = json_object_get (sbx_json_get_object (sbx_json_doc_get_root (doc), "linux"), "seccomp");
  g_autoptr(GError) error = NULL;

  g_assert_false (sbx_seccomp_check (doc, "linux.seccomp", seccomp, &error));
  g_assert_cmpstr (error->message, ==,
                   "f.json:2:38: linux.seccomp.syscals: unknown key (did you mean 'syscalls'?)");
}

/* Unknown names in allow rules are skipped; null members (Go's empty lists) are absent. */
static void
test_check_lenient (void)
{
  g_autoptr(SbxJsonDoc) doc = parse (
    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38, \"defaultErrno\": \"ENOSYS\",\n"
    " \"architectures\": null, \"flags\": [\"SECCOMP_FILTER_FLAG_TSYNC\"],\n"
    " \"syscalls\": [{\"names\": [\"getpid\", \"no_such_call_in_any_kernel\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
    "               \"args\": null, \"comment\": \"\", \"includes\": {}, \"excludes\": {}}]}");
  g_autoptr(GError) error = NULL;
  g_auto(SbxSeccompProgram) program = { 0 };

  g_assert_true (sbx_seccomp_check (doc, "", sbx_json_doc_get_root (doc), &error));
  g_assert_no_error (error);
  compile_node (sbx_json_doc_get_root (doc), 0, &program);
  g_assert_cmpuint (program.flags, ==, 0);
}

/* ------------------------------------------------------------------- the effects */

/* personality: Docker's values work (the query, PER_LINUX32, UNAME26), every other persona
 * and flag is refused, whatever bits come with it. */
static int
personality_body (void)
{
  static const unsigned long refused[] = {
    ADDR_NO_RANDOMIZE,
    READ_IMPLIES_EXEC,
    MMAP_PAGE_ZERO,
    PER_LINUX32 | ADDR_NO_RANDOMIZE,
    PER_BSD,
    PER_SVR4,
    0xfffffff7,
    0xfffdffff,
    0x7fffffff,
    0xfffffffe,
    0x80000000,
  };
  int failures = 0;

  failures += expect ("personality(0xffffffff)", syscall (SYS_personality, 0xffffffffUL), 0);
  failures += expect ("personality(PER_LINUX32)", syscall (SYS_personality, PER_LINUX32), 0);
  failures += expect ("personality(UNAME26)", syscall (SYS_personality, UNAME26), 0);
  failures += expect ("personality(PER_LINUX32 | UNAME26)", syscall (SYS_personality, PER_LINUX32 | UNAME26), 0);
  failures += expect ("personality(PER_LINUX)", syscall (SYS_personality, PER_LINUX), 0);
  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *what = g_strdup_printf ("personality(0x%lx)", refused[i]);

      failures += expect (what, syscall (SYS_personality, refused[i]), EPERM);
    }
  return failures;
}

static int
default_filter_body (void)
{
  char c = 'x';
  int failures = 0;

  failures += expect ("getpid", syscall (SYS_getpid), 0);
  failures += expect ("keyctl", syscall (SYS_keyctl, 0, -3, 0), EPERM);
  failures += expect ("add_key", syscall (SYS_add_key, "user", "t", "x", 1, -2), EPERM);
  failures += expect ("unshare(CLONE_NEWUSER)", unshare (CLONE_NEWUSER), EPERM);
  failures += expect ("clone(CLONE_NEWUSER)", syscall (SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0), EPERM);
  failures += expect ("clone3", syscall (SYS_clone3, NULL, 0), ENOSYS);
  failures += expect ("setns", syscall (SYS_setns, -1, 0), EPERM);
  failures += expect ("bpf", syscall (SYS_bpf, 1000, NULL, 0), EPERM);
  failures += expect ("io_uring_setup", syscall (SYS_io_uring_setup, 1, NULL), ENOSYS);
  failures += expect ("open_tree", syscall (SYS_open_tree, -100, "/", 0), EPERM);
  failures += expect ("ioctl(TIOCSTI)", syscall (SYS_ioctl, -1, TIOCSTI, &c), EPERM);
  failures += expect ("ioctl(TIOCSTI | 1 << 32)", syscall (SYS_ioctl, -1, (1UL << 32) | TIOCSTI, &c), EPERM);
  failures += expect ("ioctl(TCGETS) on no fd", syscall (SYS_ioctl, -1, TCGETS, &c), EBADF);
  failures += expect ("ptrace", syscall (SYS_ptrace, PTRACE_TRACEME, 0, 0, 0), EPERM);
  failures += personality_body ();
  failures += expect ("socket(AF_PACKET)", socket (AF_PACKET, SOCK_DGRAM, 0), EAFNOSUPPORT);
  failures += expect ("socket(AF_VSOCK)", socket (40, SOCK_STREAM, 0), EAFNOSUPPORT);
  failures += expect ("socket(46)", socket (46, SOCK_STREAM, 0), EAFNOSUPPORT);
  failures += expect ("socket(AF_INET | 1 << 32)", syscall (SYS_socket, (1UL << 32) | AF_INET, SOCK_DGRAM, 0), EAFNOSUPPORT);
  failures += expect ("socket(AF_UNIX)", socket (AF_UNIX, SOCK_STREAM, 0), 0);
  failures += expect ("socket(AF_INET)", socket (AF_INET, SOCK_DGRAM, 0), 0);
  return failures;
}

static void
test_default_filter_effect (void)
{
  g_autofree char *path = default_filter_path ();
  g_autoptr(SbxJsonDoc) doc = load_file (path);

  assert_exit_ok (run_filtered (doc, PODMAN_CAPS, default_filter_body));
}

/* x86_64 only: the other ABIs are not in the filter, so calls through them kill. */
static void
test_default_filter_other_abis (void)
{
#ifdef __x86_64__
  g_autofree char *path = default_filter_path ();
  g_autoptr(SbxJsonDoc) doc = load_file (path);

  assert_killed_by_sigsys (run_filtered (doc, PODMAN_CAPS, call_x32_getpid));
  if (!i386_calls_work ())
    {
      g_test_skip ("this kernel takes no i386 calls (int 0x80) at all");
      return;
    }
  assert_killed_by_sigsys (run_filtered (doc, PODMAN_CAPS, call_i386_getpid));
#else
  g_test_skip ("x86_64 only");
#endif
}

/* containers-common, with Podman's capabilities: keyctl is allowed, add_key is not listed
 * (the default ENOSYS), userfaultfd and bpf are denied with EPERM (bpf needs CAP_SYS_ADMIN),
 * personality only takes the values listed, NETLINK_AUDIT sockets need CAP_AUDIT_WRITE. */
static int
containers_common_body (void)
{
  int failures = 0;

  failures += expect ("getpid", syscall (SYS_getpid), 0);
  failures += expect ("keyctl", syscall (SYS_keyctl, 0, -3, 0), 0);
  failures += expect ("add_key", syscall (SYS_add_key, "user", "t", "x", 1, -2), ENOSYS);
  failures += expect ("io_uring_setup", syscall (SYS_io_uring_setup, 1, NULL), ENOSYS);
  failures += expect ("userfaultfd", syscall (SYS_userfaultfd, 0), EPERM);
  failures += expect ("bpf", syscall (SYS_bpf, 1000, NULL, 0), EPERM);
  failures += expect ("personality(PER_LINUX)", syscall (SYS_personality, PER_LINUX), 0);
  failures += expect ("personality(ADDR_NO_RANDOMIZE)", syscall (SYS_personality, ADDR_NO_RANDOMIZE), ENOSYS);
  failures += expect ("socket(NETLINK_AUDIT)", socket (AF_NETLINK, SOCK_RAW, 9), EINVAL);
  failures += expect ("socket(AF_UNIX)", socket (AF_UNIX, SOCK_STREAM, 0), 0);
  return failures;
}

/* With CAP_SYS_ADMIN and CAP_AUDIT_WRITE in the bounding set, their rules change sides. */
static int
containers_common_admin_body (void)
{
  int failures = 0;

  failures += expect ("bpf", syscall (SYS_bpf, 1000, NULL, 0), EINVAL);
  failures += expect ("socket(NETLINK_AUDIT)", socket (AF_NETLINK, SOCK_RAW, 9), 0);
  return failures;
}

#ifdef __x86_64__
static int
containers_common_i386_body (void)
{
  return call_i386_getpid ();
}
#endif

static void
test_containers_common_effect (void)
{
  g_autoptr(SbxJsonDoc) doc = NULL;

  if (!g_file_test (CONTAINERS_COMMON, G_FILE_TEST_EXISTS))
    {
      g_test_skip (CONTAINERS_COMMON " is missing (Debian package golang-github-containers-common)");
      return;
    }
  doc = load_file (CONTAINERS_COMMON);
  assert_exit_ok (run_filtered (doc, PODMAN_CAPS, containers_common_body));
  assert_exit_ok (run_filtered (doc, PODMAN_CAPS | CAP (CAP_SYS_ADMIN) | CAP (CAP_AUDIT_WRITE),
                                containers_common_admin_body));
#ifdef __x86_64__
  /* Its archMap puts i386 and x32 into the filter beside x86_64, with the same rules. */
  if (i386_calls_work ())
    assert_exit_ok (run_filtered (doc, PODMAN_CAPS, containers_common_i386_body));
#endif
}

/* Conditions on two arguments; one syscall in several rules; errno names; log and trap. */
static const char features_filter[] =
  "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"], \"syscalls\": [\n"
  " {\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 42},\n"
  " {\"name\": \"getpgid\", \"action\": \"SCMP_ACT_ERRNO\", \"errno\": \"EXDEV\"},\n"
  " {\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 33,\n"
  "  \"args\": [{\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 1, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]},\n"
  " {\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 34,\n"
  "  \"args\": [{\"index\": 1, \"value\": 64, \"op\": \"SCMP_CMP_GT\"}]},\n"
  " {\"names\": [\"getsid\"], \"action\": \"SCMP_ACT_LOG\"},\n"
  " {\"names\": [\"getuid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1, \"includes\": {\"minKernel\": \"999.0\"}},\n"
  " {\"names\": [\"getgid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 2, \"includes\": {\"minKernel\": \"3.0\", \"arches\": [\"amd64\", \"arm64\"]}},\n"
  " {\"names\": [\"geteuid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 3, \"includes\": {\"arches\": [\"s390x\"]}},\n"
  " {\"names\": [\"getegid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 4, \"excludes\": {\"minKernel\": \"3.0\"}},\n"
  " {\"names\": [\"sched_yield\"], \"action\": \"SCMP_ACT_TRAP\"}]}";

static int
features_body (void)
{
  int failures = 0;

  failures += expect ("getppid", syscall (SYS_getppid), 42);
  failures += expect ("getpgid", syscall (SYS_getpgid, 0), EXDEV);
  failures += expect ("kill(0, 0)", syscall (SYS_kill, 0, 0), EDOM);
  failures += expect ("kill(getpid, 0)", syscall (SYS_kill, getpid (), 0), 0);
  failures += expect ("kill(0, 65)", syscall (SYS_kill, 0, 65), ERANGE);
  failures += expect ("getsid (logged)", syscall (SYS_getsid, 0), 0);
  failures += expect ("getuid (minKernel 999.0)", syscall (SYS_getuid), 0);
#ifdef __x86_64__
  failures += expect ("getgid (amd64, minKernel 3.0)", syscall (SYS_getgid), ENOENT);
#endif
  failures += expect ("geteuid (s390x only)", syscall (SYS_geteuid), 0);
  failures += expect ("getegid (excluded from 3.0)", syscall (SYS_getegid), 0);
  return failures;
}

static int
trap_body (void)
{
  syscall (SYS_sched_yield);
  return 0;
}

static void
test_features_effect (void)
{
  g_autoptr(SbxJsonDoc) doc = parse (features_filter);
  g_auto(SbxSeccompProgram) program = { 0 };

  compile_node (sbx_json_doc_get_root (doc), 0, &program);
  g_assert_cmpuint (program.flags, ==, 4 /* SECCOMP_FILTER_FLAG_SPEC_ALLOW */);
  assert_exit_ok (run_filtered (doc, 0, features_body));
  assert_killed_by_sigsys (run_filtered (doc, 0, trap_body));
}

/* Two rules with the same conditions and different actions: libseccomp cannot have both. */
static void
test_compile_conflict (void)
{
  g_autoptr(SbxJsonDoc) doc = parse (
    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
    " {\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]},\n"
    " {\"names\": [\"kill\"], \"action\": \"SCMP_ACT_KILL\", \"args\": [{\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]}]}");
  g_autoptr(GError) error = NULL;
  g_auto(SbxSeccompProgram) program = { 0 };

  g_assert_true (sbx_seccomp_check (doc, "", sbx_json_doc_get_root (doc), &error));
  g_assert_false (sbx_seccomp_compile (sbx_json_doc_get_root (doc), 0, &program, &error));
  g_assert_cmpstr (error->message, ==,
                   "syscalls[1]: an earlier rule for kill has the same conditions and another action");
  g_assert_null (program.program);
}

/* In a child: a program the kernel refuses (a lone "ld #0", which never returns). */
static int
load_garbage_body (void)
{
  static const guint8 garbage[8] = { 0 };
  g_autoptr(GError) error = NULL;
  SbxSeccompProgram bad = { g_bytes_new_static (garbage, sizeof garbage), 0 };
  gboolean loaded = sbx_seccomp_program_load (&bad, &error);

  sbx_seccomp_program_clear (&bad);
  if (loaded || error == NULL || !g_str_has_prefix (error->message, "load the seccomp filter: ") ||
      bad.program != NULL)
    return 1;
  return 0;
}

/* A filter the kernel refuses is an error, and no program at all loads as a no-op. */
static void
test_load_errors (void)
{
  g_autoptr(GError) error = NULL;
  SbxSeccompProgram none = { NULL, 0 };
  int status;
  pid_t pid;

  g_assert_true (sbx_seccomp_program_load (&none, &error));
  g_assert_no_error (error);
  fflush (stdout);
  if ((pid = fork ()) == 0)
    _exit (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 ? load_garbage_body () : 100);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  assert_exit_ok (status);
}

/* A filter that lets io_uring through while denying what io_uring's ops do is named for a
 * warning; the default filter (io_uring denied) and containers-common's (not allowed) are not. */
static char *
bypass_of (const char *json)
{
  g_autoptr(SbxJsonDoc) doc = parse (json);
  g_autoptr(GError) error = NULL;

  g_assert_true (sbx_seccomp_check (doc, "", sbx_json_doc_get_root (doc), &error));
  g_assert_no_error (error);
  return sbx_seccomp_io_uring_bypass (sbx_json_doc_get_root (doc), PODMAN_CAPS);
}

static void
test_io_uring_bypass (void)
{
  g_autofree char *path = default_filter_path ();
  g_autoptr(SbxJsonDoc) def = load_file (path);
  g_autofree char *deny_files = bypass_of (
    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
    " {\"names\": [\"openat\", \"connect\", \"getpid\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
  g_autofree char *deny_ring_too = bypass_of (
    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
    " {\"names\": [\"openat\", \"io_uring_setup\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
  g_autofree char *socket_family = bypass_of (
    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
    " {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": 17, \"op\": \"SCMP_CMP_EQ\"}]}]}");
  g_autofree char *allow_list = bypass_of (
    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
    " {\"names\": [\"io_uring_setup\", \"io_uring_enter\", \"read\", \"write\", \"close\", \"exit_group\"],\n"
    "  \"action\": \"SCMP_ACT_ALLOW\"}]}");
  g_autofree char *nothing_denied = bypass_of ("{\"defaultAction\": \"SCMP_ACT_ALLOW\"}");
  g_autofree char *default_filter = sbx_seccomp_io_uring_bypass (sbx_json_doc_get_root (def), PODMAN_CAPS);

  g_assert_cmpstr (deny_files, ==, "openat, connect");
  g_assert_null (deny_ring_too);
  g_assert_cmpstr (socket_family, ==, "socket");
  g_assert_nonnull (allow_list);
  g_assert_true (g_str_has_prefix (allow_list, "open, openat, openat2, pread64, readv"));
  g_assert_null (strstr (allow_list, " read,"));
  g_assert_null (strstr (allow_list, "close"));
  g_assert_null (nothing_denied);
  g_assert_null (default_filter);
  g_assert_null (sbx_seccomp_io_uring_bypass (NULL, PODMAN_CAPS));
  if (g_file_test (CONTAINERS_COMMON, G_FILE_TEST_EXISTS))
    {
      g_autoptr(SbxJsonDoc) cc = load_file (CONTAINERS_COMMON);
      g_autofree char *cc_bypass = sbx_seccomp_io_uring_bypass (sbx_json_doc_get_root (cc), PODMAN_CAPS);
      g_assert_null (cc_bypass);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/seccomp/check-default", test_check_default);
  g_test_add_func ("/seccomp/default-profile-carries-filter", test_default_profile_carries_filter);
  g_test_add_func ("/seccomp/check-containers-common", test_check_containers_common);
  g_test_add_func ("/seccomp/check-bad", test_check_bad);
  g_test_add_func ("/seccomp/check-nested-path", test_check_nested_path);
  g_test_add_func ("/seccomp/check-lenient", test_check_lenient);
  g_test_add_func ("/seccomp/default-effect", test_default_filter_effect);
  g_test_add_func ("/seccomp/default-other-abis", test_default_filter_other_abis);
  g_test_add_func ("/seccomp/containers-common-effect", test_containers_common_effect);
  g_test_add_func ("/seccomp/features-effect", test_features_effect);
  g_test_add_func ("/seccomp/compile-conflict", test_compile_conflict);
  g_test_add_func ("/seccomp/load-errors", test_load_errors);
  g_test_add_func ("/seccomp/io-uring-bypass", test_io_uring_bypass);
  return g_test_run ();
}
