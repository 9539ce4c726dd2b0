/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan-exec.c: the part of a run plan `sbx exec` needs, saved in the run's registration
 * (run-state.h, member "exec") and read back into an exec's own plan (plan.h). */
#include "plan.h"
#include "json-util.h"
#include "sbx-error.h"

static void
add_uid_map (JsonBuilder *b, const SbxIdMap *map)
{
  json_builder_set_member_name (b, "uid_map");
  json_builder_begin_array (b);
  for (guint i = 0; i < map->n_ranges; i++)
    {
      json_builder_begin_array (b);
      json_builder_add_int_value (b, map->ranges[i].inside);
      json_builder_add_int_value (b, map->ranges[i].outside);
      json_builder_add_int_value (b, map->ranges[i].count);
      json_builder_end_array (b);
    }
  json_builder_end_array (b);
}

static void
add_runtime_entries (JsonBuilder *b, const GPtrArray *entries)
{
  json_builder_set_member_name (b, "runtime_entries");
  json_builder_begin_array (b);
  for (guint i = 0; entries != NULL && i < entries->len; i++)
    json_builder_add_string_value (b, ((SbxRuntimeEntry *) g_ptr_array_index (entries, i))->name);
  json_builder_end_array (b);
}

static void
add_member (JsonBuilder *b, const char *member, JsonNode *value)
{
  json_builder_set_member_name (b, member);
  json_builder_add_value (b, value);
}

JsonNode *
sbx_run_plan_exec_to_json (const SbxRunPlan *plan)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_member (b, "user", plan->user != NULL ? json_node_init_string (json_node_alloc (), plan->user) : json_node_new (JSON_NODE_NULL));
  add_member (b, "cwd", json_node_init_string (json_node_alloc (), plan->cwd));
  sbx_json_builder_add_strv (b, "env", plan->env);
  add_member (b, "keep_id", json_node_init_boolean (json_node_alloc (), plan->ids.mode == SBX_USERNS_KEEP_ID));
  add_member (b, "single", json_node_init_boolean (json_node_alloc (), plan->ids.single));
  add_member (b, "caller_uid", json_node_init_int (json_node_alloc (), plan->ids.caller_uid));
  add_member (b, "caller_gid", json_node_init_int (json_node_alloc (), plan->ids.caller_gid));
  add_uid_map (b, &plan->ids.uid_map);
  add_member (b, "apparmor", json_node_init_boolean (json_node_alloc (), plan->use_apparmor));
  add_member (b, "apparmor_label", plan->apparmor_label != NULL ? json_node_init_string (json_node_alloc (), plan->apparmor_label) : json_node_new (JSON_NODE_NULL));
  add_member (b, "unshare_flags", json_node_init_int (json_node_alloc (), plan->unshare_flags));
  add_member (b, "runtime_dir", json_node_init_boolean (json_node_alloc (), plan->runtime_dir));
  add_runtime_entries (b, plan->runtime_entries);
  add_member (b, "x11_display", plan->x11_display != NULL ? json_node_init_string (json_node_alloc (), plan->x11_display) : json_node_new (JSON_NODE_NULL));
  add_member (b, "home_mode", json_node_init_int (json_node_alloc (), plan->home_mode));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
read_uid_map (JsonObject *o, SbxIdMap *map)
{
  JsonArray *ranges = sbx_json_get_array (o, "uid_map");

  map->n_ranges = 0;
  for (guint i = 0; ranges != NULL && i < json_array_get_length (ranges) && i < SBX_IDMAP_MAX_RANGES; i++)
    {
      JsonNode *node = json_array_get_element (ranges, i);
      JsonArray *r = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

      if (r == NULL || json_array_get_length (r) != 3)
        continue;
      map->ranges[map->n_ranges++] = (SbxIdRange) { (guint32) json_array_get_int_element (r, 0),
                                                    (guint32) json_array_get_int_element (r, 1),
                                                    (guint32) json_array_get_int_element (r, 2) };
    }
}

static void
read_runtime_entries (JsonObject *o, SbxRunPlan *plan)
{
  g_auto(GStrv) names = sbx_json_dup_strv (o, "runtime_entries");

  plan->runtime_entries = g_ptr_array_new_with_free_func ((GDestroyNotify) sbx_runtime_entry_free);
  for (guint i = 0; names[i] != NULL; i++)
    {
      SbxRuntimeEntry *entry = g_new0 (SbxRuntimeEntry, 1);
      entry->name = g_strdup (names[i]);
      g_ptr_array_add (plan->runtime_entries, entry);
    }
}

gboolean
sbx_run_plan_exec_from_json (JsonNode *node, SbxRunPlan *plan, GError **error)
{
  JsonObject *o = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

  if (o == NULL || sbx_json_get_string (o, "cwd") == NULL)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "the registration says nothing of its command's "
                                                            "settings (a sandbox started by an older sbx)"),
           FALSE;
  plan->user = g_strdup (sbx_json_get_string (o, "user"));
  plan->cwd = g_strdup (sbx_json_get_string (o, "cwd"));
  plan->env = sbx_json_dup_strv (o, "env");
  plan->ids.mode = json_object_get_boolean_member_with_default (o, "keep_id", FALSE) ? SBX_USERNS_KEEP_ID
                                                                                     : SBX_USERNS_DEFAULT;
  plan->ids.single = json_object_get_boolean_member_with_default (o, "single", FALSE);
  plan->ids.caller_uid = (uid_t) json_object_get_int_member_with_default (o, "caller_uid", 0);
  plan->ids.caller_gid = (gid_t) json_object_get_int_member_with_default (o, "caller_gid", 0);
  read_uid_map (o, &plan->ids.uid_map);
  plan->use_apparmor = json_object_get_boolean_member_with_default (o, "apparmor", FALSE);
  plan->apparmor_label = g_strdup (sbx_json_get_string (o, "apparmor_label"));
  plan->unshare_flags = (int) json_object_get_int_member_with_default (o, "unshare_flags", 0);
  plan->runtime_dir = json_object_get_boolean_member_with_default (o, "runtime_dir", FALSE);
  read_runtime_entries (o, plan);
  plan->x11_display = g_strdup (sbx_json_get_string (o, "x11_display"));
  plan->home_mode = (SbxHomeMode) json_object_get_int_member_with_default (o, "home_mode", 0);
  return TRUE;
}
