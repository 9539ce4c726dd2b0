/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* desktop-install.c: `sbx desktop install|ls|rm` (desktop-install.h): finds the app's own
 * desktop file in the host's or the image's files, writes the launcher and its icons, lists
 * and removes them. */
#include "desktop-install.h"
#include "desktop-file.h"
#include "desktop-icon.h"
#include "desktop-source.h"
#include "log.h"
#include "profile.h"
#include "sandbox.h"
#include "sbx-error.h"
#include "store.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#define GROUP "Desktop Entry"

/* Where desktop files are looked for, in the order of XDG_DATA_DIRS' default. */
static const char * const app_dirs[] = { "usr/local/share/applications", "usr/share/applications" };

static char *
applications_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "applications", NULL);
}

/* Text going into the launcher: UTF-8 without control characters. */
static gboolean
check_text (const char *what, const char *value, GError **error)
{
  gboolean ok = g_utf8_validate (value, -1, NULL);

  for (const char *p = value; ok && *p != '\0'; p++)
    ok = (guchar) *p >= 0x20 && *p != 0x7f;
  if (!ok)
    g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "desktop install: %s '%s' has control characters", what, value);
  return ok;
}

static char *
sbx_program_path (GError **error)
{
  const char *forced = g_getenv (SBX_DESKTOP_SBX_PATH_ENV);
  g_autofree char *path = NULL;

  if (forced != NULL && *forced != '\0')
    {
      if (!g_path_is_absolute (forced))
        return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s=%s: not an absolute path",
                            SBX_DESKTOP_SBX_PATH_ENV, forced),
               NULL;
      path = g_strdup (forced);
    }
  else if ((path = g_file_read_link ("/proc/self/exe", error)) == NULL)
    return NULL;
  if (g_str_has_suffix (path, " (deleted)"))
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "desktop install: the running sbx (%s) was deleted", path), NULL;
  return check_text ("sbx path", path, error) ? g_steal_pointer (&path) : NULL;
}

/* The launcher's ID: --name, else the profile's name (a file's without ".json"). */
static char *
launcher_id (const SbxDesktopInstallOptions *options, GError **error)
{
  g_autofree char *id = NULL;

  if (options->name != NULL)
    return sbx_sandbox_check_name (options->name, error) ? g_strdup (options->name) : NULL;
  id = g_path_get_basename (options->profile);
  if (g_str_has_suffix (id, ".json"))
    id[strlen (id) - strlen (".json")] = '\0';
  if (!sbx_sandbox_check_name (id, NULL))
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "desktop install: cannot name a launcher after "
                                                                 "profile '%s' (1-64 of A-Z a-z 0-9 _ . -): give --name NAME",
                        options->profile),
           NULL;
  return g_steal_pointer (&id);
}

/* The profile as the launcher names it: a name, or a file's absolute path. */
static char *
profile_argument (const char *profile)
{
  if (strchr (profile, '/') == NULL && !g_str_has_suffix (profile, ".json"))
    return g_strdup (profile);
  return g_canonicalize_filename (profile, NULL);
}

/* The desktop file the profile names (sbx.desktopEntry): *out_bytes, *out_what. */
static gboolean
find_named_entry (SbxAppFiles *files, const char *entry, GBytes **out_bytes, char **out_what, GError **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (app_dirs); i++)
    {
      g_autofree char *path = g_build_filename (app_dirs[i], entry, NULL);

      if (!sbx_app_files_read (files, path, SBX_DESKTOP_FILE_MAX, out_bytes, error))
        return FALSE;
      if (*out_bytes != NULL)
        return (*out_what = g_strdup_printf ("/%s in %s", path, sbx_app_files_describe (files))), TRUE;
    }
  g_set_error (error, SBX_ERROR, SBX_ERROR_NOT_FOUND, "desktop install: sbx.desktopEntry %s: not in /%s or /%s of %s",
               entry, app_dirs[0], app_dirs[1], sbx_app_files_describe (files));
  return FALSE;
}

