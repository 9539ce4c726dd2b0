/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* explain-net.c: the per-app network rules and the LAN switch, in words, for the network
 * section of the explain model. */
#include "explain-private.h"
#include "json-util.h"
#include "netrule.h"

static void
explain_rule (SbxExplainBuilder *b, SbxExplainSection *network, const SbxNetRule *rule, const char *key)
{
  g_autofree char *words = sbx_net_rule_describe (rule);
  SbxExplainFact *fact = sbx_explain_add (network, sbx_explain_why_printf (b, "network.%s %s", key, rule->text),
                                          "%s (%s)", words, rule->origin);

  sbx_json_set (fact->data, "kind", sbx_json_string_new (rule->deny ? "deny" : "allow"));
  sbx_json_set (fact->data, "rule", sbx_json_string_new (rule->text));
  sbx_json_set (fact->data, "protocol", sbx_json_string_new (sbx_net_proto_name (rule->proto)));
}

/* Each rule, then what happens to the rest, and whether names are involved. */
static void
explain_rules (SbxExplainBuilder *b, SbxExplainSection *network, char **list, gboolean deny, gboolean *has_names)
{
  const char *key = deny ? "deny" : "allow";
  g_autofree char *origin = g_strdup_printf ("sbx.network.%s", key);

  for (guint i = 0; list != NULL && list[i] != NULL; i++)
    {
      g_autoptr(SbxNetRule) rule = sbx_net_rule_parse (list[i], deny, origin, NULL);

      if (rule == NULL)
        continue;
      *has_names |= rule->kind == SBX_NET_DEST_NAME;
      explain_rule (b, network, rule, key);
    }
}

void
sbx_explain_net_rules (SbxExplainBuilder *b, SbxExplainSection *network)
{
  const SbxProfile *p = b->profile;
  gboolean has_names = FALSE, has_allow = p->net_allow != NULL && p->net_allow[0] != NULL;
  gboolean has_deny = p->net_deny != NULL && p->net_deny[0] != NULL;
  SbxExplainFact *fact;

  explain_rules (b, network, p->net_deny, TRUE, &has_names);
  explain_rules (b, network, p->net_allow, FALSE, &has_names);
  if (has_allow)
    sbx_explain_add (network, NULL, "everything the allow rules do not name is denied (deny rules win over allow)");
  else if (has_deny)
    sbx_explain_add (network, NULL, "everything the deny rules do not name is allowed");
  if (has_names)
    sbx_explain_add (network, NULL, "names are enforced by address: sbx answers the sandbox's DNS, a denied name "
                                    "gets NXDOMAIN, and a name's addresses count for their TTL (at least 5 s)");
  fact = sbx_explain_add (network, sbx_explain_why (b, "network.lan"),
                          p->lan ? "your local networks (10/8, 172.16/12, 192.168/16, link-local, CGNAT, IPv6 ULA) "
                                   "and this machine's addresses: reachable"
                                 : "your local networks (10/8, 172.16/12, 192.168/16, link-local, CGNAT 100.64/10, "
                                   "IPv6 fc00::/7 and fe80::/10) and this machine's own addresses: not reachable "
                                   "(sbx.network.lan false), unless an allow rule names their network");
  sbx_json_set (fact->data, "kind", sbx_json_string_new ("lan"));
  sbx_json_set (fact->data, "lan", json_boolean (p->lan));
}
