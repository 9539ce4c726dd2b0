/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-profile.c: `sbx profile ls|show|validate`. */
#include "cli.h"
#include "escape.h"
#include "json-util.h"
#include "profile.h"
#include "sbx-error.h"

#include <stdio.h>

static gboolean
expect_args (const char *command, const char *usage, int argc, int wanted, GError **error)
{
  if (argc == wanted)
    return TRUE;
  g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "profile %s: expected %s (see 'sbx profile %s --help')",
               command, usage, command);
  return FALSE;
}

static json_t *
profile_json (const SbxProfileInfo *info)
{
  json_t *object = json_object ();

  sbx_json_add_string (object, "name", info->name);
  sbx_json_add_string (object, "source", info->path);
  sbx_json_add_string (object, "description", info->description);
  return object;
}

static void
print_profile (const SbxProfileInfo *info, gboolean quiet)
{
  if (quiet)
    sbx_print_line (stdout, "%s", info->name);
  else
    sbx_print_line (stdout, "%-16s %-48s %s", info->name, info->path != NULL ? info->path : "built-in",
                    info->description != NULL ? info->description : "");
}

/* `sbx profile ls [-q] [--format json]`: JSON source is null for a built-in profile. */
static int
profile_ls (int argc, char **argv, GError **error)
{
  g_autofree char *format = NULL;
  gboolean json, quiet = FALSE;
  const GOptionEntry entries[] = {
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Show only the names", NULL },
    SBX_CLI_FORMAT_ENTRY (&format),
    { NULL }
  };
  g_autoptr(GPtrArray) profiles = NULL;
  g_autoptr(json_t) array = json_array ();

  if (!sbx_cli_parse ("profile ls", "", "List the profiles on the search path (the file that wins for each name).",
                      entries, FALSE, &argc, &argv, error) ||
      !expect_args ("ls", "no arguments", argc, 1, error) ||
      !sbx_cli_parse_format ("profile ls", format, &json, error) ||
      (profiles = sbx_profile_list (error)) == NULL)
    return SBX_EXIT_SBX_ERROR;
  if (!json && !quiet)
    printf ("%-16s %-48s %s\n", "NAME", "SOURCE", "DESCRIPTION");
  for (guint i = 0; i < profiles->len; i++)
    {
      const SbxProfileInfo *info = g_ptr_array_index (profiles, i);
      if (json)
        sbx_json_append (array, profile_json (info));
      else
        print_profile (info, quiet);
    }
  if (json)
    sbx_cli_print_json (array);
  return 0;
}

static int
profile_show (int argc, char **argv, GError **error)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(SbxProfile) profile = NULL;
  g_autofree char *json = NULL;

  if (!sbx_cli_parse ("profile show", "NAME|FILE", "Print the effective profile: includes merged, as a run would use it.",
                      entries, FALSE, &argc, &argv, error) ||
      !expect_args ("show", "NAME or FILE", argc, 2, error) ||
      (profile = sbx_profile_load (argv[1], NULL, error)) == NULL)
    return SBX_EXIT_SBX_ERROR;
  if ((json = sbx_profile_to_json (profile, TRUE, error)) == NULL)
    return SBX_EXIT_SBX_ERROR;
  printf ("%s\n", json);
  return 0;
}

static int
profile_validate (int argc, char **argv, GError **error)
{
  const GOptionEntry entries[] = { { NULL } };

  if (!sbx_cli_parse ("profile validate", "FILE...", "Check profile files (and what they include).",
                      entries, FALSE, &argc, &argv, error))
    return SBX_EXIT_SBX_ERROR;
  if (argc < 2)
    {
      expect_args ("validate", "FILE...", argc, 2, error);
      return SBX_EXIT_SBX_ERROR;
    }
  for (int i = 1; i < argc; i++)
    {
      if (!sbx_profile_validate_file (argv[i], error))
        return SBX_EXIT_SBX_ERROR;
      sbx_print_line (stdout, "%s: ok", argv[i]);
    }
  return 0;
}

int
sbx_cmd_profile (int argc, char **argv, GError **error)
{
  static const SbxCommand subcommands[] = {
    { "ls", "List profiles", profile_ls },
    { "show", "Print a profile's effective (merged) form", profile_show },
    { "validate", "Check profile files", profile_validate },
  };

  return sbx_cli_dispatch ("profile", subcommands, G_N_ELEMENTS (subcommands), argc, argv, error);
}
