/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* error-pipe.h: carrying a GError from a child process to its parent.
 *
 * A child that fails sends its GError as one message (domain, code, message) and exits;
 * the parent turns it back into the same GError, so the user sees one line from the
 * process that talks to them, never a half-written trace from a child. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Encodes @error into @buf ("domain\0code\0message", truncated to @size); returns its length. */
gsize sbx_error_encode (const GError *error, char *buf, gsize size);
/* Decodes what sbx_error_encode wrote; never NULL. */
GError *sbx_error_decode (const char *buf, gsize len);

typedef struct {
  int read_fd;
  int write_fd;
} SbxErrorPipe;

gboolean sbx_error_pipe_open (SbxErrorPipe *pipe, GError **error);
void sbx_error_pipe_close_write (SbxErrorPipe *pipe);
void sbx_error_pipe_close (SbxErrorPipe *pipe);
/* In the child: sends @error (a generic one when NULL) and exits with its exit status. */
G_NORETURN void sbx_error_pipe_send_and_exit (SbxErrorPipe *pipe, const GError *error);
/* In the parent, after the child's write end is closed: FALSE with the child's error
 * when it sent one.  Closes the pipe. */
gboolean sbx_error_pipe_receive (SbxErrorPipe *pipe, GError **error);

G_END_DECLS
