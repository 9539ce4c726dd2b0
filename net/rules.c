/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rules.c: the rule engine's decisions and the addresses names resolved to. */
#include "rules.h"
#include "dns.h"
#include "frame.h"
#include "rules-private.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <string.h>

/* A table entry: the names an address was an answer for, each with when that ends. */
typedef struct {
  char *name;
  gint64 expires_us;
} NameLease;

/* A rule as the per-flow scan reads it: small and contiguous, so a thousand rules are a
 * sequential read of ~28 KB, not a thousand pointers chased through the heap. */
typedef struct {
  guint8 deny, proto, kind, prefix;
  guint16 port_lo, port_hi;
  guint8 addr[16];
  guint index; /* in f->rules */
} ScanRule;

/* The ranges sbx.network.lan false closes, each with why it is a LAN. */
typedef struct {
  int family;
  guint8 addr[16];
  guint prefix;
  const char *what;
} LanRange;

static const LanRange lan_ranges[] = {
  { AF_INET, { 10 }, 8, "RFC 1918 private network" },
  { AF_INET, { 172, 16 }, 12, "RFC 1918 private network" },
  { AF_INET, { 192, 168 }, 16, "RFC 1918 private network" },
  { AF_INET, { 169, 254 }, 16, "link-local" },
  { AF_INET, { 100, 64 }, 10, "CGNAT shared address space" },
  { AF_INET6, { 0xfc }, 7, "IPv6 unique local address" },
  { AF_INET6, { 0xfe, 0x80 }, 10, "IPv6 link-local" },
};

/* slirp's own virtual network: the gateway (the host's loopback, governed by
 * allow-host-loopback) and the DNS address are not the user's LAN. */
static const LanRange slirp_ranges[] = {
  { AF_INET, { 10, 0, 2 }, 24, "slirp" },
  { AF_INET6, { 0xfd }, 64, "slirp" },
};

gboolean
sbx_net_prefix_contains (int family, const guint8 *net, guint prefix, const guint8 *addr)
{
  guint full = prefix / 8, rest = prefix % 8;

  if (memcmp (net, addr, full) != 0)
    return FALSE;
  return rest == 0 || ((net[full] ^ addr[full]) & (guint8) (0xff << (8 - rest))) == 0;
}

static const LanRange *
find_range (const LanRange *ranges, gsize n, int family, const guint8 *addr)
{
  for (gsize i = 0; i < n; i++)
    if (ranges[i].family == family && sbx_net_prefix_contains (family, ranges[i].addr, ranges[i].prefix, addr))
      return &ranges[i];
  return NULL;
}

static char *
address_key (int family, const guint8 *addr)
{
  char buf[INET6_ADDRSTRLEN];

  inet_ntop (family, addr, buf, sizeof buf);
  return g_strdup (buf);
}

static void
note_host_addresses (SbxNetFilter *f)
{
  struct ifaddrs *list = NULL;

  if (getifaddrs (&list) != 0)
    return;
  for (struct ifaddrs *ifa = list; ifa != NULL; ifa = ifa->ifa_next)
    {
      const struct sockaddr *sa = ifa->ifa_addr;

      if (sa != NULL && sa->sa_family == AF_INET)
        g_hash_table_add (f->host_addresses,
                          address_key (AF_INET, (const guint8 *) &((const struct sockaddr_in *) sa)->sin_addr));
      else if (sa != NULL && sa->sa_family == AF_INET6)
        g_hash_table_add (f->host_addresses,
                          address_key (AF_INET6, (const guint8 *) &((const struct sockaddr_in6 *) sa)->sin6_addr));
    }
  freeifaddrs (list);
}

static void
lease_free (gpointer data)
{
  NameLease *lease = data;

  g_free (lease->name);
  g_free (lease);
}

SbxNetFilter *
sbx_net_filter_new (const SbxNetOptions *opts, SbxNetSendFunc send, gpointer user_data)
{
  SbxNetFilter *f = g_new0 (SbxNetFilter, 1);

  f->rules = g_ptr_array_ref (opts->rules);
  f->lan = opts->lan;
  f->log = opts->log_net;
  f->send = send;
  f->send_data = user_data;
  f->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  f->host_addresses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < f->rules->len; i++)
    {
      const SbxNetRule *rule = g_ptr_array_index (f->rules, i);

      f->has_allow |= !rule->deny;
      f->has_name_rules |= rule->kind == SBX_NET_DEST_NAME;
      f->allow_by_address |= !rule->deny && rule->kind != SBX_NET_DEST_NAME;
    }
  f->scan = g_array_sized_new (FALSE, TRUE, sizeof (ScanRule), f->rules->len);
  for (guint i = 0; i < f->rules->len; i++)
    {
      const SbxNetRule *rule = g_ptr_array_index (f->rules, i);
      ScanRule sr = { .deny = (guint8) rule->deny, .proto = (guint8) rule->proto, .kind = (guint8) rule->kind, .prefix = (guint8) rule->prefix, .port_lo = rule->port_lo, .port_hi = rule->port_hi, .index = i };

      memcpy (sr.addr, rule->addr, sizeof sr.addr);
      g_array_append_val (f->scan, sr);
    }
  f->published_udp = g_array_new (FALSE, FALSE, sizeof (guint16));
  for (guint i = 0; i < opts->forwards->len; i++)
    {
      const SbxPortForward *fwd = &g_array_index (opts->forwards, SbxPortForward, i);
      if (fwd->is_udp)
        g_array_append_val (f->published_udp, fwd->guest_port);
    }
  if (!f->lan)
    note_host_addresses (f);
  return f;
}

