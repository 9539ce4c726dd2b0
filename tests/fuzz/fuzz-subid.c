/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-subid.c: /etc/subuid parsing and the namespace layouts built from what it finds. */
#include "idmap.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  guint32 start = 0, count = 0;

  if (sbx_subid_find (text, "alice", 1000, &start, &count))
    {
      SbxIdLayout layout;
      g_autofree char *map = NULL;
      guint32 host;

      if (count == 0 || (guint64) start + count > G_MAXUINT32)
        abort ();
      sbx_id_layout_build (SBX_USERNS_KEEP_ID, 1000, 1000, start, count, start, count, &layout);
      map = sbx_id_map_to_string (&layout.uid_map);
      if (!sbx_id_map_to_host (&layout.uid_map, 1000, &host) || host != 1000)
        abort ();
    }
  return 0;
}
