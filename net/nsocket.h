/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsocket.h: TCP sockets made inside the sandbox's network namespace for the supervisor.
 *
 * The supervisor cannot enter the sandbox's network namespace (setns needs privileges in its
 * own user namespace), but a socket belongs to the namespace it was made in, wherever its fd
 * goes.  The setup child, which stays in the sandbox's namespaces outside its pid namespace
 * (the sandboxed command cannot see it), makes sockets on request and hands them over on a
 * SOCK_SEQPACKET pair: a request is one byte, the address family ('4' or '6'); the answer
 * is that byte and 'k' with the socket's fd (SCM_RIGHTS), or that byte and 'e' when it could
 * not make one. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The pair, both ends close-on-exec. */
gboolean sbx_nsocket_pair (int *out_supervisor_end, int *out_maker_end, GError **error);

/* The maker's side: answers one request read from @fd.  FALSE when the supervisor's end is
 * gone (or sent something else than a request): stop serving. */
gboolean sbx_nsocket_serve_one (int fd);

/* The supervisor's side: asks for a socket of @family (AF_INET or AF_INET6). */
gboolean sbx_nsocket_request (int fd, int family);

/* Reads one answer: TRUE with *out_family and *out_socket (a non-blocking, close-on-exec
 * TCP socket of that family, checked to be one), or with *out_socket -1 when the maker
 * could not make one; FALSE when there is nothing to read or the maker is gone (errno
 * EAGAIN for the first). */
gboolean sbx_nsocket_receive (int fd, int *out_family, int *out_socket);

G_END_DECLS
