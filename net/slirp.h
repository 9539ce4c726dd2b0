/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* slirp.h: user-mode networking for a sandbox: libslirp linked into the supervisor, fed by
 * the sandbox's tap0 fd, run from the supervisor's GLib main loop (no helper process, no
 * busy polling).  Owns the forwarded host ports: they close with it. */
#pragma once

#include <glib.h>
#include "netopts.h"

G_BEGIN_DECLS

typedef struct SbxSlirp SbxSlirp;

/* Starts slirp on @tap_fd (taken) and binds every forward of @opts, those on loopback
 * addresses spliced (splice.h) with sockets from the maker on @maker_fd (taken); an unusable
 * port fails here, before the sandboxed command starts. */
SbxSlirp *sbx_slirp_new (int tap_fd, int maker_fd, const SbxNetOptions *opts, GError **error);
void sbx_slirp_free (SbxSlirp *net);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxSlirp, sbx_slirp_free)

G_END_DECLS
