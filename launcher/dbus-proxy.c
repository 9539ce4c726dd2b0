/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dbus-proxy.c: starting, watching and ending xdg-dbus-proxy for one bus (dbus-proxy.h
 * says how its lifetime is tied to sbx).
 *
 *   the bus address (outside input: only unix: transports, escaped when printed) → its
 *   socket, or "not available" → the proxy's command line from the policy → spawn, with
 *   the write end of a pipe as its --fd → wait for its "ready" byte on the read end. */
#include "dbus-proxy.h"
#include "dbus-policy.h"
#include "fd-util.h"
#include "process.h"
#include "sbx-error.h"

#include <errno.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#define PROXY_PROGRAM "xdg-dbus-proxy"
#define PROXY_SYNC_FD 3 /* the pipe's write end, in the proxy */
#define READY_TIMEOUT_MS 10000
#define STOP_GRACE_MS 2000

struct _SbxDbusProxy {
  char *reason;      /* not available: why */
  char *socket_path; /* available: where the proxy listens */
  GPid pid;          /* -1 once reaped, or when not available */
  int sync_fd;       /* our end of the --fd pipe; closing it ends the proxy */
  gboolean ready;    /* its ready byte was read: it listens */
  gboolean graceful; /* --log: it ends on its own, so that its trace is whole */
};

static const char *
bus_name (SbxDbusBus bus)
{
  return bus == SBX_DBUS_BUS_SYSTEM ? "system" : "session";
}

/* ------------------------------------------------------------------ the address */

/* A D-Bus address value with its %XX escapes decoded; NULL if malformed. */
static char *
unescape_value (const char *value)
{
  GString *out = g_string_new (NULL);

  for (const char *p = value; *p; p++)
    {
      int hi, lo;

      if (*p != '%')
        {
          g_string_append_c (out, *p);
          continue;
        }
      hi = g_ascii_xdigit_value (p[1]);
      lo = hi >= 0 ? g_ascii_xdigit_value (p[2]) : -1;
      if (lo < 0 || (hi == 0 && lo == 0))
        return g_string_free (out, TRUE), NULL;
      g_string_append_c (out, (char) (hi * 16 + lo));
      p += 2;
    }
  return g_string_free (out, FALSE);
}

/* The socket one unix: address names: *path for path=, *abstract TRUE for abstract=. */
static gboolean
parse_unix_entry (const char *entry, const char *escaped, char **path, gboolean *abstract,
                  GError **error)
{
  g_auto(GStrv) pairs = g_strsplit (entry + strlen ("unix:"), ",", -1);

  *path = NULL;
  *abstract = FALSE;
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      const char *eq = strchr (pairs[i], '=');
      g_autofree char *value = eq != NULL ? unescape_value (eq + 1) : NULL;

      if (value == NULL || eq == pairs[i])
        return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                            "malformed D-Bus address \"%s\"", escaped),
               FALSE;
      if (g_str_has_prefix (pairs[i], "path=") && *path == NULL)
        *path = g_steal_pointer (&value);
      else if (g_str_has_prefix (pairs[i], "abstract="))
        *abstract = TRUE;
    }
  if (*path == NULL && !*abstract)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                        "D-Bus address \"%s\" names no socket to connect to (path= or abstract=)",
                        escaped),
           FALSE;
  return TRUE;
}

/* Whether the socket of one unix: address is there; else *reason says why not. */
static gboolean
entry_is_reachable (const char *entry, const char *escaped, SbxDbusBus bus, char **reason,
                    GError **error)
{
  g_autofree char *path = NULL;
  g_autofree char *escaped_path = NULL;
  gboolean abstract;
  struct stat st;

  if (!parse_unix_entry (entry, escaped, &path, &abstract, error))
    return FALSE;
  if (path == NULL)
    return TRUE; /* abstract: nothing on the file system to look at */
  escaped_path = g_strescape (path, NULL);
  if (stat (path, &st) != 0)
    *reason = g_strdup_printf ("no %s bus: its socket \"%s\" is absent (%s)", bus_name (bus),
                               escaped_path, g_strerror (errno));
  else if (!S_ISSOCK (st.st_mode))
    *reason = g_strdup_printf ("no %s bus: \"%s\" is not a socket", bus_name (bus), escaped_path);
  return *reason == NULL;
}

