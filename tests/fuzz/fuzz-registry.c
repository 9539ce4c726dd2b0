/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-registry.c: the registry parsers: references (and their short-name resolution),
 * WWW-Authenticate challenges, auth files, registries.conf, manifests and indexes.
 * The first byte picks the parser; the rest is its input. */
#include "registry.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
fuzz_reference (const char *text)
{
  g_autoptr(SbxReference) ref = sbx_reference_parse (text, NULL);
  g_autoptr(SbxRegistriesConf) conf = sbx_registries_conf_parse (NULL, 0, "fuzz", NULL);
  g_autoptr(GPtrArray) candidates = NULL;

  if (ref != NULL)
    {
      g_autofree char *back = sbx_reference_to_string (ref);
      g_autoptr(SbxReference) again = sbx_reference_parse (back, NULL);
      g_autofree char *twice = again ? sbx_reference_to_string (again) : NULL;
      if (g_strcmp0 (back, twice) != 0)
        abort ();
    }
  candidates = sbx_registry_resolve (conf, text, NULL);
  if (candidates != NULL && ref == NULL)
    abort ();
  for (guint i = 0; candidates && i < candidates->len; i++)
    {
      g_autofree char *name = sbx_reference_to_string (g_ptr_array_index (candidates, i));
      if (!sbx_registry_is_qualified_reference (name))
        abort ();
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (size < 1)
    return 0;
  text = g_strndup ((const char *) data + 1, size - 1);
  bytes = g_bytes_new (data + 1, size - 1);
  switch (data[0] % 5)
    {
    case 0:
      fuzz_reference (text);
      break;
    case 1:
      sbx_auth_challenge_free (sbx_auth_challenge_parse (text, NULL));
      break;
    case 2:
      {
        g_autofree char *auth = NULL;
        (void) sbx_registry_auth_file_lookup (text, strlen (text), "fuzz", "docker.io", &auth, NULL);
        break;
      }
    case 3:
      sbx_registries_conf_free (sbx_registries_conf_parse (text, strlen (text), "fuzz", NULL));
      break;
    default:
      sbx_manifest_free (sbx_manifest_parse (bytes, NULL, "linux", "amd64", NULL, NULL));
      break;
    }
  return 0;
}
