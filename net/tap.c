/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tap.c: tap0 in the sandbox's network namespace, configured with plain ioctls. */
#include "tap.h"
#include "netopts.h"
#include "fd-util.h"
#include "sbx-error.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/route.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* <linux/ipv6.h> and <linux/ipv6_route.h> clash with glibc's headers: their two structs. */
struct sbx_in6_ifreq {
  struct in6_addr ifr6_addr;
  guint32 ifr6_prefixlen;
  int ifr6_ifindex;
};

struct sbx_in6_rtmsg {
  struct in6_addr rtmsg_dst;
  struct in6_addr rtmsg_src;
  struct in6_addr rtmsg_gateway;
  guint32 rtmsg_type;
  guint16 rtmsg_dst_len;
  guint16 rtmsg_src_len;
  guint32 rtmsg_metric;
  unsigned long rtmsg_info;
  guint32 rtmsg_flags;
  int rtmsg_ifindex;
};

static void
ifreq_for_tap (struct ifreq *ifr)
{
  memset (ifr, 0, sizeof *ifr);
  g_strlcpy (ifr->ifr_name, SBX_NET_TAP_NAME, sizeof ifr->ifr_name);
}

static gboolean
set_ipv4_address (int sock, unsigned long request, const char *address, const char *what, GError **error)
{
  struct ifreq ifr;
  struct sockaddr_in *sin = (struct sockaddr_in *) &ifr.ifr_addr;

  ifreq_for_tap (&ifr);
  sin->sin_family = AF_INET;
  inet_pton (AF_INET, address, &sin->sin_addr);
  if (ioctl (sock, request, &ifr) != 0)
    return sbx_set_error_from_errno (error, errno, "set the %s of %s", what, SBX_NET_TAP_NAME);
  return TRUE;
}

static gboolean
configure_ipv4 (int sock, GError **error)
{
  struct ifreq ifr;
  struct rtentry route;

  ifreq_for_tap (&ifr);
  ifr.ifr_mtu = SBX_NET_MTU;
  if (ioctl (sock, SIOCSIFMTU, &ifr) != 0)
    return sbx_set_error_from_errno (error, errno, "set the MTU of %s", SBX_NET_TAP_NAME);
  if (!set_ipv4_address (sock, SIOCSIFADDR, SBX_NET_GUEST_IP4, "address", error) ||
      !set_ipv4_address (sock, SIOCSIFNETMASK, "255.255.255.0", "netmask", error))
    return FALSE;
  ifreq_for_tap (&ifr);
  ifr.ifr_flags = IFF_UP | IFF_RUNNING;
  if (ioctl (sock, SIOCSIFFLAGS, &ifr) != 0)
    return sbx_set_error_from_errno (error, errno, "bring %s up", SBX_NET_TAP_NAME);

  memset (&route, 0, sizeof route);
  ((struct sockaddr_in *) &route.rt_dst)->sin_family = AF_INET;
  ((struct sockaddr_in *) &route.rt_genmask)->sin_family = AF_INET;
  ((struct sockaddr_in *) &route.rt_gateway)->sin_family = AF_INET;
  inet_pton (AF_INET, SBX_NET_GATEWAY_IP4, &((struct sockaddr_in *) &route.rt_gateway)->sin_addr);
  route.rt_flags = RTF_UP | RTF_GATEWAY;
  route.rt_dev = (char *) SBX_NET_TAP_NAME;
  if (ioctl (sock, SIOCADDRT, &route) != 0)
    return sbx_set_error_from_errno (error, errno, "add the default route via %s", SBX_NET_GATEWAY_IP4);
  return TRUE;
}

static void
write_sysctl (const char *name, const char *value)
{
  g_autofree char *path = g_strdup_printf ("/proc/sys/net/ipv6/conf/%s/%s", SBX_NET_TAP_NAME, name);

  (void) g_file_set_contents_full (path, value, -1, G_FILE_SET_CONTENTS_NONE, 0644, NULL);
}

/* A fixed address with no duplicate detection (usable at once) and no autoconfiguration
 * from slirp's router advertisements: the same address every run. */
static gboolean
configure_ipv6 (int ifindex, GError **error)
{
  sbx_autofd int sock = socket (AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct sbx_in6_ifreq ifr6 = { .ifr6_prefixlen = 64, .ifr6_ifindex = ifindex };
  struct sbx_in6_rtmsg route = { .rtmsg_flags = RTF_UP | RTF_GATEWAY, .rtmsg_metric = 1, .rtmsg_ifindex = ifindex };

  if (sock < 0)
    return TRUE; /* IPv6 is disabled on this kernel: IPv4 only */
  inet_pton (AF_INET6, SBX_NET_GUEST_IP6, &ifr6.ifr6_addr);
  if (ioctl (sock, SIOCSIFADDR, &ifr6) != 0)
    return sbx_set_error_from_errno (error, errno, "set the IPv6 address of %s", SBX_NET_TAP_NAME);
  inet_pton (AF_INET6, SBX_NET_GATEWAY_IP6, &route.rtmsg_gateway);
  if (ioctl (sock, SIOCADDRT, &route) != 0)
    return sbx_set_error_from_errno (error, errno, "add the IPv6 default route via %s", SBX_NET_GATEWAY_IP6);
  return TRUE;
}

int
sbx_net_tap_create (GError **error)
{
  sbx_autofd int tap = open ("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  sbx_autofd int sock = -1;
  struct ifreq ifr;

  if (tap < 0)
    return sbx_set_error_from_errno (error, errno, "open /dev/net/tun (slirp networking needs it "
                                                   "mode 0666, as udev makes it on desktops)"),
         -1;
  ifreq_for_tap (&ifr);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  if (ioctl (tap, TUNSETIFF, &ifr) != 0)
    return sbx_set_error_from_errno (error, errno, "create %s", SBX_NET_TAP_NAME), -1;
  /* Persistent: the last close of a plain tap unregisters it on the spot, an RCU wait of
   * ~20 ms at every sbx exit.  A persistent one goes with the network namespace, which the
   * kernel dismantles in the background once nothing holds it. */
  if (ioctl (tap, TUNSETPERSIST, 1) != 0)
    return sbx_set_error_from_errno (error, errno, "make %s persistent", SBX_NET_TAP_NAME), -1;
  /* Before the link goes up, so that its link-local address is usable at once too. */
  write_sysctl ("accept_dad", "0");
  write_sysctl ("accept_ra", "0");
  sock = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return sbx_set_error_from_errno (error, errno, "socket"), -1;
  if (!configure_ipv4 (sock, error) ||
      !configure_ipv6 ((int) if_nametoindex (SBX_NET_TAP_NAME), error))
    return -1;
  return sbx_steal_fd (&tap);
}
