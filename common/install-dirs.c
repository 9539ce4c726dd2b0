/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* install-dirs.c: installed files from the install prefix (install-dirs.h). */
#include "install-dirs.h"
#include "config.h"

#include <string.h>

/* The root above @exe_dir when @exe_dir is ROOT + @installed_dir (ROOT not empty), else NULL. */
static char *
staged_root (const char *exe_dir, const char *installed_dir)
{
  gsize dir_len = strlen (exe_dir), installed_len = strlen (installed_dir);

  if (dir_len <= installed_len || !g_str_has_suffix (exe_dir, installed_dir) || exe_dir[0] != '/')
    return NULL;
  return g_strndup (exe_dir, dir_len - installed_len);
}

char *
sbx_install_path_for (const char *exe_dir, const char *configured)
{
  g_autofree char *root = NULL;

  if (exe_dir != NULL)
    root = staged_root (exe_dir, SBX_BINDIR);
  if (root == NULL && exe_dir != NULL)
    root = staged_root (exe_dir, SBX_LIBEXECDIR);
  if (root == NULL)
    return g_strdup (configured);
  return g_strconcat (root, configured, NULL);
}

char *
sbx_install_path (const char *configured)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = self != NULL ? g_path_get_dirname (self) : NULL;

  return sbx_install_path_for (dir, configured);
}