/* The first address of @address (';'-separated) whose socket is there, in *out; when
 * none is, *reason.  Every address must be unix:. */
static gboolean
pick_address (const char *address, SbxDbusBus bus, char **out, char **reason, GError **error)
{
  g_autofree char *escaped_all = g_strescape (address, NULL);
  g_auto(GStrv) entries = g_strsplit (address, ";", -1);

  for (guint i = 0; entries[i] != NULL; i++)
    if (*entries[i] != '\0' && !g_str_has_prefix (entries[i], "unix:"))
      return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                          "the %s bus address \"%s\" is not a unix: one (sbx proxies local buses only)",
                          bus_name (bus), escaped_all),
             FALSE;
  for (guint i = 0; entries[i] != NULL; i++)
    {
      g_autofree char *escaped = g_strescape (entries[i], NULL);
      g_autofree char *why = NULL;

      if (*entries[i] == '\0')
        continue;
      if (!entry_is_reachable (entries[i], escaped, bus, &why, error))
        {
          if (why == NULL)
            return FALSE;
          if (*reason == NULL)
            *reason = g_steal_pointer (&why);
          continue;
        }
      g_clear_pointer (reason, g_free);
      *out = g_strdup (entries[i]);
      return TRUE;
    }
  if (*reason == NULL)
    *reason = g_strdup_printf ("no %s bus: its address \"%s\" is empty", bus_name (bus), escaped_all);
  return TRUE;
}

/* The address to proxy, or NULL with *reason (not available) or @error set. */
static char *
resolve_address (const SbxDbusProxyConfig *config, char **reason, GError **error)
{
  const char *address = config->address;
  g_autofree char *picked = NULL;

  if (address == NULL && config->bus == SBX_DBUS_BUS_SYSTEM)
    address = SBX_DBUS_SYSTEM_BUS_ADDRESS;
  if (address == NULL)
    address = g_getenv ("DBUS_SESSION_BUS_ADDRESS");
  if (address == NULL || *address == '\0')
    {
      *reason = g_strdup ("no session bus: DBUS_SESSION_BUS_ADDRESS is not set");
      return NULL;
    }
  if (!pick_address (address, config->bus, &picked, reason, error))
    return NULL;
  return g_steal_pointer (&picked);
}

/* ------------------------------------------------------------- the socket, the policy */

/* @dir must be ours and closed to everyone else: the socket in it is the sandbox's
 * door to the bus. */
static gboolean
check_private_dir (const char *dir, GError **error)
{
  g_autofree char *escaped = g_strescape (dir, NULL);
  struct stat st;

  if (lstat (dir, &st) != 0)
    return sbx_set_error_from_errno (error, errno, "D-Bus proxy directory \"%s\"", escaped);
  if (!S_ISDIR (st.st_mode) || st.st_uid != geteuid () || (st.st_mode & 077) != 0)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                        "D-Bus proxy directory \"%s\" is not a private one (a directory of ours, mode 0700)",
                        escaped),
           FALSE;
  return TRUE;
}

static char *
socket_path_in (const char *dir, SbxDbusBus bus, GError **error)
{
  g_autofree char *name = g_strdup_printf ("%s-bus", bus_name (bus));
  g_autofree char *path = g_build_filename (dir, name, NULL);
  struct sockaddr_un sun;
  struct stat st;

  if (strlen (path) >= sizeof sun.sun_path)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                        "D-Bus proxy socket path longer than %zu bytes", sizeof sun.sun_path - 1),
           NULL;
  /* A socket a killed sbx left behind is in the way of the new one. */
  if (lstat (path, &st) == 0 && S_ISSOCK (st.st_mode) && unlink (path) != 0)
    return sbx_set_error_from_errno (error, errno, "remove the old D-Bus proxy socket"), NULL;
  return g_steal_pointer (&path);
}

static gboolean
check_policy (const SbxDbusPolicy *policy, GError **error)
{
  char * const *names[] = { policy->talk, policy->own, policy->see };
  char * const *rules[] = { policy->call, policy->broadcast };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    for (guint j = 0; names[i] != NULL && names[i][j] != NULL; j++)
      if (!sbx_dbus_name_check (names[i][j], error))
        return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (rules); i++)
    for (guint j = 0; rules[i] != NULL && rules[i][j] != NULL; j++)
      if (!sbx_dbus_name_rule_check (rules[i][j], error))
        return FALSE;
  return TRUE;
}

