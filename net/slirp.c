/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* slirp.c: libslirp on the GLib main loop. */
#include "slirp.h"
#include "pollset.h"
#include "wire.h"
#include "fd-util.h"
#include "splice.h"
#include "rules.h"
#include "sbx-error.h"

#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <slirp/libslirp.h>
#include <string.h>
#include <unistd.h>

#define TAP_BUFFER_SIZE (SBX_NET_MTU + 64)
#define TAP_READS_PER_WAKEUP 64

typedef struct {
  SlirpTimerId id;
  void *cb_opaque;
  gint64 expire_ms; /* -1: not armed */
} SlirpTimer;

struct SbxSlirp {
  Slirp *slirp;
  int tap_fd;
  GSource *source; /* tap0, slirp's sockets and timers: one source, as slirp wants
                        * slirp_pollfds_poll after every wakeup (it flushes frames that
                        * waited for ARP) */
  GPollFD tap_poll;
  GPollFD sockets_poll;    /* the poll set's epoll fd */
  SbxPollSet *sockets;     /* slirp's host sockets (pollset.h) */
  GPtrArray *timers;       /* SlirpTimer */
  gint64 poll_deadline_ms; /* when slirp wants slirp_pollfds_poll even with no event; -1: never */
  /* Published UDP ports without allow-host-loopback: libslirp's own refusal of the host
   * aliases would drop every reply (a loopback client shows as 10.0.2.2), so sbx keeps the
   * host's loopback closed itself and lets only replies through (see udp_reply_allowed). */
  gboolean own_loopback_policy;
  GArray *published_udp; /* guint16: guest ports published as UDP */
  GHashTable *udp_peers; /* (guest port << 16 | host port) -> expiry (s) */
  SbxPortSplice *splice; /* published TCP ports on loopback addresses (splice.h) */
  guint8 *buffer;
  SbxNetFilter *filter; /* the per-app rules (net/rules.h); NULL: none */
};

typedef struct {
  GSource source;
  SbxSlirp *net;
} SlirpSource;

static gint64
now_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

/* ---- callbacks from libslirp ---------------------------------------------------------- */

#define UDP_PEER_TTL_MS (120 * 1000)
#define ETH_HLEN 14

/* IPv4 UDP ports of @frame, FALSE when it is not one. */
static gboolean
udp4_ports (const guint8 *frame, gsize len, guint16 *out_src, guint16 *out_dst)
{
  gsize ihl;

  if (len < ETH_HLEN + 20 || frame[12] != 0x08 || frame[13] != 0x00 || frame[ETH_HLEN + 9] != 17)
    return FALSE;
  ihl = (gsize) (frame[ETH_HLEN] & 0x0f) * 4;
  if (ihl < 20 || len < ETH_HLEN + ihl + 8)
    return FALSE;
  *out_src = (guint16) (frame[ETH_HLEN + ihl] << 8 | frame[ETH_HLEN + ihl + 1]);
  *out_dst = (guint16) (frame[ETH_HLEN + ihl + 2] << 8 | frame[ETH_HLEN + ihl + 3]);
  return TRUE;
}

static gboolean
is_published_udp (SbxSlirp *net, guint16 port)
{
  for (guint i = 0; i < net->published_udp->len; i++)
    if (g_array_index (net->published_udp, guint16, i) == port)
      return TRUE;
  return FALSE;
}

/* A datagram slirp forwards from a host client to a published UDP port: remember the
 * client's port, so that the service's replies to it may pass. */
static void
note_udp_peer (SbxSlirp *net, const guint8 *frame, gsize len)
{
  guint16 src, dst;

  if (net->own_loopback_policy && udp4_ports (frame, len, &src, &dst) && is_published_udp (net, dst))
    g_hash_table_insert (net->udp_peers, GUINT_TO_POINTER ((guint) dst << 16 | src),
                         GINT_TO_POINTER ((gint) ((now_ms () + UDP_PEER_TTL_MS) / 1000)));
}

