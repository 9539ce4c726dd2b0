/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caller-bind.h: a bind mount of a path only the caller's own ids may reach.
 *
 * A FUSE file system mounted without allow_other (the document portal's store, doc-portal.h)
 * answers only processes whose uid, euid, suid, gid, egid and sgid are all the ids of the
 * user who mounted it; anyone else gets EACCES, even for a stat.  init, uid 0 in the
 * sandbox's user namespace, is the caller only in the default layout (keep-id maps the
 * caller to their own id and 0 to a subordinate id).  So the bind is made by a child of
 * init that takes the ids mapping to the caller, keeping CAP_SYS_ADMIN for the mount calls;
 * the mount point is made first, by init. */
#pragma once

#include <glib.h>
#include "idmap.h"

G_BEGIN_DECLS

/* Binds host @source (not recursively; nosuid, nodev; writable as the file system allows)
 * on @destination below @root_fd (a directory, made when missing).  Errors: the caller's ids
 * not mapped in @ids, the source unreachable. */
gboolean sbx_caller_bind (int root_fd, const char *source, const char *destination, const SbxIdLayout *ids,
                          GError **error);

G_END_DECLS
