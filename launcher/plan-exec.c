/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan-exec.c: the part of a run plan `sbx exec` needs, saved in the run's registration
 * (run-state.h, member "exec") and read back into an exec's own plan (plan.h). */
#include "plan.h"
#include "json-util.h"
#include "sbx-error.h"

static json_t *
uid_map_json (const SbxIdMap *map)
{
  json_t *ranges = json_array ();

  for (guint i = 0; i < map->n_ranges; i++)
    {
      json_t *range = json_array ();

      sbx_json_append (range, json_integer (map->ranges[i].inside));
      sbx_json_append (range, json_integer (map->ranges[i].outside));
      sbx_json_append (range, json_integer (map->ranges[i].count));
      sbx_json_append (ranges, range);
    }
  return ranges;
}

static json_t *
runtime_entries_json (const GPtrArray *entries)
{
  json_t *names = json_array ();

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    sbx_json_append (names, sbx_json_string_new (((SbxRuntimeEntry *) g_ptr_array_index (entries, i))->name));
  return names;
}

json_t *
sbx_run_plan_exec_to_json (const SbxRunPlan *plan)
{
  json_t *o = json_object ();

  sbx_json_set (o, "user", sbx_json_string_new (plan->user));
  sbx_json_set (o, "cwd", sbx_json_string_new (plan->cwd));
  sbx_json_set_strv (o, "env", plan->env);
  sbx_json_set (o, "keep_id", json_boolean (plan->ids.mode == SBX_USERNS_KEEP_ID));
  sbx_json_set (o, "single", json_boolean (plan->ids.single));
  sbx_json_set (o, "caller_uid", json_integer (plan->ids.caller_uid));
  sbx_json_set (o, "caller_gid", json_integer (plan->ids.caller_gid));
  sbx_json_set (o, "uid_map", uid_map_json (&plan->ids.uid_map));
  sbx_json_set (o, "apparmor", json_boolean (plan->use_apparmor));
  sbx_json_set (o, "apparmor_label", sbx_json_string_new (plan->apparmor_label));
  sbx_json_set (o, "unshare_flags", json_integer (plan->unshare_flags));
  sbx_json_set (o, "runtime_dir", json_boolean (plan->runtime_dir));
  sbx_json_set (o, "runtime_entries", runtime_entries_json (plan->runtime_entries));
  sbx_json_set (o, "x11_display", sbx_json_string_new (plan->x11_display));
  sbx_json_set (o, "home_mode", json_integer (plan->home_mode));
  return o;
}

static void
read_uid_map (const json_t *o, SbxIdMap *map)
{
  json_t *ranges = sbx_json_get_array (o, "uid_map");

  map->n_ranges = 0;
  for (size_t i = 0; i < json_array_size (ranges) && i < SBX_IDMAP_MAX_RANGES; i++)
    {
      json_t *r = json_array_get (ranges, i);

      if (!json_is_array (r) || json_array_size (r) != 3)
        continue;
      map->ranges[map->n_ranges++] = (SbxIdRange) { (guint32) sbx_json_value_int (json_array_get (r, 0)),
                                                    (guint32) sbx_json_value_int (json_array_get (r, 1)),
                                                    (guint32) sbx_json_value_int (json_array_get (r, 2)) };
    }
}

static void
read_runtime_entries (const json_t *o, SbxRunPlan *plan)
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
sbx_run_plan_exec_from_json (json_t *node, SbxRunPlan *plan, GError **error)
{
  const json_t *o = json_is_object (node) ? node : NULL;

  if (o == NULL || sbx_json_get_string (o, "cwd") == NULL)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "the registration says nothing of its command's "
                                                            "settings (a sandbox started by an older sbx)"),
           FALSE;
  plan->user = g_strdup (sbx_json_get_string (o, "user"));
  plan->cwd = g_strdup (sbx_json_get_string (o, "cwd"));
  plan->env = sbx_json_dup_strv (o, "env");
  plan->ids.mode = sbx_json_get_bool (o, "keep_id", FALSE) ? SBX_USERNS_KEEP_ID : SBX_USERNS_DEFAULT;
  plan->ids.single = sbx_json_get_bool (o, "single", FALSE);
  plan->ids.caller_uid = (uid_t) sbx_json_get_int (o, "caller_uid", 0);
  plan->ids.caller_gid = (gid_t) sbx_json_get_int (o, "caller_gid", 0);
  read_uid_map (o, &plan->ids.uid_map);
  plan->use_apparmor = sbx_json_get_bool (o, "apparmor", FALSE);
  plan->apparmor_label = g_strdup (sbx_json_get_string (o, "apparmor_label"));
  plan->unshare_flags = (int) sbx_json_get_int (o, "unshare_flags", 0);
  plan->runtime_dir = sbx_json_get_bool (o, "runtime_dir", FALSE);
  read_runtime_entries (o, plan);
  plan->x11_display = g_strdup (sbx_json_get_string (o, "x11_display"));
  plan->home_mode = (SbxHomeMode) sbx_json_get_int (o, "home_mode", 0);
  return TRUE;
}
