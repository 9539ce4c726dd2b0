/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* json-util.h: small helpers over jansson shared by the profile, spec, store, registry and
 * state code: typed member lookups that answer NULL for a NULL object, a missing member or a
 * member of another type, strings that are always valid UTF-8 when they go into a tree, a
 * tree written out as text, and the one way to parse JSON that came from outside (a pass
 * over the text first refuses deep nesting, NUL bytes and \u0000 escapes, which no sbx
 * value may hold).
 *
 * Ownership is jansson's: lookups return borrowed references, the set/append helpers steal
 * the value they are given, and g_autoptr(json_t) drops a reference. */
#pragma once

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (json_t, json_decref)

const char *sbx_json_get_string (const json_t *object, const char *member);
json_t *sbx_json_get_object (const json_t *object, const char *member);
json_t *sbx_json_get_array (const json_t *object, const char *member);

/* A value read the way sbx always read its own JSON (json-glib's getters did): an integer;
 * a real cut to its integer part (0 outside 64 bits); a boolean 1 or 0; anything else 0. */
gint64 sbx_json_value_int (const json_t *value);
/* @member of @object read as sbx_json_value_int reads it; @fallback when @object or @member
 * is missing, or the member is null, an object or an array. */
gint64 sbx_json_get_int (const json_t *object, const char *member, gint64 fallback);
/* @member as a boolean: true, or a number not 0 (a string: FALSE); @fallback as above. */
gboolean sbx_json_get_bool (const json_t *object, const char *member, gboolean fallback);

/* The strings of the array @member (other elements skipped); an empty vector when absent. */
char **sbx_json_dup_strv (const json_t *object, const char *member);

/* A new string value of @text, made valid UTF-8 (U+FFFD for what is not) since jansson holds
 * only valid UTF-8; null for a NULL @text.  Never NULL. */
json_t *sbx_json_string_new (const char *text);

/* Sets @object's @member to @value (stolen; NULL: null), the member name made valid UTF-8 as
 * above. */
void sbx_json_set (json_t *object, const char *member, json_t *value);

/* Shorthands for an object being filled: "@member": value; a NULL string is null. */
void sbx_json_add_string (json_t *object, const char *member, const char *value);
void sbx_json_add_int (json_t *object, const char *member, gint64 value);

/* Appends @value (stolen; NULL: null) to @array. */
void sbx_json_append (json_t *array, json_t *value);

/* A new array of @strv's strings (empty for NULL). */
json_t *sbx_json_strv_new (char * const *strv);

/* "@member": [@strv...] on @object; nothing when @strv is NULL. */
void sbx_json_set_strv (json_t *object, const char *member, char * const *strv);

/* @json as JSON text: compact, or @pretty (two-space indents, what sbx prints for people);
 * its length in *@out_length when that is not NULL.  Never NULL. */
char *sbx_json_to_text (const json_t *json, gboolean pretty, gsize *out_length);

/* The deepest nesting of arrays and objects a JSON text from outside may have. */
#define SBX_JSON_MAX_DEPTH 64

/* A pass over @len bytes of JSON text for what sbx refuses before parsing: more than
 * SBX_JSON_MAX_DEPTH levels of [ and { (counted outside strings), a NUL byte, or a \u0000
 * escape in a string (no value sbx reads may hold one).  FALSE with a one-line error
 * (SBX_ERROR_FAILED) naming the member it was found in. */
gboolean sbx_json_check_text (const char *data, gsize len, GError **error);

/* sbx_json_check_text, then jansson: the root value (a new reference, any type, never NULL on
 * success), or NULL with
 * a one-line error (SBX_ERROR_FAILED; the caller prefixes what it was and picks the code). */
json_t *sbx_json_parse_checked (const char *data, gsize len, GError **error);

G_END_DECLS
