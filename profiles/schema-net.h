/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* schema-net.h: checks of the sbx.network keys that name per-app rules. */
#pragma once

#include "json-doc.h"

G_BEGIN_DECLS

/* A rule of sbx.network.allow or deny (common/netrule.h); its error at the string. */
gboolean sbx_schema_check_net_rule (SbxJsonDoc *doc, const char *path, json_t *node, GError **error);

G_END_DECLS
