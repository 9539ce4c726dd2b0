/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* loopback.h: bringing up the loopback interface of a fresh network namespace. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sets IFF_UP on "lo" in the caller's network namespace. */
gboolean sbx_net_loopback_up (GError **error);

G_END_DECLS
