/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-desktop-file.c: the rewriting of an app's desktop file into a sandboxed launcher
 * (launcher/desktop-file.c).  The input is the desktop file's bytes.  Invariants checked when
 * it is accepted: the launcher loads again as a key file, holds no control character but the
 * line ends, its Exec parses (as GLib's launcher parses it) into the sbx prefix followed by
 * exactly the app's own arguments, a file field code only as a whole argument between "@@"
 * (or "@@u") and "@@"; and a launcher rewritten again is accepted too. */
#include "desktop-file.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Awkward on purpose: quotes, '$', '`', '\', '%' and spaces in every part sbx adds. */
static const SbxLauncherSpec spec = {
  .sbx_path = "/opt/s b/\"sbx$`\\%",
  .profile = "/p/my profile%F.json",
  .name = "n.1",
  .image = "img:1",
  .icon = "sbx-n.1",
  .title = "T",
};

static char *
decode (const char *arg)
{
  g_auto(GStrv) parts = g_strsplit (arg, "%%", -1);
  return g_strjoinv ("%", parts);
}

static gboolean
is_code (const char *arg, const char *codes)
{
  return arg[0] == '%' && arg[1] != '\0' && arg[2] == '\0' && strchr (codes, arg[1]) != NULL;
}

static char **
exec_of (const char *text, gsize length)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *exec = NULL;
  char **argv = NULL;

  if (!g_key_file_load_from_data (file, text, length, G_KEY_FILE_NONE, NULL) ||
      (exec = g_key_file_get_string (file, "Desktop Entry", "Exec", NULL)) == NULL ||
      !g_shell_parse_argv (exec, NULL, &argv, NULL))
    abort ();
  return argv;
}

/* The launcher's arguments after the image, "@@" markers taken out, equal the app's own
 * (field codes other than %f %F %u %U dropped). */
static void
check_exec (char **app, char **launcher)
{
  guint i = 3, j = 0;
  g_autofree char *program = decode (launcher[0]), *profile = decode (launcher[3]);

  if (!g_str_equal (program, spec.sbx_path) || !g_str_equal (launcher[1], "run") || !g_str_equal (profile, spec.profile))
    abort ();
  i = g_str_equal (launcher[4], "--name") ? 6 : 4;
  i += g_str_equal (launcher[i], "--file-forwarding") ? 2 : 1;
  for (; app[j] != NULL; j++)
    {
      if (is_code (app[j], "dDnNickvm"))
        continue;
      if (is_code (app[j], "fFuU"))
        {
          if (g_strcmp0 (launcher[i], app[j][1] == 'f' || app[j][1] == 'F' ? "@@" : "@@u") != 0 ||
              g_strcmp0 (launcher[i + 1], app[j]) != 0 || g_strcmp0 (launcher[i + 2], "@@") != 0)
            abort ();
          i += 3;
        }
      else if (g_strcmp0 (launcher[i++], app[j]) != 0)
        abort ();
    }
  if (launcher[i] != NULL)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *out = sbx_desktop_rewrite ("fuzz", (const char *) data, size, &spec, NULL);
  g_autofree char *again = NULL;
  g_auto(GStrv) app = NULL, launcher = NULL;

  if (out == NULL)
    return 0;
  for (const char *p = out; *p != '\0'; p++)
    if (((guchar) *p < 0x20 && *p != '\n') || *p == 0x7f)
      abort ();
  app = exec_of ((const char *) data, size);
  launcher = exec_of (out, strlen (out));
  check_exec (app, launcher);
  if ((again = sbx_desktop_rewrite ("again", out, strlen (out), &spec, NULL)) == NULL)
    abort ();
  return 0;
}
