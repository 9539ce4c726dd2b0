/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rules-path.c: the rule engine in the frame path: which frames are new flows, the answers
 * sbx gives itself (RST, NXDOMAIN), reading DNS answers, and --log-net's lines. */
#include "dns.h"
#include "escape.h"
#include "frame.h"
#include "netopts.h"
#include "rules-private.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define REPLY_SIZE 1600
#define LOG_LINES_PER_SECOND 20
#define TCP_SYN 0x02
#define TCP_ACK 0x10

/* ---- --log-net -------------------------------------------------------------------------- */

static gboolean
log_allowed (SbxNetFilter *f)
{
  gint64 second = g_get_monotonic_time () / G_USEC_PER_SEC;

  if (second != f->log_second)
    {
      if (f->log_dropped > 0)
        sbx_print_line (stderr, "sbx: net: %u more denials not shown (at most %d lines a second)", f->log_dropped,
                        LOG_LINES_PER_SECOND);
      f->log_second = second;
      f->log_lines = 0;
      f->log_dropped = 0;
    }
  if (f->log_lines >= LOG_LINES_PER_SECOND)
    {
      f->log_dropped++;
      return FALSE;
    }
  f->log_lines++;
  return TRUE;
}

/* One line: time, protocol, destination (and the name it stands for), what decided. */
static void
log_denied (SbxNetFilter *f, const SbxFrame *pkt, const char *proto, const char *name, const char *why)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *time = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
  char addr[INET6_ADDRSTRLEN];
  g_autofree char *dest = NULL;
  const SbxNetRule *rule = f->last_rule;

  if (!f->log || !log_allowed (f))
    return;
  inet_ntop (pkt->family, pkt->dst, addr, sizeof addr);
  dest = pkt->dport == 0         ? g_strdup (addr)
       : pkt->family == AF_INET6 ? g_strdup_printf ("[%s]:%u", addr, pkt->dport)
                                 : g_strdup_printf ("%s:%u", addr, pkt->dport);
  sbx_print_line (stderr, "sbx: net: %s.%03dZ deny %s %s%s%s%s rule: %s%s%s", time,
                  g_date_time_get_microsecond (now) / 1000, proto, dest, name != NULL ? " (" : "",
                  name != NULL ? name : "", name != NULL ? ")" : "", rule != NULL ? rule->origin : "",
                  rule != NULL ? " " : "", why);
}

static void
send_reply (SbxNetFilter *f, const guint8 *reply, gsize len)
{
  if (len > 0)
    f->send (reply, len, f->send_data);
}

/* ---- which frames the rules look at ---------------------------------------------------- */

static const char *
proto_label (guint8 proto)
{
  return proto == SBX_FRAME_IPPROTO_TCP ? "tcp" : proto == SBX_FRAME_IPPROTO_UDP ? "udp"
                                                                                 : "icmp";
}

/* IPv6 neighbour discovery and link-scope multicast (MLD, NDP to ff02::): the link's own
 * business, which libslirp answers itself and never forwards. */
static gboolean
is_link_control (const SbxFrame *pkt)
{
  if (pkt->family != AF_INET6)
    return FALSE;
  if (pkt->dst[0] == 0xff && (pkt->dst[1] & 0x0f) <= 2)
    return TRUE;
  return pkt->proto == SBX_FRAME_IPPROTO_ICMPV6 && (pkt->sport >> 8) >= 133 && (pkt->sport >> 8) <= 137;
}

static gboolean
is_dns_server (const SbxFrame *pkt, guint16 port)
{
  guint8 dns[16];

  if (port != 53)
    return FALSE;
  inet_pton (pkt->family, pkt->family == AF_INET ? SBX_NET_DNS_IP4 : SBX_NET_DNS_IP6, dns);
  return memcmp (pkt->dst, dns, pkt->family == AF_INET ? 4 : 16) == 0;
}

/* ---- the sandbox's DNS ------------------------------------------------------------------ */

/* A query to sbx's resolver address: a name the rules refuse gets NXDOMAIN from sbx, a
 * query sbx cannot read gets REFUSED (with name rules, what it cannot read it cannot
 * judge); the rest goes on to the host's resolver through libslirp. */
static gboolean
dns_query (SbxNetFilter *f, const guint8 *frame, const SbxFrame *pkt)
{
  char name[SBX_DNS_NAME_MAX];
  guint8 answer[REPLY_SIZE], reply[REPLY_SIZE];
  const char *why = NULL;
  guint16 qtype;
  guint rcode;
  gsize n;

  f->last_rule = NULL;
  if (!f->has_name_rules && !f->has_allow)
    return TRUE;
  if (!sbx_dns_parse_query (pkt->payload, pkt->payload_len, name, &qtype))
    {
      rcode = SBX_DNS_RCODE_REFUSED;
      why = "a DNS query sbx cannot read";
    }
  else if (sbx_net_filter_name_refused (f, name, &why))
    rcode = SBX_DNS_RCODE_NXDOMAIN;
  else
    return TRUE;
  for (guint i = 0; i < f->rules->len && rcode == SBX_DNS_RCODE_NXDOMAIN; i++)
    if (((const SbxNetRule *) g_ptr_array_index (f->rules, i))->text == why)
      f->last_rule = g_ptr_array_index (f->rules, i);
  log_denied (f, pkt, "dns", rcode == SBX_DNS_RCODE_NXDOMAIN ? name : NULL, why);
  n = sbx_dns_make_refusal (pkt->payload, pkt->payload_len, rcode, answer, sizeof answer);
  if (n > 0)
    send_reply (f, reply, sbx_frame_make_udp_reply (frame, pkt, answer, n, reply, sizeof reply));
  return FALSE;
}

