/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-ps.c: `sbx ps [-a] [-q] [--format json]`: the running sandboxes, from their registrations
 * (run-state.h), and with -a the named sandboxes that are not running (sandbox.h).
 * --format json: an array of objects, times in unix seconds, null where a column shows "-".
 * -q: one line per sandbox, what names it to stop, kill or exec (its name, else its id). */
#include "cli.h"
#include "escape.h"
#include "json-util.h"
#include "run-state.h"
#include "sandbox.h"
#include "sbx-error.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

#define COMMAND_WIDTH 30

/* One line of the listing: a running sandbox, or (-a) a named one that is not. */
typedef struct {
  const char *id, *name, *image, *state; /* state: "running", "exited", "created" */
  char *profile;
  char **command;
  pid_t pid;      /* 0: not running */
  gint64 started; /* 0: not running */
} Row;

static void
row_clear (Row *row)
{
  g_free (row->profile);
}

/* The profile as asked for; a file by its name without .json; a named sandbox's recorded
 * profile (what `sbx start` runs with) as "(recorded)". */
static char *
profile_label (const char *profile, const char *recorded)
{
  g_autofree char *base = NULL;

  if (profile == NULL)
    return g_strdup ("-");
  if (g_strcmp0 (profile, recorded) == 0)
    return g_strdup ("(recorded)");
  if (strchr (profile, '/') == NULL)
    return g_strdup (profile);
  base = g_path_get_basename (profile);
  return g_str_has_suffix (base, ".json") ? g_strndup (base, strlen (base) - 5) : g_steal_pointer (&base);
}

static char *
format_command (char **command)
{
  g_autofree char *joined = command != NULL && command[0] != NULL ? g_strjoinv (" ", command) : g_strdup ("-");
  g_autofree char *escaped = sbx_escape (joined);

  g_autofree char *head = NULL;

  if (g_utf8_strlen (escaped, -1) <= COMMAND_WIDTH)
    return g_steal_pointer (&escaped);
  head = g_utf8_substring (escaped, 0, COMMAND_WIDTH - 3);
  return g_strconcat (head, "...", NULL);
}

static void
print_row (const Row *row, gint64 now, gboolean quiet)
{
  g_autofree char *id = sbx_escape (row->id != NULL ? row->id : "-");
  g_autofree char *name = sbx_escape (row->name != NULL ? row->name : "-");
  g_autofree char *image = sbx_escape (row->image);
  g_autofree char *profile = sbx_escape (row->profile);
  g_autofree char *command = format_command (row->command);
  g_autofree char *pid = row->pid > 0 ? g_strdup_printf ("%d", (int) row->pid) : g_strdup ("-");
  g_autofree char *age = row->started > 0 ? sbx_human_duration (now - row->started) : NULL;
  g_autofree char *started = age != NULL ? g_strdup_printf ("%s ago", age) : g_strdup ("-");
  g_autofree char *status = age != NULL ? g_strdup_printf ("Up %s", age)
                                        : g_strdup (g_str_equal (row->state, "created") ? "Created" : "Exited");

  if (quiet)
    {
      printf ("%s\n", row->name != NULL ? name : id);
      return;
    }
  printf ("%-12s  %-16s  %-20s  %-12s  %-8s  %-20s  %-16s  %s\n", id, name, image, profile, pid, started, status,
          command);
}

/* "@member": @value, or null when it is not positive (not running). */
static void
add_positive (json_t *object, const char *member, gint64 value)
{
  sbx_json_set (object, member, value > 0 ? json_integer (value) : json_null ());
}

