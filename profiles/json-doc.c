/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* json-doc.c: JSON documents with positions.
 *
 * One strict pass over the text checks RFC 8259 syntax exactly and builds a jansson tree as
 * it goes; no library parser is used.  Those are lenient where a profile must not be
 * (json-glib took comments, leading zeros, raw control characters and text after the value,
 * recursed without a depth limit and read integers past 64 bits as -1; both it and jansson
 * collapse duplicate keys by default, and a second "noNewPrivileges", or
 * "no\u004eewPrivileges", must not quietly override the first), and none knows positions.
 *
 * Where each key and array element starts (keyed by its path) is only needed for a
 * complaint, so the pass runs twice at most: quickly first, building the tree (no paths
 * built), and again recording every position, building nothing, when a complaint needs one
 * (the text is kept for that) or to word its own error with the path. */
#include "json-doc.h"
#include "json-util.h"
#include "sbx-error.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct _SbxJsonDoc {
  gint ref_count;
  char *name;
  json_t *root;
  GBytes *text;          /* what was parsed, for the positions */
  GHashTable *positions; /* path -> packed (line << 32 | col), both from 1; NULL until needed */
};

#define PACK(line, col) (((guint64) (line) << 32) | (guint64) (col))

/* ------------------------------------------------------------------ the strict pass */

