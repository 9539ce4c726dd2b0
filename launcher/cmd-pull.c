/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-pull.c: `sbx pull [--tls-verify=false] [-q] REF`: checks the arguments and becomes
 * sbx-import --pull, which downloads (storage/pull.h) and prints the image id. */
#include "cli.h"
#include "import-helper.h"
#include "registry.h"
#include "sbx-error.h"

#include <string.h>

/* Takes --tls-verify[=true|false] out of @argv (GOption has no optional boolean value). */
static gboolean
take_tls_verify (int *argc, char **argv, gboolean *tls_verify, GError **error)
{
  int out = 1;

  for (int i = 1; i < *argc; i++)
    {
      const char *value = g_str_has_prefix (argv[i], "--tls-verify=") ? argv[i] + strlen ("--tls-verify=") : NULL;

      if (g_str_equal (argv[i], "--"))
        {
          while (i < *argc)
            argv[out++] = argv[i++];
          break;
        }
      if (g_str_equal (argv[i], "--tls-verify") || (value && g_ascii_strcasecmp (value, "true") == 0))
        *tls_verify = TRUE;
      else if (value && g_ascii_strcasecmp (value, "false") == 0)
        *tls_verify = FALSE;
      else if (value)
        return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                            "pull: --tls-verify expects true or false, not '%s'", value),
               FALSE;
      else
        argv[out++] = argv[i];
    }
  argv[out] = NULL;
  *argc = out;
  return TRUE;
}

int
sbx_cmd_pull (int argc, char **argv, GError **error)
{
  gboolean quiet = FALSE;
  gboolean tls_verify = TRUE;
  const GOptionEntry entries[] = {
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No progress display", NULL },
    { NULL }
  };
  g_autoptr(GPtrArray) helper_args = g_ptr_array_new ();

  if (!take_tls_verify (&argc, argv, &tls_verify, error) ||
      !sbx_cli_parse ("pull", "REF",
                      "Pull an image from a registry into the store.\n\n"
                      "  --tls-verify=false   do not check TLS certificates; plain http is allowed",
                      entries, FALSE, &argc, &argv, error))
    return SBX_EXIT_SBX_ERROR;
  if (argc != 2)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "pull: expected one REF (see 'sbx pull --help')");
      return SBX_EXIT_SBX_ERROR;
    }
  if (!sbx_registry_looks_like_reference (argv[1]))
    {
      /* The parser says what is wrong with it. */
      g_autoptr(SbxReference) ref = sbx_reference_parse (argv[1], error);
      if (ref != NULL)
        g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "pull: '%s' is not an image reference", argv[1]);
      return SBX_EXIT_SBX_ERROR;
    }
  g_ptr_array_add (helper_args, "--pull");
  if (!tls_verify)
    g_ptr_array_add (helper_args, "--tls-verify=false");
  if (quiet)
    g_ptr_array_add (helper_args, "-q");
  g_ptr_array_add (helper_args, argv[1]);
  g_ptr_array_add (helper_args, NULL);
  sbx_import_helper_exec ((char **) helper_args->pdata, error);
  return SBX_EXIT_SBX_ERROR;
}
