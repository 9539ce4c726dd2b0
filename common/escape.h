/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* escape.h: text from outside (arguments, image and registry data, profile values, paths,
 * server answers) made safe to print on a terminal: control characters (ESC, BEL, CR, LF...)
 * and bytes that are not UTF-8 become visible escapes (\e, \a, \r, \n, \t, \xNN); printable
 * text, UTF-8 included, stays as it is. */
#pragma once

#include <glib.h>
#include <stdio.h>

G_BEGIN_DECLS

/* The escaped copy of @text (NULL: "(null)"). */
char *sbx_escape (const char *text);

/* Escapes @len bytes of @text into @out (of @size bytes, NUL-terminated, cut short when it
 * fills up); no allocation, so a child after fork may use it.  Returns the length written. */
gsize sbx_escape_into (const char *text, gsize len, char *out, gsize size);

/* Prints one line on @out: the text @format makes, escaped whole (so outside text among
 * the arguments can neither start another line nor move the cursor), then "\n".  For
 * lines holding names and values from outside: table rows, warnings, errors. */
void sbx_print_line (FILE *out, const char *format, ...) G_GNUC_PRINTF (2, 3);

G_END_DECLS
