/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* json-util.h: small json-glib helpers shared by the profile, spec, store and registry code:
 * typed member lookups that answer NULL for a NULL object, a missing member or a member of
 * another type, a tree written out as text, a string-array member for a JsonBuilder, and
 * the one way to parse JSON that came from outside (json-glib recurses without a depth limit
 * and silently cuts a string at a \u0000 escape: a pass over the text refuses both first). */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

const char *sbx_json_get_string (JsonObject *object, const char *member);
JsonObject *sbx_json_get_object (JsonObject *object, const char *member);
JsonArray *sbx_json_get_array (JsonObject *object, const char *member);

/* The strings of the array @member (other elements skipped); an empty vector when absent. */
char **sbx_json_dup_strv (JsonObject *object, const char *member);

/* @node as JSON text: compact, or @pretty (two-space indents, what sbx prints for people);
 * its length in *@out_length when that is not NULL. */
char *sbx_json_to_text (JsonNode *node, gboolean pretty, gsize *out_length);

/* Adds "@member": [@strv...]; nothing when @strv is NULL. */
void sbx_json_builder_add_strv (JsonBuilder *builder, const char *member, char **strv);

/* The deepest nesting of arrays and objects a JSON text from outside may have. */
#define SBX_JSON_MAX_DEPTH 64

/* A pass over @len bytes of JSON text that json-glib would mishandle: more than
 * SBX_JSON_MAX_DEPTH levels of [ and { (counted outside strings), a NUL byte, or a \u0000
 * escape in a string (json-glib would cut the string there).  FALSE with a one-line error
 * (SBX_ERROR_FAILED) naming the member it was found in. */
gboolean sbx_json_check_text (const char *data, gsize len, GError **error);

/* sbx_json_check_text, then json-glib: the root node (never NULL on success), or NULL with
 * a one-line error (SBX_ERROR_FAILED; the caller prefixes what it was and picks the code). */
JsonNode *sbx_json_parse_checked (const char *data, gsize len, GError **error);

G_END_DECLS
