/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-sandbox.c: the named sandboxes' commands: `sbx ls`, `sbx start NAME [COMMAND]`,
 * `sbx rm [-f] NAME...` (storage/sandbox.h keeps them on disk; `sbx run --name` makes them).
 * `sbx rm NAME` also removes the menu launchers of NAME (`sbx desktop install --name NAME`). */
#include "cli.h"
#include "escape.h"
#include "desktop-install.h"
#include "json-util.h"
#include "run.h"
#include "sandbox.h"
#include "sbx-error.h"
#include "store.h"
#include "userns.h"

#include <stdio.h>
#include <time.h>

static char *
format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_local (unix_time);
  return t != NULL ? g_date_time_format (t, "%Y-%m-%d %H:%M") : g_strdup ("?");
}

static char *
format_command (const SbxSandbox *sandbox)
{
  if (sandbox->command == NULL)
    return g_strdup ("(the image's)");
  return g_strjoinv (" ", sandbox->command);
}

static json_t *
sandbox_json (const SbxSandbox *sandbox)
{
  json_t *object = json_object ();

  sbx_json_add_string (object, "name", sandbox->name);
  sbx_json_add_string (object, "image", sandbox->image->name);
  sbx_json_add_string (object, "status", sandbox->running ? "running" : "stopped");
  sbx_json_add_string (object, "driver", sandbox->driver);
  sbx_json_add_int (object, "created", sandbox->created);
  sbx_json_set (object, "command", sandbox->command != NULL ? sbx_json_strv_new (sandbox->command) : json_null ());
  return object;
}

static void
print_sandbox (const SbxSandbox *sandbox, gboolean quiet)
{
  g_autofree char *created = format_time (sandbox->created);
  g_autofree char *command = format_command (sandbox);

  if (quiet)
    sbx_print_line (stdout, "%s", sandbox->name);
  else
    sbx_print_line (stdout, "%-20s %-30s %-9s %-15s %-17s %s", sandbox->name, sandbox->image->name,
                    sandbox->running ? "running" : "stopped", sandbox->driver != NULL ? sandbox->driver : "-",
                    created, command);
}

/* `sbx ls [-q] [--format json]`: JSON has the columns' fields, created in unix seconds and
 * command an array (null: the image's). */
int
sbx_cmd_ls (int argc, char **argv, GError **error)
{
  gboolean quiet = FALSE, json = FALSE;
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = {
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Show only the names", NULL },
    SBX_CLI_FORMAT_ENTRY (&format),
    { NULL }
  };
  g_autoptr(SbxStore) store = NULL;
  g_autoptr(GPtrArray) sandboxes = NULL;
  g_autoptr(json_t) array = json_array ();

  if (!sbx_cli_parse ("ls", "", "List the named sandboxes (made by 'sbx run --name').", entries, FALSE,
                      &argc, &argv, error) ||
      !sbx_cli_at_most ("ls", argc, argv, 0, error) || !sbx_cli_parse_format ("ls", format, &json, error))
    return SBX_EXIT_SBX_ERROR;
  if ((store = sbx_store_open (NULL, error)) == NULL || (sandboxes = sbx_sandbox_list (store, error)) == NULL)
    return SBX_EXIT_SBX_ERROR;
  if (!quiet && !json)
    printf ("%-20s %-30s %-9s %-15s %-17s %s\n", "NAME", "IMAGE", "STATUS", "DRIVER", "CREATED", "COMMAND");
  for (guint i = 0; i < sandboxes->len; i++)
    if (json)
      sbx_json_append (array, sandbox_json (g_ptr_array_index (sandboxes, i)));
    else
      print_sandbox (g_ptr_array_index (sandboxes, i), quiet);
  if (json)
    sbx_cli_print_json (array);
  return 0;
}

/* `sbx start NAME [COMMAND]`: `sbx run --name NAME` with what the first run recorded. */
int
sbx_cmd_start (int argc, char **argv, GError **error)
{
  const GOptionEntry entries[] = { { NULL } };
  SbxRunOptions options = { 0 };
  int status = SBX_EXIT_SBX_ERROR;

  if (!sbx_cli_parse ("start", "NAME [COMMAND [ARG...]]",
                      "Run a named sandbox again: its files, image, profile, network and (unless given) command "
                      "are the ones of its first run.",
                      entries, TRUE, &argc, &argv, error))
    return SBX_EXIT_SBX_ERROR;
  if (argc < 2)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "start: missing NAME (see 'sbx ls')");
      return SBX_EXIT_SBX_ERROR;
    }
  options.name = argv[1];
  options.command = argv + 2;
  options.start_existing = TRUE;
  if (!sbx_run (&options, &status, error))
    status = SBX_EXIT_SBX_ERROR;
  return status;
}

int
sbx_cmd_rm (int argc, char **argv, GError **error)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(SbxStore) store = NULL;
  gboolean single;
  int status = 0;

  if (!sbx_cli_parse ("rm", "NAME...", "Remove named sandboxes and the files they keep.", entries, FALSE,
                      &argc, &argv, error))
    return SBX_EXIT_SBX_ERROR;
  if (argc < 2)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "rm: missing NAME (see 'sbx ls')");
      return SBX_EXIT_SBX_ERROR;
    }
  for (int i = 1; i < argc; i++)
    if (!sbx_sandbox_check_name (argv[i], error))
      return SBX_EXIT_SBX_ERROR;
  if ((store = sbx_store_open (NULL, error)) == NULL || !sbx_userns_enter_store_namespace (&single, error))
    return SBX_EXIT_SBX_ERROR;
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) local_error = NULL;
      gboolean removed = sbx_sandbox_remove (store, argv[i], &local_error);

      /* A launcher may name a sandbox its first run has not made yet: removing it is enough. */
      if ((removed || g_error_matches (local_error, SBX_ERROR, SBX_ERROR_NOT_FOUND)) &&
          sbx_desktop_remove (argv[i], TRUE) > 0)
        removed = TRUE;
      if (!removed)
        {
          sbx_print_line (stderr, "sbx: %s", local_error->message);
          status = SBX_EXIT_SBX_ERROR;
        }
    }
  return status;
}