static json_t *
row_json (const Row *row, gint64 now)
{
  g_autofree char *age = row->started > 0 ? sbx_human_duration (now - row->started) : NULL;
  g_autofree char *status = age != NULL ? g_strdup_printf ("Up %s", age)
                                        : g_strdup (g_str_equal (row->state, "created") ? "Created" : "Exited");
  json_t *object = json_object ();

  sbx_json_add_string (object, "id", row->id);
  sbx_json_add_string (object, "name", row->name);
  sbx_json_add_string (object, "image", row->image);
  sbx_json_add_string (object, "profile", row->profile);
  add_positive (object, "pid", row->pid);
  add_positive (object, "started", row->started);
  sbx_json_add_string (object, "state", row->state);
  sbx_json_add_string (object, "status", status);
  sbx_json_set (object, "command", sbx_json_strv_new (row->command));
  return object;
}

static void
add_running_rows (GArray *rows, GPtrArray *live)
{
  for (guint i = 0; i < live->len; i++)
    {
      const SbxRunState *state = g_ptr_array_index (live, i);
      Row row = { .id = state->id, .name = state->name, .image = state->image, .state = "running", .profile = profile_label (state->profile, state->profile_path), .command = state->command, .pid = sbx_run_state_init_pid (state), .started = state->created };
      g_array_append_val (rows, row);
    }
}

static gboolean
is_running (GPtrArray *live, const char *name)
{
  for (guint i = 0; i < live->len; i++)
    if (g_strcmp0 (((SbxRunState *) g_ptr_array_index (live, i))->name, name) == 0)
      return TRUE;
  return FALSE;
}

/* -a: the named sandboxes without a live registration; "created" until first mounted. */
static GPtrArray *
add_stopped_rows (GArray *rows, GPtrArray *live, GError **error)
{
  g_autoptr(SbxStore) store = sbx_store_open (NULL, error);
  GPtrArray *sandboxes = store != NULL ? sbx_sandbox_list (store, error) : NULL;

  for (guint i = 0; sandboxes != NULL && i < sandboxes->len; i++)
    {
      const SbxSandbox *sandbox = g_ptr_array_index (sandboxes, i);
      Row row = { .name = sandbox->name, .image = sandbox->image->name, .profile = g_strdup ("(recorded)"), .state = sandbox->driver != NULL ? "exited" : "created", .command = sandbox->command };

      if (!is_running (live, sandbox->name))
        g_array_append_val (rows, row);
      else
        row_clear (&row);
    }
  return sandboxes;
}

int
sbx_cmd_ps (int argc, char **argv, GError **error)
{
  gboolean all = FALSE, json = FALSE, quiet = FALSE;
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Also list the named sandboxes that are not running", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Show only the names (the id of a sandbox without one)", NULL },
    SBX_CLI_FORMAT_ENTRY (&format),
    { NULL }
  };
  g_autoptr(GPtrArray) live = NULL, sandboxes = NULL;
  g_autoptr(GArray) rows = g_array_new (FALSE, TRUE, sizeof (Row));
  g_autoptr(json_t) array = json_array ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_array_set_clear_func (rows, (GDestroyNotify) row_clear);
  if (!sbx_cli_parse ("ps", "", "List the running sandboxes (-a: and the named ones that are not).", entries, FALSE,
                      &argc, &argv, error) ||
      !sbx_cli_at_most ("ps", argc, argv, 0, error) || !sbx_cli_parse_format ("ps", format, &json, error) ||
      (live = sbx_run_state_list (error)) == NULL)
    return SBX_EXIT_SBX_ERROR;
  add_running_rows (rows, live);
  if (all && (sandboxes = add_stopped_rows (rows, live, error)) == NULL)
    return SBX_EXIT_SBX_ERROR;
  if (!json && !quiet)
    printf ("%-12s  %-16s  %-20s  %-12s  %-8s  %-20s  %-16s  %s\n", "ID", "NAME", "IMAGE", "PROFILE", "PID",
            "STARTED", "STATUS", "COMMAND");
  for (guint i = 0; i < rows->len; i++)
    if (json)
      sbx_json_append (array, row_json (&g_array_index (rows, Row, i), now));
    else
      print_row (&g_array_index (rows, Row, i), now, quiet);
  if (json)
    sbx_cli_print_json (array);
  return 0;
}
