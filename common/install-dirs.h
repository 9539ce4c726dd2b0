/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* install-dirs.h: where sbx's installed files are (profiles, sbx-import), found from the
 * install prefix sbx was configured with (config.h) and where the running binary is. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @configured (an absolute directory of config.h: SBX_DATADIR, SBX_LIBEXECDIR) under the
 * root the running program was installed to.  A program in DESTDIR/usr/bin (a staged
 * `meson install --destdir DESTDIR`, or a tree moved whole) finds DESTDIR/usr/share/sbx;
 * one at its configured place, or anywhere else (a build directory), gets @configured. */
char *sbx_install_path (const char *configured);

/* The same, with @exe_dir standing for the running program's directory (tests). */
char *sbx_install_path_for (const char *exe_dir, const char *configured);

G_END_DECLS
