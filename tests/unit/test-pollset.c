/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-pollset.c: libslirp's sockets in one epoll set (net/pollset.h), with socket pairs
 * standing in for libslirp's host sockets. */
#include "pollset.h"

#include <slirp/libslirp.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct {
  int ours, peer;
} Pair;

static Pair
pair_new (void)
{
  int fds[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), ==, 0);
  return (Pair) { fds[0], fds[1] };
}

static void
pair_close (Pair *p)
{
  close (p->ours);
  close (p->peer);
}

/* One iteration: begin, want @fd for @events, commit; the index libslirp would keep. */
static int
list_one (SbxPollSet *set, int fd, int events)
{
  int index;

  sbx_poll_set_begin (set);
  index = sbx_poll_set_want (set, fd, events);
  sbx_poll_set_commit (set);
  return index;
}

static void
test_events (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SbxPollSet) set = sbx_poll_set_new (&error);
  Pair p = pair_new ();
  int index;

  g_assert_no_error (error);
  index = list_one (set, p.ours, SLIRP_POLL_IN);
  g_assert_false (sbx_poll_set_collect (set));
  g_assert_cmpint (sbx_poll_set_revents (set, index), ==, 0);
  g_assert_cmpint (write (p.peer, "x", 1), ==, 1);
  g_assert_true (sbx_poll_set_collect (set));
  g_assert_cmpint (sbx_poll_set_revents (set, index), ==, SLIRP_POLL_IN);
  /* Asked for output now: a socket pair can always take some. */
  index = list_one (set, p.ours, SLIRP_POLL_OUT);
  g_assert_true (sbx_poll_set_collect (set));
  g_assert_cmpint (sbx_poll_set_revents (set, index), ==, SLIRP_POLL_OUT);
  pair_close (&p);
}

/* A socket libslirp stops listing leaves the set: its peer's hang-up wakes nobody. */
static void
test_unlisted_hangup (void)
{
  g_autoptr(SbxPollSet) set = sbx_poll_set_new (NULL);
  Pair p = pair_new (), q = pair_new ();
  int index;

  list_one (set, p.ours, SLIRP_POLL_IN);
  g_assert_cmpuint (sbx_poll_set_armed (set), ==, 1);
  index = list_one (set, q.ours, SLIRP_POLL_IN);
  g_assert_cmpuint (sbx_poll_set_armed (set), ==, 1);
  close (p.peer);
  g_assert_false (sbx_poll_set_collect (set));
  g_assert_cmpint (sbx_poll_set_revents (set, index), ==, 0);
  /* Listed again, the hang-up is reported. */
  index = list_one (set, p.ours, SLIRP_POLL_IN);
  g_assert_true (sbx_poll_set_collect (set));
  g_assert_true (sbx_poll_set_revents (set, index) & SLIRP_POLL_HUP);
  close (p.ours);
  pair_close (&q);
}

/* A closed socket's number, taken by a new one with the same events, is watched afresh:
 * forgotten before the close (unregister_poll_fd), or after a close libslirp did not
 * announce, when the new socket is registered (register_poll_fd). */
static void
check_reuse (gboolean announced)
{
  g_autoptr(SbxPollSet) set = sbx_poll_set_new (NULL);
  Pair old = pair_new (), fresh = pair_new ();
  int number = old.ours, index;

  list_one (set, number, SLIRP_POLL_IN);
  if (announced)
    sbx_poll_set_forget (set, number);
  close (old.ours);
  close (old.peer);
  g_assert_cmpint (dup2 (fresh.ours, number), ==, number);
  close (fresh.ours);
  fresh.ours = number;
  if (!announced)
    sbx_poll_set_forget (set, number);
  index = list_one (set, number, SLIRP_POLL_IN);
  g_assert_cmpint (write (fresh.peer, "x", 1), ==, 1);
  g_assert_true (sbx_poll_set_collect (set));
  g_assert_cmpint (sbx_poll_set_revents (set, index), ==, SLIRP_POLL_IN);
  pair_close (&fresh);
}

static void
test_reuse_after_forget (void)
{
  check_reuse (TRUE);
}

static void
test_reuse_after_fresh (void)
{
  check_reuse (FALSE);
}

/* More ready sockets than one epoll_wait takes: every one is reported. */
static void
test_many (void)
{
  g_autoptr(SbxPollSet) set = sbx_poll_set_new (NULL);
  Pair pairs[150];
  int index[G_N_ELEMENTS (pairs)];

  sbx_poll_set_begin (set);
  for (gsize i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      pairs[i] = pair_new ();
      index[i] = sbx_poll_set_want (set, pairs[i].ours, SLIRP_POLL_IN);
      g_assert_cmpint (write (pairs[i].peer, "x", 1), ==, 1);
    }
  sbx_poll_set_commit (set);
  g_assert_true (sbx_poll_set_collect (set));
  for (gsize i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      g_assert_cmpint (sbx_poll_set_revents (set, index[i]), ==, SLIRP_POLL_IN);
      pair_close (&pairs[i]);
    }
  g_assert_cmpint (sbx_poll_set_revents (set, -1), ==, 0);
  g_assert_cmpint (sbx_poll_set_revents (set, (int) G_N_ELEMENTS (pairs)), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pollset/events", test_events);
  g_test_add_func ("/pollset/unlisted-hangup", test_unlisted_hangup);
  g_test_add_func ("/pollset/reuse-after-forget", test_reuse_after_forget);
  g_test_add_func ("/pollset/reuse-after-fresh", test_reuse_after_fresh);
  g_test_add_func ("/pollset/many", test_many);
  return g_test_run ();
}
