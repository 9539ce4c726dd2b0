/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resolve.c: image names to store images, importing or pulling on first use (resolve.h). */
#include "resolve.h"
#include "import-helper.h"
#include "pull-helper.h"

#include <unistd.h>

SbxImage *
sbx_image_resolve (SbxStore *store, const char *name, const SbxResolveOptions *opts, GError **error)
{
  static const char * const import_default[] = { "--default", NULL };
  const SbxResolveOptions defaults = {
    .pull = { .tls_verify = TRUE, .quiet = FALSE, .progress_fd = STDERR_FILENO },
  };
  g_autofree char *local = NULL;

  if (opts == NULL)
    opts = &defaults;
  if (g_str_equal (name, SBX_DEFAULT_IMAGE_NAME) && !sbx_store_has_image (store, name) &&
      !sbx_import_helper_run (import_default, NULL, NULL, error))
    return NULL;
  if (sbx_store_has_image (store, name))
    return sbx_store_load_image (store, name, error);
  local = sbx_pull_find_local (store, name);
  if (local == NULL && sbx_registry_is_qualified_reference (name) &&
      !sbx_pull_image (store, name, &opts->pull, &local, error))
    return NULL;
  return sbx_store_load_image (store, local != NULL ? local : name, error);
}
