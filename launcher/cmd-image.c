/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-image.c: `sbx image import|ls|rm`. */
#include "cli.h"
#include "escape.h"
#include "json-util.h"
#include "import-helper.h"
#include "sbx-error.h"
#include "store.h"
#include "userns.h"

#include <stdio.h>

static int
image_import (int argc, char **argv, GError **error)
{
  const GOptionEntry entries[] = { { NULL } };

  if (!sbx_cli_parse ("image import", "SOURCE [NAME]",
                      "Import an image. SOURCE is oci:DIR[:TAG], oci-archive:FILE[:TAG] or docker-archive:FILE[:N].",
                      entries, FALSE, &argc, &argv, error))
    return SBX_EXIT_SBX_ERROR;
  if (argc < 2 || argc > 3)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                   "image import: expected SOURCE [NAME] (see 'sbx image import --help')");
      return SBX_EXIT_SBX_ERROR;
    }
  if (argc == 3 && !sbx_store_check_name (argv[2], error))
    return SBX_EXIT_SBX_ERROR;
  sbx_import_helper_exec (argv + 1, error);
  return SBX_EXIT_SBX_ERROR;
}

static char *
format_age (gint64 created)
{
  gint64 age = g_get_real_time () / G_USEC_PER_SEC - created;

  if (age < 60)
    return g_strdup ("just now");
  if (age < 3600)
    return g_strdup_printf ("%d minutes ago", (int) (age / 60));
  if (age < 86400)
    return g_strdup_printf ("%d hours ago", (int) (age / 3600));
  return g_strdup_printf ("%d days ago", (int) (age / 86400));
}

static json_t *
image_json (const SbxImage *image)
{
  json_t *object = json_object ();

  sbx_json_add_string (object, "name", image->name);
  sbx_json_add_string (object, "id", image->id);
  sbx_json_add_int (object, "created", image->created);
  sbx_json_add_int (object, "size", (gint64) image->size);
  return object;
}

static void
print_image (const SbxImage *image, gboolean quiet)
{
  g_autofree char *age = format_age (image->created);
  g_autofree char *size = sbx_format_size (image->size, G_FORMAT_SIZE_DEFAULT);

  if (quiet)
    sbx_print_line (stdout, "%s", image->name);
  else
    sbx_print_line (stdout, "%-40s %-12.12s %-16s %s", image->name, image->id, age, size);
}

/* `sbx image ls [-q] [--format json]`: JSON has the full id, created in unix seconds and the
 * size in bytes. */
static int
image_ls (int argc, char **argv, GError **error)
{
  gboolean quiet = FALSE, json = FALSE;
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = {
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Show only the names", NULL },
    SBX_CLI_FORMAT_ENTRY (&format),
    { NULL }
  };
  g_autoptr(SbxStore) store = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(json_t) array = json_array ();

  if (!sbx_cli_parse ("image ls", "", "List the images in the store.", entries, FALSE, &argc, &argv, error) ||
      !sbx_cli_at_most ("image ls", argc, argv, 0, error) || !sbx_cli_parse_format ("image ls", format, &json, error))
    return SBX_EXIT_SBX_ERROR;
  if ((store = sbx_store_open (NULL, error)) == NULL ||
      (images = sbx_store_list_images (store, error)) == NULL)
    return SBX_EXIT_SBX_ERROR;
  if (!quiet && !json)
    printf ("%-40s %-12s %-16s %s\n", "NAME", "ID", "CREATED", "SIZE");
  for (guint i = 0; i < images->len; i++)
    if (json)
      sbx_json_append (array, image_json (g_ptr_array_index (images, i)));
    else
      print_image (g_ptr_array_index (images, i), quiet);
  if (json)
    sbx_cli_print_json (array);
  return 0;
}

static int
image_rm (int argc, char **argv, GError **error)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(SbxStore) store = NULL;
  gboolean single;
  int status = 0;

  if (!sbx_cli_parse ("image rm", "NAME...", "Remove images.", entries, FALSE, &argc, &argv, error))
    return SBX_EXIT_SBX_ERROR;
  if (argc < 2)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "image rm: missing NAME");
      return SBX_EXIT_SBX_ERROR;
    }
  if ((store = sbx_store_open (NULL, error)) == NULL || !sbx_userns_enter_store_namespace (&single, error))
    return SBX_EXIT_SBX_ERROR;
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) local_error = NULL;
      if (!sbx_store_remove_image (store, argv[i], &local_error))
        {
          sbx_print_line (stderr, "sbx: %s", local_error->message);
          status = SBX_EXIT_SBX_ERROR;
        }
    }
  return status;
}

static int
image_prune (int argc, char **argv, GError **error)
{
  gboolean all = FALSE;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Also remove the images no named sandbox was made from", NULL },
    { NULL }
  };
  g_autoptr(SbxStore) store = NULL;
  g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func (g_free);
  SbxStoreUsage before, after;
  g_autofree char *freed = NULL;
  gboolean single;

  if (!sbx_cli_parse ("image prune", "", "Remove the layers and blobs no image and no named sandbox uses, "
                                         "and what killed imports left behind.  Layers of running sandboxes stay.",
                      entries, FALSE, &argc, &argv, error))
    return SBX_EXIT_SBX_ERROR;
  if (!sbx_cli_at_most ("image prune", argc, argv, 0, error))
    return SBX_EXIT_SBX_ERROR;
  if ((store = sbx_store_open (NULL, error)) == NULL || !sbx_userns_enter_store_namespace (&single, error) ||
      !sbx_store_usage (store, &before, error) || !sbx_store_prune (store, all, removed, error) ||
      !sbx_store_usage (store, &after, error))
    return SBX_EXIT_SBX_ERROR;
  for (guint i = 0; i < removed->len; i++)
    sbx_print_line (stdout, "removed image %s", (const char *) g_ptr_array_index (removed, i));
  freed = sbx_format_size (before.layers + before.blobs + before.tmp > after.layers + after.blobs + after.tmp
                             ? before.layers + before.blobs + before.tmp - after.layers - after.blobs - after.tmp
                             : 0,
                           G_FORMAT_SIZE_DEFAULT);
  printf ("freed %s (%u layers left)\n", freed, after.n_layers);
  return 0;
}

int
sbx_cmd_image (int argc, char **argv, GError **error)
{
  static const SbxCommand subcommands[] = {
    { "import", "Import an image from an OCI layout, OCI archive or docker archive", image_import },
    { "ls", "List images", image_ls },
    { "rm", "Remove images", image_rm },
    { "prune", "Remove unused layers and blobs (--all: and unused images)", image_prune },
  };

  return sbx_cli_dispatch ("image", subcommands, G_N_ELEMENTS (subcommands), argc, argv, error);
}
