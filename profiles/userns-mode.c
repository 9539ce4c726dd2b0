/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* userns-mode.c: parsing the user namespace mode ("default", "keep-id"). */
#include "userns-mode.h"
#include "sbx-error.h"

gboolean
sbx_userns_mode_parse (const char *mode_str, SbxUsernsMode *out_mode, GError **error)
{
  if (mode_str == NULL || *mode_str == '\0' || g_str_equal (mode_str, "default"))
    *out_mode = SBX_USERNS_DEFAULT;
  else if (g_str_equal (mode_str, "keep-id"))
    *out_mode = SBX_USERNS_KEEP_ID;
  else
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                   "--userns=%s: unknown mode (expected keep-id or default)", mode_str);
      return FALSE;
    }
  return TRUE;
}
