/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* portal-id.h: how a sandbox is known to xdg-desktop-portal by the profile's app id.
 *
 * The portal names a caller by the D-Bus peer's process: it opens /proc/PID/root/.flatpak-info
 * and, when that is a regular file whose [Application] name is a valid app id, treats the
 * caller as that sandboxed app (xdg-desktop-portal 1.16, src/xdp-utils.c
 * parse_app_info_from_flatpak_info); no file there means a host app, any other failure
 * an error.  A sandbox's peer is its xdg-dbus-proxy, so the proxy is what carries the id:
 * it runs in a user and mount namespace of its own (the caller's single id mapped to
 * itself, no privilege after exec) whose root is a read-only tmpfs holding .flatpak-info
 * and recursive binds of the host's top-level directories, so the proxy sees the host's
 * files as before.  The app inside gets the answers a Flatpak app gets: the file chooser's
 * picks exported through the document portal to its id, its own permission store entries.
 *
 * Two halves: sbx_portal_id_new prepares everything (the file's text, the host's top-level
 * entries, the map lines) in the supervisor; sbx_portal_id_enter runs in the forked proxy
 * before exec and only makes system calls (async-signal-safe). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SbxPortalId SbxPortalId;

/* For @app_id (sbx.appId, checked as the portal checks it), instance @instance_id, with
 * Context shared=network when @network; the proxy's root is mounted on @dir/portal-root
 * (made here and left there, empty on the host; @dir is the run directory, private).  Errors: an app id the portal would
 * refuse, the mount point not made, / unreadable. */
SbxPortalId *sbx_portal_id_new (const char *app_id, const char *instance_id, gboolean network, const char *dir,
                                GError **error);

const char *sbx_portal_id_get_app_id (const SbxPortalId *id);

/* In the forked child, before exec (async-signal-safe): the namespaces, the root, pivot_root.
 * 0 on success; else -1 with errno set and *step naming what failed. */
int sbx_portal_id_enter (const SbxPortalId *id, const char **step);

/* The .flatpak-info text (for tests and --debug). */
const char *sbx_portal_id_get_info (const SbxPortalId *id);

void sbx_portal_id_free (SbxPortalId *id);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxPortalId, sbx_portal_id_free)

/* TRUE when @app_id is one xdg-desktop-portal accepts (xdp_is_valid_app_id's rules: at most
 * 255 bytes, two or more dot-separated elements, none empty, of [A-Za-z0-9_], '-' allowed in
 * the last one only). */
gboolean sbx_portal_id_is_valid_app_id (const char *app_id);

G_END_DECLS
