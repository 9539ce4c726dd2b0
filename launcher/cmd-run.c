/* cmd-run.c: `sbx run [OPTION...] IMAGE [COMMAND [ARG...]]`. */
#include "cli.h"
#include "run.h"
#include "sbx-error.h"

#include <string.h>

int
sbx_cmd_run (int argc, char **argv, GError **error)
{
  g_autofree char *storage_driver = NULL, *network = NULL;
  g_auto(GStrv) publish = NULL;
  g_autofree char *userns = NULL, *entrypoint = NULL, *user = NULL, *workdir = NULL, *hostname = NULL;
  g_auto(GStrv) env = NULL;
  const GOptionEntry entries[] = {
    { "userns", 0, 0, G_OPTION_ARG_STRING, &userns, "User namespace mode: keep-id keeps your uid and gid inside", "MODE" },
    { "env", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &env, "Set an environment variable (KEY=VALUE, or KEY to pass yours)", "KEY=VALUE" },
    { "entrypoint", 0, 0, G_OPTION_ARG_STRING, &entrypoint, "Override the image's Entrypoint (\"\" for none)", "PROGRAM" },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user, "Run as this user inside", "USER[:GROUP]" },
    { "workdir", 'w', 0, G_OPTION_ARG_STRING, &workdir, "Working directory inside", "DIR" },
    { "hostname", 0, 0, G_OPTION_ARG_STRING, &hostname, "Hostname inside", "NAME" },
    { "network", 0, 0, G_OPTION_ARG_STRING, &network, "Network: slirp (default; slirp:allow-host-loopback reaches your 127.0.0.1 at 10.0.2.2), none or host", "MODE" },
    { "publish", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &publish, "Forward a host port into the sandbox (slirp)", "[HOST_IP:]HOST_PORT:PORT[/tcp|udp]" },
    { "storage-driver", 0, 0, G_OPTION_ARG_STRING, &storage_driver, "Root filesystem: fuse-overlayfs (default) or overlay (the kernel's)", "DRIVER" },
    { NULL }
  };
  SbxRunOptions options = { 0 };
  SbxNetOptions net;
  int status = SBX_EXIT_SBX_ERROR;

  if (!sbx_cli_parse ("run", "IMAGE [COMMAND [ARG...]]", "Run a command in a new sandbox.",
                      entries, TRUE, &argc, &argv, error))
    return SBX_EXIT_SBX_ERROR;
  if (argc < 2)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "run: missing IMAGE (see 'sbx run --help')");
      return SBX_EXIT_SBX_ERROR;
    }
  if (!sbx_userns_mode_parse (userns, &options.userns, error))
    return SBX_EXIT_SBX_ERROR;
  sbx_net_options_init (&net);
  if (!sbx_net_options_parse_mode (&net, network, error))
    {
      sbx_net_options_clear (&net);
      return SBX_EXIT_SBX_ERROR;
    }
  for (guint i = 0; publish != NULL && publish[i] != NULL; i++)
    if (!sbx_net_options_add_publish (&net, publish[i], error))
      {
        sbx_net_options_clear (&net);
        return SBX_EXIT_SBX_ERROR;
      }
  if (hostname != NULL && (*hostname == '\0' || strlen (hostname) > 64))
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "--hostname: must be 1 to 64 characters");
      return SBX_EXIT_SBX_ERROR;
    }
  options.image = argv[1];
  options.command = argv + 2;
  options.entrypoint = entrypoint;
  options.env = env;
  options.user = user;
  options.workdir = workdir;
  options.hostname = hostname;
  options.storage_driver = storage_driver;
  options.net = &net;
  if (!sbx_run (&options, &status, error))
    status = SBX_EXIT_SBX_ERROR;
  sbx_net_options_clear (&net);
  return status;
}
