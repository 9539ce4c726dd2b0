/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rules-private.h: the rule engine's state, shared by its decisions (rules.c) and its frame
 * path (rules-path.c). */
#pragma once

#include "rules.h"

G_BEGIN_DECLS

struct SbxNetFilter {
  GPtrArray *rules; /* SbxNetRule*, in order */
  GArray *scan;     /* the rules again, packed in one array for the per-flow scan (rules.c) */
  gboolean lan;
  gboolean log;
  gboolean has_allow;        /* any allow rule: the rest is denied */
  gboolean has_name_rules;   /* any rule by DNS name */
  gboolean allow_by_address; /* an allow rule by address or "*": any name may resolve */
  SbxNetSendFunc send;
  gpointer send_data;
  GHashTable *names;           /* address text -> GPtrArray of NameLease */
  guint n_leases;              /* about: counted on insert, exact after a prune */
  GHashTable *host_addresses;  /* address text: this host's own (for lan false) */
  GArray *published_udp;       /* guint16: guest ports published as UDP (their replies pass) */
  const SbxNetRule *last_rule; /* the rule the last decision used, NULL: none */
  gint64 log_second;           /* --log-net's rate limit: the second counted */
  guint log_lines;             /* lines printed in it */
  guint log_dropped;           /* lines not printed in it */
};

/* A new flow from the sandbox, as the rules see it. */
typedef struct {
  int family;
  guint8 addr[16];
  SbxNetProto proto;
  guint16 port; /* TCP, UDP: the destination port; ICMP: 0 */
} SbxNetFlow;

gboolean sbx_net_filter_decide_flow (SbxNetFilter *f, const SbxNetFlow *flow, const char **out_why,
                                     const char **out_name);

gboolean sbx_net_prefix_contains (int family, const guint8 *net, guint prefix, const guint8 *addr);

G_END_DECLS
