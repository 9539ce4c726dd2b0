/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* desktop-file.c: the menu launcher of a sandboxed app, written from the app's own desktop
 * file or from scratch (desktop-file.h says what it looks like).  No I/O: bytes in, text out. */
#include "desktop-file.h"
#include "sbx-error.h"

#include <string.h>

#define GROUP "Desktop Entry"
#define ACTION_PREFIX "Desktop Action "
#define SANDBOXED " (sandboxed)"

/* The Desktop Entry spec's reserved characters: an argument holding one is double-quoted. */
static const char reserved_chars[] = " \t\n\"'\\><~|&;$*?#()`";

static gboolean
has_control (const char *text)
{
  if (!g_utf8_validate (text, -1, NULL))
    return TRUE;
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

static gboolean
is_field_code (const char *arg)
{
  return arg[0] == '%' && arg[1] != '\0' && arg[2] == '\0' && strchr ("fFuUdDnNickvm", arg[1]) != NULL;
}

static gboolean
is_file_code (const char *arg)
{
  return is_field_code (arg) && strchr ("fFuU", arg[1]) != NULL;
}

/* A '%' in @arg is "%%" or @arg is a field code. */
static gboolean
check_percents (const char *arg, GError **error)
{
  if (is_field_code (arg))
    return TRUE;
  for (const char *p = arg; *p != '\0'; p++)
    if (*p == '%' && *++p != '%')
      {
        g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                     "argument '%s' has a field code inside it or a lone '%%' (field codes must be whole arguments)", arg);
        return FALSE;
      }
  return TRUE;
}

char **
sbx_desktop_exec_parse (const char *exec, GError **error)
{
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) local_error = NULL;
  guint n_file_codes = 0;

  if (has_control (exec))
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "holds control characters");
      return NULL;
    }
  if (!g_shell_parse_argv (exec, NULL, &argv, &local_error))
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "cannot be parsed: %s", local_error->message);
      return NULL;
    }
  if (is_field_code (argv[0]))
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "the program is a field code");
      return NULL;
    }
  for (char **a = argv; *a != NULL; a++)
    {
      if (!check_percents (*a, error))
        return NULL;
      n_file_codes += is_file_code (*a);
    }
  if (n_file_codes > 1)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "has more than one of %%f, %%F, %%u, %%U");
      return NULL;
    }
  return g_steal_pointer (&argv);
}

char *
sbx_desktop_exec_encode (const char *arg)
{
  g_auto(GStrv) parts = g_strsplit (arg, "%", -1);
  return g_strjoinv ("%%", parts);
}

static char *
exec_decode (const char *arg)
{
  g_auto(GStrv) parts = g_strsplit (arg, "%%", -1);
  return g_strjoinv ("%", parts);
}

