/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* storage-driver.c: storage driver names to values and back. */
#include "storage-driver.h"
#include "sbx-error.h"

gboolean
sbx_storage_driver_parse (const char *name, SbxStorageDriver *out, GError **error)
{
  if (g_strcmp0 (name, "auto") == 0)
    *out = SBX_STORAGE_DRIVER_AUTO;
  else if (g_strcmp0 (name, "fuse-overlayfs") == 0)
    *out = SBX_STORAGE_DRIVER_FUSE_OVERLAYFS;
  else if (g_strcmp0 (name, "overlay") == 0)
    *out = SBX_STORAGE_DRIVER_OVERLAY;
  else
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                   "--storage-driver=%s: unknown driver (expected auto, overlay or fuse-overlayfs)", name);
      return FALSE;
    }
  return TRUE;
}

const char *
sbx_storage_driver_name (SbxStorageDriver driver)
{
  switch (driver)
    {
    case SBX_STORAGE_DRIVER_OVERLAY: return "overlay";
    case SBX_STORAGE_DRIVER_FUSE_OVERLAYFS: return "fuse-overlayfs";
    case SBX_STORAGE_DRIVER_AUTO:
    default: return "auto";
    }
}
