/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* loopback.c: bringing up the loopback interface of a fresh network namespace. */
#include "loopback.h"
#include "fd-util.h"
#include "sbx-error.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

gboolean
sbx_net_loopback_up (GError **error)
{
  sbx_autofd int sock = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr;

  if (sock < 0)
    return sbx_set_error_from_errno (error, errno, "socket for the loopback interface");
  memset (&ifr, 0, sizeof ifr);
  g_strlcpy (ifr.ifr_name, "lo", sizeof ifr.ifr_name);
  if (ioctl (sock, SIOCGIFFLAGS, &ifr) != 0)
    return sbx_set_error_from_errno (error, errno, "read the flags of lo");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl (sock, SIOCSIFFLAGS, &ifr) != 0)
    return sbx_set_error_from_errno (error, errno, "bring lo up");
  return TRUE;
}
