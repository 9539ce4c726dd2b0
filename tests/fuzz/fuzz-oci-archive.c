/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-oci-archive.c: a hostile OCI archive, end to end through the importer: the tar,
 * index.json, the manifest, the config, digests, and the layers it points at. */
#include "fd-util.h"
#include "import.h"
#include "storage-private.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *top = g_dir_make_tmp ("sbx-fuzz-oci-XXXXXX", NULL);
  g_autofree char *archive = g_build_filename (top, "image.tar", NULL);
  g_autofree char *root = g_build_filename (top, "store", NULL);
  g_autofree char *source = g_strconcat ("oci-archive:", archive, NULL);
  g_autoptr(SbxStore) store = NULL;
  g_autoptr(SbxImage) image = NULL;
  g_autoptr(GError) error = NULL;
  sbx_autofd int top_fd = -1;

  if (top == NULL || !g_file_set_contents (archive, (const char *) data, (gssize) size, NULL))
    abort ();
  store = sbx_store_open (root, NULL);
  if (store == NULL)
    abort ();
  image = sbx_store_import (store, source, "fuzz", SBX_UNPACK_IGNORE_CHOWN_ERRORS, &error);
  if ((image == NULL) == (error == NULL))
    abort (); /* exactly one of a result and an error */
  g_clear_pointer (&store, sbx_store_free);
  top_fd = open (top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (top_fd < 0 || !sbx_rm_rf_at (top_fd, "store", NULL) || unlink (archive) != 0 || rmdir (top) != 0)
    abort ();
  return 0;
}