/* How well desktop file @name, whose Exec runs @program, fits @wanted: 0 not at all, 1 runs it
 * but is hidden, 2 runs it, 3 is also named after it. */
static int
match_score (const char *name, const char *program, gboolean hidden, const char *wanted)
{
  g_autofree char *base = g_path_get_basename (program);
  g_autofree char *id = g_strconcat (wanted, ".desktop", NULL);

  if (!g_str_equal (base, wanted))
    return 0;
  return g_str_equal (name, id) ? 3 : hidden ? 1
                                             : 2;
}

/* The desktop file whose Exec runs the profile's process.args[0] (by basename), if any. */
static void
search_by_program (SbxAppFiles *files, const char *program, GBytes **out_bytes, char **out_what)
{
  g_autofree char *wanted = g_path_get_basename (program);
  int best = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (app_dirs); i++)
    {
      g_autoptr(GPtrArray) names = sbx_app_files_list (files, app_dirs[i]);

      for (guint n = 0; n < names->len; n++)
        {
          const char *name = g_ptr_array_index (names, n);
          g_autofree char *path = g_build_filename (app_dirs[i], name, NULL), *found = NULL;
          g_autoptr(GBytes) bytes = NULL;
          gboolean hidden = FALSE;
          int score;

          if (!g_str_has_suffix (name, ".desktop") ||
              !sbx_app_files_read (files, path, SBX_DESKTOP_FILE_MAX, &bytes, NULL) || bytes == NULL ||
              (found = sbx_desktop_exec_program (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &hidden)) == NULL ||
              (score = match_score (name, found, hidden, wanted)) <= best)
            continue;
          best = score;
          g_clear_pointer (out_bytes, g_bytes_unref);
          *out_bytes = g_steal_pointer (&bytes);
          g_free (*out_what);
          *out_what = g_strdup_printf ("/%s in %s", path, sbx_app_files_describe (files));
        }
    }
}

/* Runs desktop-file-validate (when installed) on @content as sbx-@id.desktop. */
static gboolean
validate_launcher (const char *content, const char *id, GError **error)
{
  g_autofree char *tool = g_find_program_in_path ("desktop-file-validate");
  g_autofree char *dir = NULL, *base = g_strdup_printf ("sbx-%s.desktop", id), *path = NULL, *out = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) lines = NULL;
  const char *message;
  int status = -1;

  if (tool == NULL)
    return TRUE;
  if ((dir = g_dir_make_tmp ("sbx-desktop-XXXXXX", error)) == NULL)
    return FALSE;
  path = g_build_filename (dir, base, NULL);
  if (g_file_set_contents (path, content, -1, &local_error))
    {
      const char *argv[] = { tool, path, NULL };
      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, &status, &local_error);
    }
  (void) g_unlink (path);
  (void) g_rmdir (dir);
  if (local_error != NULL)
    return g_propagate_error (error, g_steal_pointer (&local_error)), FALSE;
  if (status == 0)
    return TRUE;
  lines = g_strsplit (out != NULL ? out : "", "\n", 2);
  message = lines[0] != NULL ? lines[0] : "";
  if (g_str_has_prefix (message, path) && g_str_has_prefix (message + strlen (path), ": "))
    message += strlen (path) + 2;
  g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "desktop install: the launcher fails desktop-file-validate: %s",
               message);
  return FALSE;
}

/* update-desktop-database, when installed: the menu's MIME cache. */
static void
refresh_menu (void)
{
  g_autofree char *tool = g_find_program_in_path ("update-desktop-database");
  g_autofree char *dir = applications_dir ();
  const char *argv[] = { tool, "-q", dir, NULL };
  int status;

  if (tool != NULL && g_file_test (dir, G_FILE_TEST_IS_DIR) &&
      (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL) ||
       !g_spawn_check_wait_status (status, NULL)))
    sbx_warning ("update-desktop-database %s failed (the menu may miss the launcher's file types)", dir);
}

