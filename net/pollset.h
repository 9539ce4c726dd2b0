/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pollset.h: libslirp's host sockets in one epoll set, which the main loop polls as one fd.
 *
 * libslirp lists the sockets it wants events for at every iteration (slirp_pollfds_fill),
 * and a socket drops out of the list and comes back as its connection moves along.  In
 * GLib's own poll set every such change was a g_source_add_poll or g_source_remove_poll:
 * a write to the main loop's wakeup eventfd, a read of it, an extra iteration, and a poll()
 * of every socket on the next one.  Here a change is one epoll_ctl, and a wakeup looks only
 * at the sockets that are ready.  Events are libslirp's SLIRP_POLL_* flags. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct SbxPollSet SbxPollSet;

SbxPollSet *sbx_poll_set_new (GError **error);
void sbx_poll_set_free (SbxPollSet *set);

/* The epoll fd: readable when a socket in the set has an event. */
int sbx_poll_set_fd (const SbxPollSet *set);

/* One iteration's list, as libslirp gives it: begin, want per socket (the index libslirp
 * keeps for it), then commit, which brings the epoll set in line. */
void sbx_poll_set_begin (SbxPollSet *set);
int sbx_poll_set_want (SbxPollSet *set, int fd, int events);
void sbx_poll_set_commit (SbxPollSet *set);

/* After the poll: takes the events that are there, without waiting; TRUE if any. */
gboolean sbx_poll_set_collect (SbxPollSet *set);

/* The events of the socket at @index in this iteration's list. */
int sbx_poll_set_revents (const SbxPollSet *set, int index);

/* Drops the entry under @fd: libslirp is about to close that socket, or made a new one
 * under a number whose old socket was closed without a word (a stale entry). */
void sbx_poll_set_forget (SbxPollSet *set, int fd);

/* Sockets in the epoll set now (for the tests). */
guint sbx_poll_set_armed (const SbxPollSet *set);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxPollSet, sbx_poll_set_free)

G_END_DECLS
