/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* splice.c: published TCP ports on loopback addresses: accept, connect inside, relay. */
#include "splice.h"
#include "nsocket.h"
#include "relay.h"
#include "sbx-error.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib-unix.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Sockets asked for ahead, per family in use, so that a client does not wait for the maker. */
#define POOL_SIZE 4
#define ACCEPTS_PER_WAKEUP 64

typedef struct {
  SbxPortSplice *owner;
  int fd;
  int family;
  guint16 guest_port;
  GSource *source;
} Listener;

/* A client accepted and not yet relayed: waiting for a socket inside, or connecting it. */
typedef struct {
  SbxPortSplice *owner;
  int client;
  int inside; /* -1 until the maker's socket came */
  int family; /* of the socket inside: the client's, then the other one */
  gboolean tried_other;
  guint16 guest_port;
  GSource *connecting;
} Pending;

struct SbxPortSplice {
  int maker_fd; /* -1 once the maker is gone */
  GSource *maker_source;
  GPtrArray *listeners; /* Listener */
  GQueue pool[2];       /* ready sockets (fd + 1) by family: [0] IPv4, [1] IPv6 */
  guint asked[2];       /* requests the maker has not answered */
  gboolean pooled[2];   /* a listener of the family: keep POOL_SIZE ready */
  GQueue waiting[2];    /* Pending */
  GHashTable *pendings; /* Pending, owned */
  GHashTable *relays;   /* SbxRelay, owned */
};

static int
family_index (int family)
{
  return family == AF_INET6 ? 1 : 0;
}

gboolean
sbx_port_splice_wants (const SbxPortForward *fwd)
{
  return !fwd->is_udp && sbx_port_forward_is_loopback (fwd);
}

/* ---- pending connections ------------------------------------------------------------------ */

static void
pending_free (Pending *p)
{
  if (p->connecting != NULL)
    {
      g_source_destroy (p->connecting);
      g_source_unref (p->connecting);
    }
  if (p->client >= 0)
    close (p->client);
  if (p->inside >= 0)
    close (p->inside);
  g_free (p);
}

