/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-desktop.c: `sbx desktop install|ls|rm`: menu launchers of sandboxed apps
 * (desktop-install.h does the work; this file parses and prints). */
#include "cli.h"
#include "desktop-install.h"
#include "escape.h"
#include "json-util.h"
#include "sbx-error.h"

#include <stdio.h>

static int
desktop_install (int argc, char **argv, GError **error)
{
  g_autofree char *image = NULL, *name = NULL, *path = NULL, *shown = NULL;
  const GOptionEntry entries[] = {
    { "image", 0, 0, G_OPTION_ARG_STRING, &image, "The image to run (default: the profile's sbx.image; \"host\": the host's /usr)", "IMAGE" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "Run the app in the named sandbox NAME; the launcher is sbx-NAME.desktop", "NAME" },
    { NULL }
  };
  SbxDesktopInstallOptions options = { 0 };

  if (!sbx_cli_parse ("desktop install", "PROFILE",
                      "Add a menu launcher that runs the app of PROFILE sandboxed, written from the app's own desktop "
                      "file (sbx.desktopEntry, else the one whose Exec runs the profile's process.args[0]) in "
                      "$XDG_DATA_HOME/applications/sbx-PROFILE.desktop.",
                      entries, FALSE, &argc, &argv, error))
    return SBX_EXIT_SBX_ERROR;
  if (argc < 2)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "desktop install: missing PROFILE (see 'sbx profile ls')");
      return SBX_EXIT_SBX_ERROR;
    }
  if (!sbx_cli_at_most ("desktop install", argc, argv, 1, error))
    return SBX_EXIT_SBX_ERROR;
  options = (SbxDesktopInstallOptions) { .profile = argv[1], .image = image, .name = name };
  if ((path = sbx_desktop_install (&options, error)) == NULL)
    return SBX_EXIT_SBX_ERROR;
  shown = sbx_escape (path);
  printf ("%s\n", shown);
  return 0;
}

static void
print_json (GPtrArray *launchers)
{
  g_autoptr(json_t) array = json_array ();

  for (guint i = 0; i < launchers->len; i++)
    {
      const SbxLauncherInfo *info = g_ptr_array_index (launchers, i);
      json_t *object = json_object ();

      sbx_json_add_string (object, "launcher", info->path);
      sbx_json_add_string (object, "profile", info->profile);
      sbx_json_add_string (object, "name", info->name);
      sbx_json_add_string (object, "image", info->image);
      sbx_json_append (array, object);
    }
  sbx_cli_print_json (array);
}

static void
print_table (GPtrArray *launchers)
{
  printf ("%-32s %-20s %-20s %s\n", "LAUNCHER", "PROFILE", "NAME", "IMAGE");
  for (guint i = 0; i < launchers->len; i++)
    {
      const SbxLauncherInfo *info = g_ptr_array_index (launchers, i);
      g_autofree char *file = sbx_escape (info->file), *profile = sbx_escape (info->profile);
      g_autofree char *name = sbx_escape (info->name != NULL ? info->name : "-");
      g_autofree char *image = sbx_escape (info->image != NULL ? info->image : "-");

      printf ("%-32s %-20s %-20s %s\n", file, profile, name, image);
    }
}

static int
desktop_ls (int argc, char **argv, GError **error)
{
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "table (default) or json", "FORMAT" },
    { NULL }
  };
  g_autoptr(GPtrArray) launchers = NULL;

  if (!sbx_cli_parse ("desktop ls", "", "List the menu launchers 'sbx desktop install' wrote.",
                      entries, FALSE, &argc, &argv, error) ||
      !sbx_cli_at_most ("desktop ls", argc, argv, 0, error))
    return SBX_EXIT_SBX_ERROR;
  if (format != NULL && !g_str_equal (format, "table") && !g_str_equal (format, "json"))
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "desktop ls: --format %s: expected table or json", format);
      return SBX_EXIT_SBX_ERROR;
    }
  if ((launchers = sbx_desktop_list (error)) == NULL)
    return SBX_EXIT_SBX_ERROR;
  if (g_strcmp0 (format, "json") == 0)
    print_json (launchers);
  else
    print_table (launchers);
  return 0;
}

static int
desktop_rm (int argc, char **argv, GError **error)
{
  const GOptionEntry entries[] = { { NULL } };

  if (!sbx_cli_parse ("desktop rm", "PROFILE|NAME...", "Remove the menu launchers (and their icons) of profiles "
                                                       "or named sandboxes.",
                      entries, FALSE, &argc, &argv, error))
    return SBX_EXIT_SBX_ERROR;
  if (argc < 2)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "desktop rm: missing PROFILE or NAME (see 'sbx desktop ls')");
      return SBX_EXIT_SBX_ERROR;
    }
  for (int i = 1; i < argc; i++)
    if (sbx_desktop_remove (argv[i], FALSE) == 0)
      {
        g_set_error (error, SBX_ERROR, SBX_ERROR_NOT_FOUND, "desktop rm: no launcher for '%s' (see 'sbx desktop ls')",
                     argv[i]);
        return SBX_EXIT_SBX_ERROR;
      }
  return 0;
}

int
sbx_cmd_desktop (int argc, char **argv, GError **error)
{
  static const SbxCommand subcommands[] = {
    { "install", "Add a menu launcher for a profile's app", desktop_install },
    { "ls", "List the menu launchers", desktop_ls },
    { "rm", "Remove menu launchers", desktop_rm },
  };

  return sbx_cli_dispatch ("desktop", subcommands, G_N_ELEMENTS (subcommands), argc, argv, error);
}
