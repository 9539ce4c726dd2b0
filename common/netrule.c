/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netrule.c: parsing a per-app network rule, and saying it in words. */
#include "netrule.h"
#include "sbx-error.h"

#include <arpa/inet.h>
#include <string.h>

#define RULE_SYNTAX "expected [tcp:|udp:|icmp:]DEST[:PORT[-PORT]], DEST *, an IPv4 CIDR, [IPv6]/N or a DNS name"

static gboolean
rule_error (GError **error, const char *origin, const char *text, const char *why)
{
  g_autofree char *shown = g_strescape (text, NULL);

  g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s %s: %s (%s)", origin, shown, why, RULE_SYNTAX);
  return FALSE;
}

void
sbx_net_rule_free (SbxNetRule *rule)
{
  if (rule == NULL)
    return;
  g_free (rule->name);
  g_free (rule->text);
  g_free (rule->origin);
  g_free (rule);
}

const char *
sbx_net_proto_name (SbxNetProto proto)
{
  static const char * const names[] = { "any", "tcp", "udp", "icmp" };

  return names[proto];
}

/* Strips a leading "tcp:", "udp:" or "icmp:" from *@rest. */
static SbxNetProto
take_proto (const char **rest)
{
  static const char * const names[] = { NULL, "tcp:", "udp:", "icmp:" };

  for (guint i = 1; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strncasecmp (*rest, names[i], strlen (names[i])) == 0)
      {
        *rest += strlen (names[i]);
        return (SbxNetProto) i;
      }
  return SBX_NET_PROTO_ANY;
}

static gboolean
parse_number (const char *s, guint64 max, guint64 *out)
{
  return *s != '\0' && g_ascii_string_to_unsigned (s, 10, 0, max, out, NULL);
}

/* "443" or "8000-8080"; ports 1-65535, low <= high. */
static const char *
parse_ports (const char *s, SbxNetRule *rule)
{
  g_auto(GStrv) ends = g_strsplit (s, "-", 3);
  guint64 lo, hi;

  if (ends[0] == NULL || g_strv_length (ends) > 2 || !parse_number (ends[0], 65535, &lo) || lo == 0)
    return "the port must be a number from 1 to 65535, or a range LOW-HIGH";
  hi = lo;
  if (ends[1] != NULL && (!parse_number (ends[1], 65535, &hi) || hi == 0))
    return "the port range's end must be a number from 1 to 65535";
  if (hi < lo)
    return "the port range ends before it starts";
  rule->port_lo = (guint16) lo;
  rule->port_hi = (guint16) hi;
  return NULL;
}

/* "/N" after an address, or nothing (a host: all bits). */
static const char *
parse_prefix (const char *s, guint max, SbxNetRule *rule)
{
  guint64 n;

  if (*s == '\0')
    {
      rule->prefix = max;
      return NULL;
    }
  if (*s != '/' || !parse_number (s + 1, max, &n))
    return max == 32 ? "the IPv4 prefix length must be /0 to /32" : "the IPv6 prefix length must be /0 to /128";
  rule->prefix = (guint) n;
  return NULL;
}

/* Clears the host bits, so that 10.1.2.3/8 means 10.0.0.0/8. */
static void
mask_address (SbxNetRule *rule)
{
  guint bytes = rule->kind == SBX_NET_DEST_IP4 ? 4 : 16;

  for (guint i = 0; i < bytes; i++)
    {
      guint keep = rule->prefix >= (i + 1) * 8 ? 8 : rule->prefix > i * 8 ? rule->prefix - i * 8
                                                                          : 0;
      rule->addr[i] &= (guint8) (0xff << (8 - keep));
    }
}

static gboolean
labels_valid (const char *name)
{
  g_auto(GStrv) labels = g_strsplit (name, ".", -1);

  for (char **l = labels; *l != NULL; l++)
    {
      gsize n = strlen (*l);

      if (n < 1 || n > 63 || (*l)[0] == '-' || (*l)[n - 1] == '-')
        return FALSE;
      for (gsize i = 0; i < n; i++)
        if (!g_ascii_isalnum ((*l)[i]) && (*l)[i] != '-' && (*l)[i] != '_')
          return FALSE;
    }
  return TRUE;
}

/* A DNS name: labels of letters, digits, '-' and '_', 1-63 each, 253 in all, not starting or
 * ending with '-'; a trailing dot is allowed and dropped. */
static const char *
parse_name (const char *s, SbxNetRule *rule)
{
  g_autofree char *name = NULL;
  gsize len;

  if (g_str_has_prefix (s, "*."))
    {
      rule->wildcard = TRUE;
      s += 2;
    }
  name = g_ascii_strdown (s, -1);
  len = strlen (name);
  if (len > 0 && name[len - 1] == '.')
    name[--len] = '\0';
  if (len == 0 || len > 253)
    return "the DNS name must have 1 to 253 characters";
  if (!labels_valid (name))
    return strchr (s, '*') != NULL ? "'*' may only start a name, as in *.example.org"
                                   : "not a DNS name (labels of letters, digits, '-', '_', 1-63 each)";
  rule->name = g_steal_pointer (&name);
  rule->kind = SBX_NET_DEST_NAME;
  return NULL;
}

static gboolean
looks_like_ip4 (const char *s)
{
  return *s != '\0' && strspn (s, "0123456789./") == strlen (s);
}

