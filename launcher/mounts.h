/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mounts.h: the sandbox's view of the filesystem, built by init inside all the sandbox's
 * namespaces: /proc, a minimal /dev, read-only /sys, masked and read-only paths, then
 * pivot_root into the overlay.  Every mount target is resolved inside the root
 * filesystem with openat2(RESOLVE_IN_ROOT): a hostile image cannot point one outside. */
#pragma once

#include <glib.h>
#include "plan.h"

G_BEGIN_DECLS

/* @rootfs is the mounted overlay (an absolute or cwd-relative path).  On success the
 * process's root is the sandbox's root and its cwd is "/".  Right before pivot_root the
 * create hooks run (hooks.h, over @sync_fd); *out_init_pid is then init's host pid (else 0). */
gboolean sbx_mounts_setup (const SbxRunPlan *plan, const char *rootfs, int sync_fd, pid_t *out_init_pid,
                           GError **error);

/* One mount of a profile's kind (bind or tmpfs) below @root_fd, its destination resolved in
 * the root through the image's symlinks (missing parts created). */
gboolean sbx_mounts_apply (int root_fd, const SbxMount *m, GError **error);

/* The mount point @path below @root_fd, made when missing (a directory, or an empty file when
 * @directory is FALSE): an O_PATH fd, or -1 with @error. */
int sbx_mounts_make_point (int root_fd, const char *path, gboolean directory, GError **error);

G_END_DECLS
