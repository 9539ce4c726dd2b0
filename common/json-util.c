/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* json-util.c: small json-glib helpers (json-util.h). */
#include "json-util.h"
#include "escape.h"
#include "sbx-error.h"

#include <string.h>

const char *
sbx_json_get_string (JsonObject *object, const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
         ? json_node_get_string (node)
         : NULL;
}

JsonObject *
sbx_json_get_object (JsonObject *object, const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonArray *
sbx_json_get_array (JsonObject *object, const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

void
sbx_json_builder_add_strv (JsonBuilder *builder, const char *member, char **strv)
{
  if (strv == NULL)
    return;
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (char **s = strv; *s; s++)
    json_builder_add_string_value (builder, *s);
  json_builder_end_array (builder);
}

/* ------------------------------------------------------------ the pass before json-glib */

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

JsonNode *
sbx_json_parse_checked (const char *data, gsize len, GError **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (data == NULL || len == 0)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "empty, not JSON"), NULL;
  if (!sbx_json_check_text (data, len, error))
    return NULL;
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, &local_error))
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "%s", local_error->message), NULL;
  root = json_parser_steal_root (parser);
  if (root == NULL)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "empty, not JSON"), NULL;
  return root;
}

char *
sbx_json_to_text (JsonNode *node, gboolean pretty, gsize *out_length)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_pretty (generator, pretty);
  json_generator_set_indent (generator, pretty ? 2 : 0);
  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, out_length);
}

char **
sbx_json_dup_strv (JsonObject *object, const char *member)
{
  JsonArray *array = sbx_json_get_array (object, member);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
        g_strv_builder_add (builder, json_node_get_string (element));
    }
  return g_strv_builder_end (builder);
}
