/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rules.h: the per-app network rule engine, in sbx's frame path in front of libslirp.
 *
 * Owns the decision for each new flow from the sandbox (a TCP SYN, a UDP datagram, an ICMP
 * message): deny rules first, then allow rules, then sbx.network.lan, then "any allow rule
 * denies the rest".  Name rules are enforced by address: the sandbox's DNS queries to
 * 10.0.2.3 / fd00::3 are read (a denied name gets NXDOMAIN from sbx itself) and the
 * resolver's answers on their way back are read too, recording which addresses each name
 * resolved to, for their TTL.  A denied TCP connect gets a RST at once; anything else
 * denied is dropped.  Only the first segment of a TCP connection is looked at: libslirp
 * itself resets segments of connections it never saw. */
#pragma once

#include <glib.h>
#include "netopts.h"
#include "netrule.h"

G_BEGIN_DECLS

typedef struct SbxNetFilter SbxNetFilter;

/* How the filter answers the sandbox (a RST, a DNS refusal): a frame to write to tap0. */
typedef void (*SbxNetSendFunc) (const guint8 *frame, gsize len, gpointer user_data);

/* A filter for @opts' rules and lan switch (copied); @log_fd: where --log-net lines go. */
SbxNetFilter *sbx_net_filter_new (const SbxNetOptions *opts, SbxNetSendFunc send, gpointer user_data);
void sbx_net_filter_free (SbxNetFilter *filter);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxNetFilter, sbx_net_filter_free)

/* A frame from the sandbox: TRUE to hand it to libslirp, FALSE when the filter took it. */
gboolean sbx_net_filter_outbound (SbxNetFilter *filter, const guint8 *frame, gsize len);

/* A frame libslirp sends to the sandbox: DNS answers are read for the names' addresses. */
void sbx_net_filter_inbound (SbxNetFilter *filter, const guint8 *frame, gsize len);

/* The decision for a flow to @addr (AF_INET: 4 bytes, AF_INET6: 16) on @proto/@port: TRUE
 * to let it pass.  *@out_why says which rule (or switch) decided, NULL when none did. */
gboolean sbx_net_filter_decide (SbxNetFilter *filter, int family, const guint8 *addr, SbxNetProto proto,
                                guint16 port, const char **out_why);

/* Records that @name resolved to @addr for @ttl seconds, as a DNS answer does. */
void sbx_net_filter_note_address (SbxNetFilter *filter, const char *name, int family, const guint8 *addr,
                                  guint32 ttl);

/* Is a DNS query for @name refused (NXDOMAIN) by the rules?  *@out_why as above. */
gboolean sbx_net_filter_name_refused (SbxNetFilter *filter, const char *name, const char **out_why);

G_END_DECLS
