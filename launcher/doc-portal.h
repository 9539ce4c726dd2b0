/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* doc-portal.h: the document portal's store (xdg-document-portal's FUSE file system) as a
 * sandbox sees it.
 *
 * The document portal serves, below its mount point (normally /run/user/UID/doc), one
 * directory per app, by-app/APPID, showing only the documents exported to APPID: what the
 * file chooser hands an app that the portal knows by APPID (portal-id.h).  That directory is
 * what the sandbox gets at /run/user/UID/doc, as Flatpak does; the whole mount (every
 * document of every app) never.  The portal answers the app with paths below its own mount
 * point, so when that is elsewhere (XDG_RUNTIME_DIR not /run/user/UID) the directory is also
 * bound there. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Supervisor side: asks the document portal on the session bus at @address for its mount
 * point (GetMountPoint, which starts it through D-Bus activation when needed) and returns
 * MOUNT/by-app/@app_id, checked to be a directory.  NULL when the session has no document
 * portal, with *reason saying why (a note for the user, not an error). */
char *sbx_doc_portal_app_dir (const char *address, const char *app_id, char **mount_point, char **reason);

G_END_DECLS
