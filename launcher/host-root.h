/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-root.h: the built-in image "host": the apps installed on this machine, run without an
 * image store.  The root is a fresh tmpfs holding the host's /usr (with the merged-/usr
 * links), /opt and the parts of /etc that apps need, read-only; a private /tmp, /var and
 * /run; an /etc/passwd and /etc/group naming the caller only.  host-root.c's table is the
 * whole list of what a sandbox on "host" sees of the host, each entry with its reason. */
#pragma once

#include <glib.h>
#include "plan.h"
#include "store.h"

G_BEGIN_DECLS

#define SBX_HOST_IMAGE_NAME "host"

/* TRUE for the name of the built-in host image. */
gboolean sbx_host_image_is (const char *name);

/* The image record a run on "host" uses: no layers, the host's PATH, no command of its own. */
SbxImage *sbx_host_image_new (void);

/* Calls @func for each path of the host a sandbox on "host" sees (read-only), with the
 * table's reason: what `sbx explain` lists. */
typedef void (*SbxHostShownFunc) (const char *path, const char *why, gpointer data);
void sbx_host_root_foreach_shown (SbxHostShownFunc func, gpointer data);

/* Supervisor side: where the setup child mounts the root's tmpfs in its own mount namespace:
 * $XDG_RUNTIME_DIR/sbx/mnt, one empty directory that every run on "host" shares, as runs on
 * an image share their store's mnt/ (made when missing; refused unless a directory of the
 * caller's own, not a symlink).  A run needs no directory of its own for it. */
char *sbx_host_root_mount_point (GError **error);

/* Supervisor side: /etc/passwd and /etc/group of the sandbox, with root, the caller (name,
 * uid, gid, home, shell from the host's entry) and nobody; nothing else of the host's. */
void sbx_host_root_accounts (SbxRunPlan *plan);

/* Setup side, in the sandbox's user and mount namespaces: builds the root on @target (an
 * empty directory) from the table. */
gboolean sbx_host_root_mount (const SbxRunPlan *plan, const char *target, GError **error);

G_END_DECLS
