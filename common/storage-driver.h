/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* storage-driver.h: the names of the root filesystem's storage drivers, a value that the
 * command line, profiles (sbx.storageDriver) and storage.conf name and storage/rootfs.c acts on. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SBX_STORAGE_DRIVER_AUTO,
  SBX_STORAGE_DRIVER_FUSE_OVERLAYFS,
  SBX_STORAGE_DRIVER_OVERLAY,
} SbxStorageDriver;

/* "auto", "fuse-overlayfs" or "overlay". */
gboolean sbx_storage_driver_parse (const char *name, SbxStorageDriver *out, GError **error);

const char *sbx_storage_driver_name (SbxStorageDriver driver);

G_END_DECLS
