/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* splice.h: published TCP ports on a loopback or wildcard host address, served without
 * libslirp for the clients of this machine's loopback.
 *
 * A client of 127.0.0.1:PORT or [::1]:PORT is a program of this machine.  sbx accepts it
 * itself and connects a socket made inside the sandbox's network namespace (nsocket.h) to
 * the published port on the sandbox's own loopback (127.0.0.1 for an IPv4 client, ::1 for
 * an IPv6 one, the other family when nothing listens on that one), then moves the bytes
 * between the two with splice(2) through a pipe per direction: no user-mode TCP stack, no
 * copy through user space.  The sandbox sees the connection come from its loopback address
 * of the client's family.  Half-closes pass through (shutdown of the write side).
 *
 * A port on a wildcard address (0.0.0.0, [::]) is listened on here too.  Its loopback
 * clients are spliced as above; any other client (another machine, or this one through a
 * non-loopback address) is relayed to a private loopback port that libslirp forwards to the
 * port inside (the "hop"), so it takes the slirp path it took before: it reaches the
 * sandbox's guest address, never a service bound to the sandbox's loopback only, and shows as
 * 10.0.2.2 (or fd00::2).  Ports on other addresses and UDP ports stay with libslirp. */
#pragma once

#include <glib.h>
#include "netopts.h"

G_BEGIN_DECLS

typedef struct SbxPortSplice SbxPortSplice;

/* Whether @fwd is listened on here rather than by libslirp. */
gboolean sbx_port_splice_wants (const SbxPortForward *fwd);
/* Whether @fwd (one sbx_port_splice_wants) needs a hop through libslirp for its clients
 * from elsewhere: a wildcard address. */
gboolean sbx_port_splice_wants_hop (const SbxPortForward *fwd);

/* Binds every forward of @opts that sbx_port_splice_wants, with sockets from the maker on
 * @maker_fd (taken).  @hop_ports[i] is the private loopback port (of forward i's family)
 * libslirp forwards for the hop, 0 for none.  NULL with @error (naming the -p) when a port
 * cannot be bound. */
SbxPortSplice *sbx_port_splice_new (int maker_fd, const SbxNetOptions *opts, const guint16 *hop_ports,
                                    GError **error);
void sbx_port_splice_free (SbxPortSplice *splice);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxPortSplice, sbx_port_splice_free)

G_END_DECLS
