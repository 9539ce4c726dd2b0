/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* frame.c: reading and answering the sandbox's IP frames for the rule engine. */
#include "frame.h"
#include "wire.h"

#include <string.h>
#include <sys/socket.h>

#define IP4_HLEN 20
#define IP6_HLEN 40
#define TCP_HLEN 20
#define UDP_HLEN 8
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

/* The transport header: ports, TCP flags, where the payload starts. */
static SbxFrameKind
parse_l4 (SbxFrame *f)
{
  gsize hlen;

  switch (f->proto)
    {
    case SBX_FRAME_IPPROTO_TCP:
      if (f->l4_len < TCP_HLEN || (hlen = (gsize) (f->l4[12] >> 4) * 4) < TCP_HLEN || hlen > f->l4_len)
        return SBX_FRAME_ODD;
      f->tcp_flags = f->l4[13];
      break;
    case SBX_FRAME_IPPROTO_UDP:
      if (f->l4_len < UDP_HLEN || sbx_wire_get16 (f->l4 + 4) < UDP_HLEN || sbx_wire_get16 (f->l4 + 4) > f->l4_len)
        return SBX_FRAME_ODD;
      hlen = UDP_HLEN;
      f->l4_len = sbx_wire_get16 (f->l4 + 4);
      break;
    case SBX_FRAME_IPPROTO_ICMP:
    case SBX_FRAME_IPPROTO_ICMPV6:
      if (f->l4_len < 4)
        return SBX_FRAME_ODD;
      f->sport = sbx_wire_get16 (f->l4);
      f->payload = f->l4 + 4;
      f->payload_len = f->l4_len - 4;
      return SBX_FRAME_IP;
    default:
      return SBX_FRAME_ODD;
    }
  f->sport = sbx_wire_get16 (f->l4);
  f->dport = sbx_wire_get16 (f->l4 + 2);
  f->payload = f->l4 + hlen;
  f->payload_len = f->l4_len - hlen;
  return SBX_FRAME_IP;
}

static SbxFrameKind
parse_ip4 (const guint8 *ip, gsize len, SbxFrame *f)
{
  gsize ihl, total;

  if (len < IP4_HLEN || (ip[0] >> 4) != 4)
    return SBX_FRAME_ODD;
  ihl = (gsize) (ip[0] & 0x0f) * 4;
  total = sbx_wire_get16 (ip + 2);
  if (ihl < IP4_HLEN || total < ihl || total > len)
    return SBX_FRAME_ODD;
  if ((sbx_wire_get16 (ip + 6) & 0x3fff) != 0) /* more fragments, or an offset: not read */
    return SBX_FRAME_ODD;
  f->family = AF_INET;
  memcpy (f->src, ip + 12, 4);
  memcpy (f->dst, ip + 16, 4);
  f->proto = ip[9];
  f->l3_len = ihl;
  f->l4 = ip + ihl;
  f->l4_len = total - ihl;
  return parse_l4 (f);
}

static SbxFrameKind
parse_ip6 (const guint8 *ip, gsize len, SbxFrame *f)
{
  gsize payload;

  if (len < IP6_HLEN || (ip[0] >> 4) != 6)
    return SBX_FRAME_ODD;
  payload = sbx_wire_get16 (ip + 4);
  if (IP6_HLEN + payload > len)
    return SBX_FRAME_ODD;
  f->family = AF_INET6;
  memcpy (f->src, ip + 8, 16);
  memcpy (f->dst, ip + 24, 16);
  f->proto = ip[6]; /* an extension header is another protocol here: SBX_FRAME_ODD */
  f->l3_len = IP6_HLEN;
  f->l4 = ip + IP6_HLEN;
  f->l4_len = payload;
  return parse_l4 (f);
}

SbxFrameKind
sbx_frame_parse (const guint8 *frame, gsize len, SbxFrame *out)
{
  guint16 ethertype;

  memset (out, 0, sizeof *out);
  if (len < SBX_FRAME_ETH_HLEN)
    return SBX_FRAME_OTHER;
  ethertype = sbx_wire_get16 (frame + 12);
  out->l3 = frame + SBX_FRAME_ETH_HLEN;
  if (ethertype == 0x0800)
    return parse_ip4 (out->l3, len - SBX_FRAME_ETH_HLEN, out);
  if (ethertype == 0x86dd)
    return parse_ip6 (out->l3, len - SBX_FRAME_ETH_HLEN, out);
  return SBX_FRAME_OTHER;
}

static guint32
sum_words (const guint8 *data, gsize len, guint32 sum)
{
  for (gsize i = 0; i + 1 < len; i += 2)
    sum += sbx_wire_get16 (data + i);
  if (len & 1)
    sum += (guint32) data[len - 1] << 8;
  return sum;
}

