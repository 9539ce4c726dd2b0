/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-run.c: `sbx run [OPTION...] IMAGE [COMMAND [ARG...]]`. */
#include "cli.h"
#include "run.h"
#include "log.h"
#include "sbx-error.h"

#include <string.h>

typedef struct {
  char *name, *tls_verify, *profile, *storage_driver, *network, *userns, *entrypoint, *user, *workdir, *hostname;
  char *memory, *memory_reservation, *memory_swap, *cpus;
  char **publish, **net_allow, **net_deny, **env, **volumes, **tmpfs, **cap_add, **cap_drop, **security_opts, **ulimits;
  gint cpu_shares, pids_limit, blkio_weight;
  gboolean read_only, limits_optional, log_dbus, log_net, quiet, file_forwarding, tty, interactive;
} RunArgs;

static void
run_args_clear (RunArgs *a)
{
  char **strings[] = { &a->name, &a->tls_verify, &a->memory, &a->memory_reservation, &a->memory_swap, &a->cpus,
                       &a->profile, &a->storage_driver, &a->network, &a->userns, &a->entrypoint,
                       &a->user, &a->workdir, &a->hostname };
  char ***lists[] = { &a->publish, &a->net_allow, &a->net_deny, &a->env, &a->volumes, &a->tmpfs, &a->cap_add, &a->cap_drop,
                      &a->security_opts, &a->ulimits };

  for (gsize i = 0; i < G_N_ELEMENTS (strings); i++)
    g_clear_pointer (strings[i], g_free);
  for (gsize i = 0; i < G_N_ELEMENTS (lists); i++)
    g_clear_pointer (lists[i], g_strfreev);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RunArgs, run_args_clear)

/* What the command line says, as the run pipeline takes it (run.h). */
static void
run_options_from_args (const RunArgs *a, int argc, char **argv, SbxRunOptions *options)
{
  options->tls_verify_off = g_strcmp0 (a->tls_verify, "false") == 0;
  options->file_forwarding = a->file_forwarding;
  options->tty = a->tty;
  options->interactive = a->interactive;
  options->name = a->name;
  options->profile = a->profile;
  options->image = argc >= 2 ? argv[1] : NULL;
  options->command = argc >= 2 ? argv + 2 : NULL;
  options->entrypoint = a->entrypoint;
  options->user = a->user;
  options->workdir = a->workdir;
  options->storage_driver = a->storage_driver;
  options->userns = a->userns;
  options->network = a->network;
  options->publish = a->publish;
  options->net_allow = a->net_allow;
  options->net_deny = a->net_deny;
  options->log_net = a->log_net;
  options->log_dbus = a->log_dbus || g_strcmp0 (g_getenv ("SBX_LOG_DBUS"), "1") == 0;
  options->overrides = (SbxProfileOverrides) {
    .env = a->env,
    .volumes = a->volumes,
    .tmpfs = a->tmpfs,
    .cap_add = a->cap_add,
    .cap_drop = a->cap_drop,
    .security_opts = a->security_opts,
    .ulimits = a->ulimits,
    .hostname = a->hostname,
    .read_only = a->read_only,
    .memory = a->memory,
    .memory_reservation = a->memory_reservation,
    .memory_swap = a->memory_swap,
    .cpus = a->cpus,
    .cpu_shares = a->cpu_shares,
    .pids_limit = a->pids_limit,
    .blkio_weight = a->blkio_weight,
    .limits_optional = a->limits_optional,
  };
}

