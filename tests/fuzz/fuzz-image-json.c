/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-image-json.c: the JSON of images and registries, past the importer's tar and
 * digests: the pass before jansson (nesting, NUL characters), image configs, and the
 * shape checks of manifests and indexes.  The first byte picks the parser. */
#include "json-util.h"
#include "storage-private.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
fuzz_config (const char *text, gsize len)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, len);
  g_autoptr(SbxImage) image = g_new0 (SbxImage, 1);
  g_autoptr(GError) error = NULL;

  if (sbx_image_config_parse (bytes, image, &error) == (error != NULL))
    abort (); /* exactly one of a result and an error */
  for (guint i = 0; error == NULL && image->env[i]; i++)
    if (strchr (image->env[i], '=') == NULL)
      abort ();
}

static void
fuzz_shape (const char *text, gsize len, gboolean expect_index)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) root = sbx_json_parse_checked (text, len, &error);

  if ((root == NULL) == (error == NULL))
    abort ();
  if (root != NULL && json_is_object (root))
    (void) sbx_manifest_check_shape (root, expect_index, "fuzz", NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *) data + 1;

  if (size == 0)
    return 0;
  switch (data[0] % 3)
    {
    case 0: fuzz_config (text, size - 1); break;
    case 1: fuzz_shape (text, size - 1, TRUE); break;
    default: fuzz_shape (text, size - 1, FALSE); break;
    }
  return 0;
}
