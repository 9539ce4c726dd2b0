/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-system.c: `sbx system df`: the space the store takes. */
#include "cli.h"
#include "json-util.h"
#include "sbx-error.h"
#include "store.h"
#include "userns.h"

#include <stdio.h>

static void
print_row (const char *type, guint count, guint64 size, const guint64 *reclaimable)
{
  g_autofree char *size_text = sbx_format_size (size, G_FORMAT_SIZE_DEFAULT);
  g_autofree char *reclaimable_text = reclaimable != NULL ? sbx_format_size (*reclaimable, G_FORMAT_SIZE_DEFAULT)
                                                          : g_strdup ("");
  printf ("%-12s %7u %12s %14s\n", type, count, size_text, reclaimable_text);
}

/* JSON: the same rows, sizes in bytes, reclaimable null where the table shows nothing. */
static json_t *
row_json (const char *type, guint count, guint64 size, const guint64 *reclaimable)
{
  json_t *object = json_object ();

  sbx_json_add_string (object, "type", type);
  sbx_json_add_int (object, "count", count);
  sbx_json_add_int (object, "size", (gint64) size);
  sbx_json_set (object, "reclaimable", reclaimable != NULL ? json_integer ((json_int_t) *reclaimable) : json_null ());
  return object;
}

static void
print_usage (const SbxStoreUsage *usage, gboolean json)
{
  g_autoptr(json_t) array = json_array ();
  const struct {
    const char *type;
    guint count;
    guint64 size;
    const guint64 *reclaimable;
  } rows[] = {
    { "Images", usage->n_images, usage->layers + usage->blobs, NULL },
    { "Layers", usage->n_layers, usage->layers, &usage->layers_unused },
    { "Sandboxes", usage->n_sandboxes, usage->sandboxes, NULL },
    { "Temporary", 0, usage->tmp, &usage->tmp },
  };

  if (!json)
    printf ("%-12s %7s %12s %14s\n", "TYPE", "COUNT", "SIZE", "RECLAIMABLE");
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    if (json)
      sbx_json_append (array, row_json (rows[i].type, rows[i].count, rows[i].size, rows[i].reclaimable));
    else
      print_row (rows[i].type, rows[i].count, rows[i].size, rows[i].reclaimable);
  if (json)
    sbx_cli_print_json (array);
}

/* `sbx system df [--format json]`. */
static int
system_df (int argc, char **argv, GError **error)
{
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = { SBX_CLI_FORMAT_ENTRY (&format), { NULL } };
  g_autoptr(SbxStore) store = NULL;
  SbxStoreUsage usage;
  gboolean single, json;

  if (!sbx_cli_parse ("system df", "", "Show the disk space the image store and named sandboxes use.",
                      entries, FALSE, &argc, &argv, error) ||
      !sbx_cli_at_most ("system df", argc, argv, 0, error) ||
      !sbx_cli_parse_format ("system df", format, &json, error))
    return SBX_EXIT_SBX_ERROR;
  if ((store = sbx_store_open (NULL, error)) == NULL || !sbx_userns_enter_store_namespace (&single, error) ||
      !sbx_store_usage (store, &usage, error))
    return SBX_EXIT_SBX_ERROR;
  print_usage (&usage, json);
  if (!json)
    printf ("(%s: 'sbx image prune' frees what is reclaimable; 'sbx rm NAME' a sandbox)\n",
            sbx_store_get_root (store));
  return 0;
}

int
sbx_cmd_system (int argc, char **argv, GError **error)
{
  static const SbxCommand subcommands[] = {
    { "df", "Show the disk space used", system_df },
  };

  return sbx_cli_dispatch ("system", subcommands, G_N_ELEMENTS (subcommands), argc, argv, error);
}
