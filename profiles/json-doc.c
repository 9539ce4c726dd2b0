/* json-doc.c: JSON documents with positions.
 *
 * json-glib parses (and reports syntax errors as name:line:col); it keeps no positions for
 * the values it builds, so a second, small pass over the already-valid text records where
 * each key and each array element starts, keyed by its path.  That pass also refuses
 * duplicate keys, which json-glib would silently collapse (a second "noNewPrivileges"
 * must not quietly override the first). */
#include "json-doc.h"
#include "sbx-error.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct _SbxJsonDoc {
  gint ref_count;
  char *name;
  JsonNode *root;
  GHashTable *positions;   /* path -> packed (line << 32 | col), both from 1 */
};

#define PACK(line, col) (((guint64) (line) << 32) | (guint64) (col))

/* ------------------------------------------------------------------ the position pass */

typedef struct {
  const char *p, *end;
  guint line, col;
  GHashTable *positions;
  char *duplicate;         /* the first duplicate key's path */
  guint64 duplicate_pos;
} Scanner;

static void
advance (Scanner *s)
{
  if (*s->p == '\n')
    {
      s->line++;
      s->col = 1;
    }
  else if (((guchar) *s->p & 0xC0) != 0x80)
    s->col++;
  s->p++;
}

static void
skip_ws (Scanner *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    advance (s);
}

/* At an opening quote: returns the raw string between the quotes (escapes kept). */
static char *
scan_string (Scanner *s)
{
  const char *start;

  advance (s);
  start = s->p;
  while (s->p < s->end && *s->p != '"')
    {
      if (*s->p == '\\' && s->p + 1 < s->end)
        advance (s);
      advance (s);
    }
  if (s->p >= s->end)
    return g_strndup (start, (gsize) (s->end - start));
  advance (s);
  return g_strndup (start, (gsize) (s->p - 1 - start));
}

static void
record (Scanner *s, char *path, guint line, guint col)
{
  if (g_hash_table_contains (s->positions, path))
    {
      if (s->duplicate == NULL)
        {
          s->duplicate = g_strdup (path);
          s->duplicate_pos = PACK (line, col);
        }
      g_free (path);
      return;
    }
  g_hash_table_insert (s->positions, path, (gpointer) (guintptr) PACK (line, col));
}

static void scan_value (Scanner *s, const char *path, guint depth);

static void
scan_object (Scanner *s, const char *path, guint depth)
{
  advance (s);
  for (skip_ws (s); s->p < s->end && *s->p != '}'; skip_ws (s))
    {
      guint line = s->line, col = s->col;
      g_autofree char *key = NULL;
      g_autofree char *member = NULL;

      if (*s->p == ',')
        {
          advance (s);
          continue;
        }
      if (*s->p != '"')
        return;  /* not reachable for text json-glib accepted */
      key = scan_string (s);
      member = sbx_json_path_member (path, key);
      record (s, g_strdup (member), line, col);
      skip_ws (s);
      if (s->p < s->end && *s->p == ':')
        advance (s);
      skip_ws (s);
      scan_value (s, member, depth + 1);
    }
  if (s->p < s->end)
    advance (s);
}

static void
scan_array (Scanner *s, const char *path, guint depth)
{
  guint index = 0;

  advance (s);
  for (skip_ws (s); s->p < s->end && *s->p != ']'; skip_ws (s))
    {
      g_autofree char *element = NULL;

      if (*s->p == ',')
        {
          advance (s);
          continue;
        }
      element = sbx_json_path_element (path, index++);
      record (s, g_strdup (element), s->line, s->col);
      scan_value (s, element, depth + 1);
    }
  if (s->p < s->end)
    advance (s);
}

static void
scan_value (Scanner *s, const char *path, guint depth)
{
  if (s->p >= s->end || depth > SBX_JSON_DOC_MAX_DEPTH)
    return;
  if (*s->p == '{')
    scan_object (s, path, depth);
  else if (*s->p == '[')
    scan_array (s, path, depth);
  else if (*s->p == '"')
    g_free (scan_string (s));
  else
    while (s->p < s->end && strchr (",]} \t\r\n", *s->p) == NULL)
      advance (s);
}

/* Nesting depth, counted before json-glib (which recurses without a limit) sees the text. */
static guint
max_depth (const char *data, gsize length)
{
  guint depth = 0, deepest = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];
      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          depth++;
          deepest = MAX (deepest, depth);
        }
      else if ((c == '}' || c == ']') && depth > 0)
        depth--;
    }
  return deepest;
}

/* --------------------------------------------------------------------------- the API */

char *
sbx_json_path_member (const char *path, const char *member)
{
  return *path ? g_strconcat (path, ".", member, NULL) : g_strdup (member);
}

char *
sbx_json_path_element (const char *path, guint index)
{
  return g_strdup_printf ("%s[%u]", path, index);
}

