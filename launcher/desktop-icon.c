/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* desktop-icon.c: the icon of a sandboxed app's menu launcher, exported from its image or the
 * host (desktop-icon.h says from where and what is checked). */
#include "desktop-icon.h"
#include "sbx-error.h"

#include <glib/gstdio.h>

#include <errno.h>
#include <string.h>

#define ICON_MAX (4 * 1024 * 1024)
#define HICOLOR "usr/share/icons/hicolor"

static const char png_signature[] = "\x89PNG\r\n\x1a\n";

static char *
icons_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "icons", "hicolor", NULL);
}

/* "16x16", "48x48@2", "scalable": a directory of hicolor to take icons from and write them to. */
static gboolean
is_size_dir (const char *name)
{
  return g_str_equal (name, "scalable") || g_regex_match_simple ("^[0-9]{1,4}x[0-9]{1,4}(@[0-9])?$", name, 0, 0);
}

static gboolean
looks_like (GBytes *bytes, const char *ext)
{
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  if (g_str_equal (ext, "png"))
    return length > 24 && memcmp (data, png_signature, 8) == 0;
  return g_strstr_len (data, MIN (length, 4096), "<svg") != NULL;
}

/* The hicolor directory for a PNG of unknown size (read from its IHDR): the smallest
 * standard size that holds it. */
static char *
png_size_dir (GBytes *bytes)
{
  static const guint sizes[] = { 16, 22, 24, 32, 48, 64, 128, 256, 512 };
  const guint8 *data = g_bytes_get_data (bytes, NULL);
  guint32 width, height;
  guint size = 512;

  memcpy (&width, data + 16, 4);
  memcpy (&height, data + 20, 4);
  width = GUINT32_FROM_BE (width);
  height = GUINT32_FROM_BE (height);
  for (gsize i = G_N_ELEMENTS (sizes); i > 0; i--)
    if (sizes[i - 1] >= MAX (width, height))
      size = sizes[i - 1];
  return g_strdup_printf ("%ux%u", size, size);
}

static gboolean
write_icon (GBytes *bytes, const char *size_dir, const char *id, const char *ext, GError **error)
{
  g_autofree char *top = icons_dir ();
  g_autofree char *dir = g_build_filename (top, size_dir, "apps", NULL);
  g_autofree char *base = g_strdup_printf ("sbx-%s.%s", id, ext);
  g_autofree char *path = g_build_filename (dir, base, NULL);
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  if (g_mkdir_with_parents (dir, 0755) < 0)
    return sbx_set_error_from_errno (error, errno, "creating %s", dir);
  return g_file_set_contents_full (path, data, length, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

/* Copies @path of @files when it is a usable icon of type @ext; *out_found when written. */
static gboolean
copy_icon (SbxAppFiles *files, const char *path, const char *size_dir, const char *id, const char *ext,
           gboolean *out_found, GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *png_dir = NULL;

  if (!sbx_app_files_read (files, path, ICON_MAX, &bytes, &local_error) || bytes == NULL)
    return TRUE; /* a missing or unreadable candidate: another may do */
  if (!looks_like (bytes, ext))
    return TRUE;
  if (size_dir == NULL)
    size_dir = g_str_equal (ext, "svg") ? "scalable" : (png_dir = png_size_dir (bytes));
  if (!write_icon (bytes, size_dir, id, ext, error))
    return FALSE;
  *out_found = TRUE;
  return TRUE;
}

static gboolean
export_named (SbxAppFiles *files, const char *name, const char *id, gboolean *out_found, GError **error)
{
  static const char * const exts[] = { "png", "svg" };
  g_autoptr(GPtrArray) sizes = sbx_app_files_list (files, HICOLOR);

  for (guint i = 0; i < sizes->len; i++)
    for (gsize e = 0; e < G_N_ELEMENTS (exts); e++)
      {
        const char *size = g_ptr_array_index (sizes, i);
        g_autofree char *path = g_strdup_printf (HICOLOR "/%s/apps/%s.%s", size, name, exts[e]);

        if (is_size_dir (size) && !copy_icon (files, path, size, id, exts[e], out_found, error))
          return FALSE;
      }
  for (gsize e = 0; e < G_N_ELEMENTS (exts) && !*out_found; e++)
    {
      g_autofree char *path = g_strdup_printf ("usr/share/pixmaps/%s.%s", name, exts[e]);
      if (!copy_icon (files, path, NULL, id, exts[e], out_found, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
is_icon_name (const char *name)
{
  if (*name == '\0' || *name == '.' || strlen (name) > 255 || strchr (name, '/') != NULL)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return FALSE;
  return TRUE;
}

gboolean
sbx_desktop_icon_export (SbxAppFiles *files, const char *icon, const char *id,
                         gboolean *out_found, GError **error)
{
  g_autofree char *name = NULL;

  *out_found = FALSE;
  sbx_desktop_icon_remove (id);
  if (g_path_is_absolute (icon))
    {
      const char *ext = g_str_has_suffix (icon, ".png") ? "png" : g_str_has_suffix (icon, ".svg") ? "svg"
                                                                                                  : NULL;
      return ext == NULL || copy_icon (files, icon + 1, NULL, id, ext, out_found, error);
    }
  name = g_strdup (icon);
  if (g_str_has_suffix (name, ".png") || g_str_has_suffix (name, ".svg") || g_str_has_suffix (name, ".xpm"))
    name[strlen (name) - 4] = '\0';
  return !is_icon_name (name) || export_named (files, name, id, out_found, error);
}

void
sbx_desktop_icon_remove (const char *id)
{
  g_autofree char *top = icons_dir ();
  g_autoptr(GDir) dir = g_dir_open (top, 0, NULL);
  const char *size;

  while (dir != NULL && (size = g_dir_read_name (dir)) != NULL)
    for (int e = 0; e < 2; e++)
      {
        g_autofree char *base = g_strdup_printf ("sbx-%s.%s", id, e == 0 ? "png" : "svg");
        g_autofree char *path = g_build_filename (top, size, "apps", base, NULL);
        (void) g_unlink (path);
      }
}