/* The launcher's text, from the app's desktop file @app (named @what) or from scratch. */
static char *
launcher_text (const SbxLauncherSpec *spec, GBytes *app, const char *what, char **command, GError **error)
{
  if (app == NULL)
    return sbx_desktop_minimal (spec, command);
  return sbx_desktop_rewrite (what, g_bytes_get_data (app, NULL), g_bytes_get_size (app), spec, error);
}

/* Finds the app's desktop file: the profile's sbx.desktopEntry, else by its process.args[0]. */
static gboolean
find_app_file (SbxAppFiles *files, const SbxProfile *profile, GBytes **out_bytes, char **out_what, GError **error)
{
  if (profile->desktop_entry != NULL)
    return find_named_entry (files, profile->desktop_entry, out_bytes, out_what, error);
  if (profile->args != NULL && profile->args[0] != NULL)
    search_by_program (files, profile->args[0], out_bytes, out_what);
  if (*out_bytes == NULL)
    sbx_note ("no desktop file of %s runs %s: writing a minimal launcher", sbx_app_files_describe (files),
              profile->args != NULL && profile->args[0] != NULL ? profile->args[0] : "the profile's command");
  return TRUE;
}

/* Exports the icon the app's desktop file names; sets spec->icon to "sbx-ID" when one was. */
static gboolean
export_icon (SbxAppFiles *files, GBytes *app, const char *id, SbxLauncherSpec *spec, char **out_icon, GError **error)
{
  g_autofree char *icon = app != NULL ? sbx_desktop_app_icon (g_bytes_get_data (app, NULL), g_bytes_get_size (app)) : NULL;
  gboolean found = FALSE;

  if (icon == NULL)
    {
      sbx_desktop_icon_remove (id);
      return TRUE;
    }
  if (!sbx_desktop_icon_export (files, icon, id, &found, error))
    return FALSE;
  if (found)
    spec->icon = *out_icon = g_strdup_printf ("sbx-%s", id);
  return TRUE;
}