static void
append_quoted (GString *out, const char *arg)
{
  if (*arg != '\0' && strpbrk (arg, reserved_chars) == NULL)
    {
      g_string_append (out, arg);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = arg; *p != '\0'; p++)
    {
      if (strchr ("\"`$\\", *p) != NULL)
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

char *
sbx_desktop_exec_quote (char **argv)
{
  GString *out = g_string_new (NULL);

  for (char **a = argv; *a != NULL; a++)
    {
      if (a != argv)
        g_string_append_c (out, ' ');
      append_quoted (out, *a);
    }
  return g_string_free (out, FALSE);
}

static void
add_encoded (GPtrArray *argv, const char *plain)
{
  g_ptr_array_add (argv, sbx_desktop_exec_encode (plain));
}

char *
sbx_desktop_launcher_exec (const SbxLauncherSpec *spec, char **app_argv)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  gboolean forwarding = FALSE;

  for (char **a = app_argv; a != NULL && *a != NULL; a++)
    forwarding |= is_file_code (*a);
  add_encoded (argv, spec->sbx_path);
  g_ptr_array_add (argv, g_strdup ("run"));
  g_ptr_array_add (argv, g_strdup ("--profile"));
  add_encoded (argv, spec->profile);
  if (spec->name != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--name"));
      add_encoded (argv, spec->name);
    }
  if (forwarding)
    g_ptr_array_add (argv, g_strdup ("--file-forwarding"));
  add_encoded (argv, spec->image);
  for (char **a = app_argv; a != NULL && *a != NULL; a++)
    {
      if (is_file_code (*a))
        {
          g_ptr_array_add (argv, g_strdup ((*a)[1] == 'f' || (*a)[1] == 'F' ? "@@" : "@@u"));
          g_ptr_array_add (argv, g_strdup (*a));
          g_ptr_array_add (argv, g_strdup ("@@"));
        }
      else if (!is_field_code (*a))
        g_ptr_array_add (argv, g_strdup (*a));
    }
  g_ptr_array_add (argv, NULL);
  return sbx_desktop_exec_quote ((char **) argv->pdata);
}

/* ------------------------------------------------------------------ reading the app's file */

static GKeyFile *
load_key_file (const char *what, const char *data, gsize length, GError **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;

  if (length > SBX_DESKTOP_FILE_MAX)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s: larger than %u KiB", what,
                        SBX_DESKTOP_FILE_MAX / 1024),
           NULL;
  if (!g_utf8_validate_len (data, length, NULL))
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s: not UTF-8 text", what), NULL;
  if (!g_key_file_load_from_data (file, data, length, G_KEY_FILE_KEEP_TRANSLATIONS, &local_error))
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s: not a desktop file: %s", what,
                        local_error->message),
           NULL;
  if (!g_key_file_has_group (file, GROUP))
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s: no [%s] group", what, GROUP), NULL;
  return g_steal_pointer (&file);
}

/* The Exec of @group, parsed and checked; errors name @what and the key. */
static char **
group_exec (const char *what, GKeyFile *file, const char *group, GError **error)
{
  g_autofree char *exec = g_key_file_get_string (file, group, "Exec", NULL);
  g_autoptr(GError) local_error = NULL;
  char **argv;

  if (exec == NULL)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s: [%s] has no Exec", what, group), NULL;
  if ((argv = sbx_desktop_exec_parse (exec, &local_error)) == NULL)
    g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s: [%s] Exec %s", what, group, local_error->message);
  return argv;
}

char *
sbx_desktop_exec_program (const char *data, gsize length, gboolean *out_hidden)
{
  g_autoptr(GKeyFile) file = load_key_file ("", data, length, NULL);
  g_auto(GStrv) argv = NULL;

  if (file == NULL || (argv = group_exec ("", file, GROUP, NULL)) == NULL)
    return NULL;
  *out_hidden = g_key_file_get_boolean (file, GROUP, "NoDisplay", NULL) ||
                g_key_file_get_boolean (file, GROUP, "Hidden", NULL);
  return exec_decode (argv[0]);
}

char *
sbx_desktop_app_icon (const char *data, gsize length)
{
  g_autoptr(GKeyFile) file = load_key_file ("", data, length, NULL);
  g_autofree char *icon = file != NULL ? g_key_file_get_string (file, GROUP, "Icon", NULL) : NULL;

  return icon != NULL && *icon != '\0' && !has_control (icon) ? g_steal_pointer (&icon) : NULL;
}

/* ------------------------------------------------------------------ writing the launcher */

typedef enum { V_STRING,
               V_LIST,
               V_BOOL } ValueKind;

/* What is carried over from the app's [Desktop Entry] (Name, Exec, Icon... are sbx's own). */
static const struct {
  const char *key;
  ValueKind kind;
  gboolean localized;
} kept_keys[] = {
  { "GenericName", V_STRING, TRUE },
  { "Comment", V_STRING, TRUE },
  { "Keywords", V_LIST, TRUE },
  { "Categories", V_LIST, FALSE },
  { "MimeType", V_LIST, FALSE },
  { "StartupWMClass", V_STRING, FALSE },
  { "Terminal", V_BOOL, FALSE },
  { "StartupNotify", V_BOOL, FALSE },
  { "NoDisplay", V_BOOL, FALSE },
};