static void
add_options (GPtrArray *argv, const char *option, char * const *values)
{
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup_printf ("--%s=%s", option, values[i]));
}

/* xdg-dbus-proxy --fd=3 ADDRESS SOCKET --filter [--log] --talk=... --own=... ... */
static GPtrArray *
proxy_argv (const char *program, const char *address, const char *socket_path,
            const SbxDbusProxyConfig *config)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, g_strdup (program));
  g_ptr_array_add (argv, g_strdup_printf ("--fd=%d", PROXY_SYNC_FD));
  g_ptr_array_add (argv, g_strdup (address));
  g_ptr_array_add (argv, g_strdup (socket_path));
  g_ptr_array_add (argv, g_strdup ("--filter"));
  if (config->log_denials)
    g_ptr_array_add (argv, g_strdup ("--log"));
  add_options (argv, "talk", config->policy->talk);
  add_options (argv, "own", config->policy->own);
  add_options (argv, "see", config->policy->see);
  add_options (argv, "call", config->policy->call);
  add_options (argv, "broadcast", config->policy->broadcast);
  g_ptr_array_add (argv, NULL);
  return argv;
}

/* ------------------------------------------------------------------ the process */

typedef struct {
  pid_t parent;                /* sbx */
  const SbxPortalId *identity; /* may be NULL */
} ChildSetup;

/* A message on stderr from the child, with system calls only. */
static void
child_fail (const char *step, int saved_errno)
{
  char number[16];
  int i = (int) sizeof number;

  number[--i] = '\0';
  do
    number[--i] = (char) ('0' + saved_errno % 10);
  while ((saved_errno /= 10) > 0 && i > 0);
  (void) !write (STDERR_FILENO, "sbx: " PROXY_PROGRAM "'s namespace: ", strlen ("sbx: " PROXY_PROGRAM "'s namespace: "));
  (void) !write (STDERR_FILENO, step, strlen (step));
  (void) !write (STDERR_FILENO, ": errno ", strlen (": errno "));
  (void) !write (STDERR_FILENO, number + i, strlen (number + i));
  (void) !write (STDERR_FILENO, "\n", 1);
  _exit (127);
}

/* In the proxy, before exec: it dies with sbx, even when sbx died a moment ago, and
 * takes signals again (sbx blocks those it forwards to the sandbox); with an identity,
 * it enters its namespaces. */
static void
child_setup (gpointer user_data)
{
  const ChildSetup *setup = user_data;
  const char *step = NULL;
  sigset_t none;

  sigemptyset (&none);
  if (sigprocmask (SIG_SETMASK, &none, NULL) != 0 || prctl (PR_SET_PDEATHSIG, SIGKILL) != 0 ||
      getppid () != setup->parent)
    _exit (127);
  if (setup->identity != NULL && sbx_portal_id_enter (setup->identity, &step) != 0)
    child_fail (step, errno);
}

static char *
describe_wait_status (int status)
{
  if (WIFSIGNALED (status))
    return g_strdup_printf ("killed by signal %d", WTERMSIG (status));
  return g_strdup_printf ("exit status %d", WEXITSTATUS (status));
}

/* Reaps the proxy, waiting at most @timeout_ms; FALSE if it is still running. */
static gboolean
reap (SbxDbusProxy *proxy, int timeout_ms, int *status)
{
  sbx_autofd int pidfd = (int) syscall (SYS_pidfd_open, proxy->pid, 0);
  struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
  pid_t pid;

  /* The pidfd becomes readable when the proxy exits: no polling loop, no lost milliseconds. */
  if (pidfd >= 0)
    while (poll (&pfd, 1, timeout_ms) < 0 && errno == EINTR)
      ;
  else
    g_usleep (timeout_ms * 1000 / 20);
  pid = waitpid (proxy->pid, status, WNOHANG);
  if (pid == proxy->pid || (pid < 0 && errno != EINTR))
    {
      proxy->pid = -1;
      return TRUE;
    }
  return FALSE;
}

/* What the proxy's process does up to its execve, sharing sbx's memory (process.h): the
 * child setup, stdin from /dev/null, stdout onto stderr, the pipe on PROXY_SYNC_FD, nothing
 * else open.  System calls only; an execve that fails leaves its errno in @exec_errno. */
typedef struct {
  const ChildSetup *setup;
  char **argv;
  int sync_fd;
  int exec_errno;
} ProxyExec;