static gboolean
write_launcher (const char *id, const char *text, char **out_path, GError **error)
{
  g_autofree char *dir = applications_dir ();
  g_autofree char *base = g_strdup_printf ("sbx-%s.desktop", id);

  *out_path = g_build_filename (dir, base, NULL);
  if (g_mkdir_with_parents (dir, 0755) < 0)
    return sbx_set_error_from_errno (error, errno, "creating %s", dir);
  return g_file_set_contents_full (*out_path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

char *
sbx_desktop_install (const SbxDesktopInstallOptions *options, GError **error)
{
  g_autoptr(SbxProfile) profile = NULL;
  g_autoptr(SbxAppFiles) files = NULL;
  g_autoptr(GBytes) app = NULL;
  g_autofree char *id = NULL, *sbx = NULL, *profile_arg = profile_argument (options->profile);
  g_autofree char *what = NULL, *text = NULL, *icon = NULL, *path = NULL;
  SbxLauncherSpec spec = { 0 };

  if ((id = launcher_id (options, error)) == NULL || (sbx = sbx_program_path (error)) == NULL ||
      !check_text ("profile", profile_arg, error) ||
      (profile = sbx_profile_load (options->profile, NULL, error)) == NULL)
    return NULL;
  spec = (SbxLauncherSpec) { .sbx_path = sbx, .profile = profile_arg, .name = options->name, .image = options->image != NULL ? options->image : profile->image, .title = id };
  if (spec.image == NULL)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "desktop install: profile '%s' names no image "
                                                                 "(sbx.image): give --image IMAGE",
                        options->profile),
           NULL;
  if ((!g_str_equal (spec.image, "host") && !sbx_store_check_name (spec.image, error)) ||
      (files = sbx_app_files_open (spec.image, error)) == NULL ||
      !find_app_file (files, profile, &app, &what, error) ||
      /* checked whole before anything is written */
      (text = launcher_text (&spec, app, what, profile->args, error)) == NULL ||
      !validate_launcher (text, id, error) ||
      !export_icon (files, app, id, &spec, &icon, error))
    return NULL;
  g_clear_pointer (&text, g_free);
  if ((text = launcher_text (&spec, app, what, profile->args, error)) == NULL ||
      !write_launcher (id, text, &path, error))
    return NULL;
  refresh_menu ();
  return g_steal_pointer (&path);
}

/* ------------------------------------------------------------------ ls and rm */

static void
launcher_info_free (SbxLauncherInfo *info)
{
  g_free (info->path);
  g_free (info->file);
  g_free (info->profile);
  g_free (info->name);
  g_free (info->image);
  g_free (info);
}

/* The launcher @file of @dir when sbx wrote it (it has X-Sbx-Profile), else NULL. */
static SbxLauncherInfo *
read_launcher (const char *dir, const char *file)
{
  g_autoptr(GKeyFile) keys = g_key_file_new ();
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autofree char *profile = NULL;
  SbxLauncherInfo *info;

  if (!g_str_has_prefix (file, "sbx-") || !g_str_has_suffix (file, ".desktop") ||
      !g_file_test (path, G_FILE_TEST_IS_REGULAR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK) ||
      !g_key_file_load_from_file (keys, path, G_KEY_FILE_NONE, NULL) ||
      (profile = g_key_file_get_string (keys, GROUP, "X-Sbx-Profile", NULL)) == NULL)
    return NULL;
  info = g_new0 (SbxLauncherInfo, 1);
  info->path = g_steal_pointer (&path);
  info->file = g_strdup (file);
  info->profile = g_steal_pointer (&profile);
  info->name = g_key_file_get_string (keys, GROUP, "X-Sbx-Name", NULL);
  info->image = g_key_file_get_string (keys, GROUP, "X-Sbx-Image", NULL);
  return info;
}

static int
compare_launchers (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(SbxLauncherInfo * const *) a)->file, (*(SbxLauncherInfo * const *) b)->file);
}

GPtrArray *
sbx_desktop_list (GError **error)
{
  g_autofree char *dir = applications_dir ();
  g_autoptr(GPtrArray) launchers = g_ptr_array_new_with_free_func ((GDestroyNotify) launcher_info_free);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) listing = g_dir_open (dir, 0, &local_error);
  const char *file;

  if (listing == NULL && !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    return g_propagate_error (error, g_steal_pointer (&local_error)), NULL;
  while (listing != NULL && (file = g_dir_read_name (listing)) != NULL)
    {
      SbxLauncherInfo *info = read_launcher (dir, file);
      if (info != NULL)
        g_ptr_array_add (launchers, info);
    }
  g_ptr_array_sort (launchers, compare_launchers);
  return g_steal_pointer (&launchers);
}

static gboolean
launcher_matches (const SbxLauncherInfo *info, const char *key, gboolean name_only)
{
  g_autofree char *file = g_strdup_printf ("sbx-%s.desktop", key);

  if (name_only)
    return g_strcmp0 (info->name, key) == 0;
  return g_str_equal (info->file, file) || g_str_equal (info->profile, key) || g_strcmp0 (info->name, key) == 0;
}

guint
sbx_desktop_remove (const char *key, gboolean name_only)
{
  g_autoptr(GPtrArray) launchers = sbx_desktop_list (NULL);
  guint removed = 0;

  for (guint i = 0; launchers != NULL && i < launchers->len; i++)
    {
      const SbxLauncherInfo *info = g_ptr_array_index (launchers, i);
      g_autofree char *id = NULL;

      if (!launcher_matches (info, key, name_only) || g_unlink (info->path) < 0)
        continue;
      id = g_strndup (info->file + strlen ("sbx-"), strlen (info->file) - strlen ("sbx-") - strlen (".desktop"));
      sbx_desktop_icon_remove (id);
      removed++;
    }
  if (removed > 0)
    refresh_menu ();
  return removed;
}
