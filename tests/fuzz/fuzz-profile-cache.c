/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-profile-cache.c: the profile cache's entry files (profiles/profile-cache.c), as a
 * damaged or planted file would be read: decoded whole or refused, never read out of bounds. */
#include "profile-cache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_auto(SbxProfileCacheEntry) entry = { 0 };
  g_autofree char *why = NULL;

  if (!sbx_profile_cache_decode (bytes, &entry, &why))
    {
      if (why == NULL)
        abort ();
      return 0;
    }
  /* What a decoded entry promises: a name, two JSON objects' texts, a whole BPF program. */
  {
    gsize json_size, effective_size, program_size = 0;
    const char *json = g_bytes_get_data (entry.json, &json_size);
    const char *effective = g_bytes_get_data (entry.effective, &effective_size);

    if (entry.name == NULL || *entry.name == '\0' || json_size == 0 || json[0] != '{' ||
        memchr (json, '\0', json_size) != NULL || effective_size == 0 || effective[0] != '{' ||
        memchr (effective, '\0', effective_size) != NULL)
      abort ();
    if (entry.program.program != NULL)
      program_size = g_bytes_get_size (entry.program.program);
    if (program_size % 8 != 0 || (program_size > 0 && !entry.has_seccomp))
      abort ();
  }
  return 0;
}
