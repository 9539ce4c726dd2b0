/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sync.h: the sync socket between the supervisor and the processes inside the sandbox.
 *
 * A SOCK_SEQPACKET pair: one message per packet.  The setup child says UNSHARED once its
 * user namespace exists (its other namespaces follow while the maps are written), the
 * supervisor answers MAPPED once the id maps are written.  With slirp networking the setup
 * child then sends TAP with tap0's fd and SOCKETS with its socket maker's, and waits for
 * NET_READY before it starts init.  Any process inside (setup child, init, the command
 * before its execve) may send ERROR with a GError and exit.
 * With a seccomp filter in the profile, the supervisor compiles it while the sandbox is
 * being set up and sends SECCOMP with a memfd holding the program, once the create hooks
 * are done; init waits for it after its mounts, before it starts the command.
 * With hooks in the profile (hooks.h), init says HOOKS with its pid as the host sees it
 * before pivot_root, and waits for HOOKS_DONE: the runtime namespace's create hooks ran.
 * The sandbox's end is close-on-exec, so the sandboxed command never holds it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SBX_SYNC_UNSHARED = 'U',
  SBX_SYNC_MAPPED = 'M',
  SBX_SYNC_ERROR = 'E',
  SBX_SYNC_TAP = 'T',         /* carries the fd of the sandbox's tap0 */
  SBX_SYNC_SOCKETS = 'S',     /* carries the supervisor's end of the socket maker (nsocket.h) */
  SBX_SYNC_NET_READY = 'N',   /* slirp runs and every port is forwarded */
  SBX_SYNC_PTY = 'P',         /* -t: carries the master of the command's pty (terminal.h) */
  SBX_SYNC_HOOKS = 'H',       /* init, before pivot_root: carries its host pid, as text */
  SBX_SYNC_HOOKS_DONE = 'h',  /* the supervisor: prestart and createRuntime hooks ran */
  SBX_SYNC_ATTACHED = 'A',    /* `sbx exec`: its process is in the sandbox's scope, may join it */
  SBX_SYNC_BUSES_READY = 'B', /* the D-Bus proxies listen: their sockets may be bound */
  SBX_SYNC_SECCOMP = 'F',     /* carries a memfd with the compiled seccomp filter (seccomp-filter.h) */
} SbxSyncType;

gboolean sbx_sync_socketpair (int *out_supervisor_end, int *out_sandbox_end, GError **error);
gboolean sbx_sync_send (int fd, SbxSyncType type, GError **error);
/* Waits for @type; an ERROR message becomes @error. */
gboolean sbx_sync_expect (int fd, SbxSyncType type, GError **error);
/* Reads one message if there is one: FALSE at end of stream.  *out_error is set for ERROR. */
gboolean sbx_sync_receive (int fd, SbxSyncType *out_type, GError **out_error);
/* A message carrying @text (at most 4000 bytes) after its type. */
gboolean sbx_sync_send_text (int fd, SbxSyncType type, const char *text, GError **error);
/* Waits for @type carrying text: *out_text is it (free it). */
gboolean sbx_sync_expect_text (int fd, SbxSyncType type, char **out_text, GError **error);
/* TAP: a message carrying @fd (SCM_RIGHTS). */
gboolean sbx_sync_send_fd (int sock, SbxSyncType type, int fd, GError **error);
/* Waits for @type carrying an fd; *out_fd is close-on-exec. */
gboolean sbx_sync_expect_fd (int sock, SbxSyncType type, int *out_fd, GError **error);
G_NORETURN void sbx_sync_send_error_and_exit (int fd, const GError *error);
/* The peer went away: the error it sent before it went (a setup step that failed) says why
 * better than what its going caused here (EPIPE, a /proc file refused).  TRUE, with @error
 * set, when one is waiting; never blocks. */
gboolean sbx_sync_take_peer_error (int fd, GError **error);

G_END_DECLS