typedef struct {
  int family;
  guint8 addr[16];
  guint32 ttl;
  char name[SBX_DNS_NAME_MAX];
} Answer;

static void
collect_answer (const char *qname, int family, const guint8 *addr, guint32 ttl, gpointer user_data)
{
  Answer a = { .family = family, .ttl = ttl };

  memcpy (a.addr, addr, family == AF_INET ? 4 : 16);
  g_strlcpy (a.name, qname, sizeof a.name);
  g_array_append_val ((GArray *) user_data, a);
}

void
sbx_net_filter_inbound (SbxNetFilter *f, const guint8 *frame, gsize len)
{
  SbxFrame pkt;
  g_autoptr(GArray) answers = NULL;
  guint count;

  if (!f->has_name_rules || sbx_frame_parse (frame, len, &pkt) != SBX_FRAME_IP ||
      pkt.proto != SBX_FRAME_IPPROTO_UDP || pkt.sport != 53)
    return;
  /* from the resolver's address: swap the roles to test the source */
  memcpy (pkt.dst, pkt.src, sizeof pkt.dst);
  pkt.dport = pkt.sport;
  if (!is_dns_server (&pkt, pkt.dport))
    return;
  answers = g_array_new (FALSE, FALSE, sizeof (Answer));
  if (!sbx_dns_parse_answer (pkt.payload, pkt.payload_len, collect_answer, answers, &count))
    return; /* half an answer is no answer */
  for (guint i = 0; i < answers->len; i++)
    {
      const Answer *a = &g_array_index (answers, Answer, i);
      sbx_net_filter_note_address (f, a->name, a->family, a->addr, a->ttl);
    }
}

/* ---- new flows -------------------------------------------------------------------------- */

static SbxNetProto
flow_proto (guint8 proto)
{
  return proto == SBX_FRAME_IPPROTO_TCP ? SBX_NET_PROTO_TCP
       : proto == SBX_FRAME_IPPROTO_UDP ? SBX_NET_PROTO_UDP
                                        : SBX_NET_PROTO_ICMP;
}

/* A datagram from a published UDP port: a reply to a client of the port, not a flow the
 * sandbox starts (TCP replies never open a connection). */
static gboolean
is_published_reply (SbxNetFilter *f, const SbxFrame *pkt)
{
  for (guint i = 0; pkt->proto == SBX_FRAME_IPPROTO_UDP && i < f->published_udp->len; i++)
    if (g_array_index (f->published_udp, guint16, i) == pkt->sport)
      return TRUE;
  return FALSE;
}

/* A TCP segment that opens a connection; the others belong to connections libslirp has
 * (or resets itself). */
static gboolean
opens_connection (const SbxFrame *pkt)
{
  return (pkt->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
}

static gboolean
refuse (SbxNetFilter *f, const guint8 *frame, const SbxFrame *pkt, const char *name, const char *why)
{
  guint8 reply[REPLY_SIZE];

  log_denied (f, pkt, proto_label (pkt->proto), name, why);
  if (pkt->proto == SBX_FRAME_IPPROTO_TCP)
    send_reply (f, reply, sbx_frame_make_rst (frame, pkt, reply, sizeof reply));
  return FALSE;
}

gboolean
sbx_net_filter_outbound (SbxNetFilter *f, const guint8 *frame, gsize len)
{
  SbxFrame pkt;
  SbxFrameKind kind = sbx_frame_parse (frame, len, &pkt);
  SbxNetFlow flow = { 0 };
  const char *why, *name;

  if (kind == SBX_FRAME_OTHER || is_link_control (&pkt))
    return TRUE;
  if (kind == SBX_FRAME_ODD)
    {
      f->last_rule = NULL;
      pkt.dport = 0;
      log_denied (f, &pkt, "ip", NULL, "a fragment, an IPv6 extension header or another protocol");
      return FALSE;
    }
  if (is_dns_server (&pkt, pkt.dport) && pkt.proto == SBX_FRAME_IPPROTO_UDP)
    return dns_query (f, frame, &pkt);
  if ((pkt.proto == SBX_FRAME_IPPROTO_TCP && !opens_connection (&pkt)) || is_published_reply (f, &pkt))
    return TRUE;
  if (is_dns_server (&pkt, pkt.dport) && (f->has_name_rules || f->has_allow))
    return refuse (f, frame, &pkt, NULL, "DNS over TCP (sbx reads the sandbox's DNS over UDP only)");
  flow.family = pkt.family;
  memcpy (flow.addr, pkt.dst, sizeof flow.addr);
  flow.proto = flow_proto (pkt.proto);
  flow.port = flow.proto == SBX_NET_PROTO_ICMP ? 0 : pkt.dport;
  if (sbx_net_filter_decide_flow (f, &flow, &why, &name))
    return TRUE;
  if (flow.proto == SBX_NET_PROTO_ICMP)
    pkt.dport = 0;
  return refuse (f, frame, &pkt, name, why);
}
