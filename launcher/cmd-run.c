/* cmd-run.c: `sbx run [OPTION...] IMAGE [COMMAND [ARG...]]`. */
#include "cli.h"
#include "run.h"
#include "sbx-error.h"

#include <string.h>

typedef struct {
  char *profile, *storage_driver, *network, *userns, *entrypoint, *user, *workdir, *hostname;
  char **publish, **env, **volumes, **tmpfs, **cap_add, **cap_drop, **security_opts, **ulimits;
  gboolean read_only;
} RunArgs;

static void
run_args_clear (RunArgs *a)
{
  char **strings[] = { &a->profile, &a->storage_driver, &a->network, &a->userns, &a->entrypoint,
                       &a->user, &a->workdir, &a->hostname };
  char ***lists[] = { &a->publish, &a->env, &a->volumes, &a->tmpfs, &a->cap_add, &a->cap_drop,
                      &a->security_opts, &a->ulimits };

  for (gsize i = 0; i < G_N_ELEMENTS (strings); i++)
    g_clear_pointer (strings[i], g_free);
  for (gsize i = 0; i < G_N_ELEMENTS (lists); i++)
    g_clear_pointer (lists[i], g_strfreev);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RunArgs, run_args_clear)

int
sbx_cmd_run (int argc, char **argv, GError **error)
{
  g_auto(RunArgs) a = { 0 };
  const GOptionEntry entries[] = {
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
    { "network", 0, 0, G_OPTION_ARG_STRING, &a.network, "Network: slirp (default; slirp:allow-host-loopback reaches your 127.0.0.1 at 10.0.2.2), none or host", "MODE" },
    { "publish", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &a.publish, "Forward a host port into the sandbox (slirp)", "[HOST_IP:]HOST_PORT:PORT[/tcp|udp]" },
    { "storage-driver", 0, 0, G_OPTION_ARG_STRING, &a.storage_driver, "Root filesystem: fuse-overlayfs (default) or overlay (the kernel's)", "DRIVER" },
    { NULL }
  };
  SbxRunOptions options = { 0 };
  int status = SBX_EXIT_SBX_ERROR;

  if (!sbx_cli_parse ("run", "[IMAGE] [COMMAND [ARG...]]",
                      "Run a command in a new sandbox.  IMAGE may be left out when the profile names one.",
                      entries, TRUE, &argc, &argv, error))
    return SBX_EXIT_SBX_ERROR;
  if (argc < 2 && a.profile == NULL)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "run: missing IMAGE (see 'sbx run --help')");
      return SBX_EXIT_SBX_ERROR;
    }
  options.profile = a.profile != NULL ? a.profile : "default";
  options.image = argc >= 2 ? argv[1] : NULL;
  options.command = argc >= 2 ? argv + 2 : NULL;
  options.entrypoint = a.entrypoint;
  options.user = a.user;
  options.workdir = a.workdir;
  options.storage_driver = a.storage_driver;
  options.userns = a.userns;
  options.network = a.network;
  options.publish = a.publish;
  options.overrides = (SbxProfileOverrides) {
    .env = a.env, .volumes = a.volumes, .tmpfs = a.tmpfs, .cap_add = a.cap_add, .cap_drop = a.cap_drop,
    .security_opts = a.security_opts, .ulimits = a.ulimits, .hostname = a.hostname, .read_only = a.read_only,
  };
  if (!sbx_run (&options, &status, error))
    status = SBX_EXIT_SBX_ERROR;
  return status;
}