static gboolean
check_plain_text (const char *name, const char *data, gsize length, GError **error)
{
  if (length > SBX_JSON_DOC_MAX_SIZE)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s: larger than %d bytes",
                   name, SBX_JSON_DOC_MAX_SIZE);
      return FALSE;
    }
  if (memchr (data, '\0', length) != NULL || !g_utf8_validate (data, (gssize) length, NULL))
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s: not UTF-8 text", name);
      return FALSE;
    }
  if (max_depth (data, length) > SBX_JSON_DOC_MAX_DEPTH)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s: nested deeper than %d levels",
                   name, SBX_JSON_DOC_MAX_DEPTH);
      return FALSE;
    }
  return TRUE;
}

static JsonNode *
parse_json (const char *name, const char *data, gsize length, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, data, (gssize) length, &local_error))
    {
      /* json-glib says "<data>:3:13: Parse error: ..." */
      const char *rest = g_str_has_prefix (local_error->message, "<data>")
                         ? local_error->message + strlen ("<data>") : NULL;
      if (rest != NULL)
        g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s%s", name, rest);
      else
        g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s: %s", name, local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s:1:1: empty document", name);
      return NULL;
    }
  return json_node_ref (root);
}

SbxJsonDoc *
sbx_json_doc_new_from_data (const char *name, const char *data, gsize length, GError **error)
{
  g_autoptr(SbxJsonDoc) doc = NULL;
  Scanner scanner;

  if (!check_plain_text (name, data, length, error))
    return NULL;
  doc = g_new0 (SbxJsonDoc, 1);
  doc->ref_count = 1;
  doc->name = g_strdup (name);
  doc->positions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if ((doc->root = parse_json (name, data, length, error)) == NULL)
    return NULL;
  scanner = (Scanner) { .p = data, .end = data + length, .line = 1, .col = 1,
                        .positions = doc->positions };
  skip_ws (&scanner);
  g_hash_table_insert (doc->positions, g_strdup (""),
                       (gpointer) (guintptr) PACK (scanner.line, scanner.col));
  scan_value (&scanner, "", 0);
  if (scanner.duplicate != NULL)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s:%u:%u: %s: duplicate key", name,
                   (guint) (scanner.duplicate_pos >> 32), (guint) (scanner.duplicate_pos & 0xffffffff),
                   scanner.duplicate);
      g_free (scanner.duplicate);
      return NULL;
    }
  return g_steal_pointer (&doc);
}

SbxJsonDoc *
sbx_json_doc_new_from_file (const char *path, GError **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  const char *contents;
  struct stat st;
  int fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

  if (fd < 0)
    {
      sbx_set_error_from_errno (error, errno, "%s", path);
      return NULL;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      int errsv = S_ISDIR (st.st_mode) ? EISDIR : EINVAL;
      close (fd);
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s: %s", path,
                   errsv == EISDIR ? "is a directory" : "not a regular file");
      return NULL;
    }
  if (st.st_size > SBX_JSON_DOC_MAX_SIZE)
    {
      close (fd);
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s: larger than %d bytes",
                   path, SBX_JSON_DOC_MAX_SIZE);
      return NULL;
    }
  mapped = g_mapped_file_new_from_fd (fd, FALSE, error);
  close (fd);
  if (mapped == NULL)
    return NULL;
  contents = g_mapped_file_get_contents (mapped);
  return sbx_json_doc_new_from_data (path, contents != NULL ? contents : "",
                                     g_mapped_file_get_length (mapped), error);
}

SbxJsonDoc *
sbx_json_doc_ref (SbxJsonDoc *doc)
{
  g_atomic_int_inc (&doc->ref_count);
  return doc;
}

void
sbx_json_doc_unref (SbxJsonDoc *doc)
{
  if (doc == NULL || !g_atomic_int_dec_and_test (&doc->ref_count))
    return;
  g_free (doc->name);
  g_clear_pointer (&doc->root, json_node_unref);
  g_hash_table_unref (doc->positions);
  g_free (doc);
}

const char *
sbx_json_doc_get_name (SbxJsonDoc *doc)
{
  return doc->name;
}

JsonNode *
sbx_json_doc_get_root (SbxJsonDoc *doc)
{
  return doc->root;
}

/* The position of @path, or of its nearest recorded ancestor. */
static guint64
lookup_position (SbxJsonDoc *doc, const char *path)
{
  g_autofree char *p = g_strdup (path);

  for (;;)
    {
      gpointer value;
      char *cut;

      if (g_hash_table_lookup_extended (doc->positions, p, NULL, &value) && value != NULL)
        return (guint64) (guintptr) value;
      if (*p == '\0')
        return PACK (1, 1);
      cut = MAX (strrchr (p, '.'), strrchr (p, '['));
      if (cut == NULL)
        cut = p;
      *cut = '\0';
    }
}

gboolean
sbx_json_doc_error (SbxJsonDoc *doc, const char *path, GError **error, const char *format, ...)
{
  g_autofree char *message = NULL;
  guint64 pos = lookup_position (doc, path);
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s:%u:%u: %s%s%s", doc->name,
               (guint) (pos >> 32), (guint) (pos & 0xffffffff), path, *path ? ": " : "", message);
  return FALSE;
}
