/* SPDX-License-Identifier: LGPL-2.1-or-later */
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

/* The files subordinate ranges are read from: /etc/subuid and /etc/subgid, or
 * $SBX_SUBUID_FILE / $SBX_SUBGID_FILE (newuidmap checks the real files regardless). */
const char *sbx_subuid_path (void);
const char *sbx_subgid_path (void);

/* Lays out the caller's namespace; warns once on stderr when it falls back to a single id. */
gboolean sbx_userns_layout_for_caller (SbxUsernsMode mode, SbxIdLayout *out, GError **error);

/* Enters the default-layout namespace the image store's files are owned in, as its root.
 * *out_single tells whether only the caller's own ids are mapped. */
gboolean sbx_userns_enter_store_namespace (gboolean *out_single, GError **error);

/* In a user namespace just joined or made with @ids: uid and gid 0 where 0 is mapped (with
 * no supplementary groups unless only one id is mapped); where only the caller's own ids
 * are (the host image), the creator's full capabilities in it are enough: nothing to do. */
gboolean sbx_userns_become_root (const SbxIdLayout *ids, GError **error);

/* Why the kernel refused a user namespace with @errsv, and what fixes it, when a common
 * cause is found (sysctls, Ubuntu's AppArmor restriction); NULL otherwise. */
const char *sbx_userns_refusal_hint (int errsv);

/* Sets @error to "@what: <strerror> (<hint>)".  Returns FALSE. */
gboolean sbx_userns_error (GError **error, int errsv, const char *what);

/* The same for the other namespaces, made once the user namespace exists: ENOSPC there is
 * one of the per-kind limits, named in the message. */
gboolean sbx_namespaces_error (GError **error, int errsv, const char *what);

G_END_DECLS