static int
exec_proxy (void *data)
{
  ProxyExec *e = data;
  int null_fd;

  child_setup ((gpointer) e->setup);
  null_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0 || dup2 (null_fd, STDIN_FILENO) < 0 || dup2 (STDERR_FILENO, STDOUT_FILENO) < 0)
    child_fail ("stdin and stdout", errno);
  if (e->sync_fd == PROXY_SYNC_FD ? fcntl (PROXY_SYNC_FD, F_SETFD, 0) != 0
                                  : dup2 (e->sync_fd, PROXY_SYNC_FD) != PROXY_SYNC_FD)
    child_fail ("its --fd", errno);
  if (syscall (SYS_close_range, PROXY_SYNC_FD + 1, ~0U, 0) != 0)
    child_fail ("close descriptors", errno);
  execv (e->argv[0], e->argv);
  e->exec_errno = errno;
  _exit (127);
}

/* Without an identity the proxy starts as the command does (sbx_spawn_sharing_memory):
 * GLib's spawn forked sbx, which copied its page tables and took copy-on-write faults up to
 * the execve (3 to 5 ms here).  An identity enters namespaces, which a process sharing
 * another's memory may not: that one is a fork. */
static gboolean
spawn_proxy_sharing_memory (SbxDbusProxy *proxy, GPtrArray *argv, const ChildSetup *setup, int sync_fd,
                            GError **error)
{
  ProxyExec e = { setup, (char **) argv->pdata, sync_fd, 0 };
  int status;

  proxy->pid = sbx_spawn_sharing_memory (exec_proxy, &e);
  if (proxy->pid < 0)
    return sbx_set_error_from_errno (error, errno, "start " PROXY_PROGRAM);
  if (e.exec_errno == 0)
    return TRUE;
  while (waitpid (proxy->pid, &status, 0) < 0 && errno == EINTR)
    ;
  proxy->pid = -1;
  return sbx_set_error_from_errno (error, e.exec_errno, "start " PROXY_PROGRAM ": execute %s", (char *) argv->pdata[0]);
}

static gboolean
spawn_proxy (SbxDbusProxy *proxy, GPtrArray *argv, const SbxPortalId *identity, GError **error)
{
  ChildSetup setup = { getpid (), identity };
  int fds[2];
  int target = PROXY_SYNC_FD;
  gboolean ok;

  if (pipe2 (fds, O_CLOEXEC) != 0)
    return sbx_set_error_from_errno (error, errno, "pipe");
  /* Its stdout (the --log trace) joins its stderr on sbx's stderr. */
  if (identity == NULL)
    {
      ok = spawn_proxy_sharing_memory (proxy, argv, &setup, fds[1], error);
      close (fds[1]);
      if (!ok)
        return close (fds[0]), FALSE;
      proxy->sync_fd = fds[0];
      return TRUE;
    }
  ok = g_spawn_async_with_pipes_and_fds (NULL, (const char * const *) argv->pdata, NULL,
                                         G_SPAWN_DO_NOT_REAP_CHILD, child_setup, &setup, -1, STDERR_FILENO, -1,
                                         &fds[1], &target, 1, &proxy->pid, NULL, NULL, NULL, error);
  close (fds[1]);
  if (!ok)
    {
      close (fds[0]);
      proxy->pid = -1;
      return g_prefix_error (error, "start " PROXY_PROGRAM ": "), FALSE;
    }
  proxy->sync_fd = fds[0];
  return TRUE;
}

/* The proxy writes one byte on its --fd once it listens; end of file means it died. */
static gboolean
wait_ready (SbxDbusProxy *proxy, GError **error)
{
  g_autofree char *what = NULL;
  struct pollfd pfd = { proxy->sync_fd, POLLIN, 0 };
  gint64 deadline = g_get_monotonic_time () + READY_TIMEOUT_MS * G_GINT64_CONSTANT (1000);
  char byte;
  ssize_t n;
  int status = 0;
  int r;

  do
    r = poll (&pfd, 1, (int) MAX (0, (deadline - g_get_monotonic_time ()) / 1000));
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return sbx_set_error_from_errno (error, errno, "wait for " PROXY_PROGRAM);
  if (r == 0)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, PROXY_PROGRAM " did not start listening "
                                                                          "within %d s",
                        READY_TIMEOUT_MS / 1000),
           FALSE;
  while ((n = read (proxy->sync_fd, &byte, 1)) < 0 && errno == EINTR)
    ;
  if (n == 1)
    return TRUE;
  (void) reap (proxy, STOP_GRACE_MS, &status);
  what = describe_wait_status (status);
  return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, PROXY_PROGRAM " ended before it listened "
                                                                        "(%s; its message, if any, is above)",
                      what),
         FALSE;
}

