/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* import-helper.h: finding and running sbx-import, the program that unpacks and pulls images.
 *
 * Unpacking needs libarchive (and through it libxml2 and ICU), pulling libcurl: loading
 * those costs every `sbx run` over a millisecond, so they live in a helper of their own
 * and the run path never maps them.  This is the one place that spawns it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SBX_DEFAULT_IMAGE_NAME "default"

/* The helper's fd that SbxImportHelperOptions.progress_fd becomes ("--progress-fd 3"). */
#define SBX_IMPORT_HELPER_PROGRESS_FD 3

typedef struct {
  int progress_fd; /* >= 0: given to the helper as its SBX_IMPORT_HELPER_PROGRESS_FD; -1: none */
} SbxImportHelperOptions;

/* sbx-import beside this executable (a build tree), else the installed one. */
char *sbx_import_helper_path (void);

/* Runs sbx-import @args (@options NULL: no progress fd) and waits for it; it dies with
 * us.  Its stdout goes to *@out_stdout, or to /dev/null when @out_stdout is NULL.  When
 * it fails, its last stderr line (without "sbx: ") becomes @error. */
gboolean sbx_import_helper_run (const char * const *args, const SbxImportHelperOptions *options,
                                char **out_stdout, GError **error);

/* Replaces this process with sbx-import @args (for `sbx image import` and `sbx pull`). */
gboolean sbx_import_helper_exec (char **args, GError **error);

G_END_DECLS
