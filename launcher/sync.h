/* sync.h: the sync socket between the supervisor and the processes inside the sandbox.
 *
 * A SOCK_SEQPACKET pair: one message per packet.  The setup child says UNSHARED, the
 * supervisor answers MAPPED once the id maps are written; any process inside (setup
 * child, init, the command before its execve) may send ERROR with a GError and exit.
 * The sandbox's end is close-on-exec, so the sandboxed command never holds it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SBX_SYNC_UNSHARED = 'U',
  SBX_SYNC_MAPPED = 'M',
  SBX_SYNC_ERROR = 'E',
} SbxSyncType;

gboolean sbx_sync_socketpair (int *out_supervisor_end, int *out_sandbox_end, GError **error);
gboolean sbx_sync_send (int fd, SbxSyncType type, GError **error);
/* Waits for @type; an ERROR message becomes @error. */
gboolean sbx_sync_expect (int fd, SbxSyncType type, GError **error);
/* Reads one message if there is one: FALSE at end of stream.  *out_error is set for ERROR. */
gboolean sbx_sync_receive (int fd, SbxSyncType *out_type, GError **out_error);
G_NORETURN void sbx_sync_send_error_and_exit (int fd, const GError *error);

G_END_DECLS
