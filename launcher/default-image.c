/* default-image.c: importing the embedded default image. */
#include "default-image.h"
#include "default-image-resource.h"
#include "fd-util.h"
#include "import.h"
#include "sbx-error.h"
#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <gio/gio.h>

typedef struct {
  SbxStore *store;
  const char *archive_path;
  SbxUnpackFlags flags;
} ImportJob;

static gboolean
import_in_namespace (gpointer user_data, GError **error)
{
  ImportJob *job = user_data;
  g_autofree char *source = g_strconcat ("oci-archive:", job->archive_path, ":latest", NULL);
  g_autoptr(SbxImage) image = sbx_store_import (job->store, source, SBX_DEFAULT_IMAGE_NAME,
                                                job->flags, error);

  return image != NULL;
}

gboolean
sbx_default_image_import (SbxStore *store, const SbxIdLayout *ids, GError **error)
{
  g_autoptr(GBytes) bytes = g_resource_lookup_data (sbx_default_image_get_resource (),
                                                    "/org/sbx/default-image.tar",
                                                    G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  g_autofree char *tmp_path = g_build_filename (sbx_store_get_root (store), "tmp", "default-XXXXXX.tar", NULL);
  ImportJob job = { store, tmp_path, ids->single ? SBX_UNPACK_IGNORE_CHOWN_ERRORS : SBX_UNPACK_NONE };
  sbx_autofd int fd = -1;
  gsize size;
  const void *data;
  gboolean ok;

  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &size);
  fd = g_mkstemp_full (tmp_path, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    return sbx_set_error_from_errno (error, errno, "create %s", tmp_path);
  if (!sbx_write_all (fd, data, size, error))
    {
      unlink (tmp_path);
      return FALSE;
    }
  ok = sbx_userns_run_in_child (ids, import_in_namespace, &job, error);
  unlink (tmp_path);
  if (!ok)
    g_prefix_error (error, "import the embedded default image: ");
  return ok;
}
