/* rootfs.h: mounting a sandbox's root filesystem: the image's layers as read-only lower
 * layers under a writable upper dir, by executing fuse-overlayfs.
 *
 * Runs inside the sandbox's user and mount namespaces, but outside its pid namespace:
 * the daemon is invisible to the sandboxed programs and dies with its parent. */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

typedef struct {
  const char *workdir_base;       /* cwd for the daemon; the paths below are relative to it */
  const char * const *lower;      /* top layer first; may be empty */
  const char *upper;
  const char *work;
  const char *target;
  const char *log;                /* where the daemon's stderr goes */
  const char *fuse_overlayfs;
  const char *uidmapping;         /* fuse-overlayfs "uidmapping=" value, or NULL */
  const char *gidmapping;
} SbxRootfsSpec;

/* Starts fuse-overlayfs in the foreground, with PR_SET_PDEATHSIG, and waits until the
 * overlay is mounted on @spec->target.  *out_daemon is its pid. */
gboolean sbx_rootfs_mount (const SbxRootfsSpec *spec, pid_t *out_daemon, GError **error);

G_END_DECLS