/* Gives up on @p: the client sees a reset, as with nothing listening inside. */
static void
pending_fail (Pending *p)
{
  struct linger reset = { .l_onoff = 1, .l_linger = 0 };

  (void) setsockopt (p->client, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  for (int i = 0; i < 2; i++)
    g_queue_remove (&p->owner->waiting[i], p);
  g_hash_table_remove (p->owner->pendings, p);
}

static void
on_relay_done (SbxRelay *relay, gpointer user_data)
{
  SbxPortSplice *splice = user_data;

  g_hash_table_remove (splice->relays, relay);
}

static void
start_relay (Pending *p)
{
  SbxPortSplice *splice = p->owner;
  int one = 1;
  SbxRelay *relay;

  (void) setsockopt (p->client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  (void) setsockopt (p->inside, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  relay = sbx_relay_start (p->client, p->inside, on_relay_done, splice);
  p->client = p->inside = -1; /* the relay has them, or closed them */
  if (relay != NULL)
    g_hash_table_add (splice->relays, relay);
  g_hash_table_remove (splice->pendings, p);
}

static void need_socket (Pending *p);

/* Nothing listens on the published port for this family: the other one, once. */
static void
connect_failed (Pending *p, int err)
{
  if (err == ECONNREFUSED && !p->tried_other)
    {
      p->tried_other = TRUE;
      p->family = p->family == AF_INET ? AF_INET6 : AF_INET;
      close (p->inside);
      p->inside = -1;
      need_socket (p);
      return;
    }
  pending_fail (p);
}

static gboolean
on_connected (int fd, GIOCondition condition, gpointer user_data)
{
  Pending *p = user_data;
  int err = 0;
  socklen_t len = sizeof err;

  g_source_destroy (p->connecting);
  g_clear_pointer (&p->connecting, g_source_unref);
  if (getsockopt (fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
    err = errno;
  if (err != 0)
    connect_failed (p, err);
  else
    start_relay (p);
  return G_SOURCE_REMOVE;
}

/* Connects @p's socket inside to the published port on the sandbox's loopback. */
static void
connect_inside (Pending *p, int sock)
{
  struct sockaddr_in in4 = { .sin_family = AF_INET, .sin_port = htons (p->guest_port), .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons (p->guest_port), .sin6_addr = IN6ADDR_LOOPBACK_INIT };
  int rc;

  p->inside = sock;
  if (p->family == AF_INET)
    rc = connect (sock, (struct sockaddr *) &in4, sizeof in4);
  else
    rc = connect (sock, (struct sockaddr *) &in6, sizeof in6);
  if (rc == 0)
    {
      start_relay (p);
      return;
    }
  if (errno != EINPROGRESS)
    {
      connect_failed (p, errno);
      return;
    }
  p->connecting = g_unix_fd_source_new (sock, G_IO_OUT);
  g_source_set_callback (p->connecting, G_SOURCE_FUNC (on_connected), p, NULL);
  g_source_attach (p->connecting, NULL);
}

/* ---- the maker's sockets ---------------------------------------------------------------- */

/* Asks for sockets until the pool (where one is kept) and the waiting clients are served. */
static void
top_up (SbxPortSplice *splice, int family)
{
  int i = family_index (family);
  guint want = (splice->pooled[i] ? POOL_SIZE : 0) + splice->waiting[i].length;

  while (splice->maker_fd >= 0 && splice->pool[i].length + splice->asked[i] < want)
    {
      if (!sbx_nsocket_request (splice->maker_fd, family))
        return;
      splice->asked[i]++;
    }
}

static void
need_socket (Pending *p)
{
  SbxPortSplice *splice = p->owner;
  int family = p->family;
  int i = family_index (family);

  if (splice->pool[i].length > 0)
    {
      connect_inside (p, GPOINTER_TO_INT (g_queue_pop_head (&splice->pool[i])) - 1); /* may free @p */
      top_up (splice, family);
      return;
    }
  if (splice->maker_fd < 0)
    {
      pending_fail (p);
      return;
    }
  g_queue_push_tail (&splice->waiting[i], p);
  top_up (splice, p->family);
}

static void
maker_gone (SbxPortSplice *splice)
{
  g_clear_pointer (&splice->maker_source, g_source_destroy);
  if (splice->maker_fd >= 0)
    close (splice->maker_fd);
  splice->maker_fd = -1;
  for (int i = 0; i < 2; i++)
    while (splice->waiting[i].length > 0)
      pending_fail (g_queue_peek_head (&splice->waiting[i]));
}

/* One answer: to the first client waiting for that family, else into the pool. */
static void
take_answer (SbxPortSplice *splice, int family, int sock)
{
  int i = family_index (family);
  Pending *p;

  if (splice->asked[i] > 0)
    splice->asked[i]--;
  p = g_queue_pop_head (&splice->waiting[i]);
  if (p == NULL && sock >= 0)
    g_queue_push_tail (&splice->pool[i], GINT_TO_POINTER (sock + 1));
  else if (p != NULL && sock >= 0)
    connect_inside (p, sock);
  else if (p != NULL)
    pending_fail (p);
}

static gboolean
on_maker_readable (int fd, GIOCondition condition, gpointer user_data)
{
  SbxPortSplice *splice = user_data;
  int family, sock;

  while (sbx_nsocket_receive (fd, &family, &sock))
    take_answer (splice, family, sock);
  if (errno == EAGAIN)
    {
      top_up (splice, AF_INET);
      top_up (splice, AF_INET6);
      return G_SOURCE_CONTINUE;
    }
  splice->maker_source = NULL; /* removed by returning */
  maker_gone (splice);
  return G_SOURCE_REMOVE;
}

/* ---- listeners ---------------------------------------------------------------------------- */

static gboolean
on_client (int fd, GIOCondition condition, gpointer user_data)
{
  Listener *l = user_data;

  for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++)
    {
      int client = accept4 (fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
      Pending *p;

      if (client < 0)
        break;
      p = g_new0 (Pending, 1);
      *p = (Pending) { .owner = l->owner, .client = client, .inside = -1, .family = l->family, .guest_port = l->guest_port };
      g_hash_table_add (l->owner->pendings, p);
      need_socket (p);
    }
  return G_SOURCE_CONTINUE;
}

static void
listener_free (Listener *l)
{
  if (l->source != NULL)
    {
      g_source_destroy (l->source);
      g_source_unref (l->source);
    }
  if (l->fd >= 0)
    close (l->fd);
  g_free (l);
}

static int
bind_listener (const SbxPortForward *fwd)
{
  struct sockaddr_in in4 = { .sin_family = AF_INET, .sin_port = htons (fwd->host_port), .sin_addr = fwd->host_addr };
  struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons (fwd->host_port), .sin6_addr = fwd->host_addr6 };
  int fd = socket (fwd->host_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1, rc;

  if (fd < 0)
    return -1;
  /* As libslirp does: a port its last sandbox just released can be bound again at once. */
  (void) setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fwd->host_family == AF_INET6)
    {
      (void) setsockopt (fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
      rc = bind (fd, (struct sockaddr *) &in6, sizeof in6);
    }
  else
    rc = bind (fd, (struct sockaddr *) &in4, sizeof in4);
  if (rc != 0 || listen (fd, SOMAXCONN) != 0)
    {
      int errsv = errno;
      close (fd);
      errno = errsv;
      return -1;
    }
  return fd;
}

static gboolean
add_listener (SbxPortSplice *splice, const SbxPortForward *fwd, GError **error)
{
  Listener *l;
  int fd = bind_listener (fwd);

  if (fd < 0)
    {
      char host[INET6_ADDRSTRLEN];
      int errsv = errno;

      sbx_port_forward_host (fwd, host, sizeof host);
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "-p %s: cannot listen on %s%s%s:%u/tcp: %s", fwd->spec,
                   fwd->host_family == AF_INET6 ? "[" : "", host, fwd->host_family == AF_INET6 ? "]" : "",
                   fwd->host_port, g_strerror (errsv));
      return FALSE;
    }
  l = g_new0 (Listener, 1);
  *l = (Listener) { .owner = splice, .fd = fd, .family = fwd->host_family, .guest_port = fwd->guest_port };
  l->source = g_unix_fd_source_new (fd, G_IO_IN);
  g_source_set_callback (l->source, G_SOURCE_FUNC (on_client), l, NULL);
  g_source_attach (l->source, NULL);
  g_ptr_array_add (splice->listeners, l);
  splice->pooled[family_index (fwd->host_family)] = TRUE;
  return TRUE;
}

/* ---- setup -------------------------------------------------------------------------------- */

SbxPortSplice *
sbx_port_splice_new (int maker_fd, const SbxNetOptions *opts, GError **error)
{
  g_autoptr(SbxPortSplice) splice = g_new0 (SbxPortSplice, 1);

  splice->maker_fd = maker_fd;
  splice->listeners = g_ptr_array_new_with_free_func ((GDestroyNotify) listener_free);
  splice->pendings = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) pending_free, NULL);
  splice->relays = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) sbx_relay_free, NULL);
  for (int i = 0; i < 2; i++)
    {
      g_queue_init (&splice->pool[i]);
      g_queue_init (&splice->waiting[i]);
    }
  for (guint i = 0; i < opts->forwards->len; i++)
    {
      const SbxPortForward *fwd = &g_array_index (opts->forwards, SbxPortForward, i);
      if (sbx_port_splice_wants (fwd) && !add_listener (splice, fwd, error))
        return NULL;
    }
  if (splice->listeners->len == 0)
    {
      maker_gone (splice); /* the setup child stops serving */
      return g_steal_pointer (&splice);
    }
  splice->maker_source = g_unix_fd_source_new (maker_fd, G_IO_IN);
  g_source_set_callback (splice->maker_source, G_SOURCE_FUNC (on_maker_readable), splice, NULL);
  g_source_attach (splice->maker_source, NULL);
  g_source_unref (splice->maker_source); /* the context holds it while attached */
  top_up (splice, AF_INET);
  top_up (splice, AF_INET6);
  return g_steal_pointer (&splice);
}

void
sbx_port_splice_free (SbxPortSplice *splice)
{
  maker_gone (splice);
  g_clear_pointer (&splice->listeners, g_ptr_array_unref);
  g_clear_pointer (&splice->pendings, g_hash_table_unref);
  g_clear_pointer (&splice->relays, g_hash_table_unref);
  for (int i = 0; i < 2; i++)
    while (splice->pool[i].length > 0)
      close (GPOINTER_TO_INT (g_queue_pop_head (&splice->pool[i])) - 1);
  g_free (splice);
}
