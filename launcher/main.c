/* main.c: the sbx command line: dispatches to the command families and is the one place
 * that prints errors ("sbx: <message>") and turns them into exit statuses. */
#include "cli.h"
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
  { "image", "Manage images (import, ls, rm, prune)", sbx_cmd_image },
  { "pull", "Pull an image from a registry", sbx_cmd_pull },
  { "system", "Disk space used (df)", sbx_cmd_system },
  { "stats", "Memory, CPU and pids of sandboxes with limits", sbx_cmd_stats },
  { "profile", "Inspect profiles (ls, show, validate)", sbx_cmd_profile },
  { "spec", "Write an OCI runtime bundle from a profile and an image", sbx_cmd_spec },
  { "version", "Show the version", sbx_cmd_version },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "Usage: sbx COMMAND [OPTION...]\n\nA rootless desktop sandbox launcher.\n\nCommands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\nRun 'sbx COMMAND --help' for a command's options.\n");
}

int
sbx_cmd_version (int argc, char **argv, GError **error)
{
  if (!sbx_cli_at_most ("version", argc, argv, 0, error))
    return SBX_EXIT_SBX_ERROR;
  printf ("sbx %s\n", SBX_VERSION);
  return 0;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  setlocale (LC_ALL, "");
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
        status = commands[i].run (argc - 1, argv + 1, &error);
        if (error != NULL)
          {
            g_printerr ("sbx: %s\n", error->message);
            return sbx_error_exit_status (error);
          }
        return status;
      }
  g_printerr ("sbx: unknown command '%s' (see 'sbx --help')\n", argv[1]);
  return SBX_EXIT_SBX_ERROR;
}