/* Splits "Name[de_DE@euro]" into "Name" and the locale; FALSE for a malformed locale. */
static gboolean
split_key (const char *key, char **out_base, gboolean *out_localized)
{
  const char *bracket = strchr (key, '[');
  gsize length;

  *out_localized = bracket != NULL;
  if (bracket == NULL)
    return (*out_base = g_strdup (key)), TRUE;
  length = strlen (bracket);
  if (length < 3 || bracket[length - 1] != ']')
    return FALSE;
  for (const char *p = bracket + 1; p < bracket + length - 1; p++)
    if (!g_ascii_isalnum (*p) && strchr ("_@.-", *p) == NULL)
      return FALSE;
  *out_base = g_strndup (key, bracket - key);
  return TRUE;
}

/* Copies @key (of @kind) from @in to @out when its value is readable and has no control
 * characters. */
static void
copy_value (GKeyFile *in, GKeyFile *out, const char *group, const char *key, ValueKind kind)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) list = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean flag;

  switch (kind)
    {
    case V_STRING:
      if ((text = g_key_file_get_string (in, group, key, NULL)) != NULL && !has_control (text))
        g_key_file_set_string (out, group, key, text);
      break;
    case V_LIST:
      if ((list = g_key_file_get_string_list (in, group, key, NULL, NULL)) == NULL)
        break;
      for (char **item = list; *item != NULL; item++)
        if (has_control (*item))
          return;
      g_key_file_set_string_list (out, group, key, (const char * const *) list, g_strv_length (list));
      break;
    case V_BOOL:
      flag = g_key_file_get_boolean (in, group, key, &local_error);
      if (local_error == NULL)
        g_key_file_set_boolean (out, group, key, flag);
      break;
    }
}

/* Name and Name[xx] with " (sandboxed)"; @fallback (sandboxed) when there is no usable Name. */
static void
copy_names (GKeyFile *in, GKeyFile *out, const char *group, const char *fallback, gboolean suffix)
{
  g_auto(GStrv) keys = g_key_file_get_keys (in, group, NULL, NULL);
  g_autofree char *name = g_key_file_get_string (in, group, "Name", NULL);

  if (name == NULL || *name == '\0' || has_control (name))
    g_key_file_set_string (out, group, "Name", fallback);
  for (char **key = keys; key != NULL && *key != NULL; key++)
    {
      g_autofree char *base = NULL, *value = NULL, *written = NULL;
      gboolean localized;

      if (!split_key (*key, &base, &localized) || !g_str_equal (base, "Name") ||
          (value = g_key_file_get_string (in, group, *key, NULL)) == NULL || *value == '\0' || has_control (value))
        continue;
      written = g_strconcat (value, suffix ? SANDBOXED : "", NULL);
      g_key_file_set_string (out, group, *key, written);
    }
}

static void
copy_kept_keys (GKeyFile *in, GKeyFile *out)
{
  g_auto(GStrv) keys = g_key_file_get_keys (in, GROUP, NULL, NULL);

  for (char **key = keys; key != NULL && *key != NULL; key++)
    {
      g_autofree char *base = NULL;
      gboolean localized;

      if (!split_key (*key, &base, &localized))
        continue;
      for (gsize i = 0; i < G_N_ELEMENTS (kept_keys); i++)
        if (g_str_equal (base, kept_keys[i].key) && (!localized || kept_keys[i].localized))
          copy_value (in, out, GROUP, *key, kept_keys[i].kind);
    }
}

