/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-dbus-policy.c: the sbx.dbus entry checks (profiles/dbus-policy.c) on their own:
 * bus names with their ".*" wildcard and NAME=RULE entries.  fuzz-profile.c reaches them
 * only through a profile the fuzzer must first build around them; here every input is an
 * entry.  Invariants: a refusal is one line without control characters (outside input is
 * escaped); an accepted name is a well-known D-Bus name (or one with ".*" after it); an
 * accepted NAME=RULE has an accepted NAME; the name validators answer as GIO's do. */
#include "dbus-policy.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <gio/gio.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_refusal (gboolean ok, GError *error)
{
  if (ok != (error == NULL))
    abort ();
  for (const char *p = error != NULL ? error->message : ""; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      abort ();
}

/* sbx's validators give GIO's answers (dbus-policy.c writes the specification out). */
static void
check_same_as_gio (const char *s)
{
  if (sbx_dbus_is_well_known_name (s) != (s[0] != ':' && g_dbus_is_name (s) && !g_dbus_is_unique_name (s)) ||
      sbx_dbus_is_interface_name (s) != g_dbus_is_interface_name (s) ||
      sbx_dbus_is_member_name (s) != g_dbus_is_member_name (s))
    abort ();
}

static void
check_name (const char *s)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = sbx_dbus_name_check (s, &error);
  g_autofree char *base = g_str_has_suffix (s, ".*") ? g_strndup (s, strlen (s) - 2) : g_strdup (s);

  check_refusal (ok, error);
  if (ok && (!g_dbus_is_name (base) || g_dbus_is_unique_name (base)))
    abort ();
}

static void
check_entry (const char *s)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = sbx_dbus_name_rule_check (s, &error);
  const char *eq = strchr (s, '=');

  check_refusal (ok, error);
  if (ok)
    {
      g_autofree char *name = g_strndup (s, eq - s);
      if (!sbx_dbus_name_check (name, NULL) || !sbx_dbus_rule_check (eq + 1, NULL))
        abort ();
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *s = g_strndup ((const char *) data, size); /* up to the first NUL */

  if (size > 4096)
    return 0;
  check_same_as_gio (s);
  check_name (s);
  check_entry (s);
  return 0;
}
