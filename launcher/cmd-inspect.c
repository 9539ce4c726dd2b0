/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-inspect.c: `sbx inspect NAME|ID|IMAGE...`: a JSON array, as `podman inspect` prints,
 * with one object per argument: a running sandbox (its registration, run-state.h: State,
 * the effective profile, its mounts, network and scope), else a named sandbox that is not
 * running (its record, sandbox.h), else an image of the store (store.h).  Times are RFC 3339
 * (UTC), sizes bytes.  Each argument found nowhere is a "no sandbox or image" error (125). */
#include "cli.h"
#include "escape.h"
#include "host-root.h"
#include "json-util.h"
#include "run-state.h"
#include "sandbox.h"
#include "sbx-error.h"
#include "store.h"

#include <stdio.h>

static void
add_time (JsonBuilder *builder, const char *member, gint64 unix_time)
{
  g_autofree char *text = sbx_format_rfc3339 (unix_time);

  sbx_json_add_string (builder, member, text);
}

static void
add_strv (JsonBuilder *builder, const char *member, char **strv)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_builder_add_string_value (builder, strv[i]);
  json_builder_end_array (builder);
}

/* "EffectiveProfile" and "Mounts" (the profile's "mounts", as OCI writes them). */
static void
add_profile (JsonBuilder *builder, JsonNode *profile)
{
  JsonArray *mounts = profile != NULL ? sbx_json_get_array (json_node_get_object (profile), "mounts") : NULL;

  json_builder_set_member_name (builder, "EffectiveProfile");
  json_builder_add_value (builder, profile != NULL ? json_node_copy (profile) : json_node_new (JSON_NODE_NULL));
  json_builder_set_member_name (builder, "Mounts");
  if (mounts != NULL)
    json_builder_add_value (builder, json_node_init_array (json_node_alloc (), mounts));
  else
    {
      json_builder_begin_array (builder);
      json_builder_end_array (builder);
    }
}

static void
add_network (JsonBuilder *builder, const char *mode, char **ports)
{
  json_builder_set_member_name (builder, "Network");
  json_builder_begin_object (builder);
  sbx_json_add_string (builder, "Mode", mode);
  add_strv (builder, "Ports", ports);
  json_builder_end_object (builder);
}

static void
add_running (JsonBuilder *builder, const SbxRunState *state)
{
  json_builder_begin_object (builder);
  sbx_json_add_string (builder, "Id", state->id);
  sbx_json_add_string (builder, "Name", state->name);
  sbx_json_add_string (builder, "Image", state->image);
  sbx_json_add_string (builder, "Profile", state->profile);
  sbx_json_add_string (builder, "ProfilePath", state->profile_path);
  add_strv (builder, "Command", state->command);
  add_time (builder, "Created", state->created);
  json_builder_set_member_name (builder, "State");
  json_builder_begin_object (builder);
  sbx_json_add_string (builder, "Status", "running");
  json_builder_set_member_name (builder, "Running");
  json_builder_add_boolean_value (builder, TRUE);
  sbx_json_add_int (builder, "Pid", sbx_run_state_init_pid (state));
  sbx_json_add_int (builder, "SupervisorPid", state->supervisor_pid);
  sbx_json_add_int (builder, "SetupPid", state->setup_pid);
  add_time (builder, "StartedAt", state->created);
  json_builder_end_object (builder);
  add_profile (builder, state->profile_json);
  add_network (builder, state->network, state->ports);
  sbx_json_add_string (builder, "Scope", state->scope);
  sbx_json_add_string (builder, "RunDir", state->run_dir);
  sbx_json_add_string (builder, "StateFile", state->path);
  json_builder_end_object (builder);
}

static void
add_sandbox (JsonBuilder *builder, const SbxSandbox *sandbox, const char *profile_path)
{
  g_autoptr(JsonNode) profile = sandbox->profile_json != NULL ? json_from_string (sandbox->profile_json, NULL) : NULL;

  json_builder_begin_object (builder);
  sbx_json_add_string (builder, "Id", NULL);
  sbx_json_add_string (builder, "Name", sandbox->name);
  sbx_json_add_string (builder, "Image", sandbox->image->name);
  sbx_json_add_string (builder, "ImageId", sandbox->image->id);
  sbx_json_add_string (builder, "ProfilePath", profile_path);
  add_strv (builder, "Command", sandbox->command);
  add_time (builder, "Created", sandbox->created);
  json_builder_set_member_name (builder, "State");
  json_builder_begin_object (builder);
  sbx_json_add_string (builder, "Status", sandbox->running ? "running" : sandbox->driver != NULL ? "exited"
                                                                                                 : "created");
  json_builder_set_member_name (builder, "Running");
  json_builder_add_boolean_value (builder, sandbox->running);
  json_builder_end_object (builder);
  add_profile (builder, profile != NULL && JSON_NODE_HOLDS_OBJECT (profile) ? profile : NULL);
  add_network (builder, sandbox->network, sandbox->publish);
  sbx_json_add_string (builder, "Driver", sandbox->driver);
  json_builder_end_object (builder);
}

