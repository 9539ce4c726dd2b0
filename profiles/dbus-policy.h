/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dbus-policy.h: the syntax of sbx.dbus.session / sbx.dbus.system entries, which are
 * xdg-dbus-proxy's filter options: bus names for --talk, --own and --see (a well-known
 * name, optionally ending in ".*": "org.foo.*" is org.foo and every name below it) and
 * NAME=RULE for --call and --broadcast, RULE being [METHOD][@PATH] (METHOD: "*", an
 * interface, an interface ending in ".*", or interface.Method; PATH: an object path,
 * optionally ending in a slash and a star for its subtree).
 *
 * Checked here, before anything starts, so the proxy never sees an entry it would refuse
 * or read differently (each reaches it as one --option=VALUE argument). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The D-Bus specification's names, as GIO's g_dbus_is_name (without unique names),
 * g_dbus_is_interface_name and g_dbus_is_member_name answer. */
gboolean sbx_dbus_is_well_known_name (const char *name);
gboolean sbx_dbus_is_interface_name (const char *name);
gboolean sbx_dbus_is_member_name (const char *name);

/* A name for --talk, --own or --see.  Unique names (":1.42") are refused: they change
 * with every connection. */
gboolean sbx_dbus_name_check (const char *name, GError **error);

/* A RULE of --call or --broadcast: [METHOD][@PATH], not empty. */
gboolean sbx_dbus_rule_check (const char *rule, GError **error);

/* An entry of --call or --broadcast: NAME=RULE. */
gboolean sbx_dbus_name_rule_check (const char *entry, GError **error);

G_END_DECLS
