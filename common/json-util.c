/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* json-util.c: small helpers over jansson (json-util.h). */
#include "json-util.h"
#include "escape.h"
#include "sbx-error.h"

#include <string.h>

const char *
sbx_json_get_string (const json_t *object, const char *member)
{
  return json_string_value (object != NULL ? json_object_get (object, member) : NULL);
}

json_t *
sbx_json_get_object (const json_t *object, const char *member)
{
  json_t *value = object != NULL ? json_object_get (object, member) : NULL;

  return json_is_object (value) ? value : NULL;
}

json_t *
sbx_json_get_array (const json_t *object, const char *member)
{
  json_t *value = object != NULL ? json_object_get (object, member) : NULL;

  return json_is_array (value) ? value : NULL;
}

gint64
sbx_json_value_int (const json_t *value)
{
  if (json_is_integer (value))
    return json_integer_value (value);
  if (json_is_real (value))
    return json_real_value (value) >= -0x1p63 && json_real_value (value) < 0x1p63 ? (gint64) json_real_value (value)
                                                                                  : 0;
  return json_is_true (value) ? 1 : 0;
}

/* The member, unless it is missing, null, an object or an array. */
static json_t *
scalar_member (const json_t *object, const char *member)
{
  json_t *value = object != NULL ? json_object_get (object, member) : NULL;

  return value == NULL || json_is_null (value) || json_is_object (value) || json_is_array (value) ? NULL : value;
}

gint64
sbx_json_get_int (const json_t *object, const char *member, gint64 fallback)
{
  json_t *value = scalar_member (object, member);

  return value != NULL ? sbx_json_value_int (value) : fallback;
}

gboolean
sbx_json_get_bool (const json_t *object, const char *member, gboolean fallback)
{
  json_t *value = scalar_member (object, member);

  if (value == NULL)
    return fallback;
  return json_is_number (value) ? json_number_value (value) != 0 : json_is_true (value);
}

json_t *
sbx_json_string_new (const char *text)
{
  g_autofree char *valid = NULL;

  if (text == NULL)
    return json_null ();
  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);
  return json_string_nocheck (text);
}

void
sbx_json_set (json_t *object, const char *member, json_t *value)
{
  g_autofree char *valid = NULL;

  if (!g_utf8_validate (member, -1, NULL))
    member = valid = g_utf8_make_valid (member, -1);
  json_object_set_new_nocheck (object, member, value != NULL ? value : json_null ());
}

void
sbx_json_add_string (json_t *object, const char *member, const char *value)
{
  sbx_json_set (object, member, sbx_json_string_new (value));
}

void
sbx_json_add_int (json_t *object, const char *member, gint64 value)
{
  sbx_json_set (object, member, json_integer (value));
}

void
sbx_json_append (json_t *array, json_t *value)
{
  json_array_append_new (array, value != NULL ? value : json_null ());
}

json_t *
sbx_json_strv_new (char * const *strv)
{
  json_t *array = json_array ();

  for (char * const *s = strv; s != NULL && *s != NULL; s++)
    json_array_append_new (array, sbx_json_string_new (*s));
  return array;
}

void
sbx_json_set_strv (json_t *object, const char *member, char * const *strv)
{
  if (strv != NULL)
    sbx_json_set (object, member, sbx_json_strv_new (strv));
}

/* ------------------------------------------------------------ the pass before parsing */

typedef struct {
  const char *p, *end;
  guint depth;
  const char *keys[SBX_JSON_MAX_DEPTH + 1]; /* the last member name at each depth */
  gsize key_lens[SBX_JSON_MAX_DEPTH + 1];
} TextScan;

/* The innermost member name around the scan position, escaped, in quotes. */
static char *
scan_where (const TextScan *s)
{
  for (guint d = s->depth + 1; d-- > 0;)
    if (s->keys[d] != NULL)
      {
        g_autofree char *raw = g_strndup (s->keys[d], s->key_lens[d]);
        g_autofree char *shown = sbx_escape (raw);
        return g_strdup_printf ("\"%s\"", shown);
      }
  return g_strdup ("the top-level value");
}

