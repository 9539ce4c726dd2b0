/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsocket.c: the socket maker in the sandbox's network namespace, and asking it. */
#include "nsocket.h"
#include "sbx-error.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

gboolean
sbx_nsocket_pair (int *out_supervisor_end, int *out_maker_end, GError **error)
{
  int fds[2];

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0)
    return sbx_set_error_from_errno (error, errno, "socketpair for the socket maker");
  *out_supervisor_end = fds[0];
  *out_maker_end = fds[1];
  return TRUE;
}

static int
family_of_byte (char c)
{
  return c == '4' ? AF_INET : c == '6' ? AF_INET6
                                       : AF_UNSPEC;
}

/* @payload, with @fd attached when it is not -1. */
static gboolean
send_with_fd (int sock, const char *payload, gsize len, int fd)
{
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE (sizeof (int))];
  } control;
  struct iovec iov = { .iov_base = (void *) payload, .iov_len = len };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
  ssize_t n;

  if (fd >= 0)
    {
      struct cmsghdr *cmsg;

      memset (&control, 0, sizeof control);
      msg.msg_control = control.buf;
      msg.msg_controllen = sizeof control.buf;
      cmsg = CMSG_FIRSTHDR (&msg);
      cmsg->cmsg_level = SOL_SOCKET;
      cmsg->cmsg_type = SCM_RIGHTS;
      cmsg->cmsg_len = CMSG_LEN (sizeof (int));
      memcpy (CMSG_DATA (cmsg), &fd, sizeof (int));
    }
  do
    n = sendmsg (sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n == (ssize_t) len;
}

gboolean
sbx_nsocket_serve_one (int fd)
{
  char request;
  char answer[2];
  ssize_t n;
  int family, sock;
  gboolean sent;

  do
    n = recv (fd, &request, 1, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EAGAIN)
    return TRUE;
  family = n == 1 ? family_of_byte (request) : AF_UNSPEC;
  if (family == AF_UNSPEC)
    return FALSE;
  sock = socket (family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  answer[0] = request;
  answer[1] = sock >= 0 ? 'k' : 'e';
  sent = send_with_fd (fd, answer, sizeof answer, sock);
  if (sock >= 0)
    close (sock);
  return sent;
}

gboolean
sbx_nsocket_request (int fd, int family)
{
  char c = family == AF_INET6 ? '6' : '4';

  return send_with_fd (fd, &c, 1, -1);
}

/* Whether @fd is a TCP socket of @family: what the maker promised. */
static gboolean
is_tcp_socket (int fd, int family)
{
  struct stat st;
  int domain = 0, type = 0;
  socklen_t len = sizeof domain;

  if (fstat (fd, &st) != 0 || !S_ISSOCK (st.st_mode) ||
      getsockopt (fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0 || domain != family)
    return FALSE;
  len = sizeof type;
  return getsockopt (fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM;
}

/* The fd of an SCM_RIGHTS message, -1 without one; extra fds are closed. */
static int
take_fd (struct msghdr *msg)
{
  int fd = -1;

  for (struct cmsghdr *c = CMSG_FIRSTHDR (msg); c != NULL; c = CMSG_NXTHDR (msg, c))
    {
      gsize count;

      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
        continue;
      count = (c->cmsg_len - CMSG_LEN (0)) / sizeof (int);
      for (gsize i = 0; i < count; i++)
        {
          int one;

          memcpy (&one, CMSG_DATA (c) + i * sizeof (int), sizeof (int));
          if (fd < 0)
            fd = one;
          else
            close (one);
        }
    }
  return fd;
}

gboolean
sbx_nsocket_receive (int fd, int *out_family, int *out_socket)
{
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE (4 * sizeof (int))];
  } control;
  char answer[2] = { 0 };
  struct iovec iov = { .iov_base = answer, .iov_len = sizeof answer };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf };
  ssize_t n;
  int sock;

  do
    n = recvmsg (fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    {
      if (n == 0)
        errno = 0;
      return FALSE;
    }
  sock = take_fd (&msg);
  *out_family = family_of_byte (answer[0]);
  *out_socket = -1;
  if (n != 2 || *out_family == AF_UNSPEC)
    {
      if (sock >= 0)
        close (sock);
      errno = EPROTO;
      return FALSE;
    }
  if (sock >= 0 && (answer[1] != 'k' || !is_tcp_socket (sock, *out_family) ||
                    fcntl (sock, F_SETFL, O_NONBLOCK | O_RDWR) != 0))
    {
      close (sock);
      sock = -1;
    }
  *out_socket = sock;
  return TRUE;
}
