/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-netrule.c: the network rule parser (--net-allow, --net-deny, sbx.network.allow/deny),
 * and the decisions of a filter made of what it accepts. */
#include "netopts.h"
#include "netrule.h"
#include "rules.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* What a parsed rule must hold: ports in order, a prefix within its family, a name. */
static void
check_rule (const SbxNetRule *rule)
{
  g_autofree char *words = sbx_net_rule_describe (rule);

  if (words == NULL || rule->port_lo > rule->port_hi || (rule->port_lo == 0 && rule->port_hi != 0))
    abort ();
  if ((rule->kind == SBX_NET_DEST_IP4 && rule->prefix > 32) || (rule->kind == SBX_NET_DEST_IP6 && rule->prefix > 128))
    abort ();
  if (rule->kind == SBX_NET_DEST_NAME && (rule->name == NULL || strlen (rule->name) == 0 || strlen (rule->name) > 253))
    abort ();
  if (rule->proto == SBX_NET_PROTO_ICMP && rule->port_lo != 0)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  SbxNetOptions opts;
  guint8 addr[16] = { 10, 1, 2, 3 };
  const char *why;

  sbx_net_options_init (&opts);
  if (sbx_net_options_add_rule (&opts, text, size % 2 == 0, "--net-allow", NULL))
    {
      g_autoptr(SbxNetFilter) filter = NULL;

      check_rule (g_ptr_array_index (opts.rules, 0));
      opts.lan = FALSE;
      filter = sbx_net_filter_new (&opts, NULL, NULL);
      sbx_net_filter_note_address (filter, "a.example.org", AF_INET, addr, 0);
      (void) sbx_net_filter_decide (filter, AF_INET, addr, SBX_NET_PROTO_TCP, 443, &why);
      (void) sbx_net_filter_decide (filter, AF_INET6, addr, SBX_NET_PROTO_ICMP, 0, &why);
      (void) sbx_net_filter_name_refused (filter, "a.example.org", &why);
    }
  sbx_net_options_clear (&opts);
  return 0;
}