static guint16
fold (guint32 sum)
{
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (guint16) ~sum;
}

/* Writes the Ethernet and IP headers of an answer to @req carrying @l4_len bytes of @proto,
 * with the addresses swapped; returns where the transport header goes. */
static guint8 *
write_headers (const guint8 *frame, const SbxFrame *req, gsize l4_len, guint8 *out)
{
  guint8 *ip = out + SBX_FRAME_ETH_HLEN;

  memcpy (out, frame + 6, 6); /* back to the sandbox's MAC */
  memcpy (out + 6, frame, 6); /* from the one it sent to */
  if (req->family == AF_INET)
    {
      memset (ip, 0, IP4_HLEN);
      sbx_wire_put16 (out + 12, 0x0800);
      ip[0] = 0x45;
      sbx_wire_put16 (ip + 2, (guint16) (IP4_HLEN + l4_len));
      ip[6] = 0x40; /* don't fragment */
      ip[8] = 64;
      ip[9] = req->proto;
      memcpy (ip + 12, req->dst, 4);
      memcpy (ip + 16, req->src, 4);
      sbx_wire_put16 (ip + 10, fold (sum_words (ip, IP4_HLEN, 0)));
      return ip + IP4_HLEN;
    }
  memset (ip, 0, IP6_HLEN);
  sbx_wire_put16 (out + 12, 0x86dd);
  ip[0] = 0x60;
  sbx_wire_put16 (ip + 4, (guint16) l4_len);
  ip[6] = req->proto;
  ip[7] = 64;
  memcpy (ip + 8, req->dst, 16);
  memcpy (ip + 24, req->src, 16);
  return ip + IP6_HLEN;
}

/* The transport checksum over the pseudo-header of the answer (addresses swapped). */
static guint16
l4_checksum (const SbxFrame *req, const guint8 *l4, gsize l4_len)
{
  gsize alen = req->family == AF_INET ? 4 : 16;
  guint32 sum = sum_words (req->dst, alen, 0);

  sum = sum_words (req->src, alen, sum);
  sum += req->proto + (guint32) (l4_len & 0xffff) + (guint32) (l4_len >> 16);
  return fold (sum_words (l4, l4_len, sum));
}

gsize
sbx_frame_make_rst (const guint8 *frame, const SbxFrame *seg, guint8 *out, gsize size)
{
  gsize hdr = SBX_FRAME_ETH_HLEN + (seg->family == AF_INET ? IP4_HLEN : IP6_HLEN);
  guint32 seglen = (guint32) seg->payload_len + ((seg->tcp_flags & TCP_SYN) ? 1 : 0) +
                   ((seg->tcp_flags & TCP_FIN) ? 1 : 0);
  guint8 *tcp;

  if ((seg->tcp_flags & TCP_RST) || size < hdr + TCP_HLEN)
    return 0;
  tcp = write_headers (frame, seg, TCP_HLEN, out);
  memset (tcp, 0, TCP_HLEN);
  sbx_wire_put16 (tcp, seg->dport);
  sbx_wire_put16 (tcp + 2, seg->sport);
  if (seg->tcp_flags & TCP_ACK)
    sbx_wire_put32 (tcp + 4, sbx_wire_get32 (seg->l4 + 8));
  sbx_wire_put32 (tcp + 8, sbx_wire_get32 (seg->l4 + 4) + seglen);
  tcp[12] = 5 << 4;
  tcp[13] = (seg->tcp_flags & TCP_ACK) ? TCP_RST : TCP_RST | TCP_ACK;
  sbx_wire_put16 (tcp + 16, l4_checksum (seg, tcp, TCP_HLEN));
  return hdr + TCP_HLEN;
}

gsize
sbx_frame_make_udp_reply (const guint8 *frame, const SbxFrame *dgram, const guint8 *payload, gsize len,
                          guint8 *out, gsize size)
{
  gsize hdr = SBX_FRAME_ETH_HLEN + (dgram->family == AF_INET ? IP4_HLEN : IP6_HLEN);
  guint8 *udp;
  guint16 sum;

  if (size < hdr + UDP_HLEN + len || UDP_HLEN + len > 0xffff)
    return 0;
  udp = write_headers (frame, dgram, UDP_HLEN + len, out);
  sbx_wire_put16 (udp, dgram->dport);
  sbx_wire_put16 (udp + 2, dgram->sport);
  sbx_wire_put16 (udp + 4, (guint16) (UDP_HLEN + len));
  sbx_wire_put16 (udp + 6, 0);
  memcpy (udp + UDP_HLEN, payload, len);
  sum = l4_checksum (dgram, udp, UDP_HLEN + len);
  sbx_wire_put16 (udp + 6, sum == 0 ? 0xffff : sum);
  return hdr + UDP_HLEN + len;
}
