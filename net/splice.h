/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* splice.h: published TCP ports on a loopback host address, served without libslirp.
 *
 * A client of 127.0.0.1:PORT or [::1]:PORT is a program of this machine.  sbx accepts it
 * itself and connects a socket made inside the sandbox's network namespace (nsocket.h) to
 * the published port on the sandbox's own loopback (127.0.0.1 for an IPv4 client, ::1 for
 * an IPv6 one, the other family when nothing listens on that one), then moves the bytes
 * between the two with splice(2) through a pipe per direction: no user-mode TCP stack, no
 * copy through user space.  The sandbox sees the connection come from its loopback address
 * of the client's family.  Half-closes pass through (shutdown of the write side).  Ports on
 * other addresses and UDP ports stay with libslirp. */
#pragma once

#include <glib.h>
#include "netopts.h"

G_BEGIN_DECLS

typedef struct SbxPortSplice SbxPortSplice;

/* Whether @fwd is served here rather than by libslirp. */
gboolean sbx_port_splice_wants (const SbxPortForward *fwd);

/* Binds every forward of @opts that sbx_port_splice_wants, with sockets from the maker on
 * @maker_fd (taken).  NULL with @error (naming the -p) when a port cannot be bound. */
SbxPortSplice *sbx_port_splice_new (int maker_fd, const SbxNetOptions *opts, GError **error);
void sbx_port_splice_free (SbxPortSplice *splice);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxPortSplice, sbx_port_splice_free)

G_END_DECLS
