/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* spelling.c: "did you mean" suggestions by edit distance (spelling.h). */
#include "spelling.h"

#include <string.h>

#define MAX_WORD_LEN 64
#define MAX_EDITS 2

/* Levenshtein distance, ignoring ASCII case. */
static guint
edit_distance (const char *a, const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *row = g_new (guint, lb + 1);

  for (gsize j = 0; j <= lb; j++)
    row[j] = (guint) j;
  for (gsize i = 1; i <= la; i++)
    {
      guint diagonal = row[0];
      row[0] = (guint) i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint above = row[j];
          guint cost = g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ? 0 : 1;
          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + cost);
          diagonal = above;
        }
    }
  return row[lb];
}

const char *
sbx_spelling_suggest (const char *word, const char * const *known)
{
  const char *best = NULL;
  guint best_distance = MAX_EDITS + 1;

  if (strlen (word) > MAX_WORD_LEN)
    return NULL;
  for (guint i = 0; known[i] != NULL; i++)
    {
      guint distance = edit_distance (word, known[i]);
      if (distance < best_distance)
        {
          best = known[i];
          best_distance = distance;
        }
    }
  return best;
}
