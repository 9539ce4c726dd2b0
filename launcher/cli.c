/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cli.c: option parsing shared by the command families. */
#include "cli.h"
#include "json-util.h"
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
      g_string_append_printf (names, "%s%s", i == 0 ? "" : i + 1 == n_subcommands ? " or "
                                                                                  : ", ",
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

gboolean
sbx_cli_parse_format (const char *command, const char *format, gboolean *out_json, GError **error)
{
  *out_json = g_strcmp0 (format, "json") == 0;
  if (format == NULL || *out_json || g_str_equal (format, "table"))
    return TRUE;
  g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s: --format %s: expected table or json", command, format);
  return FALSE;
}

void
sbx_cli_print_json (const json_t *json)
{
  g_autofree char *text = sbx_json_to_text (json, TRUE, NULL);

  printf ("%s\n", text);
}

char *
sbx_human_duration (gint64 seconds)
{
  gint64 minutes = (seconds + 30) / 60, hours = (seconds + 1800) / 3600;

  if (seconds < 1)
    return g_strdup ("Less than a second");
  if (seconds < 60)
    return seconds == 1 ? g_strdup ("1 second") : g_strdup_printf ("%d seconds", (int) seconds);
  if (minutes == 1)
    return g_strdup ("About a minute");
  if (minutes < 60)
    return g_strdup_printf ("%d minutes", (int) minutes);
  if (hours == 1)
    return g_strdup ("About an hour");
  if (hours < 48)
    return g_strdup_printf ("%d hours", (int) hours);
  if (hours < 24 * 7 * 2)
    return g_strdup_printf ("%d days", (int) (hours / 24));
  if (hours < 24 * 30 * 2)
    return g_strdup_printf ("%d weeks", (int) (hours / 24 / 7));
  if (hours < 24 * 365 * 2)
    return g_strdup_printf ("%d months", (int) (hours / 24 / 30));
  return g_strdup_printf ("%d years", (int) (hours / 24 / 365));
}

char *
sbx_format_rfc3339 (gint64 unix_time)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc (unix_time);

  return t != NULL ? g_date_time_format (t, "%Y-%m-%dT%H:%M:%SZ") : g_strdup ("");
}
