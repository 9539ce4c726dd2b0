/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netopts.c: parsing --network and -p/--publish. */
#include "netopts.h"
#include "netrule.h"
#include "sbx-error.h"

#include <arpa/inet.h>
#include <string.h>

static void
port_forward_clear (gpointer data)
{
  SbxPortForward *fwd = data;

  g_free (fwd->spec);
}

void
sbx_net_options_init (SbxNetOptions *opts)
{
  memset (opts, 0, sizeof *opts);
  opts->mode = SBX_NET_SLIRP;
  opts->forwards = g_array_new (FALSE, TRUE, sizeof (SbxPortForward));
  g_array_set_clear_func (opts->forwards, port_forward_clear);
  opts->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) sbx_net_rule_free);
  opts->lan = TRUE;
}

void
sbx_net_options_clear (SbxNetOptions *opts)
{
  g_clear_pointer (&opts->forwards, g_array_unref);
  g_clear_pointer (&opts->rules, g_ptr_array_unref);
}

gboolean
sbx_net_options_parse_mode (SbxNetOptions *opts, const char *value, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (value != NULL ? value : "slirp", ":", 2);

  if (parts[0] == NULL) /* --network= */
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                   "--network=: empty (expected none, slirp or host)");
      return FALSE;
    }
  if (g_str_equal (parts[0], "none"))
    opts->mode = SBX_NET_NONE;
  else if (g_str_equal (parts[0], "host"))
    opts->mode = SBX_NET_HOST;
  else if (g_str_equal (parts[0], "slirp") || g_str_equal (parts[0], "slirp4netns"))
    opts->mode = SBX_NET_SLIRP;
  else
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                   "--network=%s: unknown mode (expected none, slirp or host)", value);
      return FALSE;
    }
  if (parts[1] == NULL)
    return TRUE;
  if (opts->mode == SBX_NET_SLIRP && g_str_equal (parts[1], "allow-host-loopback"))
    {
      opts->allow_host_loopback = TRUE;
      return TRUE;
    }
  g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
               "--network=%s: unknown option '%s' (slirp takes allow-host-loopback)", value, parts[1]);
  return FALSE;
}

static gboolean
parse_port (const char *s, guint16 *out)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (s, 10, 1, 65535, &v, NULL))
    return FALSE;
  *out = (guint16) v;
  return TRUE;
}

static gboolean
publish_error (const char *spec, const char *why, GError **error)
{
  g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
               "-p %s: %s (expected [HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|udp])", spec, why);
  return FALSE;
}

/* "[ADDR]:REST": the address between the brackets into @fwd, *out_rest after the colon. */
static gboolean
parse_bracketed_host (const char *spec, SbxPortForward *fwd, const char **out_rest)
{
  const char *close = strchr (spec, ']');
  g_autofree char *address = NULL;

  if (close == NULL || close[1] != ':')
    return FALSE;
  address = g_strndup (spec + 1, (gsize) (close - spec - 1));
  fwd->host_family = AF_INET6;
  *out_rest = close + 2;
  return inet_pton (AF_INET6, address, &fwd->host_addr6) == 1;
}

/* "[HOST_IP:]HOST_PORT:PORT" (no protocol) into @fwd. */
static gboolean
parse_address_and_ports (const char *spec, const char *text, SbxPortForward *fwd, GError **error)
{
  g_auto(GStrv) fields = NULL;
  const char *ports = text;
  guint n;

  fwd->host_family = AF_INET;
  if (*text == '[' && !parse_bracketed_host (text, fwd, &ports))
    return publish_error (spec, "the host address in brackets must be an IPv6 address, as [::1]:8080:80", error);
  fields = g_strsplit (ports, ":", -1);
  n = g_strv_length (fields);
  if (fwd->host_family == AF_INET6 ? n != 2 : n != 2 && n != 3)
    return publish_error (spec, "wrong number of fields", error);
  if (fwd->host_family == AF_INET &&
      inet_pton (AF_INET, n == 3 ? fields[0] : "127.0.0.1", &fwd->host_addr) != 1)
    return publish_error (spec, "the host address must be an IPv4 address or an IPv6 one in brackets", error);
  if (!parse_port (fields[n - 2], &fwd->host_port) || !parse_port (fields[n - 1], &fwd->guest_port))
    return publish_error (spec, "ports must be numbers from 1 to 65535", error);
  return TRUE;
}

gboolean
sbx_net_options_add_publish (SbxNetOptions *opts, const char *spec, GError **error)
{
  g_auto(GStrv) proto = NULL;
  SbxPortForward fwd = { 0 };

  if (*spec == '\0') /* g_strsplit gives an empty vector for "" */
    return publish_error (spec, "empty", error);
  proto = g_strsplit (spec, "/", 2);
  if (proto[1] != NULL && !g_str_equal (proto[1], "tcp") && !g_str_equal (proto[1], "udp"))
    return publish_error (spec, "the protocol must be tcp or udp", error);
  fwd.is_udp = proto[1] != NULL && g_str_equal (proto[1], "udp");
  if (!parse_address_and_ports (spec, proto[0], &fwd, error))
    return FALSE;
  /* libslirp's IPv6 UDP forward needs replies through sbx's host-alias policy, which knows
   * IPv4 only so far. */
  if (fwd.is_udp && fwd.host_family == AF_INET6)
    return publish_error (spec, "UDP on an IPv6 host address is not supported yet", error);
  fwd.spec = g_strdup (spec);
  g_array_append_val (opts->forwards, fwd);
  return TRUE;
}

const char *
sbx_port_forward_host (const SbxPortForward *fwd, char *buf, gsize size)
{
  const void *addr = fwd->host_family == AF_INET6 ? (const void *) &fwd->host_addr6 : (const void *) &fwd->host_addr;

  if (inet_ntop (fwd->host_family, addr, buf, (socklen_t) size) == NULL)
    g_strlcpy (buf, "?", size);
  return buf;
}

gboolean
sbx_port_forward_is_loopback (const SbxPortForward *fwd)
{
  if (fwd->host_family == AF_INET6)
    return IN6_IS_ADDR_LOOPBACK (&fwd->host_addr6);
  return (ntohl (fwd->host_addr.s_addr) >> 24) == 127;
}

gboolean
sbx_net_options_check (const SbxNetOptions *opts, GError **error)
{
  /* With none nothing leaves anyway; on the host's network nothing of sbx's sees a packet. */
  if (opts->rules->len > 0 && opts->mode == SBX_NET_HOST)
    {
      const SbxNetRule *rule = g_ptr_array_index (opts->rules, 0);

      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                   "%s %s: network rules need slirp (sbx enforces them in its own network path), "
                   "not the host's network",
                   rule->origin, rule->text);
      return FALSE;
    }
  if (opts->forwards->len > 0 && opts->mode != SBX_NET_SLIRP)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                   "-p %s: port forwarding needs --network=slirp",
                   g_array_index (opts->forwards, SbxPortForward, 0).spec);
      return FALSE;
    }
  return TRUE;
}

gboolean
sbx_net_options_add_rule (SbxNetOptions *opts, const char *text, gboolean deny, const char *origin,
                          GError **error)
{
  SbxNetRule *rule = sbx_net_rule_parse (text, deny, origin, error);

  if (rule == NULL)
    return FALSE;
  g_ptr_array_add (opts->rules, rule);
  return TRUE;
}

gboolean
sbx_net_options_filters (const SbxNetOptions *opts)
{
  return opts->rules->len > 0 || !opts->lan;
}
