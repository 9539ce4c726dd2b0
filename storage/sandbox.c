/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sandbox.c: named sandboxes on disk (the layout: sandbox.h). */
#include "sandbox.h"
#include "json-util.h"
#include "fd-util.h"
#include "lockfile.h"
#include "sbx-error.h"
#include "storage-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define SANDBOXES_DIR "sandboxes"
#define STATE_FILE "state.json"
#define PROFILE_FILE "profile.json"
#define DRIVER_FILE "driver"
#define STATE_VERSION 1
#define MAX_STATE_SIZE (1024 * 1024)

void
sbx_sandbox_free (SbxSandbox *sandbox)
{
  if (sandbox == NULL)
    return;
  g_free (sandbox->name);
  g_clear_pointer (&sandbox->image, sbx_image_free);
  g_free (sandbox->profile_json);
  g_strfreev (sandbox->command);
  g_free (sandbox->network);
  g_strfreev (sandbox->publish);
  g_strfreev (sandbox->net_allow);
  g_strfreev (sandbox->net_deny);
  g_free (sandbox->driver);
  g_free (sandbox);
}

gboolean
sbx_sandbox_check_name (const char *name, GError **error)
{
  gsize length = strlen (name);

  if (length == 0 || length > 64 || !g_ascii_isalnum (name[0]))
    goto bad;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '.' && *p != '-')
      goto bad;
  return TRUE;
bad:
  g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
               "invalid sandbox name '%s' (1-64 of A-Z a-z 0-9 _ . -, starting with a letter or digit)", name);
  return FALSE;
}

static char *
sandboxes_path (SbxStore *store, const char *name, const char *suffix)
{
  g_autofree char *leaf = name != NULL ? g_strconcat (name, suffix, NULL) : NULL;
  return g_build_filename (sbx_store_get_root (store), SANDBOXES_DIR, leaf, NULL);
}

char *
sbx_sandbox_dir (SbxStore *store, const char *name)
{
  return sandboxes_path (store, name, "");
}

int
sbx_sandbox_lock (SbxStore *store, const char *name, GError **error)
{
  g_autofree char *path = sandboxes_path (store, name, ".lock");
  g_autoptr(GError) local_error = NULL;
  int fd;

  if (!sbx_sandbox_check_name (name, error))
    return -1;
  /* A removal unlinks the lock file (sbx_sandbox_remove). */
  fd = sbx_lock_file_linked (AT_FDCWD, path, LOCK_EX | LOCK_NB, 100, path, &local_error);
  if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_AGAIN))
    g_set_error (error, SBX_ERROR, SBX_ERROR_BUSY, "sandbox '%s' is running", name);
  else if (g_error_matches (local_error, SBX_ERROR, SBX_ERROR_BUSY))
    g_set_error (error, SBX_ERROR, SBX_ERROR_BUSY, "sandbox '%s': its lock keeps being removed", name);
  else if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return fd;
}

static gboolean
is_running (SbxStore *store, const char *name)
{
  g_autofree char *path = sandboxes_path (store, name, ".lock");
  sbx_autofd int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

  return fd >= 0 && flock (fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
}

/* ------------------------------------------------------------------ state.json */

static char *
state_to_data (const SbxSandbox *sandbox, gsize *out_length)
{
  g_autoptr(json_t) root = json_object ();

  sbx_json_set (root, "version", json_integer (STATE_VERSION));
  sbx_json_set (root, "name", sbx_json_string_new (sandbox->name));
  sbx_json_set (root, "created", json_integer (sandbox->created));
  sbx_json_set (root, "image", sbx_image_to_json (sandbox->image));
  sbx_json_set_strv (root, "command", sandbox->command);
  if (sandbox->network != NULL)
    sbx_json_set (root, "network", sbx_json_string_new (sandbox->network));
  sbx_json_set_strv (root, "publish", sandbox->publish);
  sbx_json_set_strv (root, "netAllow", sandbox->net_allow);
  sbx_json_set_strv (root, "netDeny", sandbox->net_deny);
  return sbx_json_to_text (root, TRUE, out_length);
}

static SbxSandbox *
state_from_file (SbxStore *store, const char *name, const char *path, GError **error)
{
  g_autoptr(SbxSandbox) sandbox = g_new0 (SbxSandbox, 1);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *rel = g_build_filename (SANDBOXES_DIR, name, STATE_FILE, NULL);
  g_autoptr(GBytes) bytes = sbx_store_read_beneath (sbx_store_get_root (store), rel, MAX_STATE_SIZE, error);
  g_autoptr(json_t) root = NULL;
  json_t *object;

  if (bytes == NULL)
    return NULL;
  root = sbx_json_parse_checked (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &local_error);
  if (root == NULL)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "%s: %s", path, local_error->message), NULL;
  object = json_is_object (root) ? root : NULL;
  if (object == NULL || json_object_get (object, "image") == NULL ||
      sbx_json_get_int (object, "version", 0) != STATE_VERSION)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "%s: not a sandbox state of this sbx", path), NULL;
  sandbox->name = g_strdup (name);
  sandbox->created = sbx_json_get_int (object, "created", 0);
  sandbox->network = sbx_json_object_dup_string (object, "network");
  if (!sbx_json_object_get_strv (object, "command", &sandbox->command) ||
      !sbx_json_object_get_strv (object, "publish", &sandbox->publish) ||
      !sbx_json_object_get_strv (object, "netAllow", &sandbox->net_allow) ||
      !sbx_json_object_get_strv (object, "netDeny", &sandbox->net_deny))
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "%s: malformed", path), NULL;
  sandbox->image = sbx_image_from_json (json_object_get (object, "image"), error);
  if (sandbox->image == NULL)
    return g_prefix_error (error, "%s: ", path), NULL;
  return g_steal_pointer (&sandbox);
}