static gboolean
udp_reply_allowed (SbxSlirp *net, const guint8 *frame, gsize len)
{
  guint16 src, dst;
  gpointer expiry;

  if (!udp4_ports (frame, len, &src, &dst) ||
      !g_hash_table_lookup_extended (net->udp_peers, GUINT_TO_POINTER ((guint) src << 16 | dst),
                                     NULL, &expiry))
    return FALSE;
  return (gint64) GPOINTER_TO_INT (expiry) * 1000 >= now_ms ();
}

static ssize_t
send_packet (const void *buf, size_t len, void *opaque)
{
  SbxSlirp *net = opaque;

  note_udp_peer (net, buf, len);
  if (net->filter != NULL)
    sbx_net_filter_inbound (net->filter, buf, len);

  /* A full tap queue drops the frame; TCP retransmits, as on a real link. */
  if (write (net->tap_fd, buf, len) < 0 && errno != EAGAIN && errno != EINTR)
    return -1;
  return (ssize_t) len;
}

static void
guest_error (const char *msg, void *opaque)
{
  g_debug ("slirp: guest error: %s", msg);
}

static int64_t
clock_get_ns (void *opaque)
{
  return g_get_monotonic_time () * 1000;
}

static void *
timer_new_opaque (SlirpTimerId id, void *cb_opaque, void *opaque)
{
  SbxSlirp *net = opaque;
  SlirpTimer *timer = g_new0 (SlirpTimer, 1);

  timer->id = id;
  timer->cb_opaque = cb_opaque;
  timer->expire_ms = -1;
  g_ptr_array_add (net->timers, timer);
  return timer;
}

static void
timer_free (void *timer, void *opaque)
{
  SbxSlirp *net = opaque;

  g_ptr_array_remove (net->timers, timer);
}

static void
timer_mod (void *timer, int64_t expire_time, void *opaque)
{
  ((SlirpTimer *) timer)->expire_ms = expire_time;
}

/* A new socket (its events come with the next slirp_pollfds_fill), or one about to be
 * closed: the poll set drops what it had under that number. */
static void
register_poll_fd (int fd, void *opaque)
{
  sbx_poll_set_forget (((SbxSlirp *) opaque)->sockets, fd);
}

static void
unregister_poll_fd (int fd, void *opaque)
{
  sbx_poll_set_forget (((SbxSlirp *) opaque)->sockets, fd);
}

/* For a slirp driven from another thread; here every iteration asks slirp afresh, and a
 * wakeup per call would only add eventfd traffic to the hot path. */
static void
notify (void *opaque)
{
}

static const SlirpCb slirp_callbacks = {
  .send_packet = send_packet,
  .guest_error = guest_error,
  .clock_get_ns = clock_get_ns,
  .timer_free = timer_free,
  .timer_mod = timer_mod,
  .register_poll_fd = register_poll_fd,
  .unregister_poll_fd = unregister_poll_fd,
  .notify = notify,
  .timer_new_opaque = timer_new_opaque,
};

/* ---- frames from the sandbox ------------------------------------------------------------ */

/* libslirp already refuses the host's loopback through the gateway unless allowed; frames
 * the sandbox addresses to 127.0.0.0/8 or ::1 directly never reach it either. */
static gboolean
is_for_host_loopback (const guint8 *frame, gsize len)
{
  static const guint8 ip6_loopback[16] = { [15] = 1 };
  static const guint8 ip6_mapped_prefix[12] = { [10] = 0xff, [11] = 0xff };
  guint16 ethertype;

  if (len < 14)
    return FALSE;
  ethertype = (guint16) (frame[12] << 8 | frame[13]);
  if (ethertype == 0x0800 && len >= 14 + 20)
    return frame[14 + 16] == 127;
  if (ethertype == 0x86dd && len >= 14 + 40)
    return memcmp (frame + 14 + 24, ip6_loopback, 16) == 0 ||
           (memcmp (frame + 14 + 24, ip6_mapped_prefix, 12) == 0 && frame[14 + 36] == 127);
  return FALSE;
}

