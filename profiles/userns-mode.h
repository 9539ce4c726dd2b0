/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* userns-mode.h: how a sandbox's user namespace maps the caller: a profile value
 * (sbx.userns, --userns), laid out by launcher/idmap.c. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SBX_USERNS_DEFAULT, /* caller -> 0 */
  SBX_USERNS_KEEP_ID, /* caller -> caller */
} SbxUsernsMode;

/* Parses @mode_str: NULL or "" -> default, "keep-id". */
gboolean sbx_userns_mode_parse (const char *mode_str, SbxUsernsMode *out_mode, GError **error);

G_END_DECLS
