/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-publish.c: the -p/--publish and --network parsers. */
#include "netopts.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  SbxNetOptions opts;

  sbx_net_options_init (&opts);
  if (sbx_net_options_add_publish (&opts, text, NULL))
    {
      const SbxPortForward *fwd = &g_array_index (opts.forwards, SbxPortForward, 0);
      char host[INET6_ADDRSTRLEN];

      if (opts.forwards->len != 1 || fwd->host_port == 0 || fwd->guest_port == 0 ||
          (fwd->host_family != AF_INET && fwd->host_family != AF_INET6))
        abort ();
      /* what sbx prints of it: an address that parses back */
      if (strchr (sbx_port_forward_host (fwd, host, sizeof host), '?') != NULL)
        abort ();
    }
  (void) sbx_net_options_parse_mode (&opts, text, NULL);
  sbx_net_options_clear (&opts);
  return 0;
}