/* DEST: everything before the port. */
static const char *
parse_dest (const char *dest, SbxNetRule *rule)
{
  g_autofree char *addr = NULL;
  const char *slash;

  if (*dest == '\0')
    return "no destination";
  if (g_str_equal (dest, "*"))
    {
      rule->kind = SBX_NET_DEST_ANY;
      return NULL;
    }
  if (dest[0] == '[')
    {
      const char *close = strchr (dest, ']');

      if (close == NULL)
        return "an IPv6 address needs its closing ']'";
      addr = g_strndup (dest + 1, (gsize) (close - dest - 1));
      rule->kind = SBX_NET_DEST_IP6;
      if (inet_pton (AF_INET6, addr, rule->addr) != 1)
        return "not an IPv6 address";
      return parse_prefix (close + 1, 128, rule);
    }
  if (!looks_like_ip4 (dest))
    return parse_name (dest, rule);
  slash = strchr (dest, '/');
  addr = slash != NULL ? g_strndup (dest, (gsize) (slash - dest)) : g_strdup (dest);
  rule->kind = SBX_NET_DEST_IP4;
  if (inet_pton (AF_INET, addr, rule->addr) != 1)
    return "not an IPv4 address";
  return parse_prefix (slash != NULL ? slash : "", 32, rule);
}

/* Splits "DEST[:PORTS]": the port follows the last ':' outside brackets. */
static const char *
split_ports (const char *rest, char **out_dest, const char **out_ports)
{
  const char *close = rest[0] == '[' ? strchr (rest, ']') : NULL;
  const char *colon = strchr (close != NULL ? close : rest, ':');

  if (rest[0] != '[' && colon != NULL && strchr (colon + 1, ':') != NULL)
    return "an IPv6 address must be written in brackets, as [fd00::1] or [fd00::]/8";
  *out_dest = colon != NULL ? g_strndup (rest, (gsize) (colon - rest)) : g_strdup (rest);
  *out_ports = colon != NULL ? colon + 1 : NULL;
  return NULL;
}

SbxNetRule *
sbx_net_rule_parse (const char *text, gboolean deny, const char *origin, GError **error)
{
  g_autoptr(SbxNetRule) rule = g_new0 (SbxNetRule, 1);
  g_autofree char *dest = NULL;
  const char *rest = text, *ports = NULL, *why;

  if (!g_utf8_validate (text, -1, NULL) || strpbrk (text, " \t\r\n") != NULL)
    return rule_error (error, origin, text, "spaces and control characters are not allowed"), NULL;
  rule->deny = deny;
  rule->proto = take_proto (&rest);
  why = split_ports (rest, &dest, &ports);
  if (why == NULL)
    why = parse_dest (dest, rule);
  if (why == NULL && ports != NULL && rule->proto == SBX_NET_PROTO_ICMP)
    why = "icmp has no ports";
  if (why == NULL && ports != NULL)
    why = parse_ports (ports, rule);
  if (why != NULL)
    return rule_error (error, origin, text, why), NULL;
  if (rule->kind == SBX_NET_DEST_IP4 || rule->kind == SBX_NET_DEST_IP6)
    mask_address (rule);
  rule->text = g_strdup (text);
  rule->origin = g_strdup (origin);
  return g_steal_pointer (&rule);
}

gboolean
sbx_net_rule_matches_name (const SbxNetRule *rule, const char *name)
{
  gsize n, r;

  if (rule->kind != SBX_NET_DEST_NAME)
    return FALSE;
  n = strlen (name);
  r = strlen (rule->name);
  if (n > 0 && name[n - 1] == '.')
    n--;
  if (!rule->wildcard)
    return n == r && g_ascii_strncasecmp (name, rule->name, n) == 0;
  return n > r + 1 && name[n - r - 1] == '.' && g_ascii_strncasecmp (name + n - r, rule->name, r) == 0;
}

static char *
describe_dest (const SbxNetRule *rule)
{
  char buf[INET6_ADDRSTRLEN];

  switch (rule->kind)
    {
    case SBX_NET_DEST_ANY:
      return g_strdup ("every destination");
    case SBX_NET_DEST_NAME:
      return rule->wildcard ? g_strdup_printf ("every name below %s (as resolved by the sandbox's DNS)", rule->name)
                            : g_strdup_printf ("the name %s (as resolved by the sandbox's DNS)", rule->name);
    case SBX_NET_DEST_IP4:
      inet_ntop (AF_INET, rule->addr, buf, sizeof buf);
      return rule->prefix == 32 ? g_strdup_printf ("%s", buf) : g_strdup_printf ("%s/%u", buf, rule->prefix);
    case SBX_NET_DEST_IP6:
    default:
      inet_ntop (AF_INET6, rule->addr, buf, sizeof buf);
      return rule->prefix == 128 ? g_strdup_printf ("%s", buf) : g_strdup_printf ("%s/%u", buf, rule->prefix);
    }
}

char *
sbx_net_rule_describe (const SbxNetRule *rule)
{
  static const char * const protos[] = { "everything", "TCP", "UDP", "ICMP" };
  g_autofree char *dest = describe_dest (rule);
  g_autofree char *ports = rule->port_lo == 0             ? g_strdup ("")
                         : rule->port_lo == rule->port_hi ? g_strdup_printf (", port %u", rule->port_lo)
                                                          : g_strdup_printf (", ports %u-%u", rule->port_lo,
                                                                             rule->port_hi);

  return g_strdup_printf ("%s %s to %s%s", rule->deny ? "deny" : "allow", protos[rule->proto], dest, ports);
}
