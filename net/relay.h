/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* relay.h: moving bytes both ways between two connected stream sockets on the GLib main
 * loop, with splice(2) through a pipe per direction (the bytes never enter user space).
 * An end-of-stream read from one side becomes a shutdown of the other side's write half; an
 * error on either side resets both. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct SbxRelay SbxRelay;
/* Called once, when both directions ended or the relay failed; free the relay there. */
typedef void (*SbxRelayDone) (SbxRelay *relay, gpointer user_data);

/* Starts relaying between @a and @b (taken, non-blocking).  NULL (both closed) with errno
 * when the pipes cannot be made. */
SbxRelay *sbx_relay_start (int a, int b, SbxRelayDone done, gpointer user_data);
void sbx_relay_free (SbxRelay *relay);

G_END_DECLS
