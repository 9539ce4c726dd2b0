/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pollset.c: libslirp's host sockets in one epoll set (pollset.h says why).
 *
 * Each socket has an entry by fd.  An entry is in the epoll set while libslirp lists it,
 * with the events it asked for; a socket libslirp stops listing leaves the set (else a
 * hung-up socket it is not reading would wake the loop forever: epoll always reports
 * EPOLLHUP and EPOLLERR), and comes back when listed again.  libslirp says before it closes
 * a socket (unregister_poll_fd): its entry goes then, while the fd still names it, so a new
 * socket that gets the same number starts afresh.  Entries forgotten during an iteration are
 * freed at the start of the next, as libslirp's list of that iteration may still point at
 * them. */
#include "pollset.h"
#include "sbx-error.h"

#include <errno.h>
#include <slirp/libslirp.h>
#include <sys/epoll.h>
#include <unistd.h>

typedef struct {
  int fd;
  guint32 want;  /* epoll events asked for in this iteration */
  guint32 armed; /* epoll events in the set; meaningful while in_set */
  gboolean in_set;
  guint seen;  /* the iteration that last listed it */
  int revents; /* SLIRP_POLL_* of this iteration */
} Entry;

struct SbxPollSet {
  int epoll_fd;
  GHashTable *by_fd;    /* fd -> Entry (owned) */
  GPtrArray *listed;    /* Entry* by libslirp's index in this iteration */
  GPtrArray *forgotten; /* Entry (owned) forgotten in this iteration */
  guint generation;
  guint in_set;   /* entries in the epoll set */
  GArray *events; /* struct epoll_event: room for one per entry in the set */
};

static guint32
to_epoll (int events)
{
  return ((events & SLIRP_POLL_IN) ? EPOLLIN : 0) | ((events & SLIRP_POLL_OUT) ? EPOLLOUT : 0) |
         ((events & SLIRP_POLL_PRI) ? EPOLLPRI : 0);
}

static int
from_epoll (guint32 events)
{
  return ((events & EPOLLIN) ? SLIRP_POLL_IN : 0) | ((events & EPOLLOUT) ? SLIRP_POLL_OUT : 0) |
         ((events & EPOLLPRI) ? SLIRP_POLL_PRI : 0) | ((events & EPOLLERR) ? SLIRP_POLL_ERR : 0) |
         ((events & EPOLLHUP) ? SLIRP_POLL_HUP : 0);
}

static void
leave_set (SbxPollSet *set, Entry *entry)
{
  if (!entry->in_set)
    return;
  (void) epoll_ctl (set->epoll_fd, EPOLL_CTL_DEL, entry->fd, NULL);
  entry->in_set = FALSE;
  set->in_set--;
}

/* In the set with entry->want.  A socket closed without a word to us is gone from the set
 * already (ENOENT on MOD): it is added again. */
static void
arm (SbxPollSet *set, Entry *entry)
{
  struct epoll_event ev = { .events = entry->want, .data.fd = entry->fd };
  int rc;

  if (entry->in_set && entry->armed == entry->want)
    return;
  rc = epoll_ctl (set->epoll_fd, entry->in_set ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, entry->fd, &ev);
  if (rc != 0 && errno == ENOENT)
    rc = epoll_ctl (set->epoll_fd, EPOLL_CTL_ADD, entry->fd, &ev);
  else if (rc != 0 && errno == EEXIST)
    rc = epoll_ctl (set->epoll_fd, EPOLL_CTL_MOD, entry->fd, &ev);
  if (rc != 0)
    {
      /* Not a socket epoll can watch: never expected from libslirp.  Left out, it would
       * never wake the loop; libslirp's own timers still run. */
      g_debug ("slirp: epoll_ctl fd %d: %s", entry->fd, g_strerror (errno));
      leave_set (set, entry);
      return;
    }
  if (!entry->in_set)
    set->in_set++;
  entry->in_set = TRUE;
  entry->armed = entry->want;
}

