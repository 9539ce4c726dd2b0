/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dbus-policy.c: checking the bus names and rules of sbx.dbus.* entries (dbus-policy.h
 * says what is accepted).  D-Bus's own syntax rules are the specification's, written out
 * here as GIO's validators have them (fuzz-dbus-policy.c holds the two to the same
 * answers): GIO is loaded only where sbx talks D-Bus (lazy-load.h), and checking a
 * profile's names would otherwise load it in every desktop run.  The wildcards are
 * xdg-dbus-proxy's. */
#include "dbus-policy.h"
#include "sbx-error.h"

#include <string.h>

/* ------------------------------------------------- the D-Bus specification's names */

/* A character of a name's element; a hyphen only in bus names. */
static gboolean
is_name_char (char c, gboolean allow_hyphen)
{
  return g_ascii_isalnum (c) || c == '_' || (allow_hyphen && c == '-');
}

/* Elements of name characters, none empty or starting with a digit, joined by dots: at
 * least @min_elements of them, 255 bytes at most. */
static gboolean
is_dotted_name (const char *s, guint min_elements, gboolean allow_hyphen)
{
  guint elements = 1;
  gsize len = strlen (s);

  if (len == 0 || len > 255)
    return FALSE;
  for (const char *p = s; *p != '\0'; p++)
    {
      gboolean element_start = p == s || p[-1] == '.';
      if (*p == '.' && !element_start)
        elements++;
      else if (!is_name_char (*p, allow_hyphen) || (element_start && g_ascii_isdigit (*p)))
        return FALSE;
    }
  return s[len - 1] != '.' && elements >= min_elements;
}

gboolean
sbx_dbus_is_well_known_name (const char *name)
{
  return is_dotted_name (name, 2, TRUE);
}

gboolean
sbx_dbus_is_interface_name (const char *name)
{
  return is_dotted_name (name, 2, FALSE);
}

gboolean
sbx_dbus_is_member_name (const char *name)
{
  if (!is_name_char (name[0], FALSE) || g_ascii_isdigit (name[0]))
    return FALSE;
  for (const char *p = name + 1; *p != '\0'; p++)
    if (!is_name_char (*p, FALSE))
      return FALSE;
  return TRUE;
}

/* ------------------------------------------------------------------ the entries */

/* Sets "'VALUE' WHAT", control characters in @value escaped (it is outside input). */
static gboolean
refuse (GError **error, const char *value, const char *what)
{
  g_autofree char *shown = g_strescape (value, "\"\\");

  g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "'%s' %s", shown, what);
  return FALSE;
}

/* Without the wildcard suffix @suffix ("X.*" → "X"), or a copy of @s when it has none. */
static char *
strip_wildcard (const char *s, const char *suffix, gboolean *wildcard)
{
  *wildcard = g_str_has_suffix (s, suffix);
  return g_strndup (s, strlen (s) - (*wildcard ? strlen (suffix) : 0));
}

gboolean
sbx_dbus_name_check (const char *name, GError **error)
{
  gboolean wildcard;
  g_autofree char *base = strip_wildcard (name, ".*", &wildcard);

  if (base[0] == ':')
    return refuse (error, name, "is a unique bus name (name a well-known one, such as org.example.App)");
  if (!sbx_dbus_is_well_known_name (base))
    return refuse (error, name, "is not a D-Bus bus name (such as org.example.App, or org.example.*)");
  return TRUE;
}

/* METHOD of a rule: "*", an interface (optionally ending in ".*"), or interface.Method. */
static gboolean
method_is_valid (const char *method)
{
  gboolean wildcard;
  g_autofree char *base = strip_wildcard (method, ".*", &wildcard);
  g_autofree char *interface = NULL;
  const char *dot = strrchr (base, '.');

  if (g_str_equal (method, "*") || sbx_dbus_is_interface_name (base))
    return TRUE;
  if (wildcard || dot == NULL)
    return FALSE;
  interface = g_strndup (base, dot - base);
  return sbx_dbus_is_interface_name (interface) && sbx_dbus_is_member_name (dot + 1);
}

/* PATH of a rule: an object path, optionally ending in a slash and "*" (those two alone:
 * every path). */
static gboolean
path_is_valid (const char *path)
{
  gboolean wildcard;
  g_autofree char *base = strip_wildcard (path, "/*", &wildcard);

  if (wildcard && *base == '\0')
    return TRUE;
  return g_variant_is_object_path (base);
}

gboolean
sbx_dbus_rule_check (const char *rule, GError **error)
{
  const char *at = strchr (rule, '@');
  g_autofree char *method = g_strndup (rule, at != NULL ? (gsize) (at - rule) : strlen (rule));

  if (*rule == '\0')
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                        "empty rule (write [METHOD][@PATH], such as * or org.example.Iface.Method@/org/example/*)"),
           FALSE;
  if (*method != '\0' && !method_is_valid (method))
    return refuse (error, method, "is not a method rule (*, an interface, interface.* or interface.Method)");
  if (at != NULL && !path_is_valid (at + 1))
    return refuse (error, at + 1, "is not an object path (such as /org/example, or /org/example/*)");
  return TRUE;
}

gboolean
sbx_dbus_name_rule_check (const char *entry, GError **error)
{
  const char *eq = strchr (entry, '=');
  g_autofree char *name = NULL;

  if (eq == NULL)
    return refuse (error, entry, "is not NAME=RULE (such as org.example.App=org.example.Iface.*@/org/example/*)");
  name = g_strndup (entry, eq - entry);
  return sbx_dbus_name_check (name, error) && sbx_dbus_rule_check (eq + 1, error);
}
