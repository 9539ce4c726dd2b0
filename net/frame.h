/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* frame.h: reading the addresses and ports of an Ethernet frame from the sandbox (IPv4,
 * IPv6; TCP, UDP, ICMP), and writing answers to it (a TCP RST, a UDP datagram back), for the
 * rule engine in front of libslirp.  Frames are the sandbox's: hostile, checked to the byte. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SBX_FRAME_ETH_HLEN 14
#define SBX_FRAME_IPPROTO_ICMP 1
#define SBX_FRAME_IPPROTO_TCP 6
#define SBX_FRAME_IPPROTO_UDP 17
#define SBX_FRAME_IPPROTO_ICMPV6 58

typedef enum {
  SBX_FRAME_OTHER, /* not IP (ARP, ...): none of the rules' business */
  SBX_FRAME_IP,    /* IPv4 or IPv6 with TCP, UDP or ICMP, read whole */
  SBX_FRAME_ODD,   /* IP that sbx does not read: fragments, extension headers, other protocols, truncated */
} SbxFrameKind;

typedef struct {
  int family; /* AF_INET, AF_INET6 */
  guint8 src[16], dst[16];
  guint8 proto;         /* SBX_FRAME_IPPROTO_* */
  guint16 sport, dport; /* TCP, UDP; ICMP: type and code in sport */
  guint8 tcp_flags;
  const guint8 *l3, *l4, *payload;
  gsize l3_len, l4_len, payload_len; /* l4_len: header + payload */
} SbxFrame;

SbxFrameKind sbx_frame_parse (const guint8 *frame, gsize len, SbxFrame *out);

/* The RST that refuses @seg (a TCP segment of @frame, read by sbx_frame_parse), as a closed
 * port answers; 0 when @seg is itself a RST.  @out holds at least 14 + 40 + 20 bytes. */
gsize sbx_frame_make_rst (const guint8 *frame, const SbxFrame *seg, guint8 *out, gsize size);

/* A UDP datagram carrying @payload from @dgram's destination back to its source. */
gsize sbx_frame_make_udp_reply (const guint8 *frame, const SbxFrame *dgram, const guint8 *payload, gsize len,
                                guint8 *out, gsize size);

G_END_DECLS
