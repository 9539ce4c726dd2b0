/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-unpack.c: a hostile layer tar.  Besides memory errors, any entry landing beside the
 * destination directory (an escape) aborts. */
#include "fd-util.h"
#include "storage-private.h"
#include "unpack.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *top = g_dir_make_tmp ("sbx-fuzz-unpack-XXXXXX", NULL);
  g_autofree char *blob = g_build_filename (top, "blob", NULL);
  g_autofree char *dest = g_build_filename (top, "dest", NULL);
  sbx_autofd int top_fd = -1;

  if (top == NULL || !g_file_set_contents (blob, (const char *) data, (gssize) size, NULL) ||
      g_mkdir (dest, 0755) != 0)
    abort ();
  (void) sbx_unpack_layer (blob, dest, NULL, NULL, SBX_UNPACK_IGNORE_CHOWN_ERRORS, NULL, NULL);
  if (count_entries (top) != 2)
    abort (); /* something besides blob and dest appeared: an escape */
  top_fd = open (top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (top_fd < 0 || !sbx_rm_rf_at (top_fd, "dest", NULL) || unlink (blob) != 0 || rmdir (top) != 0)
    abort ();
  return 0;
}