void
sbx_net_filter_free (SbxNetFilter *f)
{
  if (f == NULL)
    return;
  g_ptr_array_unref (f->rules);
  g_array_unref (f->scan);
  g_hash_table_unref (f->names);
  g_hash_table_unref (f->host_addresses);
  g_array_unref (f->published_udp);
  g_free (f);
}

/* ---- the names' addresses ------------------------------------------------------------- */

#define MAX_LEASES 8192
#define MIN_TTL_S 5 /* a program connects right after it resolved, even when the TTL is 0 */

static guint
prune_leases (SbxNetFilter *f, gint64 now)
{
  GHashTableIter iter;
  GPtrArray *leases;
  guint kept = 0;

  g_hash_table_iter_init (&iter, f->names);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &leases))
    {
      for (guint i = leases->len; i-- > 0;)
        if (((NameLease *) g_ptr_array_index (leases, i))->expires_us <= now)
          g_ptr_array_remove_index_fast (leases, i);
      if (leases->len == 0)
        g_hash_table_iter_remove (&iter);
      else
        kept += leases->len;
    }
  return kept;
}

/* Only names some rule names are kept: nothing else asks for them. */
static gboolean
name_has_rule (SbxNetFilter *f, const char *name)
{
  for (guint i = 0; i < f->rules->len; i++)
    if (sbx_net_rule_matches_name (g_ptr_array_index (f->rules, i), name))
      return TRUE;
  return FALSE;
}

void
sbx_net_filter_note_address (SbxNetFilter *f, const char *name, int family, const guint8 *addr, guint32 ttl)
{
  gint64 now = g_get_monotonic_time ();
  gint64 expires = now + (gint64) MAX (ttl, MIN_TTL_S) * G_USEC_PER_SEC;
  g_autofree char *key = address_key (family, addr);
  GPtrArray *leases;
  NameLease *lease;

  if (!name_has_rule (f, name))
    return;
  /* Full: what expired goes; still full, the new answer is not kept (its name stays closed). */
  if (f->n_leases >= MAX_LEASES && (f->n_leases = prune_leases (f, now)) >= MAX_LEASES)
    return;
  leases = g_hash_table_lookup (f->names, key);
  if (leases == NULL)
    {
      leases = g_ptr_array_new_with_free_func (lease_free);
      g_hash_table_insert (f->names, g_steal_pointer (&key), leases);
    }
  for (guint i = 0; i < leases->len; i++)
    if (g_str_equal (((NameLease *) g_ptr_array_index (leases, i))->name, name))
      {
        lease = g_ptr_array_index (leases, i);
        lease->expires_us = MAX (lease->expires_us, expires);
        return;
      }
  lease = g_new0 (NameLease, 1);
  lease->name = g_strdup (name);
  lease->expires_us = expires;
  g_ptr_array_add (leases, lease);
  f->n_leases++;
}

/* Does a name rule match a name @addr currently stands for (@leases, unexpired at @now)?
 * Sets *@out_name to it. */
static gboolean
name_rule_matches (const SbxNetRule *rule, GPtrArray *leases, gint64 now, const char **out_name)
{
  for (guint i = 0; i < leases->len; i++)
    {
      const NameLease *lease = g_ptr_array_index (leases, i);

      if (lease->expires_us > now && sbx_net_rule_matches_name (rule, lease->name))
        {
          *out_name = lease->name;
          return TRUE;
        }
    }
  return FALSE;
}

/* ---- decisions ------------------------------------------------------------------------ */

/* @leases: the names the flow's address stands for, NULL: none (then no name rule matches,
 * and costs nothing: an address never resolved is the common case). */
