/* import-helper.h: finding and running sbx-import, the program that unpacks images.
 *
 * Unpacking needs libarchive (and through it libxml2 and ICU): loading those costs every
 * `sbx run` over a millisecond, so they live in a helper of their own and the run path
 * never maps them. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SBX_DEFAULT_IMAGE_NAME "default"

/* sbx-import beside this executable (a build tree), else the installed one. */
char *sbx_import_helper_path (void);

/* Runs sbx-import with @args; its error line becomes @error.  Stdout is discarded. */
gboolean sbx_import_helper_run (const char * const *args, GError **error);

/* Replaces this process with sbx-import @args (for `sbx image import`). */
gboolean sbx_import_helper_exec (char **args, GError **error);

G_END_DECLS