static guint16
inet_checksum (const guint8 *data, gsize len, guint32 sum)
{
  for (gsize i = 0; i + 1 < len; i += 2)
    sum += (guint32) (data[i] << 8 | data[i + 1]);
  if (len & 1)
    sum += (guint32) data[len - 1] << 8;
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (guint16) ~sum;
}

/* Answers an IPv4 TCP segment to a closed host alias with a RST, as a closed port would:
 * the sandbox's connect fails at once instead of timing out. */
static void
refuse_tcp4 (SbxSlirp *net, const guint8 *frame, gsize len)
{
  gsize ihl = (gsize) (frame[ETH_HLEN] & 0x0f) * 4;
  const guint8 *ip = frame + ETH_HLEN, *tcp = ip + ihl;
  guint8 rst[ETH_HLEN + 40] = { 0 };
  guint8 *rip = rst + ETH_HLEN, *rtcp = rip + 20;
  guint8 pseudo[12 + 20];
  guint32 seglen;
  guint8 flags;

  if (ip[9] != 6 || ihl < 20 || len < ETH_HLEN + ihl + 20)
    return;
  flags = tcp[13];
  if (flags & 0x04) /* never answer a RST */
    return;
  seglen = (guint32) (((ip[2] << 8 | ip[3]) - ihl - (tcp[12] >> 4) * 4) + ((flags & 0x02) ? 1 : 0) +
                      ((flags & 0x01) ? 1 : 0));
  memcpy (rst, frame + 6, 6); /* back to the sandbox's MAC */
  memcpy (rst + 6, frame, 6); /* from the address it sent to */
  rst[12] = 0x08;
  rip[0] = 0x45;
  sbx_wire_put16 (rip + 2, 40);
  rip[6] = 0x40; /* don't fragment */
  rip[8] = 64;
  rip[9] = 6;
  memcpy (rip + 12, ip + 16, 4);
  memcpy (rip + 16, ip + 12, 4);
  sbx_wire_put16 (rip + 10, inet_checksum (rip, 20, 0));
  memcpy (rtcp, tcp + 2, 2);
  memcpy (rtcp + 2, tcp, 2);
  if (flags & 0x10)
    sbx_wire_put32 (rtcp + 4, sbx_wire_get32 (tcp + 8));
  sbx_wire_put32 (rtcp + 8, sbx_wire_get32 (tcp + 4) + seglen);
  rtcp[12] = 5 << 4;
  rtcp[13] = (flags & 0x10) ? 0x04 : 0x14; /* RST, or RST+ACK for a SYN */
  memcpy (pseudo, rip + 12, 8);
  pseudo[8] = 0;
  pseudo[9] = 6;
  sbx_wire_put16 (pseudo + 10, 20);
  memcpy (pseudo + 12, rtcp, 20);
  sbx_wire_put16 (rtcp + 16, inet_checksum (pseudo, sizeof pseudo, 0));
  (void) send_packet (rst, sizeof rst, net);
}

/* With sbx's own policy: the addresses libslirp maps to the host's loopback (the gateway,
 * the broadcast alias, fd00::2) are closed but for replies of published UDP services.
 * Closed means dropped, and an IPv4 TCP segment refused with a RST. */
static gboolean
is_closed_host_alias (SbxSlirp *net, const guint8 *frame, gsize len)
{
  static const guint8 gateway6[16] = { 0xfd, [15] = 2 };

  if (!net->own_loopback_policy || len < ETH_HLEN + 20)
    return FALSE;
  if (frame[12] == 0x08 && frame[13] == 0x00)
    {
      const guint8 *dst = frame + ETH_HLEN + 16;
      gboolean alias = dst[0] == 10 && dst[1] == 0 && dst[2] == 2 && (dst[3] == 2 || dst[3] == 255);

      if (!alias || udp_reply_allowed (net, frame, len))
        return FALSE;
      refuse_tcp4 (net, frame, len);
      return TRUE;
    }
  if (frame[12] == 0x86 && frame[13] == 0xdd && len >= ETH_HLEN + 40)
    return memcmp (frame + ETH_HLEN + 24, gateway6, 16) == 0;
  return FALSE;
}