/* Skips the string starting at s->p ('"'); *out_nul when it holds a NUL (raw or \u0000). */
static void
scan_string (TextScan *s, gboolean *out_nul)
{
  *out_nul = FALSE;
  for (s->p++; s->p < s->end && *s->p != '"'; s->p++)
    {
      if (*s->p == '\0')
        *out_nul = TRUE;
      if (*s->p != '\\' || s->p + 1 >= s->end)
        continue;
      s->p++;
      if (*s->p == 'u' && s->end - s->p >= 5 && memcmp (s->p + 1, "0000", 4) == 0)
        *out_nul = TRUE;
    }
  if (s->p < s->end)
    s->p++;
}

/* Handles the string at s->p: a member name is remembered, a \u0000 refused. */
static gboolean
scan_string_token (TextScan *s, GError **error)
{
  const char *start = s->p + 1;
  const char *after;
  gboolean nul;

  scan_string (s, &nul);
  for (after = s->p; after < s->end && g_ascii_isspace (*after); after++)
    ;
  if (after < s->end && *after == ':')
    {
      s->keys[s->depth] = start;
      s->key_lens[s->depth] = (gsize) (s->p - 1 - start);
      if (nul)
        {
          g_autofree char *where = scan_where (s);
          return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "member name %s holds a NUL character (\\u0000)",
                              where),
                 FALSE;
        }
    }
  else if (nul)
    {
      g_autofree char *where = scan_where (s);
      return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "a string in %s holds a NUL character (\\u0000)",
                          where),
             FALSE;
    }
  return TRUE;
}

/* One byte outside strings: nesting is counted, a NUL refused. */
static gboolean
scan_byte (TextScan *s, GError **error)
{
  char c = *s->p++;
  g_autofree char *where = NULL;

  if (c == '{' || c == '[')
    {
      if (s->depth >= SBX_JSON_MAX_DEPTH)
        {
          where = scan_where (s);
          return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "%s is nested deeper than %d levels", where,
                              SBX_JSON_MAX_DEPTH),
                 FALSE;
        }
      s->depth++;
      s->keys[s->depth] = NULL;
    }
  else if ((c == '}' || c == ']') && s->depth > 0)
    s->depth--;
  else if (c == '\0')
    {
      where = scan_where (s);
      return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "a NUL byte in %s", where), FALSE;
    }
  return TRUE;
}

gboolean
sbx_json_check_text (const char *data, gsize len, GError **error)
{
  TextScan s = { .p = data, .end = data + len };

  while (s.p < s.end)
    if (!(*s.p == '"' ? scan_string_token (&s, error) : scan_byte (&s, error)))
      return FALSE;
  return TRUE;
}

json_t *
sbx_json_parse_checked (const char *data, gsize len, GError **error)
{
  json_error_t parse_error;
  json_t *root;

  if (data == NULL || len == 0)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "empty, not JSON"), NULL;
  if (!sbx_json_check_text (data, len, error))
    return NULL;
  root = json_loadb (data, len, JSON_DECODE_ANY, &parse_error);
  if (root == NULL)
    {
      g_autofree char *shown = sbx_escape (parse_error.text);
      return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "line %d, column %d: %s", parse_error.line,
                          parse_error.column, shown),
             NULL;
    }
  return root;
}

char *
sbx_json_to_text (const json_t *json, gboolean pretty, gsize *out_length)
{
  /* jansson allocates with malloc, which g_free releases (GLib's allocator is malloc). */
  char *text = json_dumps (json, JSON_ENCODE_ANY | (pretty ? JSON_INDENT (2) : JSON_COMPACT));

  if (text == NULL) /* only out of memory: every string in a tree is valid UTF-8 */
    g_error ("out of memory writing JSON");
  if (out_length != NULL)
    *out_length = strlen (text);
  return text;
}

char **
sbx_json_dup_strv (const json_t *object, const char *member)
{
  json_t *array = sbx_json_get_array (object, member);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  json_t *element;
  size_t i;

  json_array_foreach (array, i, element)
    if (json_is_string (element))
      g_strv_builder_add (builder, json_string_value (element));
  return g_strv_builder_end (builder);
}
