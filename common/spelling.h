/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* spelling.h: "did you mean": the closest of a set of known words to a misspelt one. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The word of the NULL-terminated @known closest to @word (Levenshtein distance, ignoring
 * ASCII case) when it is within two edits, the first such on a tie; else NULL.  Words over
 * 64 bytes get no suggestion (the distance costs their length times each known word's). */
const char *sbx_spelling_suggest (const char *word, const char * const *known);

G_END_DECLS
