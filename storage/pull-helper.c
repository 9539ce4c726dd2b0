/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pull-helper.c: sbx_pull_image() runs sbx-import --pull; sbx_pull_find_local(). */
#include "pull-helper.h"
#include "import-helper.h"
#include "sbx-error.h"

#include <string.h>
#include <unistd.h>

char *
sbx_pull_find_local (SbxStore *store, const char *ref)
{
  g_autoptr(SbxRegistriesConf) conf = NULL;
  g_autoptr(GPtrArray) candidates = NULL;

  if (sbx_store_has_image (store, ref))
    return g_strdup (ref);
  if ((conf = sbx_registries_conf_load (NULL)) == NULL ||
      (candidates = sbx_registry_resolve (conf, ref, NULL)) == NULL)
    return NULL;
  for (guint i = 0; i < candidates->len; i++)
    {
      g_autofree char *name = sbx_reference_to_string (g_ptr_array_index (candidates, i));
      if (sbx_store_has_image (store, name))
        return g_steal_pointer (&name);
    }
  return NULL;
}

static GPtrArray *
pull_args (const char *ref, const SbxPullOptions *options, gboolean progress)
{
  GPtrArray *args = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (args, g_strdup ("--pull"));
  g_ptr_array_add (args, g_strdup ("--print-name"));
  if (!options->tls_verify)
    g_ptr_array_add (args, g_strdup ("--tls-verify=false"));
  if (!progress)
    g_ptr_array_add (args, g_strdup ("-q"));
  else
    {
      g_ptr_array_add (args, g_strdup ("--progress-fd"));
      g_ptr_array_add (args, g_strdup_printf ("%d", SBX_IMPORT_HELPER_PROGRESS_FD));
    }
  g_ptr_array_add (args, g_strdup (ref));
  g_ptr_array_add (args, NULL);
  return args;
}

gboolean
sbx_pull_image (SbxStore *store, const char *ref, const SbxPullOptions *options,
                char **out_name, GError **error)
{
  int progress_fd = options->progress_fd >= 0 ? options->progress_fd : STDERR_FILENO;
  gboolean progress = !options->quiet && isatty (progress_fd);
  SbxImportHelperOptions helper = { .progress_fd = progress ? progress_fd : -1 };
  g_autoptr(GPtrArray) args = pull_args (ref, options, progress);
  g_autofree char *out = NULL;
  const char *space;

  if (!sbx_import_helper_run ((const char * const *) args->pdata, &helper, &out, error))
    return FALSE;
  space = out ? strchr (g_strstrip (out), ' ') : NULL;
  if (space == NULL || space[1] == '\0')
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "sbx-import --pull printed no image name"), FALSE;
  *out_name = g_strdup (space + 1);
  return TRUE;
}
