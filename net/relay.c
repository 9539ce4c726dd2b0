/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* relay.c: two sockets joined by splice(2) through two pipes. */
#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#define RELAY_PIPE_SIZE (1 << 20)
/* Rounds of read and write per direction and wakeup, so that one busy connection cannot
 * keep the main loop from the others. */
#define RELAY_ROUNDS 8

typedef struct {
  int from, to; /* indexes into SbxRelay.fds */
  int pipe_r, pipe_w;
  gsize queued;   /* bytes in the pipe */
  gsize capacity; /* the pipe's size */
  gboolean eof;   /* @from said end of stream */
  gboolean shut;  /* and @to's write half is shut */
  gboolean wait_in, wait_out;
} Direction;

struct SbxRelay {
  int fds[2];
  Direction dir[2]; /* dir[i] reads fds[i] and writes the other */
  GSource *source;
  gpointer tags[2];
  SbxRelayDone done;
  gpointer user_data;
};

typedef struct {
  GSource source;
  SbxRelay *relay;
} RelaySource;

static gboolean
open_pipe (Direction *d)
{
  int p[2];
  int size;

  if (pipe2 (p, O_NONBLOCK | O_CLOEXEC) != 0)
    return FALSE;
  d->pipe_r = p[0];
  d->pipe_w = p[1];
  /* Larger pipes mean fewer wakeups; over the user's pipe budget the default stays. */
  (void) fcntl (p[1], F_SETPIPE_SZ, RELAY_PIPE_SIZE);
  size = fcntl (p[1], F_GETPIPE_SZ);
  d->capacity = size > 0 ? (gsize) size : 65536;
  return TRUE;
}

/* Writes what the pipe holds to @d->to: FALSE when that side broke. */
static gboolean
drain (SbxRelay *relay, Direction *d)
{
  ssize_t n = splice (d->pipe_r, NULL, relay->fds[d->to], NULL, d->queued, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);

  if (n < 0 && errno == EAGAIN)
    d->wait_out = TRUE;
  else if (n < 0 && errno != EINTR)
    return FALSE;
  else if (n > 0)
    d->queued -= (gsize) n;
  return TRUE;
}

/* Reads from @d->from into the pipe: FALSE when that side broke. */
static gboolean
fill (SbxRelay *relay, Direction *d)
{
  ssize_t n = splice (relay->fds[d->from], NULL, d->pipe_w, NULL, d->capacity - d->queued,
                      SPLICE_F_NONBLOCK | SPLICE_F_MOVE);

  if (n < 0 && errno == EAGAIN)
    d->wait_in = TRUE;
  else if (n < 0 && errno != EINTR)
    return FALSE;
  else if (n == 0)
    d->eof = TRUE;
  else if (n > 0)
    d->queued += (gsize) n;
  return TRUE;
}

/* Moves what can move now in direction @d; sets what it waits for.  FALSE: a side broke. */
static gboolean
pump (SbxRelay *relay, Direction *d)
{
  d->wait_in = d->wait_out = FALSE;
  for (int round = 0; round < RELAY_ROUNDS && !d->wait_in && !d->wait_out; round++)
    {
      if (d->queued > 0 && !drain (relay, d))
        return FALSE;
      if (d->queued > 0 || d->wait_out)
        continue;
      if (d->eof)
        {
          if (!d->shut)
            (void) shutdown (relay->fds[d->to], SHUT_WR);
          d->shut = TRUE;
          return TRUE;
        }
      if (!fill (relay, d))
        return FALSE;
    }
  if (!d->shut && !d->wait_in && !d->wait_out) /* out of rounds: poll says when to go on */
    {
      if (d->queued > 0)
        d->wait_out = TRUE;
      else
        d->wait_in = TRUE;
    }
  return TRUE;
}

static void
update_conditions (SbxRelay *relay)
{
  for (int i = 0; i < 2; i++)
    {
      GIOCondition want = (relay->dir[i].wait_in ? G_IO_IN : 0) | (relay->dir[1 - i].wait_out ? G_IO_OUT : 0);
      g_source_modify_unix_fd (relay->source, relay->tags[i], want);
    }
}

/* Ends both connections at once: with a zero linger the peers see a reset, not an end. */
static void
reset_both (SbxRelay *relay)
{
  struct linger reset = { .l_onoff = 1, .l_linger = 0 };

  for (int i = 0; i < 2; i++)
    (void) setsockopt (relay->fds[i], SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
}

static gboolean
relay_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  SbxRelay *relay = ((RelaySource *) source)->relay;
  gboolean ok = TRUE;

  for (int i = 0; i < 2; i++)
    if (g_source_query_unix_fd (source, relay->tags[i]) & G_IO_ERR)
      ok = FALSE;
  for (int i = 0; i < 2 && ok; i++)
    if (!relay->dir[i].shut)
      ok = pump (relay, &relay->dir[i]);
  if (!ok)
    reset_both (relay);
  if (!ok || (relay->dir[0].shut && relay->dir[1].shut))
    {
      g_source_destroy (relay->source);
      relay->done (relay, relay->user_data);
      return G_SOURCE_REMOVE;
    }
  update_conditions (relay);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs relay_source_funcs = {
  .dispatch = relay_dispatch,
};

SbxRelay *
sbx_relay_start (int a, int b, SbxRelayDone done, gpointer user_data)
{
  SbxRelay *relay = g_new0 (SbxRelay, 1);

  relay->fds[0] = a;
  relay->fds[1] = b;
  relay->done = done;
  relay->user_data = user_data;
  relay->dir[0] = (Direction) { .from = 0, .to = 1, .pipe_r = -1, .pipe_w = -1, .wait_in = TRUE };
  relay->dir[1] = (Direction) { .from = 1, .to = 0, .pipe_r = -1, .pipe_w = -1, .wait_in = TRUE };
  if (!open_pipe (&relay->dir[0]) || !open_pipe (&relay->dir[1]))
    {
      int errsv = errno;
      sbx_relay_free (relay);
      errno = errsv;
      return NULL;
    }
  relay->source = g_source_new (&relay_source_funcs, sizeof (RelaySource));
  ((RelaySource *) relay->source)->relay = relay;
  relay->tags[0] = g_source_add_unix_fd (relay->source, a, G_IO_IN);
  relay->tags[1] = g_source_add_unix_fd (relay->source, b, G_IO_IN);
  /* As slirp's source (slirp.c): not blocked around its dispatch, which would take both
   * polls out and back, each a wakeup of the loop. */
  g_source_set_can_recurse (relay->source, TRUE);
  g_source_attach (relay->source, NULL);
  return relay;
}

void
sbx_relay_free (SbxRelay *relay)
{
  if (relay->source != NULL)
    {
      g_source_destroy (relay->source);
      g_source_unref (relay->source);
    }
  for (int i = 0; i < 2; i++)
    {
      if (relay->fds[i] >= 0)
        close (relay->fds[i]);
      if (relay->dir[i].pipe_r >= 0)
        close (relay->dir[i].pipe_r);
      if (relay->dir[i].pipe_w >= 0)
        close (relay->dir[i].pipe_w);
    }
  g_free (relay);
}
