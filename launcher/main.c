/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* main.c: the sbx command line: dispatches to the command families and is the one place
 * that prints errors ("sbx: <message>") and turns them into exit statuses. */
#include "cli.h"
#include "escape.h"
#include "log.h"
#include "process.h"
#include "sbx-error.h"
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

static const SbxCommand commands[] = {
  { "run", "Run a command in a new sandbox", sbx_cmd_run },
  { "start", "Run a named sandbox again", sbx_cmd_start },
  { "ls", "List named sandboxes", sbx_cmd_ls },
  { "rm", "Remove named sandboxes", sbx_cmd_rm },
  { "ps", "List running sandboxes (-a: and the named ones)", sbx_cmd_ps },
  { "stop", "Stop running sandboxes (SIGTERM, then SIGKILL)", sbx_cmd_stop },
  { "kill", "Send a signal to running sandboxes", sbx_cmd_kill },
  { "exec", "Run a command in a running sandbox, under its confinement", sbx_cmd_exec },
  { "inspect", "Show a sandbox or an image as JSON", sbx_cmd_inspect },
  { "image", "Manage images (import, ls, rm, prune)", sbx_cmd_image },
  { "pull", "Pull an image from a registry", sbx_cmd_pull },
  { "system", "Disk space used (df)", sbx_cmd_system },
  { "stats", "Memory, CPU and pids of running sandboxes", sbx_cmd_stats },
  { "profile", "Inspect profiles (ls, show, validate)", sbx_cmd_profile },
  { "explain", "What an app can and cannot do under a profile, risky grants first", sbx_cmd_explain },
  { "spec", "Write an OCI runtime bundle from a profile and an image", sbx_cmd_spec },
  { "desktop", "Menu launchers for sandboxed apps (install, ls, rm)", sbx_cmd_desktop },
  { "version", "Show the version", sbx_cmd_version },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "Usage: sbx [--log-level=LEVEL] COMMAND [OPTION...]\n\nA rootless desktop sandbox launcher.\n\n"
                "Commands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\n--log-level=LEVEL (or SBX_LOG=LEVEL): debug shows every step of a run; info, warn "
                "(default) or error.\nRun 'sbx COMMAND --help' for a command's options.\n");
}

int
sbx_cmd_version (int argc, char **argv, GError **error)
{
  if (!sbx_cli_at_most ("version", argc, argv, 0, error))
    return SBX_EXIT_SBX_ERROR;
  printf ("sbx %s\n", SBX_VERSION);
  return 0;
}

/* Errors carry text from outside (names, paths, server answers): escaped on the way out. */
static int
report (const GError *error)
{
  g_autofree char *escaped = sbx_escape (error->message);

  g_printerr ("sbx: %s\n", escaped);
  return sbx_error_exit_status (error);
}

/* --log-level before the command: "--log-level=L" or "--log-level L".  Returns how many
 * arguments it took (0: none there), or -1 with @error. */
static int
take_global_log_level (int argc, char **argv, GError **error)
{
  if (argc >= 2 && g_str_has_prefix (argv[1], "--log-level="))
    return sbx_cli_set_log_level (argv[1] + strlen ("--log-level="), error) ? 1 : -1;
  if (argc >= 2 && g_str_equal (argv[1], "--log-level"))
    {
      if (argc < 3)
        return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "--log-level: missing LEVEL"), -1;
      return sbx_cli_set_log_level (argv[2], error) ? 2 : -1;
    }
  return 0;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *escaped = NULL;
  int taken;

  sbx_log_mark_start (FALSE);
  /* The character set only: messages are English, and numbers and times are printed the
   * same everywhere (and the other categories cost a file each to load). */
  setlocale (LC_CTYPE, "");
  sbx_log_install_glib_writer ("sbx");
  if ((taken = take_global_log_level (argc, argv, &error)) < 0)
    return report (error);
  argc -= taken;
  argv += taken;
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      print_usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? SBX_EXIT_SBX_ERROR : 0;
    }
  if (g_str_equal (argv[1], "--version"))
    return sbx_cmd_version (1, argv + 1, &error);
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      {
        int status = commands[i].run (argc - 1, argv + 1, &error);

        /* Nothing is left to do but give the memory back, which the kernel does whole:
         * freeing it and the libraries' destructors took about a millisecond at the end
         * of every `sbx run`, as copy-on-write faults on pages its children had shared. */
        sbx_exit_now (error != NULL ? report (error) : status);
      }
  escaped = sbx_escape (argv[1]);
  g_printerr ("sbx: unknown command '%s' (see 'sbx --help')\n", escaped);
  return SBX_EXIT_SBX_ERROR;
}