int
sbx_cmd_run (int argc, char **argv, GError **error)
{
  g_auto(RunArgs) a = { 0 };
  const GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &a.name, "Keep this sandbox's files across runs under NAME (again: its files are there)", "NAME" },
    { "profile", 0, 0, G_OPTION_ARG_STRING, &a.profile, "Profile to run under (default: \"default\"; see 'sbx profile ls')", "NAME|FILE" },
    { "userns", 0, 0, G_OPTION_ARG_STRING, &a.userns, "User namespace mode: keep-id keeps your uid and gid inside", "MODE" },
    { "env", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &a.env, "Set an environment variable (KEY=VALUE, or KEY to pass yours)", "KEY=VALUE" },
    { "entrypoint", 0, 0, G_OPTION_ARG_STRING, &a.entrypoint, "Override the image's Entrypoint (\"\" for none)", "PROGRAM" },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &a.user, "Run as this user inside", "USER[:GROUP]" },
    { "workdir", 'w', 0, G_OPTION_ARG_STRING, &a.workdir, "Working directory inside", "DIR" },
    { "hostname", 0, 0, G_OPTION_ARG_STRING, &a.hostname, "Hostname inside", "NAME" },
    { "volume", 'v', 0, G_OPTION_ARG_STRING_ARRAY, &a.volumes, "Bind a host path into the sandbox (OPTIONS: ro, nosuid, nodev, noexec, bind, ...)", "SRC:DST[:OPTIONS]" },
    { "tmpfs", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a.tmpfs, "Mount an empty tmpfs (OPTIONS: size=, mode=, ro, noexec, ...)", "DST[:OPTIONS]" },
    { "read-only", 0, 0, G_OPTION_ARG_NONE, &a.read_only, "Mount the root filesystem read-only", NULL },
    { "cap-add", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a.cap_add, "Add a capability (or ALL)", "CAP" },
    { "cap-drop", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a.cap_drop, "Drop a capability (or ALL)", "CAP" },
    { "security-opt", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a.security_opts,
      "seccomp=FILE|unconfined, apparmor=PROFILE|unconfined, no-new-privileges[=true|false], mask=PATHS, unmask=PATHS|ALL", "OPT" },
    { "ulimit", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a.ulimits, "Set a resource limit", "NAME=SOFT[:HARD]" },
    { "memory", 'm', 0, G_OPTION_ARG_STRING, &a.memory, "Memory limit (b, k, m, g); needs a systemd user manager", "SIZE" },
    { "memory-reservation", 0, 0, G_OPTION_ARG_STRING, &a.memory_reservation, "Memory kept for the sandbox under pressure (MemoryLow)", "SIZE" },
    { "memory-swap", 0, 0, G_OPTION_ARG_STRING, &a.memory_swap, "Memory plus swap limit (-1: unlimited swap)", "SIZE" },
    { "cpus", 0, 0, G_OPTION_ARG_STRING, &a.cpus, "CPU time limit, in CPUs (1.5: one and a half)", "N" },
    { "cpu-shares", 0, 0, G_OPTION_ARG_INT, &a.cpu_shares, "CPU weight relative to others (2-262144, 1024 as usual)", "N" },
    { "pids-limit", 0, 0, G_OPTION_ARG_INT, &a.pids_limit, "Most processes and threads at once (-1: unlimited)", "N" },
    { "blkio-weight", 0, 0, G_OPTION_ARG_INT, &a.blkio_weight, "Block I/O weight (10-1000)", "N" },
    { "limits-optional", 0, 0, G_OPTION_ARG_NONE, &a.limits_optional, "Run without the limits (with a warning) where no systemd user manager can set them", NULL },
    { "network", 0, 0, G_OPTION_ARG_STRING, &a.network, "Network: slirp (default; slirp:allow-host-loopback reaches your 127.0.0.1 at 10.0.2.2), none or host", "MODE" },
    { "publish", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &a.publish, "Forward a host port into the sandbox (slirp)", "[HOST_IP:]HOST_PORT:PORT[/tcp|udp]" },
    { "net-allow", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a.net_allow, "Let the sandbox reach this destination (any allow rule denies the rest; see README, Network rules)", "[tcp:|udp:|icmp:]DEST[:PORT[-PORT]]" },
    { "net-deny", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a.net_deny, "Keep the sandbox from this destination (deny wins over allow)", "[tcp:|udp:|icmp:]DEST[:PORT[-PORT]]" },
    { "log-net", 0, 0, G_OPTION_ARG_NONE, &a.log_net, "One line on stderr for each connection or datagram the network rules deny", NULL },
    { "tls-verify", 0, 0, G_OPTION_ARG_STRING, &a.tls_verify, "Check the registry's TLS certificate when the image is pulled (default true)", "true|false" },
    { "tty", 't', 0, G_OPTION_ARG_NONE, &a.tty, "Give the command a terminal of its own (a pty relayed to yours: job control, full-screen programs)", NULL },
    { "interactive", 'i', 0, G_OPTION_ARG_NONE, &a.interactive, "With -t, send what you type to it (the default when your stdin is a terminal)", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &a.quiet, "Print no notes or warnings, only errors (--log-level=error)", NULL },
    { "file-forwarding", 0, 0, G_OPTION_ARG_NONE, &a.file_forwarding, "Arguments between @@ (or @@u for URIs) and @@ are files to make visible inside, each alone, at its path (what desktop launchers use)", NULL },
    { "log-dbus", 0, 0, G_OPTION_ARG_NONE, &a.log_dbus, "Show what the D-Bus proxy lets through and denies (also SBX_LOG_DBUS=1), to write sbx.dbus rules", NULL },
    { "storage-driver", 0, 0, G_OPTION_ARG_STRING, &a.storage_driver, "Root filesystem: auto (default: the kernel's overlay, else fuse-overlayfs), overlay or fuse-overlayfs", "DRIVER" },
    { NULL }
  };
  SbxRunOptions options = { 0 };
  int status = SBX_EXIT_SBX_ERROR;

  if (!sbx_cli_parse ("run", "[IMAGE] [COMMAND [ARG...]]",
                      "Run a command in a new sandbox.  IMAGE may be left out when the profile names one.",
                      entries, TRUE, &argc, &argv, error))
    return SBX_EXIT_SBX_ERROR;
  if (argc < 2 && a.profile == NULL && a.name == NULL)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "run: missing IMAGE (see 'sbx run --help')");
      return SBX_EXIT_SBX_ERROR;
    }
  if (a.tls_verify != NULL && !g_str_equal (a.tls_verify, "true") && !g_str_equal (a.tls_verify, "false"))
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "run: --tls-verify=%s: expected true or false", a.tls_verify);
      return SBX_EXIT_SBX_ERROR;
    }
  if (a.quiet)
    sbx_log_set_level (SBX_LOG_ERROR);
  run_options_from_args (&a, argc, argv, &options);
  if (!sbx_run (&options, &status, error))
    status = SBX_EXIT_SBX_ERROR;
  return status;
}
