/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-error-decode.c: decoding an error message that crossed a process boundary. */
#include "error-pipe.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = sbx_error_decode ((const char *) data, size);
  char buf[512];

  if (error == NULL || error->message == NULL)
    abort ();
  (void) sbx_error_encode (error, buf, sizeof buf);
  return 0;
}
