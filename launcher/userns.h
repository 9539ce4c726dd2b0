/* userns.h: creating user namespaces and writing their id maps with newuidmap/newgidmap.
 *
 * The only code in sbx that runs the setuid shadow helpers.  A process never maps itself:
 * the child unshares, the parent (still outside) runs the helpers on the child's pid. */
#pragma once

#include <glib.h>
#include <sys/types.h>
#include "idmap.h"

G_BEGIN_DECLS

/* Writes @layout's maps for the process @pid, which has just unshared its user namespace.
 * With a single-id layout, writes /proc/PID/{setgroups,uid_map,gid_map} directly. */
gboolean sbx_userns_write_maps (pid_t pid, const SbxIdLayout *layout, GError **error);

/* Moves the calling (single-threaded) process into a new user namespace with @layout,
 * as uid 0 / gid 0 inside, the way `podman unshare` does: for store operations that
 * create or remove files owned by subordinate ids.  Also unshares a mount namespace. */
gboolean sbx_userns_enter (const SbxIdLayout *layout, GError **error);

G_END_DECLS

G_BEGIN_DECLS
typedef gboolean (*SbxUsernsFunc) (gpointer user_data, GError **error);

/* Runs @func in a forked child that has entered a user namespace with @layout (see
 * sbx_userns_enter); the calling process stays where it is.  The child's GError comes
 * back over a pipe.  The caller must be single-threaded. */
gboolean sbx_userns_run_in_child (const SbxIdLayout *layout, SbxUsernsFunc func,
                                  gpointer user_data, GError **error);
G_END_DECLS
