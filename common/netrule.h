/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netrule.h: one per-app network rule (--net-allow, --net-deny, sbx.network.allow/deny):
 * its syntax, its parsing, and its text in words.  Matching frames lives in net/rules.c.
 *
 * Syntax: [PROTO:]DEST[:PORTS]
 *   PROTO  tcp, udp or icmp (any when left out; icmp takes no ports)
 *   DEST   *                    any destination
 *          10.0.0.0/8, 1.2.3.4  an IPv4 address or network (CIDR)
 *          [fd00::]/8, [::1]    an IPv6 address or network, in brackets
 *          example.org          a DNS name
 *          *.example.org        every name below example.org (not example.org itself)
 *   PORTS  443 or 8000-8080
 * e.g. tcp:10.0.0.0/8:443, *.example.org:443, udp:[fd00::]/8:53-60, icmp:192.168.1.1 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SBX_NET_PROTO_ANY,
  SBX_NET_PROTO_TCP,
  SBX_NET_PROTO_UDP,
  SBX_NET_PROTO_ICMP,
} SbxNetProto;

typedef enum {
  SBX_NET_DEST_ANY,  /* "*" */
  SBX_NET_DEST_IP4,  /* addr[0..3], prefix 0-32 */
  SBX_NET_DEST_IP6,  /* addr, prefix 0-128 */
  SBX_NET_DEST_NAME, /* name, wildcard */
} SbxNetDestKind;

typedef struct {
  gboolean deny;
  SbxNetProto proto;
  SbxNetDestKind kind;
  guint8 addr[16];
  guint prefix;
  char *name;               /* lower case, without the "*." of a wildcard */
  gboolean wildcard;        /* "*.name": names below name only */
  guint16 port_lo, port_hi; /* 0, 0: every port */
  char *text;               /* as written */
  char *origin;             /* where it was written: "--net-allow", "sbx.network.deny" */
} SbxNetRule;

/* Parses @text; the error names @origin and the rule and says what is wrong. */
SbxNetRule *sbx_net_rule_parse (const char *text, gboolean deny, const char *origin, GError **error);
void sbx_net_rule_free (SbxNetRule *rule);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxNetRule, sbx_net_rule_free)

/* Does the DNS name @name (any case, no trailing dot) match the rule's name pattern? */
gboolean sbx_net_rule_matches_name (const SbxNetRule *rule, const char *name);

/* The rule in words: "deny TCP to every name below example.org, port 443". */
char *sbx_net_rule_describe (const SbxNetRule *rule);

/* "tcp", "udp", "icmp" or "any". */
const char *sbx_net_proto_name (SbxNetProto proto);

G_END_DECLS