static void
read_frames_from_tap (SbxSlirp *net)
{
  for (int i = 0; i < TAP_READS_PER_WAKEUP; i++)
    {
      ssize_t n = read (net->tap_fd, net->buffer, TAP_BUFFER_SIZE);

      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
      if (n <= 0)
        {
          /* The sandbox's network namespace is gone: stop listening to tap0 (poll
           * would report its hang-up forever). */
          g_source_remove_poll (net->source, &net->tap_poll);
          net->tap_poll = (GPollFD) { .fd = -1 };
          return;
        }
      if (!is_for_host_loopback (net->buffer, (gsize) n) &&
          !is_closed_host_alias (net, net->buffer, (gsize) n) &&
          (net->filter == NULL || sbx_net_filter_outbound (net->filter, net->buffer, (gsize) n)))
        slirp_input (net->slirp, net->buffer, (int) n);
    }
}

/* ---- the GSource: slirp's sockets and timers -------------------------------------------- */

static int
add_poll (int fd, int events, void *opaque)
{
  return sbx_poll_set_want (((SbxSlirp *) opaque)->sockets, fd, events);
}

static int
get_revents (int idx, void *opaque)
{
  return sbx_poll_set_revents (((SbxSlirp *) opaque)->sockets, idx);
}

/* The earliest of slirp's own poll deadline (its TCP fast/slow timers, queued frames
 * waiting for ARP) and the timers it created. */
static gint64
next_timer_expiry (SbxSlirp *net)
{
  gint64 next = net->poll_deadline_ms;

  for (guint i = 0; i < net->timers->len; i++)
    {
      SlirpTimer *timer = g_ptr_array_index (net->timers, i);
      if (timer->expire_ms >= 0 && (next < 0 || timer->expire_ms < next))
        next = timer->expire_ms;
    }
  return next;
}

static gboolean
slirp_source_prepare (GSource *source, gint *timeout)
{
  SbxSlirp *net = ((SlirpSource *) source)->net;
  guint32 slirp_timeout = G_MAXUINT32;
  gint64 next_timer;

  sbx_poll_set_begin (net->sockets);
  slirp_pollfds_fill (net->slirp, &slirp_timeout, add_poll, net);
  sbx_poll_set_commit (net->sockets);

  net->poll_deadline_ms = slirp_timeout == G_MAXUINT32 ? -1 : now_ms () + slirp_timeout;
  next_timer = next_timer_expiry (net);
  *timeout = -1;
  if (next_timer >= 0)
    {
      gint64 until = MAX (next_timer - now_ms (), 0);
      *timeout = *timeout < 0 ? (gint) MIN (until, G_MAXINT) : (gint) MIN (until, *timeout);
    }
  return next_timer >= 0 && next_timer <= now_ms ();
}

static gboolean
slirp_source_check (GSource *source)
{
  SbxSlirp *net = ((SlirpSource *) source)->net;
  gint64 next_timer = next_timer_expiry (net);

  gboolean sockets = (net->sockets_poll.revents & G_IO_IN) && sbx_poll_set_collect (net->sockets);

  if (net->tap_poll.revents != 0 || sockets)
    return TRUE;
  return next_timer >= 0 && next_timer <= now_ms ();
}

static gboolean
slirp_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  SbxSlirp *net = ((SlirpSource *) source)->net;
  gint64 now = now_ms ();

  net->poll_deadline_ms = -1;
  if (net->tap_poll.revents & G_IO_IN)
    read_frames_from_tap (net);
  slirp_pollfds_poll (net->slirp, 0, get_revents, net);
  for (guint i = 0; i < net->timers->len; i++)
    {
      SlirpTimer *timer = g_ptr_array_index (net->timers, i);
      if (timer->expire_ms >= 0 && timer->expire_ms <= now)
        {
          timer->expire_ms = -1;
          slirp_handle_timer (net->slirp, timer->id, timer->cb_opaque);
        }
    }
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs slirp_source_funcs = {
  .prepare = slirp_source_prepare,
  .check = slirp_source_check,
  .dispatch = slirp_source_dispatch,
};

/* ---- setup ------------------------------------------------------------------------------ */

