/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* explain-private.h: what the parts of the explain model share while one is built
 * (explain.c: the model, risky grants, files and devices; explain-access.c: network, D-Bus,
 * display and sound, privileges, limits). */
#pragma once

#include "explain.h"

G_BEGIN_DECLS

typedef struct {
  const SbxProfile *profile;
  const char *home; /* the caller's home */
  const char *data_dir;
  const char *home_key;
  json_t *why;          /* sbx.why, or NULL */
  GHashTable *used_why; /* the sbx.why keys a fact has shown */
  SbxExplanation *out;
} SbxExplainBuilder;

/* The sbx.why line for @key ("desktop.x11"), marked as shown; NULL when there is none. */
const char *sbx_explain_why (SbxExplainBuilder *b, const char *key);

/* The same for a key made by printf ("share %s"). */
const char *sbx_explain_why_printf (SbxExplainBuilder *b, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* A risky grant, listed first, under @id. */
SbxExplainFact *sbx_explain_risk (SbxExplainBuilder *b, const char *id, const char *why, const char *format, ...)
  G_GNUC_PRINTF (4, 5);

SbxExplainSection *sbx_explain_section_new (SbxExplainBuilder *b, const char *id, const char *title);

/* Whether @path is the caller's home or below it / the home or above it ("/", "/home"). */
gboolean sbx_explain_in_home (SbxExplainBuilder *b, const char *path);
gboolean sbx_explain_covers_home (SbxExplainBuilder *b, const char *path);

/* explain-access.c */
void sbx_explain_network (SbxExplainBuilder *b);
void sbx_explain_dbus (SbxExplainBuilder *b);
void sbx_explain_display (SbxExplainBuilder *b);
void sbx_explain_privileges (SbxExplainBuilder *b);
void sbx_explain_limits (SbxExplainBuilder *b);

/* explain-net.c: the rules of sbx.network.allow and deny, and sbx.network.lan. */
void sbx_explain_net_rules (SbxExplainBuilder *b, SbxExplainSection *network);

/* D-Bus: a bind mount of a bus socket gives the bus without a filter (explain-access.c). */
gboolean sbx_explain_is_bus_socket (const char *path);

G_END_DECLS