typedef struct {
  const char *p, *end;
  guint line, col;
  const char *name;
  GHashTable *positions; /* NULL: the quick pass, which builds the tree and no path */
  GError **error;
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

static gboolean
at_end (Scanner *s)
{
  return s->p >= s->end;
}

static void
skip_ws (Scanner *s)
{
  while (!at_end (s) && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    advance (s);
}

/* Control characters (a key may spell them as escapes) would break the one-line message
 * or drive the terminal; they are shown as \xNN. */
static char *
escape_controls (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f)
        g_string_append_printf (out, "\\x%02x", (guchar) *p);
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static gboolean
fail_at (Scanner *s, guint line, guint col, const char *message)
{
  g_autofree char *text = g_strdup_printf ("%s:%u:%u: %s", s->name, line, col, message);
  g_autofree char *escaped = escape_controls (text); /* a duplicate key's path is the key's own text */

  g_set_error_literal (s->error, SBX_ERROR, SBX_ERROR_INVALID_ARG, escaped);
  return FALSE;
}

/* A complaint about the character under the cursor, shown escaped when it is not printable. */
static gboolean
fail_here (Scanner *s, const char *expected)
{
  g_autofree char *message = NULL;
  guchar c = at_end (s) ? 0 : (guchar) *s->p;

  if (at_end (s))
    message = g_strdup_printf ("unexpected end of text, expected %s", expected);
  else if (c < 0x20 || c == 0x7f)
    message = g_strdup_printf ("unexpected character \\x%02x, expected %s", c, expected);
  else if (c >= 0x80)
    message = g_strdup_printf ("unexpected non-ASCII character, expected %s", expected);
  else
    message = g_strdup_printf ("unexpected character '%c', expected %s", c, expected);
  return fail_at (s, s->line, s->col, message);
}

static gboolean
expect_char (Scanner *s, char c, const char *expected)
{
  if (at_end (s) || *s->p != c)
    return fail_here (s, expected);
  advance (s);
  return TRUE;
}

static int
hex_value (char c)
{
  return g_ascii_xdigit_value (c);
}

/* Four hex digits after "\u"; -1 when they are not. */
static gint32
scan_hex4 (Scanner *s)
{
  gint32 value = 0;

  for (int i = 0; i < 4; i++)
    {
      if (at_end (s) || hex_value (*s->p) < 0)
        return -1;
      value = value * 16 + hex_value (*s->p);
      advance (s);
    }
  return value;
}

/* One escape after the backslash, appended decoded to @out. */
static gboolean
scan_escape (Scanner *s, GString *out)
{
  guint line = s->line, col = s->col - 1;
  gint32 unit, low;
  char c;

  if (at_end (s))
    return fail_here (s, "an escape");
  c = *s->p;
  advance (s);
  switch (c)
    {
    case '"':
    case '\\':
    case '/': g_string_append_c (out, c); return TRUE;
    case 'b': g_string_append_c (out, '\b'); return TRUE;
    case 'f': g_string_append_c (out, '\f'); return TRUE;
    case 'n': g_string_append_c (out, '\n'); return TRUE;
    case 'r': g_string_append_c (out, '\r'); return TRUE;
    case 't': g_string_append_c (out, '\t'); return TRUE;
    case 'u': break;
    default: return fail_at (s, line, col, "invalid escape in a string");
    }
  if ((unit = scan_hex4 (s)) < 0)
    return fail_at (s, line, col, "\\u needs four hex digits");
  if (unit == 0)
    return fail_at (s, line, col, "\\u0000 is not allowed");
  if (unit >= 0xDC00 && unit <= 0xDFFF)
    return fail_at (s, line, col, "unpaired UTF-16 surrogate in a \\u escape");
  if (unit >= 0xD800 && unit <= 0xDBFF)
    {
      if (s->end - s->p < 2 || s->p[0] != '\\' || s->p[1] != 'u')
        return fail_at (s, line, col, "unpaired UTF-16 surrogate in a \\u escape");
      advance (s);
      advance (s);
      low = scan_hex4 (s);
      if (low < 0xDC00 || low > 0xDFFF)
        return fail_at (s, line, col, "unpaired UTF-16 surrogate in a \\u escape");
      unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
    }
  g_string_append_unichar (out, (gunichar) unit);
  return TRUE;
}

/* At an opening quote: checks the string and, when @decoded is not NULL, returns it decoded.
 * Runs of plain characters are copied whole; a GString is made only at the first escape. */
static gboolean
scan_string (Scanner *s, char **decoded)
{
  g_autoptr(GString) out = NULL;
  const char *run, *end;

  advance (s);
  run = s->p;
  while (!at_end (s) && *s->p != '"')
    {
      if ((guchar) *s->p < 0x20)
        {
          g_autofree char *message = g_strdup_printf ("raw control character \\x%02x in a string "
                                                      "(write it as an escape)",
                                                      (guchar) *s->p);
          return fail_at (s, s->line, s->col, message);
        }
      if (*s->p == '\\')
        {
          if (out == NULL)
            out = g_string_sized_new ((gsize) (s->p - run) + 16);
          g_string_append_len (out, run, s->p - run);
          advance (s);
          if (!scan_escape (s, out))
            return FALSE;
          run = s->p;
          continue;
        }
      advance (s);
    }
  end = s->p;
  if (!expect_char (s, '"', "'\"' to end the string"))
    return FALSE;
  if (decoded == NULL)
    return TRUE;
  if (out == NULL)
    *decoded = g_strndup (run, end - run);
  else
    {
      g_string_append_len (out, run, end - run);
      *decoded = g_string_free (g_steal_pointer (&out), FALSE);
    }
  return TRUE;
}

static gboolean
scan_digits (Scanner *s, const char *expected)
{
  if (at_end (s) || !g_ascii_isdigit (*s->p))
    return fail_here (s, expected);
  while (!at_end (s) && g_ascii_isdigit (*s->p))
    advance (s);
  return TRUE;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static gboolean
scan_number_text (Scanner *s)
{
  if (*s->p == '-')
    advance (s);
  if (!at_end (s) && *s->p == '0')
    {
      advance (s);
      if (!at_end (s) && g_ascii_isdigit (*s->p))
        return fail_here (s, "a number without leading zeros");
    }
  else if (!scan_digits (s, "a digit"))
    return FALSE;
  if (!at_end (s) && *s->p == '.')
    {
      advance (s);
      if (!scan_digits (s, "a digit after '.'"))
        return FALSE;
    }
  if (!at_end (s) && (*s->p == 'e' || *s->p == 'E'))
    {
      advance (s);
      if (!at_end (s) && (*s->p == '+' || *s->p == '-'))
        advance (s);
      if (!scan_digits (s, "a digit in the exponent"))
        return FALSE;
    }
  return TRUE;
}

/* A number: an integer (64-bit) without a fraction or an exponent, a real with one.
 * Integers up to G_MAXUINT64 are kept cast to 64 signed bits (OCI's unsigned fields: an
 * rlimit of 18446744073709551615 reads as -1, RLIM_INFINITY); one that fits in no 64 bits
 * is refused. */
static gboolean
scan_number (Scanner *s, json_t **out)
{
  guint line = s->line, col = s->col;
  const char *start = s->p;
  g_autofree char *text = NULL;
  gint64 value;
  guint64 unsigned_value;

  if (!scan_number_text (s))
    return FALSE;
  text = g_strndup (start, s->p - start);
  if (strpbrk (text, ".eE") != NULL)
    {
      double real = g_ascii_strtod (text, NULL);
      if (!isfinite (real)) /* jansson holds finite reals only */
        return fail_at (s, line, col, "number out of range (too large for a double)");
      if (out != NULL)
        *out = json_real (real);
      return TRUE;
    }
  if (text[0] == '-' ? !g_ascii_string_to_signed (text, 10, G_MININT64, 0, &value, NULL)
                     : !g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, &unsigned_value, NULL))
    return fail_at (s, line, col, "integer out of range (64 bits at most)");
  if (text[0] != '-')
    value = (gint64) unsigned_value;
  if (out != NULL)
    *out = json_integer (value);
  return TRUE;
}

static gboolean
scan_literal (Scanner *s, json_t **out)
{
  static const char * const literals[] = { "true", "false", "null" };

  for (gsize i = 0; i < G_N_ELEMENTS (literals); i++)
    {
      gsize n = strlen (literals[i]);
      if ((gsize) (s->end - s->p) >= n && memcmp (s->p, literals[i], n) == 0 &&
          ((gsize) (s->end - s->p) == n || !g_ascii_isalnum (s->p[n])))
        {
          for (gsize j = 0; j < n; j++)
            advance (s);
          if (out != NULL)
            *out = i == 2 ? json_null () : json_boolean (i == 0);
          return TRUE;
        }
    }
  return fail_here (s, "a value (object, array, string, number, true, false or null)");
}

static gboolean
scan_string_value (Scanner *s, json_t **out)
{
  g_autofree char *text = NULL;

  if (!scan_string (s, out != NULL ? &text : NULL))
    return FALSE;
  if (out != NULL)
    *out = sbx_json_string_new (text);
  return TRUE;
}

static gboolean
record (Scanner *s, const char *path, guint line, guint col)
{
  g_autofree char *message = NULL;

  if (!g_hash_table_contains (s->positions, path))
    {
      g_hash_table_insert (s->positions, g_strdup (path), (gpointer) (guintptr) PACK (line, col));
      return TRUE;
    }
  message = g_strdup_printf ("%s: duplicate key", path);
  return fail_at (s, line, col, message);
}

static gboolean scan_value (Scanner *s, const char *path, guint depth, json_t **out);

/* One "key": value, added to @object (the quick pass; NULL in the recording one). */
static gboolean
scan_member (Scanner *s, const char *path, guint depth, json_t *object)
{
  guint line = s->line, col = s->col;
  g_autofree char *key = NULL;
  g_autofree char *member = NULL;
  json_t *value = NULL;

  if (at_end (s) || *s->p != '"')
    return fail_here (s, "'\"' to start a key");
  if (!scan_string (s, &key))
    return FALSE;
  if (s->positions != NULL)
    {
      member = sbx_json_path_member (path, key);
      if (!record (s, member, line, col))
        return FALSE;
    }
  else if (json_object_get (object, key) != NULL)
    return fail_at (s, s->line, s->col, "duplicate key"); /* reworded by the second pass */
  skip_ws (s);
  if (!expect_char (s, ':', "':' after the key"))
    return FALSE;
  skip_ws (s);
  if (!scan_value (s, member, depth + 1, object != NULL ? &value : NULL))
    return FALSE;
  if (object != NULL)
    sbx_json_set (object, key, value);
  return TRUE;
}

static gboolean
scan_object (Scanner *s, const char *path, guint depth, json_t **out)
{
  g_autoptr(json_t) object = out != NULL ? json_object () : NULL;

  advance (s);
  skip_ws (s);
  if (!at_end (s) && *s->p == '}')
    advance (s);
  else
    for (;;)
      {
        if (!scan_member (s, path, depth, object))
          return FALSE;
        skip_ws (s);
        if (!at_end (s) && *s->p == ',')
          {
            advance (s);
            skip_ws (s);
            continue;
          }
        if (!expect_char (s, '}', "',' or '}'"))
          return FALSE;
        break;
      }
  if (out != NULL)
    *out = g_steal_pointer (&object);
  return TRUE;
}

static gboolean
scan_array (Scanner *s, const char *path, guint depth, json_t **out)
{
  g_autoptr(json_t) array = out != NULL ? json_array () : NULL;
  guint index = 0;

  advance (s);
  skip_ws (s);
  if (!at_end (s) && *s->p == ']')
    advance (s);
  else
    for (;;)
      {
        g_autofree char *element = s->positions != NULL ? sbx_json_path_element (path, index++) : NULL;
        json_t *value = NULL;

        if ((element != NULL && !record (s, element, s->line, s->col)) ||
            !scan_value (s, element, depth + 1, array != NULL ? &value : NULL))
          return FALSE;
        if (array != NULL)
          sbx_json_append (array, value);
        skip_ws (s);
        if (!at_end (s) && *s->p == ',')
          {
            advance (s);
            skip_ws (s);
            continue;
          }
        if (!expect_char (s, ']', "',' or ']'"))
          return FALSE;
        break;
      }
  if (out != NULL)
    *out = g_steal_pointer (&array);
  return TRUE;
}

/* One value; *@out (when not NULL) is its node. */
static gboolean
scan_value (Scanner *s, const char *path, guint depth, json_t **out)
{
  g_autofree char *message = NULL;

  if (at_end (s))
    return fail_here (s, "a value");
  if ((*s->p == '{' || *s->p == '[') && depth >= SBX_JSON_DOC_MAX_DEPTH)
    {
      message = g_strdup_printf ("nested deeper than %d levels", SBX_JSON_DOC_MAX_DEPTH);
      return fail_at (s, s->line, s->col, message);
    }
  switch (*s->p)
    {
    case '{': return scan_object (s, path, depth, out);
    case '[': return scan_array (s, path, depth, out);
    case '"': return scan_string_value (s, out);
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
      return scan_number (s, out);
    default: return scan_literal (s, out);
    }
}

/* The whole text: one value with nothing but white space around it; *@out (when not NULL)
 * is its tree. */
static gboolean
scan_document (Scanner *s, json_t **out)
{
  g_autoptr(json_t) root = NULL;

  skip_ws (s);
  if (at_end (s))
    return fail_at (s, 1, 1, "empty document");
  if (s->positions != NULL)
    g_hash_table_insert (s->positions, g_strdup (""), (gpointer) (guintptr) PACK (s->line, s->col));
  if (!scan_value (s, s->positions != NULL ? "" : NULL, 0, out != NULL ? &root : NULL))
    return FALSE;
  skip_ws (s);
  if (!at_end (s))
    return fail_here (s, "the end of the document");
  if (out != NULL)
    *out = g_steal_pointer (&root);
  return TRUE;
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
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s:1:1: larger than %d bytes",
                   name, SBX_JSON_DOC_MAX_SIZE);
      return FALSE;
    }
  if (memchr (data, '\0', length) != NULL || !g_utf8_validate (data, (gssize) length, NULL))
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s:1:1: not UTF-8 text", name);
      return FALSE;
    }
  return TRUE;
}