SbxSandbox *
sbx_sandbox_load (SbxStore *store, const char *name, GError **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *state = NULL;
  g_autofree char *driver_path = NULL;
  g_autoptr(GBytes) driver = NULL;
  SbxSandbox *sandbox;

  if (!sbx_sandbox_check_name (name, error))
    return NULL;
  dir = sbx_sandbox_dir (store, name);
  state = g_build_filename (dir, STATE_FILE, NULL);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    return g_set_error (error, SBX_ERROR, SBX_ERROR_NOT_FOUND, "no sandbox named '%s'", name), NULL;
  if ((sandbox = state_from_file (store, name, state, error)) == NULL)
    return NULL;
  sandbox->profile_json = NULL;
  driver_path = g_build_filename (SANDBOXES_DIR, name, DRIVER_FILE, NULL);
  driver = sbx_store_read_beneath (sbx_store_get_root (store), driver_path, 4096, NULL);
  if (driver != NULL)
    sandbox->driver = g_strstrip (g_strndup (g_bytes_get_data (driver, NULL), g_bytes_get_size (driver)));
  sandbox->running = is_running (store, name);
  return sandbox;
}

/* ------------------------------------------------------------------ create, list, remove */

static gboolean
write_file_at (const char *dir, const char *name, const char *data, gsize length, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  return g_file_set_contents_full (path, data, (gssize) length,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600, error);
}

gboolean
sbx_sandbox_create (SbxStore *store, const SbxSandbox *sandbox, GError **error)
{
  g_autoptr(SbxStaging) staging = sbx_store_staging_new (store, error);
  g_autofree char *target = NULL;
  g_autofree char *state = NULL;
  gsize length;
  static const char * const dirs[] = { "upper", "work" };

  if (staging == NULL)
    return FALSE;
  state = state_to_data (sandbox, &length);
  if (!write_file_at (staging->path, STATE_FILE, state, length, error) ||
      (sandbox->profile_json != NULL &&
       !write_file_at (staging->path, PROFILE_FILE, sandbox->profile_json, strlen (sandbox->profile_json), error)))
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *path = g_build_filename (staging->path, dirs[i], NULL);
      if (mkdir (path, 0755) < 0)
        return sbx_set_error_from_errno (error, errno, "creating %s", path);
    }
  target = sbx_sandbox_dir (store, sandbox->name);
  if (rename (staging->path, target) < 0)
    {
      if (errno == EEXIST || errno == ENOTEMPTY)
        return g_set_error (error, SBX_ERROR, SBX_ERROR_EXISTS, "sandbox '%s' exists already", sandbox->name),
               FALSE;
      return sbx_set_error_from_errno (error, errno, "creating %s", target);
    }
  return TRUE;
}

char *
sbx_sandbox_profile_path (SbxStore *store, const char *name)
{
  g_autofree char *dir = sbx_sandbox_dir (store, name);
  g_autofree char *path = g_build_filename (dir, PROFILE_FILE, NULL);

  return g_file_test (path, G_FILE_TEST_IS_REGULAR) ? g_steal_pointer (&path) : NULL;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(SbxSandbox * const *) a)->name, (*(SbxSandbox * const *) b)->name);
}

GPtrArray *
sbx_sandbox_list (SbxStore *store, GError **error)
{
  g_autofree char *dir_path = sandboxes_path (store, NULL, NULL);
  g_autoptr(GPtrArray) sandboxes = g_ptr_array_new_with_free_func ((GDestroyNotify) sbx_sandbox_free);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      SbxSandbox *sandbox;

      if (g_str_has_suffix (name, ".lock") || !sbx_sandbox_check_name (name, NULL))
        continue;
      sandbox = sbx_sandbox_load (store, name, &local_error);
      if (sandbox == NULL)
        {
          g_warning ("skipping sandbox '%s': %s", name, local_error->message);
          continue;
        }
      g_ptr_array_add (sandboxes, sandbox);
    }
  g_ptr_array_sort (sandboxes, compare_names);
  (void) error;
  return g_steal_pointer (&sandboxes);
}

gboolean
sbx_sandbox_remove (SbxStore *store, const char *name, GError **error)
{
  sbx_autofd int lock_fd = sbx_sandbox_lock (store, name, error);
  g_autofree char *dir = NULL;
  g_autofree char *lock_path = NULL;
  g_autofree char *trash_path = NULL;
  g_autoptr(SbxStaging) trash = NULL;

  if (lock_fd < 0)
    return FALSE;
  dir = sbx_sandbox_dir (store, name);
  lock_path = sandboxes_path (store, name, ".lock");
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      (void) unlink (lock_path);
      return g_set_error (error, SBX_ERROR, SBX_ERROR_NOT_FOUND, "no sandbox named '%s'", name), FALSE;
    }
  /* Out of sight first (one rename), then deleted: a kill in between leaves garbage in
   * tmp/ that the next store operation removes, never half a sandbox. */
  if ((trash = sbx_store_staging_new (store, error)) == NULL)
    return FALSE;
  trash_path = g_build_filename (trash->path, name, NULL);
  if (rename (dir, trash_path) < 0)
    return sbx_set_error_from_errno (error, errno, "moving %s to %s", dir, trash_path);
  if (unlink (lock_path) < 0 && errno != ENOENT)
    return sbx_set_error_from_errno (error, errno, "removing %s", lock_path);
  return TRUE;
}