/* -------------------------------------------------------------------------- API */

static SbxDbusProxy *
proxy_new (void)
{
  SbxDbusProxy *proxy = g_new0 (SbxDbusProxy, 1);

  proxy->pid = -1;
  proxy->sync_fd = -1;
  return proxy;
}

SbxDbusProxy *
sbx_dbus_proxy_spawn (const SbxDbusProxyConfig *config, GError **error)
{
  g_autoptr(SbxDbusProxy) proxy = proxy_new ();
  g_autofree char *address = NULL;
  g_autofree char *program = NULL;
  g_autoptr(GPtrArray) argv = NULL;

  g_return_val_if_fail (config->policy != NULL && config->socket_dir != NULL, NULL);
  if (!check_policy (config->policy, error))
    return NULL;
  if ((address = resolve_address (config, &proxy->reason, error)) == NULL)
    return proxy->reason != NULL ? g_steal_pointer (&proxy) : NULL;
  if ((program = g_find_program_in_path (PROXY_PROGRAM)) == NULL)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_NOT_FOUND, PROXY_PROGRAM " not found: install the " PROXY_PROGRAM " package (the profile filters the %s bus with it)",
                        bus_name (config->bus)),
           NULL;
  if (!check_private_dir (config->socket_dir, error) ||
      (proxy->socket_path = socket_path_in (config->socket_dir, config->bus, error)) == NULL)
    return NULL;
  argv = proxy_argv (program, address, proxy->socket_path, config);
  proxy->graceful = config->log_denials;
  if (!spawn_proxy (proxy, argv, config->identity, error))
    return NULL;
  return g_steal_pointer (&proxy);
}

gboolean
sbx_dbus_proxy_wait_ready (SbxDbusProxy *proxy, GError **error)
{
  if (proxy->reason != NULL || proxy->ready)
    return TRUE;
  if (!wait_ready (proxy, error))
    return FALSE;
  proxy->ready = TRUE;
  return TRUE;
}

SbxDbusProxy *
sbx_dbus_proxy_start (const SbxDbusProxyConfig *config, GError **error)
{
  g_autoptr(SbxDbusProxy) proxy = sbx_dbus_proxy_spawn (config, error);

  if (proxy == NULL || !sbx_dbus_proxy_wait_ready (proxy, error))
    return NULL;
  return g_steal_pointer (&proxy);
}

gboolean
sbx_dbus_proxy_is_available (const SbxDbusProxy *proxy)
{
  return proxy->reason == NULL;
}

const char *
sbx_dbus_proxy_get_unavailable_reason (const SbxDbusProxy *proxy)
{
  return proxy->reason;
}

const char *
sbx_dbus_proxy_get_socket_path (const SbxDbusProxy *proxy)
{
  return proxy->reason == NULL ? proxy->socket_path : NULL;
}

GPid
sbx_dbus_proxy_get_pid (const SbxDbusProxy *proxy)
{
  return proxy->pid;
}

void
sbx_dbus_proxy_stop (SbxDbusProxy *proxy)
{
  int status;

  if (proxy == NULL)
    return;
  if (proxy->sync_fd >= 0)
    close (proxy->sync_fd); /* the proxy sees its --fd's reader gone and exits */
  /* Its clients are gone with the sandbox and it keeps no state: unless its --log trace
   * must come out whole, it need not take the time to end on its own. */
  if (proxy->pid > 0 && !proxy->graceful)
    kill (proxy->pid, SIGKILL);
  if (proxy->pid > 0 && !reap (proxy, STOP_GRACE_MS, &status))
    {
      kill (proxy->pid, SIGKILL);
      while (waitpid (proxy->pid, &status, 0) < 0 && errno == EINTR)
        ;
    }
  if (proxy->socket_path != NULL && proxy->reason == NULL)
    (void) unlink (proxy->socket_path);
  g_free (proxy->reason);
  g_free (proxy->socket_path);
  g_free (proxy);
}
