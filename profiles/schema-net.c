/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* schema-net.c: checks of the sbx.network keys that name per-app rules. */
#include "schema-net.h"
#include "netrule.h"

gboolean
sbx_schema_check_net_rule (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(SbxNetRule) rule = sbx_net_rule_parse (json_string_value (node), FALSE, "rule", &local_error);

  if (rule == NULL)
    return sbx_json_doc_error (doc, path, error, "%s", local_error->message);
  return TRUE;
}
