/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-stats.c: `sbx stats [NAME] [--format json]`: memory, CPU and pids of the running
 * sandboxes, read from their systemd scopes' cgroups (scope.h; every run has one where a
 * user manager runs).  JSON: bytes, microseconds of CPU, null for "no limit", and the
 * sandbox's id and name from its registration (run-state.h). */
#include "cli.h"
#include "run-state.h"
#include "escape.h"
#include "json-util.h"
#include "sbx-error.h"
#include "scope.h"

#include <stdio.h>

static char *
format_limit (guint64 current, guint64 max, gboolean bytes)
{
  g_autofree char *now = bytes ? sbx_format_size (current, G_FORMAT_SIZE_IEC_UNITS)
                               : g_strdup_printf ("%" G_GUINT64_FORMAT, current);
  g_autofree char *limit = max == G_MAXUINT64 || max == 0 ? g_strdup ("-")
                         : bytes                          ? sbx_format_size (max, G_FORMAT_SIZE_IEC_UNITS)
                                                          : g_strdup_printf ("%" G_GUINT64_FORMAT, max);
  return g_strdup_printf ("%s / %s", now, limit);
}

static void
add_limit (json_t *object, const char *member, guint64 max)
{
  sbx_json_set (object, member, max == G_MAXUINT64 || max == 0 ? json_null () : json_integer ((json_int_t) max));
}

/* The registration whose scope is @unit, or NULL. */
static const SbxRunState *
find_registration (GPtrArray *live, const char *unit)
{
  for (guint i = 0; live != NULL && i < live->len; i++)
    if (g_strcmp0 (((SbxRunState *) g_ptr_array_index (live, i))->scope, unit) == 0)
      return g_ptr_array_index (live, i);
  return NULL;
}

static json_t *
stats_json (const SbxScopeStats *s, const SbxRunState *state)
{
  json_t *object = json_object ();

  sbx_json_add_string (object, "id", state != NULL ? state->id : NULL);
  sbx_json_add_string (object, "name", state != NULL ? state->name : NULL);
  sbx_json_add_string (object, "scope", s->unit);
  sbx_json_add_int (object, "memory", (gint64) s->memory_current);
  add_limit (object, "memory_limit", s->memory_max);
  sbx_json_add_int (object, "cpu_time_usec", (gint64) s->cpu_usage_usec);
  sbx_json_add_int (object, "pids", (gint64) s->pids_current);
  add_limit (object, "pids_limit", s->pids_max);
  sbx_json_add_string (object, "description", s->description);
  return object;
}

static void
print_stats (const SbxScopeStats *s)
{
  g_autofree char *memory = format_limit (s->memory_current, s->memory_max, TRUE);
  g_autofree char *pids = format_limit (s->pids_current, s->pids_max, FALSE);

  sbx_print_line (stdout, "%-32s %-24s %11.2fs %-16s %s", s->unit, memory, s->cpu_usage_usec / 1e6, pids, s->description);
}

int
sbx_cmd_stats (int argc, char **argv, GError **error)
{
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = { SBX_CLI_FORMAT_ENTRY (&format), { NULL } };
  g_autoptr(GPtrArray) list = NULL, live = NULL;
  g_autoptr(json_t) array = json_array ();
  gboolean json;

  if (!sbx_cli_parse ("stats", "[NAME]", "Memory, CPU time and processes of running sandboxes (those in a systemd "
                                         "scope: all of them where a user manager runs).",
                      entries, FALSE, &argc, &argv, error) ||
      !sbx_cli_at_most ("stats", argc, argv, 1, error) || !sbx_cli_parse_format ("stats", format, &json, error))
    return SBX_EXIT_SBX_ERROR;
  if ((list = sbx_scope_list_stats (argc == 2 ? argv[1] : NULL, error)) == NULL)
    return SBX_EXIT_SBX_ERROR;
  if (argc == 2 && list->len == 0)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_NOT_FOUND, "stats: no running sandbox '%s' with a scope", argv[1]);
      return SBX_EXIT_SBX_ERROR;
    }
  if (json)
    live = sbx_run_state_list (NULL);
  else
    printf ("%-32s %-24s %12s %-16s %s\n", "SCOPE", "MEMORY / LIMIT", "CPU TIME", "PIDS / LIMIT", "DESCRIPTION");
  for (guint i = 0; i < list->len; i++)
    if (json)
      sbx_json_append (array, stats_json (g_ptr_array_index (list, i),
                                          find_registration (live, ((SbxScopeStats *) g_ptr_array_index (list, i))->unit)));
    else
      print_stats (g_ptr_array_index (list, i));
  if (json)
    sbx_cli_print_json (array);
  return 0;
}
