/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* desktop-grants.c: parsing and checking the desktop values of a profile (desktop-grants.h). */
#include "desktop-grants.h"
#include "sbx-error.h"

#include <string.h>

/* Flatpak's names for the XDG user directories, and GLib's. */
static const struct {
  const char *name;
  GUserDirectory dir;
} xdg_dirs[] = {
  { "desktop", G_USER_DIRECTORY_DESKTOP },
  { "documents", G_USER_DIRECTORY_DOCUMENTS },
  { "download", G_USER_DIRECTORY_DOWNLOAD },
  { "music", G_USER_DIRECTORY_MUSIC },
  { "pictures", G_USER_DIRECTORY_PICTURES },
  { "public-share", G_USER_DIRECTORY_PUBLIC_SHARE },
  { "templates", G_USER_DIRECTORY_TEMPLATES },
  { "videos", G_USER_DIRECTORY_VIDEOS },
};

void
sbx_share_clear (SbxShare *share)
{
  g_clear_pointer (&share->xdg_name, g_free);
  g_clear_pointer (&share->path, g_free);
}

gboolean
sbx_x11_mode_parse (const char *text, SbxX11Mode *out)
{
  SbxX11Mode mode;

  if (g_strcmp0 (text, "untrusted") == 0)
    mode = SBX_X11_UNTRUSTED;
  else if (g_strcmp0 (text, "trusted") == 0)
    mode = SBX_X11_TRUSTED;
  else
    return FALSE;
  if (out != NULL)
    *out = mode;
  return TRUE;
}

gboolean
sbx_home_mode_parse (const char *text, SbxHomeMode *out)
{
  static const char * const names[] = { "image", "private", "tmpfs", "host" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (text, names[i]) == 0)
      {
        if (out != NULL)
          *out = (SbxHomeMode) i;
        return TRUE;
      }
  return FALSE;
}

int
sbx_share_user_directory (const char *xdg_name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (xdg_dirs); i++)
    if (g_ascii_strcasecmp (xdg_name, xdg_dirs[i].name) == 0)
      return (int) xdg_dirs[i].dir;
  return -1;
}

/* A relative path below a share: no "..", no "." components, no empty ones. */
static gboolean
path_is_plain (const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    if (g_str_equal (parts[i], "..") || g_str_equal (parts[i], "."))
      return FALSE;
  return TRUE;
}

static gboolean
share_error (GError **error, const char *text, const char *why)
{
  g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "share '%s': %s (expected xdg-NAME[/PATH], ~/PATH or "
                                                        "/PATH, then :ro or :rw)",
               text, why);
  return FALSE;
}

/* Splits "xdg-download/sub" into its directory name and the rest. */
static gboolean
parse_xdg (const char *text, const char *spec, SbxShare *share, GError **error)
{
  const char *slash = strchr (spec, '/');
  g_autofree char *name = g_strndup (spec, slash != NULL ? (gsize) (slash - spec) : strlen (spec));

  if (sbx_share_user_directory (name) < 0)
    return share_error (error, text, "unknown XDG directory (desktop, documents, download, music, pictures, "
                                     "public-share, templates, videos)");
  if (slash != NULL && (slash[1] == '\0' || !path_is_plain (slash + 1)))
    return share_error (error, text, "the path below the XDG directory must be plain (no '..')");
  share->xdg_name = g_steal_pointer (&name);
  share->path = g_strdup (slash != NULL ? slash + 1 : "");
  return TRUE;
}

gboolean
sbx_share_parse (const char *text, SbxShare *out, GError **error)
{
  g_auto(SbxShare) share = { 0 };
  const char *colon = strrchr (text, ':');
  g_autofree char *spec = g_strndup (text, colon != NULL ? (gsize) (colon - text) : strlen (text));

  if (colon != NULL && !g_str_equal (colon + 1, "ro") && !g_str_equal (colon + 1, "rw"))
    return share_error (error, text, "the mode must be ro or rw");
  share.writable = colon != NULL && g_str_equal (colon + 1, "rw");
  if (g_str_has_prefix (spec, "xdg-"))
    {
      if (!parse_xdg (text, spec + 4, &share, error))
        return FALSE;
    }
  else if (g_str_equal (spec, "~") || g_str_has_prefix (spec, "~/") || spec[0] == '/')
    {
      const char *rest = spec[0] == '/' ? spec + 1 : spec[1] == '/' ? spec + 2
                                                                    : "";
      if (g_str_equal (spec, "/") || g_str_has_prefix (spec, "//"))
        return share_error (error, text, "the whole host file system is not a share");
      if (!path_is_plain (rest) || strlen (spec) > 4096)
        return share_error (error, text, "the path must be plain (no '..' or '.')");
      share.path = g_steal_pointer (&spec);
    }
  else
    return share_error (error, text, "unknown kind of share");
  if (out != NULL)
    *out = share, memset (&share, 0, sizeof share);
  return TRUE;
}
