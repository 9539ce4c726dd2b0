/* cli.c: option parsing shared by the command families. */
#include "cli.h"
#include "log.h"
#include "sbx-error.h"

#include <stdio.h>

static gboolean
on_log_level (const char *option_name, const char *value, gpointer data, GError **error)
{
  SbxLogLevel level;

  if (!sbx_log_level_parse (value, &level, error))
    return FALSE;
  sbx_log_set_level (level);
  return TRUE;
}

/* Options every command takes, after its own in --help. */
static const GOptionEntry common_entries[] = {
  { "log-level", 0, 0, G_OPTION_ARG_CALLBACK, on_log_level,
    "What sbx prints besides errors: debug (every step of a run), info, warn (default) or error", "LEVEL" },
  { NULL }
};

gboolean
sbx_cli_set_log_level (const char *value, GError **error)
{
  return on_log_level ("--log-level", value, NULL, error);
}

gboolean
sbx_cli_parse (const char *command, const char *parameter_string, const char *summary,
               const GOptionEntry *entries, gboolean stop_at_first_arg,
               int *argc, char ***argv, GError **error)
{
  g_autoptr(GOptionContext) context = g_option_context_new (parameter_string);
  g_autofree char *prgname = g_strdup_printf ("sbx %s", command);
  g_autoptr(GError) local_error = NULL;

  g_set_prgname (prgname);
  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_main_entries (context, common_entries, NULL);
  g_option_context_set_strict_posix (context, stop_at_first_arg);
  if (!g_option_context_parse (context, argc, argv, &local_error))
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s: %s (see 'sbx %s --help')",
                   command, local_error->message, command);
      return FALSE;
    }
  return TRUE;
}

int
sbx_cli_dispatch (const char *family, const SbxCommand *subcommands, gsize n_subcommands,
                  int argc, char **argv, GError **error)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (gsize i = 0; i < n_subcommands; i++)
    {
      if (argc >= 2 && g_str_equal (argv[1], subcommands[i].name))
        return subcommands[i].run (argc - 1, argv + 1, error);
      g_string_append_printf (names, "%s%s", i == 0 ? "" : i + 1 == n_subcommands ? " or " : ", ",
                              subcommands[i].name);
    }
  if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      printf ("Usage: sbx %s COMMAND\n\nCommands:\n", family);
      for (gsize i = 0; i < n_subcommands; i++)
        printf ("  %-9s %s\n", subcommands[i].name, subcommands[i].summary);
      return 0;
    }
  if (argc >= 2)
    g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s: unknown command '%s' (expected %s)",
                 family, argv[1], names->str);
  else
    g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s: missing command (expected %s)",
                 family, names->str);
  return SBX_EXIT_SBX_ERROR;
}

char *
sbx_format_size (guint64 bytes, GFormatSizeFlags flags)
{
  g_autofree char *text = g_format_size_full (bytes, flags);
  g_auto(GStrv) parts = g_strsplit (text, "\xc2\xa0", -1);

  return g_strjoinv (" ", parts);
}

gboolean
sbx_cli_at_most (const char *command, int argc, char **argv, int max, GError **error)
{
  if (argc - 1 <= max)
    return TRUE;
  g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s: unexpected argument '%s'", command, argv[max + 1]);
  return FALSE;
}