/* The recording pass over the text: fills doc->positions.  FALSE, with @error, for the
 * same text the quick pass refuses. */
static gboolean
record_positions (SbxJsonDoc *doc, GError **error)
{
  gsize length;
  const char *data = g_bytes_get_data (doc->text, &length);
  Scanner scanner;

  if (doc->positions != NULL)
    return TRUE;
  doc->positions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  scanner = (Scanner) { .p = data != NULL ? data : "", .end = (data != NULL ? data : "") + length, .line = 1, .col = 1, .name = doc->name, .positions = doc->positions, .error = error };
  return scan_document (&scanner, NULL);
}

SbxJsonDoc *
sbx_json_doc_new_from_data (const char *name, const char *data, gsize length, GError **error)
{
  g_autoptr(SbxJsonDoc) doc = NULL;
  g_autoptr(GError) quick_error = NULL;
  Scanner scanner;

  if (!check_plain_text (name, data, length, error))
    return NULL;
  doc = g_new0 (SbxJsonDoc, 1);
  doc->ref_count = 1;
  doc->name = g_strdup (name);
  doc->text = g_bytes_new (data, length);
  /* The quick pass builds the tree; what it refuses is refused again by the recording
   * pass, in words with the path. */
  scanner = (Scanner) { .p = data, .end = data + length, .line = 1, .col = 1, .name = name, .error = &quick_error };
  if (!scan_document (&scanner, &doc->root))
    {
      if (record_positions (doc, error)) /* cannot be: both passes take the same text */
        g_propagate_error (error, g_steal_pointer (&quick_error));
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
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s:1:1: larger than %d bytes",
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
  g_clear_pointer (&doc->root, json_decref);
  g_clear_pointer (&doc->text, g_bytes_unref);
  g_clear_pointer (&doc->positions, g_hash_table_unref);
  g_free (doc);
}

const char *
sbx_json_doc_get_name (SbxJsonDoc *doc)
{
  return doc->name;
}

json_t *
sbx_json_doc_get_root (SbxJsonDoc *doc)
{
  return doc->root;
}

/* The position of @path, or of its nearest recorded ancestor. */
static guint64
lookup_position (SbxJsonDoc *doc, const char *path)
{
  g_autofree char *p = g_strdup (path);

  if (!record_positions (doc, NULL))
    return PACK (1, 1); /* cannot be: the text passed before */
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
  g_autofree char *line = NULL;
  g_autofree char *escaped = NULL;
  guint64 pos = lookup_position (doc, path);
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  line = g_strdup_printf ("%s:%u:%u: %s%s%s", doc->name, (guint) (pos >> 32),
                          (guint) (pos & 0xffffffff), path, *path ? ": " : "", message);
  escaped = escape_controls (line);
  g_set_error_literal (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, escaped);
  return FALSE;
}
