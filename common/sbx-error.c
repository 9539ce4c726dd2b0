/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sbx-error.c: the SBX_ERROR domain and its mapping to exit statuses. */
#include "sbx-error.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>

G_DEFINE_QUARK (sbx - error - quark, sbx_error)

int
sbx_error_exit_status (const GError *error)
{
  if (error != NULL && error->domain == SBX_ERROR)
    {
      if (error->code == SBX_ERROR_CMD_NOT_EXECUTABLE)
        return SBX_EXIT_NOT_EXECUTABLE;
      if (error->code == SBX_ERROR_CMD_NOT_FOUND)
        return SBX_EXIT_NOT_FOUND;
      if (error->code == SBX_ERROR_MEMORY_LIMIT)
        return SBX_EXIT_MEMORY_LIMIT;
    }
  return SBX_EXIT_SBX_ERROR;
}

int
sbx_exit_code_from_wait_status (int wait_status)
{
  if (WIFEXITED (wait_status))
    return WEXITSTATUS (wait_status);
  if (WIFSIGNALED (wait_status))
    return 128 + WTERMSIG (wait_status);
  return SBX_EXIT_SBX_ERROR;
}

gboolean
sbx_set_error_from_errno (GError **error, int saved_errno, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  /* GLib's file-error domain, not GIO's io-error one: this runs in the setup child and init
   * too, and GIO is loaded only where sbx talks D-Bus (lazy-load.h). */
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno), "%s: %s", what, g_strerror (saved_errno));
  return FALSE;
}
