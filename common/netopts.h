/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netopts.h: what a sandbox's network is: none, slirp (libslirp in sbx, the default) or the
 * host's, and the ports forwarded into it.  Parsing of --network and -p/--publish. */
#pragma once

#include <glib.h>
#include <netinet/in.h>

G_BEGIN_DECLS

typedef enum {
  SBX_NET_SLIRP, /* tap0 in a network namespace of its own, driven by libslirp */
  SBX_NET_NONE,  /* a network namespace with only lo */
  SBX_NET_HOST,  /* the caller's network namespace */
} SbxNetMode;

typedef struct {
  gboolean is_udp;
  int host_family;            /* AF_INET, or AF_INET6 for "[ADDR]:..." */
  struct in_addr host_addr;   /* AF_INET: 127.0.0.1 unless given */
  struct in6_addr host_addr6; /* AF_INET6 */
  guint16 host_port;
  guint16 guest_port;
  char *spec; /* as the user wrote it, for messages */
} SbxPortForward;

typedef struct {
  SbxNetMode mode;
  gboolean allow_host_loopback;
  GArray *forwards; /* of SbxPortForward; never NULL */
  GPtrArray *rules; /* of SbxNetRule (netrule.h), in order; never NULL */
  gboolean lan;     /* FALSE: no private, link-local, CGNAT or ULA destination (sbx.network.lan) */
  gboolean log_net; /* --log-net: one line per denied connection or datagram */
} SbxNetOptions;

/* The sandbox's side of slirp's virtual network. */
#define SBX_NET_TAP_NAME "tap0"
#define SBX_NET_GUEST_IP4 "10.0.2.100"
#define SBX_NET_GATEWAY_IP4 "10.0.2.2"
#define SBX_NET_DNS_IP4 "10.0.2.3"
#define SBX_NET_PREFIX6 "fd00::"
#define SBX_NET_GUEST_IP6 "fd00::100"
#define SBX_NET_GATEWAY_IP6 "fd00::2"
#define SBX_NET_DNS_IP6 "fd00::3"
/* tap0's MTU and libslirp's (so the MSS of every TCP connection, 21800 bytes).  Not 65520, as
 * slirp4netns and pasta use: libslirp has no window scaling (64 KiB at most in flight) and
 * sends a window update only once the window can open by two segments.  At 65520 that never
 * happens, and a sandbox that sends waits for every ACK; with three segments to the window it
 * streams: sandbox to host 1.5-3.5x slirp4netns instead of 0.8-1.3x, host to sandbox 0.80-0.88x
 * instead of 0.88-0.98x (more segments for libslirp to make; bench/network, README). */
#define SBX_NET_MTU 21840

void sbx_net_options_init (SbxNetOptions *opts);
void sbx_net_options_clear (SbxNetOptions *opts);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SbxNetOptions, sbx_net_options_clear)

/* "none", "host", "slirp", "slirp:allow-host-loopback" (NULL: slirp). */
gboolean sbx_net_options_parse_mode (SbxNetOptions *opts, const char *value, GError **error);

/* "[HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|/udp]", appended to opts->forwards; an IPv6
 * HOST_IP is written in brackets ("[::1]:8080:80"). */
gboolean sbx_net_options_add_publish (SbxNetOptions *opts, const char *spec, GError **error);

/* The host address of @fwd as text (IPv6 without brackets); @buf holds INET6_ADDRSTRLEN. */
const char *sbx_port_forward_host (const SbxPortForward *fwd, char *buf, gsize size);
/* TRUE for a host address in 127.0.0.0/8 or ::1: only this machine's programs reach it. */
gboolean sbx_port_forward_is_loopback (const SbxPortForward *fwd);

/* A per-app rule (netrule.h) from @origin ("--net-allow"), appended to opts->rules. */
gboolean sbx_net_options_add_rule (SbxNetOptions *opts, const char *text, gboolean deny, const char *origin,
                                   GError **error);

/* Does anything filter the sandbox's traffic (rules, or lan false)? */
gboolean sbx_net_options_filters (const SbxNetOptions *opts);

/* Checks the whole: -p needs slirp. */
gboolean sbx_net_options_check (const SbxNetOptions *opts, GError **error);

G_END_DECLS
