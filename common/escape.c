/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* escape.c: outside text made safe to print (escape.h). */
#include "escape.h"

#include <stdio.h>
#include <string.h>

/* The escape for control byte @c: a letter where C has one, else xNN. */
static int
control_escape (guchar c, char *buf, gsize size)
{
  switch (c)
    {
    case '\n': return snprintf (buf, size, "\\n");
    case '\r': return snprintf (buf, size, "\\r");
    case '\t': return snprintf (buf, size, "\\t");
    case '\a': return snprintf (buf, size, "\\a");
    case 0x1b: return snprintf (buf, size, "\\e");
    default: return snprintf (buf, size, "\\x%02x", c);
    }
}

/* Appends @piece of @n bytes when it fits whole; FALSE when it does not. */
static gboolean
put (char *out, gsize size, gsize *pos, const char *piece, gsize n)
{
  if (*pos + n >= size)
    return FALSE;
  memcpy (out + *pos, piece, n);
  *pos += n;
  return TRUE;
}

gsize
sbx_escape_into (const char *text, gsize len, char *out, gsize size)
{
  gsize pos = 0, i = 0;
  char esc[8];

  if (size == 0)
    return 0;
  while (i < len)
    {
      guchar c = (guchar) text[i];
      gunichar u;
      gsize n;

      if (c < 0x20 || c == 0x7f)
        {
          if (!put (out, size, &pos, esc, (gsize) control_escape (c, esc, sizeof esc)))
            break;
          i++;
          continue;
        }
      if (c < 0x80)
        {
          if (!put (out, size, &pos, text + i, 1))
            break;
          i++;
          continue;
        }
      u = g_utf8_get_char_validated (text + i, (gssize) (len - i));
      n = (u == (gunichar) -1 || u == (gunichar) -2 || g_unichar_iscntrl (u)) ? 0
                                                                              : (gsize) (g_utf8_next_char (text + i) - (text + i));
      if (n == 0)
        {
          if (!put (out, size, &pos, esc, (gsize) snprintf (esc, sizeof esc, "\\x%02x", c)))
            break;
          i++;
          continue;
        }
      if (!put (out, size, &pos, text + i, n))
        break;
      i += n;
    }
  out[pos] = '\0';
  return pos;
}

char *
sbx_escape (const char *text)
{
  gsize len, size;
  char *out;

  if (text == NULL)
    return g_strdup ("(null)");
  len = strlen (text);
  size = len * 4 + 1; /* \xNN is the longest escape of one byte */
  out = g_malloc (size);
  sbx_escape_into (text, len, out, size);
  return out;
}

void
sbx_print_line (FILE *out, const char *format, ...)
{
  g_autofree char *text = NULL;
  g_autofree char *escaped = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  escaped = sbx_escape (text);
  fprintf (out, "%s\n", escaped);
}
