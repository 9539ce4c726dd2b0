/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-dns.c: the DNS reader of the frame path (net/dns.c): an answer from the resolver, a
 * query from the sandbox and the refusal made from it, and a whole frame through the rule
 * engine both ways (the first byte picks which). */
#include "dns.h"
#include "netopts.h"
#include "rules.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_address (const char *qname, int family, const guint8 *addr, guint32 ttl, gpointer user_data)
{
  if (strlen (qname) == 0 || strlen (qname) >= SBX_DNS_NAME_MAX || (family != AF_INET && family != AF_INET6))
    abort ();
  sbx_net_filter_note_address (user_data, qname, family, addr, ttl);
}

static void
discard_frame (const guint8 *frame, gsize len, gpointer user_data)
{
  if (len < 14 + 20 || len > 1600)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(SbxNetFilter) filter = NULL;
  guint8 out[1600];
  char name[SBX_DNS_NAME_MAX];
  guint16 qtype;
  guint count;
  SbxNetOptions opts;

  if (size < 1)
    return 0;
  sbx_net_options_init (&opts);
  (void) sbx_net_options_add_rule (&opts, "*.example.org", FALSE, "fuzz", NULL);
  (void) sbx_net_options_add_rule (&opts, "bad.example.org", TRUE, "fuzz", NULL);
  filter = sbx_net_filter_new (&opts, discard_frame, NULL);
  sbx_net_options_clear (&opts);
  switch (data[0] % 3)
    {
    case 0:
      (void) sbx_dns_parse_answer (data + 1, size - 1, check_address, filter, &count);
      break;
    case 1:
      if (sbx_dns_parse_query (data + 1, size - 1, name, &qtype) && strlen (name) == 0)
        abort ();
      (void) sbx_dns_make_refusal (data + 1, size - 1, SBX_DNS_RCODE_NXDOMAIN, out, sizeof out);
      break;
    default:
      (void) sbx_net_filter_outbound (filter, data + 1, size - 1);
      sbx_net_filter_inbound (filter, data + 1, size - 1);
      break;
    }
  return 0;
}
