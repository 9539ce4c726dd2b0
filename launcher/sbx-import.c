/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sbx-import.c: the helper program that brings images into the store.
 *
 *   sbx-import SOURCE [NAME]    import an OCI layout, OCI archive or docker archive
 *   sbx-import --default        import the embedded default image as "default"
 *   sbx-import --flatten IMAGE DIR   write IMAGE's layers, merged, into the new directory DIR
 *   sbx-import --pull [--tls-verify=false] [-q] [--progress-fd N] [--print-name] REF
 *                               pull REF from its registry (storage/pull.h); --print-name
 *                               prints "ID NAME" instead of the id
 *
 * Run by `sbx image import` and, on first use of the default image, by `sbx run`; --flatten
 * by `sbx spec`; --pull by `sbx pull` and the implicit pull of `sbx run`.  It enters the
 * store's user namespace (files owned by subordinate ids: a flattened rootfs keeps them) and prints the image id.  The only sbx program that links
 * libarchive and libcurl (a pull downloads before it enters the namespace). */
#include "fd-util.h"
#include "escape.h"
#include "flatten.h"
#include "import-helper.h"
#include "import.h"
#include "pull.h"
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

/* The image's layers stay leased (no `image rm` takes them) while they are copied. */
static SbxImage *
flatten_main (int argc, char **argv, GError **error)
{
  g_autoptr(SbxStore) store = NULL;
  g_autoptr(SbxImage) image = NULL;
  g_autoptr(SbxStoreLease) lease = NULL;
  g_autoptr(GPtrArray) layer_dirs = g_ptr_array_new_with_free_func (g_free);
  gboolean single;

  if (argc != 4)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "sbx-import: expected --flatten IMAGE DIR");
      return NULL;
    }
  if ((store = sbx_store_open (NULL, error)) == NULL ||
      !sbx_userns_enter_store_namespace (&single, error) ||
      (image = sbx_store_load_image (store, argv[2], error)) == NULL ||
      (lease = sbx_store_lease_image (store, image, error)) == NULL)
    return NULL;
  for (char **layer = image->layers; *layer != NULL; layer++)
    g_ptr_array_add (layer_dirs, sbx_store_layer_path (store, *layer));
  g_ptr_array_add (layer_dirs, NULL);
  if (!sbx_flatten_layers ((const char * const *) layer_dirs->pdata, argv[3],
                           single ? SBX_FLATTEN_IGNORE_CHOWN_ERRORS : SBX_FLATTEN_NONE, error))
    return NULL;
  return g_steal_pointer (&image);
}

/* --pull: OPTION... REF */
static gboolean
parse_pull_args (int argc, char **argv, SbxPullOptions *options, const char **out_ref, GError **error)
{
  *out_ref = NULL;
  for (int i = 2; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--tls-verify=false"))
        options->tls_verify = FALSE;
      else if (g_str_equal (argv[i], "--tls-verify=true"))
        options->tls_verify = TRUE;
      else if (g_str_equal (argv[i], "-q"))
        options->quiet = TRUE;
      else if (g_str_equal (argv[i], "--print-name"))
        continue;
      else if (g_str_equal (argv[i], "--progress-fd") && i + 1 < argc)
        options->progress_fd = (int) g_ascii_strtoll (argv[++i], NULL, 10);
      else if (argv[i][0] != '-' && *out_ref == NULL)
        *out_ref = argv[i];
      else
        return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "pull: unexpected argument '%s'", argv[i]), FALSE;
    }
  if (*out_ref == NULL)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "pull: missing REF"), FALSE;
  return TRUE;
}

/* Downloads as the caller, then imports in the store's namespace. */
static SbxImage *
pull_main (int argc, char **argv, GError **error)
{
  SbxPullOptions options = { .tls_verify = TRUE, .progress_fd = STDERR_FILENO };
  g_autoptr(SbxStore) store = NULL;
  g_autoptr(SbxPull) pull = NULL;
  const char *ref;
  gboolean single;

  if (!parse_pull_args (argc, argv, &options, &ref, error) ||
      (store = sbx_store_open (NULL, error)) == NULL ||
      (pull = sbx_pull_fetch (store, ref, &options, error)) == NULL ||
      !sbx_userns_enter_store_namespace (&single, error))
    return NULL;
  return sbx_pull_commit (pull, single ? SBX_UNPACK_IGNORE_CHOWN_ERRORS : SBX_UNPACK_NONE, error);
}

static SbxImage *
import_main (int argc, char **argv, GError **error)
{
  g_autoptr(SbxStore) store = NULL;
  gboolean is_default = argc == 2 && g_str_equal (argv[1], "--default");
  gboolean single;

  if (argc >= 2 && g_str_equal (argv[1], "--flatten"))
    return flatten_main (argc, argv, error);
  if (argc >= 2 && g_str_equal (argv[1], "--pull"))
    return pull_main (argc, argv, error);
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
      sbx_print_line (stderr, "sbx: %s", error->message);
      return sbx_error_exit_status (error);
    }
  if (argc >= 2 && g_str_equal (argv[1], "--pull") && g_strv_contains ((const char * const *) argv, "--print-name"))
    sbx_print_line (stdout, "%s %s", image->id, image->name);
  else
    sbx_print_line (stdout, "%s", image->id);
  return 0;
}