SbxPollSet *
sbx_poll_set_new (GError **error)
{
  SbxPollSet *set;
  int fd = epoll_create1 (EPOLL_CLOEXEC);

  if (fd < 0)
    {
      sbx_set_error_from_errno (error, errno, "epoll_create1");
      return NULL;
    }
  set = g_new0 (SbxPollSet, 1);
  set->epoll_fd = fd;
  set->by_fd = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  set->listed = g_ptr_array_new ();
  set->forgotten = g_ptr_array_new_with_free_func (g_free);
  set->events = g_array_new (FALSE, FALSE, sizeof (struct epoll_event));
  return set;
}

void
sbx_poll_set_free (SbxPollSet *set)
{
  if (set == NULL)
    return;
  close (set->epoll_fd);
  g_hash_table_unref (set->by_fd);
  g_ptr_array_unref (set->listed);
  g_ptr_array_unref (set->forgotten);
  g_array_unref (set->events);
  g_free (set);
}

int
sbx_poll_set_fd (const SbxPollSet *set)
{
  return set->epoll_fd;
}

void
sbx_poll_set_begin (SbxPollSet *set)
{
  set->generation++;
  g_ptr_array_set_size (set->listed, 0);
  g_ptr_array_set_size (set->forgotten, 0);
}

int
sbx_poll_set_want (SbxPollSet *set, int fd, int events)
{
  Entry *entry = g_hash_table_lookup (set->by_fd, GINT_TO_POINTER (fd));

  if (entry == NULL)
    {
      entry = g_new0 (Entry, 1);
      entry->fd = fd;
      g_hash_table_insert (set->by_fd, GINT_TO_POINTER (fd), entry);
    }
  entry->want = entry->seen == set->generation ? entry->want | to_epoll (events) : to_epoll (events);
  entry->seen = set->generation;
  entry->revents = 0;
  g_ptr_array_add (set->listed, entry);
  return (int) set->listed->len - 1;
}

void
sbx_poll_set_commit (SbxPollSet *set)
{
  GHashTableIter iter;
  Entry *entry;

  g_hash_table_iter_init (&iter, set->by_fd);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (entry->seen == set->generation)
      arm (set, entry);
    else
      leave_set (set, entry);
}

/* One epoll_wait with room for every entry in the set: level-triggered, a second call
 * would report the same sockets again, not the rest. */
gboolean
sbx_poll_set_collect (SbxPollSet *set)
{
  struct epoll_event *events;
  gboolean any = FALSE;
  int n;

  g_array_set_size (set->events, MAX (set->in_set, 1));
  events = (struct epoll_event *) (void *) set->events->data;
  n = epoll_wait (set->epoll_fd, events, (int) set->events->len, 0);
  for (int i = 0; i < n; i++)
    {
      Entry *entry = g_hash_table_lookup (set->by_fd, GINT_TO_POINTER (events[i].data.fd));

      if (entry != NULL && entry->seen == set->generation)
        {
          /* Armed with what it wants (commit): epoll adds only ERR and HUP to that. */
          entry->revents = from_epoll (events[i].events);
          any |= entry->revents != 0;
        }
    }
  return any;
}

int
sbx_poll_set_revents (const SbxPollSet *set, int index)
{
  if (index < 0 || (guint) index >= set->listed->len)
    return 0;
  return ((const Entry *) g_ptr_array_index (set->listed, index))->revents;
}

void
sbx_poll_set_forget (SbxPollSet *set, int fd)
{
  Entry *entry = NULL;

  if (!g_hash_table_steal_extended (set->by_fd, GINT_TO_POINTER (fd), NULL, (gpointer *) &entry))
    return;
  leave_set (set, entry);
  entry->revents = 0;
  g_ptr_array_add (set->forgotten, entry);
}

guint
sbx_poll_set_armed (const SbxPollSet *set)
{
  return set->in_set;
}
