/* sbx-import.c: the helper program that brings images into the store.
 *
 *   sbx-import SOURCE [NAME]    import an OCI layout, OCI archive or docker archive
 *   sbx-import --default        import the embedded default image as "default"
 *
 * Run by `sbx image import` and, on first use of the default image, by `sbx run`.  It
 * enters the store's user namespace (files owned by subordinate ids) and prints the
 * image id.  The only sbx program that links libarchive. */
#include "fd-util.h"
#include "import-helper.h"
#include "import.h"
#include "sbx-error.h"
#include "store.h"
#include "userns.h"
#include "default-image-resource.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <unistd.h>
#include <gio/gio.h>

/* Writes the embedded OCI archive into the store's tmp/; returns its path. */
static char *
write_default_archive (SbxStore *store, GError **error)
{
  g_autoptr(GBytes) bytes = g_resource_lookup_data (sbx_default_image_get_resource (),
                                                    "/org/sbx/default-image.tar",
                                                    G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  g_autofree char *path = g_build_filename (sbx_store_get_root (store), "tmp", "default-XXXXXX.tar", NULL);
  sbx_autofd int fd = -1;
  gsize size;
  const void *data;

  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &size);
  fd = g_mkstemp_full (path, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    return sbx_set_error_from_errno (error, errno, "create %s", path), NULL;
  if (!sbx_write_all (fd, data, size, error))
    {
      unlink (path);
      return NULL;
    }
  return g_steal_pointer (&path);
}

static SbxImage *
import_default (SbxStore *store, SbxUnpackFlags flags, GError **error)
{
  g_autofree char *archive = write_default_archive (store, error);
  g_autofree char *source = NULL;
  SbxImage *image;

  if (archive == NULL)
    return NULL;
  source = g_strconcat ("oci-archive:", archive, ":latest", NULL);
  image = sbx_store_import (store, source, SBX_DEFAULT_IMAGE_NAME, flags, error);
  unlink (archive);
  if (image == NULL)
    g_prefix_error (error, "import the embedded default image: ");
  return image;
}

static SbxImage *
import_main (int argc, char **argv, GError **error)
{
  g_autoptr(SbxStore) store = NULL;
  gboolean is_default = argc == 2 && g_str_equal (argv[1], "--default");
  gboolean single;

  if (!is_default && (argc < 2 || argc > 3 || argv[1][0] == '-'))
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                   "image import: expected SOURCE [NAME] (see 'sbx image import --help')");
      return NULL;
    }
  if (argc == 3 && !sbx_store_check_name (argv[2], error))
    return NULL;
  if ((store = sbx_store_open (NULL, error)) == NULL ||
      !sbx_userns_enter_store_namespace (&single, error))
    return NULL;
  if (is_default)
    return import_default (store, single ? SBX_UNPACK_IGNORE_CHOWN_ERRORS : SBX_UNPACK_NONE, error);
  return sbx_store_import (store, argv[1], argc == 3 ? argv[2] : NULL,
                           single ? SBX_UNPACK_IGNORE_CHOWN_ERRORS : SBX_UNPACK_NONE, error);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SbxImage) image = NULL;

  setlocale (LC_ALL, "");
  image = import_main (argc, argv, &error);
  if (image == NULL)
    {
      g_printerr ("sbx: %s\n", error->message);
      return sbx_error_exit_status (error);
    }
  printf ("%s\n", image->id);
  return 0;
}
