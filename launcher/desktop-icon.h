/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* desktop-icon.h: a sandboxed app's icon, copied out of the host's or the image's files into
 * $XDG_DATA_HOME/icons/hicolor/SIZE/apps/sbx-ID.{png,svg} for its menu launcher (Icon=sbx-ID).
 *
 * Where from: for an Icon= name, every usr/share/icons/hicolor/SIZE/apps/NAME.{png,svg}
 * (SIZE as "48x48", "48x48@2", "scalable"), else usr/share/pixmaps/NAME.{png,svg}; for an
 * absolute Icon= path, that file when it is a regular .png or .svg.  Only the magic bytes
 * (PNG signature, "<svg" near the start) and the size (at most 4 MiB) are checked: the icon
 * is then drawn by the host's own image loaders, as any app's icon is. */
#pragma once

#include <glib.h>
#include "desktop-source.h"

G_BEGIN_DECLS

/* Copies the icon @icon of @files as sbx-@id icons (each written to a temporary name and
 * renamed).  *out_found: at least one was written.  Unusable candidates are skipped; FALSE
 * only when writing fails. */
gboolean sbx_desktop_icon_export (SbxAppFiles *files, const char *icon, const char *id,
                                  gboolean *out_found, GError **error);

/* Removes every sbx-@id icon from $XDG_DATA_HOME/icons/hicolor (none there is fine). */
void sbx_desktop_icon_remove (const char *id);

G_END_DECLS
