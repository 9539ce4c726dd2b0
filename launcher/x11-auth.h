/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* x11-auth.h: a private Xauthority for one X display, made with xauth(1): an untrusted
 * cookie the X server generates for the sandbox (the SECURITY extension keeps such a client
 * from reading other clients' windows and input), or the session's own cookie for that
 * display only ("trusted").  Entries are written with the wildcard family, so they match
 * whatever hostname the sandbox has. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes @path (0600) for display :@number; FALSE with a one-line reason when xauth is
 * missing, the server refuses to generate, or the session has no cookie for it. */
gboolean sbx_x11_auth_write (const char *number, gboolean trusted, const char *path, GError **error);

G_END_DECLS
