/* cli.c: option parsing shared by the command families. */
#include "cli.h"
#include "sbx-error.h"

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
  g_option_context_set_strict_posix (context, stop_at_first_arg);
  if (!g_option_context_parse (context, argc, argv, &local_error))
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s: %s (see 'sbx %s --help')",
                   command, local_error->message, command);
      return FALSE;
    }
  return TRUE;
}
