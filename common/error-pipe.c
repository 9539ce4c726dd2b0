/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* error-pipe.c: carrying a GError from a child process to its parent. */
#include "error-pipe.h"
#include "fd-util.h"
#include "sbx-error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SBX_ERROR_MESSAGE_MAX 4096

gsize
sbx_error_encode (const GError *error, char *buf, gsize size)
{
  const char *domain = error != NULL ? g_quark_to_string (error->domain) : "sbx-error-quark";
  int code = error != NULL ? error->code : SBX_ERROR_FAILED;
  const char *message = error != NULL ? error->message : "unknown error";
  int n = g_snprintf (buf, size, "%s%c%d%c%s", domain, 0, code, 0, message);

  return MIN ((gsize) MAX (n, 0), size - 1);
}

/* Only domains sbx sends are accepted: a quark made from arbitrary input is never freed. */
static GQuark
known_domain (const char *name)
{
  /* G_IO_ERROR without loading GIO for it, made from the literal: a quark keeps the pointer
   * it was made from, and @name is freed after decoding. */
  if (g_str_equal (name, "g-io-error-quark"))
    return g_quark_from_static_string ("g-io-error-quark");
  if (g_str_equal (name, g_quark_to_string (G_FILE_ERROR)))
    return G_FILE_ERROR;
  return SBX_ERROR;
}

GError *
sbx_error_decode (const char *buf, gsize len)
{
  g_autofree char *copy = g_malloc (len + 1);
  const char *end = (memcpy (copy, buf, len), copy[len] = '\0', copy + len);
  const char *domain = copy;
  const char *code_str = memchr (copy, '\0', len) ? copy + strlen (copy) + 1 : end;
  const char *message = code_str < end ? code_str + strlen (code_str) + 1 : end;

  if (message >= end || *domain == '\0')
    return g_error_new_literal (SBX_ERROR, SBX_ERROR_FAILED, "malformed error from a child process");
  return g_error_new_literal (known_domain (domain), atoi (code_str), message);
}

gboolean
sbx_error_pipe_open (SbxErrorPipe *p, GError **error)
{
  int fds[2];

  if (pipe2 (fds, O_CLOEXEC) != 0)
    return sbx_set_error_from_errno (error, errno, "pipe");
  p->read_fd = fds[0];
  p->write_fd = fds[1];
  return TRUE;
}

void
sbx_error_pipe_close_write (SbxErrorPipe *p)
{
  sbx_close_fdp (&p->write_fd);
  p->write_fd = -1;
}

void
sbx_error_pipe_close (SbxErrorPipe *p)
{
  sbx_error_pipe_close_write (p);
  sbx_close_fdp (&p->read_fd);
  p->read_fd = -1;
}

void
sbx_error_pipe_send_and_exit (SbxErrorPipe *p, const GError *error)
{
  char buf[SBX_ERROR_MESSAGE_MAX];
  gsize len = sbx_error_encode (error, buf, sizeof buf);

  (void) sbx_write_all (p->write_fd, buf, len, NULL);
  _exit (sbx_error_exit_status (error));
}

gboolean
sbx_error_pipe_receive (SbxErrorPipe *p, GError **error)
{
  char buf[SBX_ERROR_MESSAGE_MAX];
  gsize len = 0;

  sbx_error_pipe_close_write (p);
  while (len < sizeof buf)
    {
      ssize_t n = read (p->read_fd, buf + len, sizeof buf - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      len += (gsize) n;
    }
  sbx_error_pipe_close (p);
  if (len == 0)
    return TRUE;
  g_propagate_error (error, sbx_error_decode (buf, len));
  return FALSE;
}
