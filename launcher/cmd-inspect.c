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
#include <string.h>

static void
add_time (json_t *object, const char *member, gint64 unix_time)
{
  g_autofree char *text = sbx_format_rfc3339 (unix_time);

  sbx_json_add_string (object, member, text);
}

static void
add_strv (json_t *object, const char *member, char **strv)
{
  sbx_json_set (object, member, sbx_json_strv_new (strv));
}

/* "EffectiveProfile" and "Mounts" (the profile's "mounts", as OCI writes them). */
static void
add_profile (json_t *object, json_t *profile)
{
  json_t *mounts = sbx_json_get_array (profile, "mounts");

  sbx_json_set (object, "EffectiveProfile", profile != NULL ? json_deep_copy (profile) : json_null ());
  sbx_json_set (object, "Mounts", mounts != NULL ? json_incref (mounts) : json_array ());
}

static void
add_network (json_t *object, const char *mode, char **ports)
{
  json_t *network = json_object ();

  sbx_json_add_string (network, "Mode", mode);
  add_strv (network, "Ports", ports);
  sbx_json_set (object, "Network", network);
}

static json_t *
running_object (const SbxRunState *state)
{
  json_t *object = json_object ();
  json_t *status = json_object ();

  sbx_json_add_string (object, "Id", state->id);
  sbx_json_add_string (object, "Name", state->name);
  sbx_json_add_string (object, "Image", state->image);
  sbx_json_add_string (object, "Profile", state->profile);
  sbx_json_add_string (object, "ProfilePath", state->profile_path);
  add_strv (object, "Command", state->command);
  add_time (object, "Created", state->created);
  sbx_json_add_string (status, "Status", "running");
  sbx_json_set (status, "Running", json_true ());
  sbx_json_add_int (status, "Pid", sbx_run_state_init_pid (state));
  sbx_json_add_int (status, "SupervisorPid", state->supervisor_pid);
  sbx_json_add_int (status, "SetupPid", state->setup_pid);
  add_time (status, "StartedAt", state->created);
  sbx_json_set (object, "State", status);
  add_profile (object, state->profile_json);
  add_network (object, state->network, state->ports);
  sbx_json_add_string (object, "Scope", state->scope);
  sbx_json_add_string (object, "RunDir", state->run_dir);
  sbx_json_add_string (object, "StateFile", state->path);
  return object;
}

static json_t *
sandbox_object (const SbxSandbox *sandbox, const char *profile_path)
{
  g_autoptr(json_t) profile = sandbox->profile_json != NULL
                               ? sbx_json_parse_checked (sandbox->profile_json, strlen (sandbox->profile_json), NULL)
                               : NULL;
  json_t *object = json_object ();
  json_t *status = json_object ();

  sbx_json_add_string (object, "Id", NULL);
  sbx_json_add_string (object, "Name", sandbox->name);
  sbx_json_add_string (object, "Image", sandbox->image->name);
  sbx_json_add_string (object, "ImageId", sandbox->image->id);
  sbx_json_add_string (object, "ProfilePath", profile_path);
  add_strv (object, "Command", sandbox->command);
  add_time (object, "Created", sandbox->created);
  sbx_json_add_string (status, "Status", sandbox->running ? "running" : sandbox->driver != NULL ? "exited"
                                                                                                : "created");
  sbx_json_set (status, "Running", json_boolean (sandbox->running));
  sbx_json_set (object, "State", status);
  add_profile (object, json_is_object (profile) ? profile : NULL);
  add_network (object, sandbox->network, sandbox->publish);
  sbx_json_add_string (object, "Driver", sandbox->driver);
  return object;
}

static json_t *
image_object (const SbxImage *image)
{
  json_t *object = json_object ();
  json_t *config = json_object ();
  json_t *rootfs = json_object ();

  sbx_json_add_string (object, "Id", image->id);
  sbx_json_add_string (object, "Name", image->name);
  sbx_json_add_string (object, "Digest", image->manifest_digest);
  add_time (object, "Created", image->created);
  sbx_json_add_int (object, "Size", (gint64) image->size);
  sbx_json_set_strv (config, "Entrypoint", image->entrypoint);
  sbx_json_set_strv (config, "Cmd", image->cmd);
  add_strv (config, "Env", image->env);
  sbx_json_add_string (config, "WorkingDir", image->working_dir);
  sbx_json_add_string (config, "User", image->user);
  sbx_json_set (object, "Config", config);
  sbx_json_add_string (rootfs, "Type", "layers");
  add_strv (rootfs, "Layers", image->layers);
  sbx_json_set (object, "RootFS", rootfs);
  return object;
}

/* A named sandbox or an image of the store called @key, appended to @array. */
static gboolean
add_stored (json_t *array, SbxStore *store, const char *key)
{
  g_autoptr(SbxSandbox) sandbox = NULL;
  g_autoptr(SbxImage) image = NULL;
  g_autofree char *profile_path = NULL;

  if (sbx_sandbox_check_name (key, NULL) && (sandbox = sbx_sandbox_load (store, key, NULL)) != NULL)
    {
      profile_path = sbx_sandbox_profile_path (store, key);
      sbx_json_append (array, sandbox_object (sandbox, profile_path));
      return TRUE;
    }
  if (sbx_store_check_name (key, NULL) && !sbx_host_image_is (key) &&
      (image = sbx_store_load_image (store, key, NULL)) != NULL)
    {
      sbx_json_append (array, image_object (image));
      return TRUE;
    }
  return FALSE;
}

/* Adds what @key names; FALSE with @error when nothing does. */
static gboolean
inspect_one (json_t *array, GPtrArray *live, SbxStore **store, const char *key, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  SbxRunState *state = sbx_run_state_find (live, key, &local_error);

  if (state != NULL)
    return sbx_json_append (array, running_object (state)), TRUE;
  if (local_error != NULL)
    return g_propagate_error (error, g_steal_pointer (&local_error)), FALSE;
  if (*store == NULL && (*store = sbx_store_open (NULL, error)) == NULL)
    return FALSE;
  if (add_stored (array, *store, key))
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
  g_autoptr(json_t) array = json_array ();
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
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *message = NULL;

      if (inspect_one (array, live, &store, argv[i], &local_error))
        {
          found++;
          continue;
        }
      message = sbx_escape (local_error->message);
      g_printerr ("sbx: %s\n", message);
      status = SBX_EXIT_SBX_ERROR;
    }
  if (found > 0)
    sbx_cli_print_json (array);
  return status;
}