static Slirp *
start_slirp (const SbxNetOptions *opts, SbxSlirp *net)
{
  SlirpConfig cfg = {
    .version = 4,
    .in_enabled = true,
    .in6_enabled = true,
    .vprefix_len = 64,
    .vhostname = "sbx",
    .if_mtu = SBX_NET_MTU,
    .if_mru = SBX_NET_MTU,
    .disable_host_loopback = !opts->allow_host_loopback && !net->own_loopback_policy,
    .disable_dhcp = true,
  };

  inet_pton (AF_INET, "10.0.2.0", &cfg.vnetwork);
  inet_pton (AF_INET, "255.255.255.0", &cfg.vnetmask);
  inet_pton (AF_INET, SBX_NET_GATEWAY_IP4, &cfg.vhost);
  inet_pton (AF_INET, "10.0.2.15", &cfg.vdhcp_start);
  inet_pton (AF_INET, SBX_NET_DNS_IP4, &cfg.vnameserver);
  inet_pton (AF_INET6, SBX_NET_PREFIX6, &cfg.vprefix_addr6);
  inet_pton (AF_INET6, SBX_NET_GATEWAY_IP6, &cfg.vhost6);
  inet_pton (AF_INET6, SBX_NET_DNS_IP6, &cfg.vnameserver6);
  return slirp_new (&cfg, &slirp_callbacks, net);
}

/* One forward through libslirp.  An IPv6 host address leads to the sandbox's IPv6 address
 * (libslirp forwards within one family: an IPv6 UDP client of an IPv4 guest crashed it). */
static int
add_forward (SbxSlirp *net, const SbxPortForward *fwd)
{
  struct in_addr guest;
  struct sockaddr_in6 host6 = { .sin6_family = AF_INET6, .sin6_port = htons (fwd->host_port), .sin6_addr = fwd->host_addr6 };
  struct sockaddr_in6 guest6 = { .sin6_family = AF_INET6, .sin6_port = htons (fwd->guest_port) };

  inet_pton (AF_INET, SBX_NET_GUEST_IP4, &guest);
  if (fwd->host_family == AF_INET)
    return slirp_add_hostfwd (net->slirp, fwd->is_udp, fwd->host_addr, fwd->host_port, guest, fwd->guest_port);
  inet_pton (AF_INET6, SBX_NET_GUEST_IP6, &guest6.sin6_addr);
  return slirp_add_hostxfwd (net->slirp, (struct sockaddr *) &host6, sizeof host6, (struct sockaddr *) &guest6,
                             sizeof guest6, (fwd->is_udp ? SLIRP_HOSTFWD_UDP : 0) | SLIRP_HOSTFWD_V6ONLY);
}

static gboolean
add_forwards (SbxSlirp *net, const SbxNetOptions *opts, GError **error)
{
  for (guint i = 0; i < opts->forwards->len; i++)
    {
      const SbxPortForward *fwd = &g_array_index (opts->forwards, SbxPortForward, i);
      char host[INET6_ADDRSTRLEN];
      gboolean v6 = fwd->host_family == AF_INET6;

      errno = 0;
      if (sbx_port_splice_wants (fwd) || add_forward (net, fwd) == 0)
        continue;
      sbx_port_forward_host (fwd, host, sizeof host);
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "-p %s: cannot listen on %s%s%s:%u/%s: %s",
                   fwd->spec, v6 ? "[" : "", host, v6 ? "]" : "", fwd->host_port, fwd->is_udp ? "udp" : "tcp",
                   errno != 0 ? g_strerror (errno) : "the port is taken or not allowed");
      return FALSE;
    }
  return TRUE;
}

/* libslirp sizes each connection's two socket buffers from the MSS (128 KiB rounded up to
 * whole segments: about 149 KiB each at MTU 21840) by growing them with g_realloc.  With
 * glibc's adaptive thresholds those were either heap chunks copied into freshly faulted
 * pages (the heap is trimmed between connections) or mmap'd chunks moved with mremap (a TLB
 * flush on every CPU): together a third of the supervisor's CPU per short connection (perf,
 * bench/network).  Fixed, high thresholds keep them on a heap that stays mapped: a grow is a
 * plain copy, 25-40% less CPU per connection.  The price: up to 64 MiB of freed heap kept by
 * the supervisor. */
