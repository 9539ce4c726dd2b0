/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sync.c: the sync socket between the supervisor and the processes inside the sandbox. */
#include "sync.h"
#include "error-pipe.h"
#include "sbx-error.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <gio/gio.h>

#define SYNC_MESSAGE_MAX 4096

gboolean
sbx_sync_socketpair (int *out_supervisor_end, int *out_sandbox_end, GError **error)
{
  int fds[2];

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0)
    return sbx_set_error_from_errno (error, errno, "socketpair");
  *out_supervisor_end = fds[0];
  *out_sandbox_end = fds[1];
  return TRUE;
}

gboolean
sbx_sync_take_peer_error (int fd, GError **error)
{
  char buf[SYNC_MESSAGE_MAX];

  for (guint i = 0; i < 64; i++)
    {
      ssize_t n = recv (fd, buf, sizeof buf, MSG_DONTWAIT);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      if ((SbxSyncType) buf[0] == SBX_SYNC_ERROR)
        {
          g_propagate_error (error, sbx_error_decode (buf + 1, (gsize) n - 1));
          return TRUE;
        }
    }
  return FALSE;
}

/* A send on @fd failed with @errsv: the error the peer sent before it went, if it did, else
 * one naming @what. */
static gboolean
send_failed (int fd, int errsv, const char *what, GError **error)
{
  if ((errsv == EPIPE || errsv == ECONNRESET) && sbx_sync_take_peer_error (fd, error))
    return FALSE;
  return sbx_set_error_from_errno (error, errsv, "%s", what);
}

gboolean
sbx_sync_send (int fd, SbxSyncType type, GError **error)
{
  char c = (char) type;

  while (send (fd, &c, 1, MSG_NOSIGNAL) < 0)
    if (errno != EINTR)
      return send_failed (fd, errno, "sync socket", error);
  return TRUE;
}

gboolean
sbx_sync_receive (int fd, SbxSyncType *out_type, GError **out_error)
{
  char buf[SYNC_MESSAGE_MAX];
  ssize_t n;

  do
    n = recv (fd, buf, sizeof buf, 0);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    return FALSE;
  *out_type = (SbxSyncType) buf[0];
  if (*out_type == SBX_SYNC_ERROR)
    g_propagate_error (out_error, sbx_error_decode (buf + 1, (gsize) n - 1));
  return TRUE;
}

gboolean
sbx_sync_expect (int fd, SbxSyncType type, GError **error)
{
  SbxSyncType got;
  g_autoptr(GError) remote_error = NULL;

  if (!sbx_sync_receive (fd, &got, &remote_error))
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "sandbox setup ended unexpectedly");
      return FALSE;
    }
  if (remote_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&remote_error));
      return FALSE;
    }
  if (got != type)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED,
                   "sync socket: expected message '%c', got '%c'", type, got);
      return FALSE;
    }
  return TRUE;
}

gboolean
sbx_sync_send_text (int fd, SbxSyncType type, const char *text, GError **error)
{
  char buf[SYNC_MESSAGE_MAX];
  gsize len = strlen (text);

  g_return_val_if_fail (len < sizeof buf - 1, FALSE);
  buf[0] = (char) type;
  memcpy (buf + 1, text, len);
  while (send (fd, buf, len + 1, MSG_NOSIGNAL) < 0)
    if (errno != EINTR)
      return send_failed (fd, errno, "sync socket", error);
  return TRUE;
}

gboolean
sbx_sync_expect_text (int fd, SbxSyncType type, char **out_text, GError **error)
{
  char buf[SYNC_MESSAGE_MAX];
  ssize_t n;

  do
    n = recv (fd, buf, sizeof buf, 0);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "sandbox setup ended unexpectedly"), FALSE;
  if (buf[0] == SBX_SYNC_ERROR)
    {
      g_propagate_error (error, sbx_error_decode (buf + 1, (gsize) n - 1));
      return FALSE;
    }
  if (buf[0] != (char) type)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "sync socket: expected message '%c', got '%c'",
                        type, buf[0]),
           FALSE;
  *out_text = g_strndup (buf + 1, (gsize) n - 1);
  return TRUE;
}

gboolean
sbx_sync_send_fd (int sock, SbxSyncType type, int fd, GError **error)
{
  char c = (char) type;
  struct iovec iov = { &c, 1 };
  union {
    struct cmsghdr header;
    char buf[CMSG_SPACE (sizeof (int))];
  } control = { 0 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf };
  struct cmsghdr *cmsg = CMSG_FIRSTHDR (&msg);

  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (cmsg), &fd, sizeof (int));
  while (sendmsg (sock, &msg, MSG_NOSIGNAL) < 0)
    if (errno != EINTR)
      return send_failed (sock, errno, "sync socket: send an fd", error);
  return TRUE;
}

gboolean
sbx_sync_expect_fd (int sock, SbxSyncType type, int *out_fd, GError **error)
{
  char buf[SYNC_MESSAGE_MAX];
  struct iovec iov = { buf, sizeof buf };
  union {
    struct cmsghdr header;
    char buf[CMSG_SPACE (sizeof (int))];
  } control;
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf };
  struct cmsghdr *cmsg;
  ssize_t n;

  do
    n = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "sandbox setup ended unexpectedly");
      return FALSE;
    }
  if (buf[0] == SBX_SYNC_ERROR)
    {
      g_propagate_error (error, sbx_error_decode (buf + 1, (gsize) n - 1));
      return FALSE;
    }
  cmsg = CMSG_FIRSTHDR (&msg);
  if (buf[0] != (char) type || cmsg == NULL || cmsg->cmsg_type != SCM_RIGHTS ||
      cmsg->cmsg_len != CMSG_LEN (sizeof (int)))
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "sync socket: expected '%c' with an fd", type);
      return FALSE;
    }
  memcpy (out_fd, CMSG_DATA (cmsg), sizeof (int));
  return TRUE;
}

void
sbx_sync_send_error_and_exit (int fd, const GError *error)
{
  char buf[SYNC_MESSAGE_MAX];
  gsize len;

  buf[0] = SBX_SYNC_ERROR;
  len = sbx_error_encode (error, buf + 1, sizeof buf - 1);
  (void) send (fd, buf, len + 1, MSG_NOSIGNAL);
  _exit (sbx_error_exit_status (error));
}
