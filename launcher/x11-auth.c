/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* x11-auth.c: a private Xauthority for one display (x11-auth.h). */
#include "x11-auth.h"
#include "escape.h"
#include "fd-util.h"
#include "log.h"
#include "sbx-error.h"

#include <fcntl.h>
#include <string.h>

#define FAMILY_WILD 0xffff

/* Runs xauth with @argv (after "xauth"); its stdout in *@out. */
static gboolean
run_xauth (const char * const *args, char **out, GError **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  int status;

  g_ptr_array_add (argv, (gpointer) "xauth");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, &err, &status, error))
    return g_prefix_error (error, "xauth: "), FALSE;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_autofree char *escaped = sbx_escape (g_strstrip (err));
      g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "xauth %s failed: %s", args[2] != NULL ? args[2] : args[0],
                   *escaped ? escaped : "no message");
      return FALSE;
    }
  return TRUE;
}

/* One counted field of the file format: a 16-bit big-endian length, then the bytes. */
static gboolean
append_hex_field (GByteArray *out, const char *len_hex, const char *hex)
{
  guint64 len;
  guint8 be[2];

  if (!g_ascii_string_to_unsigned (len_hex, 16, 0, 0xffff, &len, NULL) || strlen (hex) != len * 2)
    return FALSE;
  be[0] = (guint8) (len >> 8);
  be[1] = (guint8) len;
  g_byte_array_append (out, be, 2);
  for (guint64 i = 0; i < len; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]), lo = g_ascii_xdigit_value (hex[2 * i + 1]);
      guint8 byte;
      if (hi < 0 || lo < 0)
        return FALSE;
      byte = (guint8) (hi << 4 | lo);
      g_byte_array_append (out, &byte, 1);
    }
  return TRUE;
}

/* `xauth nlist` prints "FAMILY ALEN ADDR NLEN NUM NAMELEN NAME DLEN DATA" in hex; the entry
 * comes out with the wildcard family. */
static gboolean
entry_from_nlist (const char *line, GByteArray *out)
{
  g_auto(GStrv) f = g_strsplit (line, " ", -1);
  guint8 family[2] = { FAMILY_WILD >> 8, FAMILY_WILD & 0xff };

  if (g_strv_length (f) != 9)
    return FALSE;
  g_byte_array_append (out, family, 2);
  return append_hex_field (out, f[1], f[2]) && append_hex_field (out, f[3], f[4]) &&
         append_hex_field (out, f[5], f[6]) && append_hex_field (out, f[7], f[8]);
}

gboolean
sbx_x11_auth_write (const char *number, gboolean trusted, const char *path, GError **error)
{
  g_autofree char *display = g_strdup_printf (":%s", number);
  g_autofree char *scratch = g_strconcat (path, ".xauth", NULL);
  g_autofree char *listing = NULL, *discard = NULL;
  g_autoptr(GByteArray) file = g_byte_array_new ();
  const char * const generate[] = { "-q", "-f", scratch, "generate", display, ".", "untrusted", "timeout", "0", NULL };
  const char * const from_scratch[] = { "-q", "-f", scratch, "nlist", display, NULL };
  const char * const from_session[] = { "-q", "nlist", display, NULL };
  g_auto(GStrv) lines = NULL;
  sbx_autofd int fd = -1;

  if (!trusted && !run_xauth (generate, &discard, error))
    return (void) unlink (scratch), FALSE;
  if (!run_xauth (trusted ? from_session : from_scratch, &listing, error))
    return (void) unlink (scratch), FALSE;
  (void) unlink (scratch);
  lines = g_strsplit (g_strstrip (listing), "\n", -1);
  for (guint i = 0; lines[i] != NULL && file->len == 0; i++)
    (void) entry_from_nlist (lines[i], file);
  if (file->len == 0)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "no cookie for display %s", display), FALSE;
  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 || !sbx_write_all (fd, file->data, file->len, error))
    return fd < 0 ? sbx_set_error_from_errno (error, errno, "create %s", path) : FALSE;
  sbx_debug ("supervisor", "settle-desktop", "X11 display %s: %s cookie in %s", display,
             trusted ? "the session's" : "an untrusted", path);
  return TRUE;
}