static void
tune_malloc (void)
{
  (void) mallopt (M_MMAP_THRESHOLD, 4 * 1024 * 1024);
  (void) mallopt (M_TRIM_THRESHOLD, 64 * 1024 * 1024);
}

/* The rule engine's own answers (a RST, a DNS refusal) go straight to tap0. */
static void
filter_send (const guint8 *frame, gsize len, gpointer user_data)
{
  SbxSlirp *net = user_data;

  if (write (net->tap_fd, frame, len) < 0 && errno != EAGAIN && errno != EINTR)
    g_debug ("net rules: writing an answer to tap0: %s", g_strerror (errno));
}

SbxSlirp *
sbx_slirp_new (int tap_fd, int maker_fd, const SbxNetOptions *opts, GError **error)
{
  g_autoptr(SbxSlirp) net = g_new0 (SbxSlirp, 1);

  tune_malloc ();

  net->tap_fd = tap_fd;
  net->sockets = sbx_poll_set_new (error);
  if (net->sockets == NULL)
    {
      close (maker_fd);
      return NULL;
    }
  net->timers = g_ptr_array_new_with_free_func (g_free);
  net->poll_deadline_ms = -1;
  net->buffer = g_malloc (TAP_BUFFER_SIZE);
  net->published_udp = g_array_new (FALSE, FALSE, sizeof (guint16));
  net->udp_peers = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < opts->forwards->len; i++)
    {
      const SbxPortForward *fwd = &g_array_index (opts->forwards, SbxPortForward, i);
      if (fwd->is_udp)
        g_array_append_val (net->published_udp, fwd->guest_port);
    }
  net->own_loopback_policy = !opts->allow_host_loopback && net->published_udp->len > 0;
  if (sbx_net_options_filters (opts))
    net->filter = sbx_net_filter_new (opts, filter_send, net);
  net->slirp = start_slirp (opts, net);
  if (net->slirp == NULL)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "libslirp failed to start");
      close (maker_fd);
      return NULL;
    }
  if (!add_forwards (net, opts, error))
    {
      close (maker_fd);
      return NULL;
    }
  net->splice = sbx_port_splice_new (maker_fd, opts, error);
  if (net->splice == NULL)
    return NULL;
  net->source = g_source_new (&slirp_source_funcs, sizeof (SlirpSource));
  ((SlirpSource *) net->source)->net = net;
  net->tap_poll = (GPollFD) { .fd = tap_fd, .events = G_IO_IN };
  g_source_add_poll (net->source, &net->tap_poll);
  net->sockets_poll = (GPollFD) { .fd = sbx_poll_set_fd (net->sockets), .events = G_IO_IN };
  g_source_add_poll (net->source, &net->sockets_poll);
  /* Not blocked around its own dispatch (it never runs the loop inside): GLib blocks a
   * source by taking its polls out and putting them back, each a write to the loop's wakeup
   * eventfd, then a read of it and an extra iteration: two writes for every dispatch. */
  g_source_set_can_recurse (net->source, TRUE);
  g_source_attach (net->source, NULL);
  return g_steal_pointer (&net);
}

void
sbx_slirp_free (SbxSlirp *net)
{
  if (net->source != NULL)
    {
      g_source_destroy (net->source);
      g_source_unref (net->source);
    }
  g_clear_pointer (&net->splice, sbx_port_splice_free);
  if (net->slirp != NULL)
    slirp_cleanup (net->slirp);
  g_clear_pointer (&net->filter, sbx_net_filter_free);
  g_clear_pointer (&net->timers, g_ptr_array_unref);
  g_clear_pointer (&net->published_udp, g_array_unref);
  g_clear_pointer (&net->udp_peers, g_hash_table_unref);
  g_clear_pointer (&net->sockets, sbx_poll_set_free);
  g_free (net->buffer);
  if (net->tap_fd >= 0)
    close (net->tap_fd);
  g_free (net);
}
