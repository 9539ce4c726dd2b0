/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* flatten.h: writing an image's unpacked layers, merged, into one plain directory tree (the
 * rootfs of an OCI runtime bundle, `sbx spec`).
 *
 * Layers are applied lowest first, as overlayfs would show them: a 0:0 character device (a
 * whiteout, as unpack.c makes them) deletes what lower layers had under its name; a directory
 * marked opaque (user.overlay.opaque, user.fuseoverlayfs.opaque or trusted.overlay.opaque =
 * "y") replaces the lower layers' directory instead of merging with it.  Owners, modes
 * (setuid too), mtimes, symlinks, fifos and xattrs are kept, overlay control xattrs excepted;
 * files hardlinked within one layer stay hardlinked.  Nothing is ever followed through a
 * symlink: every directory is opened with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)
 * from the layer's or the destination's root, every entry with *at() calls beneath it.
 *
 * Owners are kept as they are in the store: run it inside the store's user namespace (see
 * userns.h), where they are the image's own ids, so the tree belongs to the same host ids as
 * the store's layers. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SBX_FLATTEN_NONE = 0,
  /* chown() failures (EPERM/EINVAL: the owner is not mapped) leave the caller's ownership. */
  SBX_FLATTEN_IGNORE_CHOWN_ERRORS = 1 << 0,
} SbxFlattenFlags;

/* Creates the directory @dest (which must not exist; its parent must) and writes the layer
 * directories @layer_dirs (NULL-terminated, lowest layer first) into it.  On failure @dest
 * is removed again. */
gboolean sbx_flatten_layers (const char * const *layer_dirs, const char *dest,
                             SbxFlattenFlags flags, GError **error);

/* Removes a tree that sbx_flatten_layers() wrote (any tree: read-only directories, symlinks
 * to anywhere), without following a symlink.  A missing @path is not an error.  Entries
 * owned by subordinate ids need the store's user namespace. */
gboolean sbx_flatten_remove (const char *path, GError **error);

G_END_DECLS
