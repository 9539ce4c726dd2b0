/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rootfs.h: mounting a sandbox's root filesystem: the image's layers as read-only lower
 * layers under a writable upper dir, with one of two drivers:
 *   overlay         the kernel's overlayfs, mounted inside the user namespace (Linux 5.11+);
 *   fuse-overlayfs  executed as a daemon.
 * "auto" (the default) tries the kernel's first and falls back to fuse-overlayfs when the
 * kernel refuses the mount (older kernels, or an upper dir without user xattrs).
 *
 * Runs inside the sandbox's user and mount namespaces, but outside its pid namespace:
 * the daemon is invisible to the sandboxed programs and dies with its parent. */
#pragma once

#include <glib.h>
#include <sys/types.h>
#include "storage-driver.h"

G_BEGIN_DECLS

/* Where fuse-overlayfs's stderr goes, in the caller's cwd (beside the upper and work dirs). */
#define SBX_ROOTFS_DAEMON_LOG "fuse-overlayfs.log"

typedef struct {
  SbxStorageDriver driver;
  /* Paths are relative to the caller's cwd, which the daemon inherits. */
  const char * const *lower; /* top layer first; may be empty */
  const char *upper;
  const char *work;
  const char *target;
  const char *fuse_overlayfs;
  const char *uidmapping; /* fuse-overlayfs "uidmapping=" value, or NULL */
  const char *gidmapping;
  /* The upper directory is a named sandbox's, on disk: fuse-overlayfs passes fsync on
   * (elsewhere it is a scratch tmpfs that dies with the run, and fsync=0 saves the calls). */
  gboolean durable;
} SbxRootfsSpec;

/* The driver named by $XDG_CONFIG_HOME/sbx/storage.conf ("[storage]" "driver=..."), or
 * NULL in *out_name when the file or the key is missing.  A malformed file is an error. */
gboolean sbx_storage_driver_from_config (char **out_name, GError **error);

/* Mounts the overlay on @spec->target.  With fuse-overlayfs: mounts the FUSE connection and
 * starts the daemon on it in the foreground with PR_SET_PDEATHSIG, without waiting for it to
 * serve (sbx_rootfs_wait_served); where the kernel refuses that mount, the daemon mounts
 * and this waits for its mount.  *out_daemon is the daemon's pid (-1 with the kernel
 * driver).  *out_used is the driver that mounted it (never AUTO). */
gboolean sbx_rootfs_mount (const SbxRootfsSpec *spec, pid_t *out_daemon, SbxStorageDriver *out_used,
                           GError **error);

/* Waits until the root filesystem open as @root_fd answers: at once on the kernel's overlay
 * and on binds; on fuse-overlayfs until the daemon serves.  A daemon that exited instead is
 * an error with its message (from SBX_ROOTFS_DAEMON_LOG in the cwd). */
gboolean sbx_rootfs_wait_served (int root_fd, GError **error);

G_END_DECLS