static gboolean
is_action_id (const char *id)
{
  if (*id == '\0' || strlen (id) > 64)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

/* The app's actions with their Exec rewritten; one that is unusable is left out. */
static void
copy_actions (GKeyFile *in, GKeyFile *out, const SbxLauncherSpec *spec)
{
  g_auto(GStrv) ids = g_key_file_get_string_list (in, GROUP, "Actions", NULL, NULL);
  g_autoptr(GPtrArray) kept = g_ptr_array_new_null_terminated (0, NULL, TRUE);

  for (char **id = ids; id != NULL && *id != NULL && kept->len < 32; id++)
    {
      g_autofree char *group = g_strconcat (ACTION_PREFIX, *id, NULL);
      g_autofree char *name = NULL, *exec = NULL;
      g_auto(GStrv) argv = NULL;

      if (!is_action_id (*id) || (kept->len > 0 && g_strv_contains ((const char * const *) kept->pdata, *id)) ||
          (name = g_key_file_get_string (in, group, "Name", NULL)) == NULL || *name == '\0' || has_control (name) ||
          (argv = group_exec ("", in, group, NULL)) == NULL)
        continue;
      copy_names (in, out, group, name, FALSE);
      exec = sbx_desktop_launcher_exec (spec, argv);
      g_key_file_set_string (out, group, "Exec", exec);
      g_ptr_array_add (kept, *id);
    }
  if (kept->len > 0)
    g_key_file_set_string_list (out, GROUP, "Actions", (const char * const *) kept->pdata, kept->len);
}

/* Exec, TryExec, Icon and the X-Sbx-* keys `sbx desktop ls|rm` reads. */
static void
set_sbx_keys (GKeyFile *out, const SbxLauncherSpec *spec, const char *exec)
{
  g_key_file_set_string (out, GROUP, "Exec", exec);
  g_key_file_set_string (out, GROUP, "TryExec", spec->sbx_path);
  if (spec->icon != NULL)
    g_key_file_set_string (out, GROUP, "Icon", spec->icon);
  g_key_file_set_string (out, GROUP, "X-Sbx-Profile", spec->profile);
  if (spec->name != NULL)
    g_key_file_set_string (out, GROUP, "X-Sbx-Name", spec->name);
  g_key_file_set_string (out, GROUP, "X-Sbx-Image", spec->image);
}

static GKeyFile *
new_launcher (const char *comment)
{
  GKeyFile *out = g_key_file_new ();

  g_key_file_set_string (out, GROUP, "Type", "Application");
  g_key_file_set_comment (out, NULL, NULL, comment, NULL);
  return out;
}

char *
sbx_desktop_rewrite (const char *what, const char *data, gsize length,
                     const SbxLauncherSpec *spec, GError **error)
{
  g_autoptr(GKeyFile) in = NULL;
  g_autoptr(GKeyFile) out = new_launcher (" Written by sbx desktop install from the app's own desktop file");
  g_autofree char *type = NULL, *exec = NULL, *fallback = g_strconcat (spec->title, SANDBOXED, NULL);
  g_auto(GStrv) argv = NULL;

  if ((in = load_key_file (what, data, length, error)) == NULL)
    return NULL;
  type = g_key_file_get_string (in, GROUP, "Type", NULL);
  if (g_strcmp0 (type, "Application") != 0)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s: not Type=Application", what), NULL;
  if ((argv = group_exec (what, in, GROUP, error)) == NULL)
    return NULL;
  copy_names (in, out, GROUP, fallback, TRUE);
  copy_kept_keys (in, out);
  exec = sbx_desktop_launcher_exec (spec, argv);
  set_sbx_keys (out, spec, exec);
  copy_actions (in, out, spec);
  return g_key_file_to_data (out, NULL, NULL);
}

char *
sbx_desktop_minimal (const SbxLauncherSpec *spec, char **command)
{
  g_autoptr(GKeyFile) out = new_launcher (" Written by sbx desktop install");
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *name = g_strconcat (spec->title, SANDBOXED, NULL), *exec = NULL;

  for (char **a = command; a != NULL && *a != NULL; a++)
    add_encoded (argv, *a);
  if (argv->len > 0)
    g_ptr_array_add (argv, g_strdup ("%F"));
  g_ptr_array_add (argv, NULL);
  g_key_file_set_string (out, GROUP, "Name", name);
  g_key_file_set_boolean (out, GROUP, "Terminal", FALSE);
  exec = sbx_desktop_launcher_exec (spec, (char **) argv->pdata);
  set_sbx_keys (out, spec, exec);
  return g_key_file_to_data (out, NULL, NULL);
}
