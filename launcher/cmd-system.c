/* cmd-system.c: `sbx system df`: the space the store takes. */
#include "cli.h"
#include "sbx-error.h"
#include "store.h"
#include "userns.h"

#include <stdio.h>

static void
print_row (const char *type, guint count, guint64 size, const char *reclaimable)
{
  g_autofree char *size_text = sbx_format_size (size, G_FORMAT_SIZE_DEFAULT);
  printf ("%-12s %7u %12s %14s\n", type, count, size_text, reclaimable);
}

static int
system_df (int argc, char **argv, GError **error)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(SbxStore) store = NULL;
  g_autofree char *unused = NULL, *tmp = NULL;
  SbxStoreUsage usage;
  gboolean single;

  if (!sbx_cli_parse ("system df", "", "Show the disk space the image store and named sandboxes use.",
                      entries, FALSE, &argc, &argv, error))
    return SBX_EXIT_SBX_ERROR;
  if (!sbx_cli_at_most ("system df", argc, argv, 0, error))
    return SBX_EXIT_SBX_ERROR;
  if ((store = sbx_store_open (NULL, error)) == NULL || !sbx_userns_enter_store_namespace (&single, error) ||
      !sbx_store_usage (store, &usage, error))
    return SBX_EXIT_SBX_ERROR;
  unused = sbx_format_size (usage.layers_unused, G_FORMAT_SIZE_DEFAULT);
  tmp = sbx_format_size (usage.tmp, G_FORMAT_SIZE_DEFAULT);
  printf ("%-12s %7s %12s %14s\n", "TYPE", "COUNT", "SIZE", "RECLAIMABLE");
  print_row ("Images", usage.n_images, usage.layers + usage.blobs, "");
  print_row ("Layers", usage.n_layers, usage.layers, unused);
  print_row ("Sandboxes", usage.n_sandboxes, usage.sandboxes, "");
  print_row ("Temporary", 0, usage.tmp, tmp);
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