static void
add_image (JsonBuilder *builder, const SbxImage *image)
{
  json_builder_begin_object (builder);
  sbx_json_add_string (builder, "Id", image->id);
  sbx_json_add_string (builder, "Name", image->name);
  sbx_json_add_string (builder, "Digest", image->manifest_digest);
  add_time (builder, "Created", image->created);
  sbx_json_add_int (builder, "Size", (gint64) image->size);
  json_builder_set_member_name (builder, "Config");
  json_builder_begin_object (builder);
  sbx_json_builder_add_strv (builder, "Entrypoint", image->entrypoint);
  sbx_json_builder_add_strv (builder, "Cmd", image->cmd);
  add_strv (builder, "Env", image->env);
  sbx_json_add_string (builder, "WorkingDir", image->working_dir);
  sbx_json_add_string (builder, "User", image->user);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "RootFS");
  json_builder_begin_object (builder);
  sbx_json_add_string (builder, "Type", "layers");
  add_strv (builder, "Layers", image->layers);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
}

/* A named sandbox or an image of the store called @key, added to @builder. */
static gboolean
add_stored (JsonBuilder *builder, SbxStore *store, const char *key)
{
  g_autoptr(SbxSandbox) sandbox = NULL;
  g_autoptr(SbxImage) image = NULL;
  g_autofree char *profile_path = NULL;

  if (sbx_sandbox_check_name (key, NULL) && (sandbox = sbx_sandbox_load (store, key, NULL)) != NULL)
    {
      profile_path = sbx_sandbox_profile_path (store, key);
      add_sandbox (builder, sandbox, profile_path);
      return TRUE;
    }
  if (sbx_store_check_name (key, NULL) && !sbx_host_image_is (key) &&
      (image = sbx_store_load_image (store, key, NULL)) != NULL)
    {
      add_image (builder, image);
      return TRUE;
    }
  return FALSE;
}

/* Adds what @key names; FALSE with @error when nothing does. */
static gboolean
inspect_one (JsonBuilder *builder, GPtrArray *live, SbxStore **store, const char *key, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  SbxRunState *state = sbx_run_state_find (live, key, &local_error);

  if (state != NULL)
    return add_running (builder, state), TRUE;
  if (local_error != NULL)
    return g_propagate_error (error, g_steal_pointer (&local_error)), FALSE;
  if (*store == NULL && (*store = sbx_store_open (NULL, error)) == NULL)
    return FALSE;
  if (add_stored (builder, *store, key))
    return TRUE;
  g_set_error (error, SBX_ERROR, SBX_ERROR_NOT_FOUND, "no sandbox or image '%s'", key);
  return FALSE;
}

int
sbx_cmd_inspect (int argc, char **argv, GError **error)
{
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "json (the default and only one)", "FORMAT" },
    { NULL }
  };
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) live = NULL;
  g_autoptr(SbxStore) store = NULL;
  guint found = 0;
  int status = 0;

  if (!sbx_cli_parse ("inspect", "NAME|ID|IMAGE...", "Show running sandboxes, named sandboxes or images as JSON.",
                      entries, FALSE, &argc, &argv, error))
    return SBX_EXIT_SBX_ERROR;
  if (argc < 2 || (format != NULL && !g_str_equal (format, "json")))
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, argc < 2 ? "inspect: missing NAME, ID or IMAGE" : "inspect: --format %s: expected json", format);
      return SBX_EXIT_SBX_ERROR;
    }
  if ((live = sbx_run_state_list (error)) == NULL)
    return SBX_EXIT_SBX_ERROR;
  json_builder_begin_array (builder);
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *message = NULL;

      if (inspect_one (builder, live, &store, argv[i], &local_error))
        {
          found++;
          continue;
        }
      message = sbx_escape (local_error->message);
      g_printerr ("sbx: %s\n", message);
      status = SBX_EXIT_SBX_ERROR;
    }
  json_builder_end_array (builder);
  if (found > 0)
    sbx_cli_print_json (builder);
  return status;
}
