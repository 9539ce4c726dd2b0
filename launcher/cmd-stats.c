/* cmd-stats.c: `sbx stats [NAME]`: memory, CPU and pids of the running sandboxes that have a
 * systemd scope (those run with limits), read from the scopes' cgroups (scope.h). */
#include "cli.h"
#include "escape.h"
#include "sbx-error.h"
#include "scope.h"

#include <stdio.h>

static char *
format_limit (guint64 current, guint64 max, gboolean bytes)
{
  g_autofree char *now = bytes ? sbx_format_size (current, G_FORMAT_SIZE_IEC_UNITS)
                               : g_strdup_printf ("%" G_GUINT64_FORMAT, current);
  g_autofree char *limit = max == G_MAXUINT64 || max == 0 ? g_strdup ("-")
                         : bytes ? sbx_format_size (max, G_FORMAT_SIZE_IEC_UNITS)
                         : g_strdup_printf ("%" G_GUINT64_FORMAT, max);
  return g_strdup_printf ("%s / %s", now, limit);
}

int
sbx_cmd_stats (int argc, char **argv, GError **error)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(GPtrArray) list = NULL;

  if (!sbx_cli_parse ("stats", "[NAME]", "Memory, CPU time and processes of running sandboxes that have limits "
                      "(a systemd scope).", entries, FALSE, &argc, &argv, error))
    return SBX_EXIT_SBX_ERROR;
  if (!sbx_cli_at_most ("stats", argc, argv, 1, error))
    return SBX_EXIT_SBX_ERROR;
  if ((list = sbx_scope_list_stats (argc == 2 ? argv[1] : NULL, error)) == NULL)
    return SBX_EXIT_SBX_ERROR;
  if (argc == 2 && list->len == 0)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_NOT_FOUND, "stats: no running sandbox '%s' with a scope", argv[1]);
      return SBX_EXIT_SBX_ERROR;
    }
  printf ("%-32s %-24s %12s %-16s %s\n", "SCOPE", "MEMORY / LIMIT", "CPU TIME", "PIDS / LIMIT", "DESCRIPTION");
  for (guint i = 0; i < list->len; i++)
    {
      const SbxScopeStats *s = g_ptr_array_index (list, i);
      g_autofree char *memory = format_limit (s->memory_current, s->memory_max, TRUE);
      g_autofree char *pids = format_limit (s->pids_current, s->pids_max, FALSE);

      sbx_print_line (stdout, "%-32s %-24s %11.2fs %-16s %s", s->unit, memory, s->cpu_usage_usec / 1e6, pids,
                      s->description);
    }
  return 0;
}
