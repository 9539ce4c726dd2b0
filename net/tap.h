/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tap.h: the sandbox's end of slirp networking: tap0 in the sandbox's network namespace,
 * configured as slirp's virtual network expects (10.0.2.100/24 via 10.0.2.2, fd00::100/64
 * via fd00::2, MTU SBX_NET_MTU: netopts.h says why).  Its fd goes to the supervisor, which
 * runs libslirp. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Creates and configures tap0 in the caller's network namespace; returns its fd
 * (non-blocking, close-on-exec), or -1 with @error. */
int sbx_net_tap_create (GError **error);

G_END_DECLS
