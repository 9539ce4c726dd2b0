/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* desktop-install.h: `sbx desktop install|ls|rm`: menu launchers of sandboxed apps in
 * $XDG_DATA_HOME/applications/sbx-ID.desktop (ID: the --name given, else the profile's name),
 * with their icons in $XDG_DATA_HOME/icons/hicolor (desktop-icon.h).  A launcher carries
 * X-Sbx-Profile, X-Sbx-Name (with --name) and X-Sbx-Image, which ls and rm read.
 *
 * The Exec's program is the absolute path of the running sbx (/proc/self/exe): the menu
 * starts the sbx that wrote the launcher whatever PATH the session has.  SBX_DESKTOP_SBX_PATH
 * (an absolute path) replaces it; the tests point it at a recorder of the arguments. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SBX_DESKTOP_SBX_PATH_ENV "SBX_DESKTOP_SBX_PATH"

typedef struct {
  const char *profile; /* a profile name or file */
  const char *image;   /* NULL: the profile's sbx.image */
  const char *name;    /* NULL: no named sandbox */
} SbxDesktopInstallOptions;

/* Writes the launcher (and its icons); returns its path.  Nothing is left half-written. */
char *sbx_desktop_install (const SbxDesktopInstallOptions *options, GError **error);

typedef struct {
  char *path;
  char *file; /* "sbx-ID.desktop" */
  char *profile;
  char *name; /* NULL when none */
  char *image;
} SbxLauncherInfo;

/* The launchers sbx wrote (SbxLauncherInfo*, sorted by file, freed with the array). */
GPtrArray *sbx_desktop_list (GError **error);

/* Removes the launchers (and icons) whose ID, profile or name is @key (with @name_only: whose
 * name is), then refreshes the menu cache.  Returns how many. */
guint sbx_desktop_remove (const char *key, gboolean name_only);

G_END_DECLS