static gboolean
rule_matches (SbxNetFilter *f, const ScanRule *rule, const SbxNetFlow *flow, GPtrArray *leases, gint64 now,
              const char **out_name)
{
  if (rule->proto != SBX_NET_PROTO_ANY && rule->proto != flow->proto)
    return FALSE;
  if (rule->port_lo != 0 && (flow->proto == SBX_NET_PROTO_ICMP || flow->port < rule->port_lo ||
                             flow->port > rule->port_hi))
    return FALSE;
  switch (rule->kind)
    {
    case SBX_NET_DEST_ANY:
      return TRUE;
    case SBX_NET_DEST_IP4:
      return flow->family == AF_INET && sbx_net_prefix_contains (AF_INET, rule->addr, rule->prefix, flow->addr);
    case SBX_NET_DEST_IP6:
      return flow->family == AF_INET6 && sbx_net_prefix_contains (AF_INET6, rule->addr, rule->prefix, flow->addr);
    case SBX_NET_DEST_NAME:
    default:
      return leases != NULL && name_rule_matches (g_ptr_array_index (f->rules, rule->index), leases, now, out_name);
    }
}

/* An allow rule opens a LAN address only when it names its network: one that lies inside
 * the LAN range (an allow of 0.0.0.0/0 or * does not open the LAN).  A name rule never does:
 * whoever runs the name's DNS could point it at the LAN (DNS rebinding). */
static gboolean
rule_opens_lan (const SbxNetRule *rule, guint range_prefix)
{
  return (rule->kind == SBX_NET_DEST_IP4 || rule->kind == SBX_NET_DEST_IP6) && rule->prefix >= range_prefix;
}

static gboolean
lan_closed (SbxNetFilter *f, const SbxNetFlow *flow, const SbxNetRule *allowed, const char **out_why)
{
  const LanRange *range;
  g_autofree char *key = NULL;

  if (f->lan || find_range (slirp_ranges, G_N_ELEMENTS (slirp_ranges), flow->family, flow->addr) != NULL)
    return FALSE;
  range = find_range (lan_ranges, G_N_ELEMENTS (lan_ranges), flow->family, flow->addr);
  if (range != NULL && (allowed == NULL || !rule_opens_lan (allowed, range->prefix)))
    {
      *out_why = range->family == AF_INET6 ? "sbx.network.lan false (an IPv6 LAN address)"
                                           : "sbx.network.lan false (a private, link-local or CGNAT address)";
      return TRUE;
    }
  key = address_key (flow->family, flow->addr);
  if ((allowed == NULL || !rule_opens_lan (allowed, 1)) && g_hash_table_contains (f->host_addresses, key))
    {
      *out_why = "sbx.network.lan false (an address of this host)";
      return TRUE;
    }
  return FALSE;
}

gboolean
sbx_net_filter_decide_flow (SbxNetFilter *f, const SbxNetFlow *flow, const char **out_why, const char **out_name)
{
  g_autofree char *key = address_key (flow->family, flow->addr);
  GPtrArray *leases = f->has_name_rules ? g_hash_table_lookup (f->names, key) : NULL;
  const SbxNetRule *allowed = NULL;
  gint64 now = leases != NULL ? g_get_monotonic_time () : 0;

  *out_why = NULL;
  *out_name = NULL;
  for (guint i = 0; i < f->scan->len; i++)
    {
      const ScanRule *rule = &g_array_index (f->scan, ScanRule, i);

      if (rule->deny && rule_matches (f, rule, flow, leases, now, out_name))
        {
          f->last_rule = g_ptr_array_index (f->rules, rule->index);
          *out_why = f->last_rule->text;
          return FALSE;
        }
      if (!rule->deny && allowed == NULL && rule_matches (f, rule, flow, leases, now, out_name))
        allowed = g_ptr_array_index (f->rules, rule->index);
    }
  f->last_rule = allowed;
  if (lan_closed (f, flow, allowed, out_why))
    return FALSE;
  if (allowed != NULL)
    *out_why = allowed->text;
  else if (f->has_allow)
    *out_why = "no allow rule matches";
  return allowed != NULL || !f->has_allow;
}

gboolean
sbx_net_filter_decide (SbxNetFilter *f, int family, const guint8 *addr, SbxNetProto proto, guint16 port,
                       const char **out_why)
{
  SbxNetFlow flow = { .family = family, .proto = proto, .port = port };
  const char *name;

  memcpy (flow.addr, addr, family == AF_INET ? 4 : 16);
  return sbx_net_filter_decide_flow (f, &flow, out_why, &name);
}

gboolean
sbx_net_filter_name_refused (SbxNetFilter *f, const char *name, const char **out_why)
{
  gboolean allowed = !f->has_allow || f->allow_by_address;

  *out_why = NULL;
  for (guint i = 0; i < f->rules->len; i++)
    {
      const SbxNetRule *rule = g_ptr_array_index (f->rules, i);

      if (!sbx_net_rule_matches_name (rule, name))
        continue;
      /* Only a deny of the whole name refuses it: tcp:*.x.org:25 still lets x.org resolve. */
      if (rule->deny && rule->proto == SBX_NET_PROTO_ANY && rule->port_lo == 0)
        {
          *out_why = rule->text;
          return TRUE;
        }
      allowed |= !rule->deny;
    }
  if (!allowed)
    *out_why = "no allow rule names it";
  return !allowed;
}
