/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* run-state.c: the registrations of running sandboxes (run-state.h). */
#include "run-state.h"
#include "fd-util.h"
#include "json-util.h"
#include "log.h"
#include "sbx-error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>

#define STATE_SUFFIX ".json"

void
sbx_run_state_free (SbxRunState *state)
{
  if (state == NULL)
    return;
  g_free (state->id);
  g_free (state->name);
  g_free (state->image);
  g_free (state->profile);
  g_free (state->profile_path);
  g_clear_pointer (&state->profile_json, json_decref);
  g_free (state->profile_text);
  g_clear_pointer (&state->exec, json_decref);
  g_strfreev (state->command);
  g_free (state->network);
  g_strfreev (state->ports);
  g_free (state->scope);
  g_free (state->run_dir);
  g_free (state->boot_id);
  g_free (state->pid_namespace);
  g_free (state->path);
  g_free (state);
}

static char *
state_dir (void)
{
  return g_build_filename (g_get_user_runtime_dir (), "sbx", "state", NULL);
}

gboolean
sbx_proc_stat (pid_t pid, guint64 *out_start, pid_t *out_ppid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  const char *rest;

  /* "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses. */
  if (pid <= 0 || !g_file_get_contents (path, &contents, NULL, NULL) ||
      (rest = strrchr (contents, ')')) == NULL || rest[1] != ' ')
    return FALSE;
  fields = g_strsplit (rest + 2, " ", 0);
  if (g_strv_length (fields) < 20)
    return FALSE;
  if (out_ppid != NULL)
    *out_ppid = (pid_t) g_ascii_strtoll (fields[1], NULL, 10);
  if (out_start != NULL)
    *out_start = g_ascii_strtoull (fields[19], NULL, 10);
  return TRUE;
}

static char *
read_boot_id (void)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents ("/proc/sys/kernel/random/boot_id", &contents, NULL, NULL))
    return g_strdup ("");
  return g_strdup (g_strstrip (contents));
}

static char *
read_pid_namespace (void)
{
  char *link = g_file_read_link ("/proc/self/ns/pid", NULL);

  return link != NULL ? link : g_strdup ("");
}

/* ------------------------------------------------------------------ the file */

static char *
state_to_data (const SbxRunState *state, gsize *out_length)
{
  g_autoptr(json_t) o = json_object ();
  g_autofree char *text = NULL;
  g_autoptr(GString) whole = NULL;
  gsize length;

  sbx_json_add_string (o, "id", state->id);
  sbx_json_add_string (o, "name", state->name);
  sbx_json_add_string (o, "image", state->image);
  sbx_json_add_string (o, "profile", state->profile);
  sbx_json_add_string (o, "profile_path", state->profile_path);
  sbx_json_set_strv (o, "command", state->command);
  sbx_json_add_int (o, "supervisor_pid", state->supervisor_pid);
  sbx_json_add_int (o, "supervisor_start_time", (gint64) state->supervisor_start);
  sbx_json_add_int (o, "setup_pid", state->setup_pid);
  sbx_json_add_int (o, "created", state->created);
  sbx_json_add_string (o, "network", state->network);
  sbx_json_set_strv (o, "ports", state->ports);
  sbx_json_add_string (o, "scope", state->scope);
  sbx_json_add_string (o, "run_dir", state->run_dir);
  sbx_json_add_string (o, "boot_id", state->boot_id);
  sbx_json_add_string (o, "pid_namespace", state->pid_namespace);
  /* Shared, not copied: this tree is only written out. */
  sbx_json_set (o, "exec", state->exec != NULL ? json_incref (state->exec) : json_null ());
  text = sbx_json_to_text (o, FALSE, &length);
  /* The profile's own text (the profile cache has it) goes in as it is, last: generated again
   * from a tree it took a millisecond, at every start. */
  whole = g_string_new_len (text, length - 1); /* all but the closing '}' */
  g_string_append_printf (whole, ",\"effective_profile\":%s}", state->profile_text != NULL ? state->profile_text : "null");
  if (out_length != NULL)
    *out_length = whole->len;
  return g_string_free (g_steal_pointer (&whole), FALSE);
}

/* @member when it is an object (a new reference), else NULL. */
static json_t *
member_object_ref (const json_t *o, const char *member)
{
  json_t *value = sbx_json_get_object (o, member);

  return value != NULL ? json_incref (value) : NULL;
}

static SbxRunState *
state_from_object (const json_t *o, const char *path)
{
  g_autoptr(SbxRunState) state = g_new0 (SbxRunState, 1);

  state->id = g_strdup (sbx_json_get_string (o, "id"));
  state->name = g_strdup (sbx_json_get_string (o, "name"));
  state->image = g_strdup (sbx_json_get_string (o, "image"));
  state->profile = g_strdup (sbx_json_get_string (o, "profile"));
  state->profile_path = g_strdup (sbx_json_get_string (o, "profile_path"));
  state->profile_json = member_object_ref (o, "effective_profile");
  state->exec = member_object_ref (o, "exec");
  state->command = sbx_json_dup_strv (o, "command");
  state->supervisor_pid = (pid_t) sbx_json_get_int (o, "supervisor_pid", 0);
  state->supervisor_start = (guint64) sbx_json_get_int (o, "supervisor_start_time", 0);
  state->setup_pid = (pid_t) sbx_json_get_int (o, "setup_pid", 0);
  state->created = sbx_json_get_int (o, "created", 0);
  state->network = g_strdup (sbx_json_get_string (o, "network"));
  state->ports = sbx_json_dup_strv (o, "ports");
  state->scope = g_strdup (sbx_json_get_string (o, "scope"));
  state->run_dir = g_strdup (sbx_json_get_string (o, "run_dir"));
  state->boot_id = g_strdup (sbx_json_get_string (o, "boot_id"));
  state->pid_namespace = g_strdup (sbx_json_get_string (o, "pid_namespace"));
  state->path = g_strdup (path);
  if (state->id == NULL || state->image == NULL || state->supervisor_pid <= 0 || state->boot_id == NULL ||
      state->pid_namespace == NULL)
    return NULL;
  return g_steal_pointer (&state);
}

/* The registration in @path, or NULL (with a debug line) when it is not one. */
static SbxRunState *
state_load (const char *path)
{
  json_error_t error;
  g_autoptr(json_t) root = json_load_file (path, 0, &error);
  SbxRunState *state = NULL;

  if (json_is_object (root))
    state = state_from_object (root, path);
  if (state == NULL)
    sbx_debug ("sbx", "run-state", "%s is not a registration: %s", path,
               root == NULL ? error.text : "members missing");
  return state;
}

/* ------------------------------------------------------------------ registering */

static char *
new_id (void)
{
  guint8 bytes[SBX_RUN_ID_LENGTH / 2];
  GString *id = g_string_new (NULL);

  if (getrandom (bytes, sizeof bytes, 0) != (ssize_t) sizeof bytes)
    for (gsize i = 0; i < sizeof bytes; i++)
      bytes[i] = (guint8) g_random_int ();
  for (gsize i = 0; i < sizeof bytes; i++)
    g_string_append_printf (id, "%02x", bytes[i]);
  return g_string_free (id, FALSE);
}

/* Writes @state under a new id in @dir: the file appears whole under its final name or not
 * at all (sbx_write_new_file_at), so a run killed at any moment leaves no temporary file
 * that no reader would ever take for a registration, nor remove.  Runtime state, gone at
 * reboot anyway: never fsync'ed, which would cost a disk flush on every run where
 * $XDG_RUNTIME_DIR is not a tmpfs. */
static gboolean
write_new_registration (SbxRunState *state, const char *dir, GError **error)
{
  sbx_autofd int dir_fd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  g_autofree char *data = NULL;
  gsize length;

  if (dir_fd < 0)
    return sbx_set_error_from_errno (error, errno, "open %s", dir);
  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *name = NULL;

      g_free (state->id);
      g_free (state->path);
      state->id = new_id ();
      name = g_strconcat (state->id, STATE_SUFFIX, NULL);
      state->path = g_build_filename (dir, name, NULL);
      g_clear_pointer (&data, g_free);
      data = state_to_data (state, &length);
      if (sbx_write_new_file_at (dir_fd, name, 0600, data, length, &local_error))
        return TRUE;
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_EXIST))
        return g_propagate_error (error, g_steal_pointer (&local_error)), FALSE;
    }
}

gboolean
sbx_run_state_register (SbxRunState *state, GError **error)
{
  g_autofree char *dir = state_dir ();

  if (g_mkdir_with_parents (dir, 0700) != 0)
    return sbx_set_error_from_errno (error, errno, "create %s", dir);
  state->supervisor_pid = getpid ();
  if (!sbx_proc_stat (state->supervisor_pid, &state->supervisor_start, NULL))
    return sbx_set_error_from_errno (error, errno, "read /proc/%d/stat", (int) state->supervisor_pid);
  state->boot_id = read_boot_id ();
  state->pid_namespace = read_pid_namespace ();
  state->created = g_get_real_time () / G_USEC_PER_SEC;
  if (!write_new_registration (state, dir, error))
    return FALSE;
  sbx_debug ("supervisor", "register", "%s", state->path);
  return TRUE;
}

void
sbx_run_state_unregister (SbxRunState *state)
{
  if (state->path != NULL)
    (void) unlink (state->path);
  sbx_run_state_free (state);
}

/* ------------------------------------------------------------------ liveness */

typedef enum {
  STATE_LIVE,
  STATE_STALE,   /* its supervisor is gone (or the pid is another process's now) */
  STATE_FOREIGN, /* made in another pid namespace: cannot be checked from here */
} Liveness;

static Liveness
liveness (const SbxRunState *state, const char *boot_id, const char *pid_namespace)
{
  guint64 start;

  if (!g_str_equal (state->boot_id, boot_id))
    return STATE_STALE;
  if (!g_str_equal (state->pid_namespace, pid_namespace))
    return STATE_FOREIGN;
  if (!sbx_proc_stat (state->supervisor_pid, &start, NULL) || start != state->supervisor_start)
    return STATE_STALE;
  return STATE_LIVE;
}

gboolean
sbx_run_state_is_live (const SbxRunState *state)
{
  g_autofree char *boot_id = read_boot_id ();
  g_autofree char *pid_namespace = read_pid_namespace ();

  return liveness (state, boot_id, pid_namespace) == STATE_LIVE;
}

static int
compare_created (gconstpointer a, gconstpointer b)
{
  const SbxRunState *x = *(SbxRunState * const *) a, *y = *(SbxRunState * const *) b;

  return x->created != y->created ? (x->created < y->created ? -1 : 1) : strcmp (x->id, y->id);
}

GPtrArray *
sbx_run_state_list (GError **error)
{
  g_autofree char *dir_path = state_dir ();
  g_autofree char *boot_id = read_boot_id ();
  g_autofree char *pid_namespace = read_pid_namespace ();
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) sbx_run_state_free);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *entry;

  if ((dir = g_dir_open (dir_path, 0, &local_error)) == NULL &&
      !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    return g_propagate_error (error, g_steal_pointer (&local_error)), NULL;
  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, entry, NULL);
      g_autoptr(SbxRunState) state = NULL;
      Liveness live;

      if (!g_str_has_suffix (entry, STATE_SUFFIX) || (state = state_load (path)) == NULL)
        continue;
      live = liveness (state, boot_id, pid_namespace);
      if (live == STATE_LIVE)
        g_ptr_array_add (list, g_steal_pointer (&state));
      else if (live == STATE_STALE && unlink (path) == 0)
        sbx_debug ("sbx", "run-state", "removed %s: its supervisor (pid %d) is gone", path,
                   (int) state->supervisor_pid);
    }
  g_ptr_array_sort (list, compare_created);
  return g_steal_pointer (&list);
}

/* ------------------------------------------------------------------ lookups */

static SbxRunState *
find_by_prefix (GPtrArray *live, const char *key, GError **error)
{
  g_autoptr(GString) ids = g_string_new (NULL);
  SbxRunState *found = NULL;
  guint n = 0;

  for (guint i = 0; i < live->len; i++)
    {
      SbxRunState *state = g_ptr_array_index (live, i);
      if (!g_str_has_prefix (state->id, key))
        continue;
      g_string_append_printf (ids, "%s%s", n == 0 ? "" : ", ", state->id);
      found = state;
      n++;
    }
  if (n <= 1)
    return found;
  g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "id prefix '%s' is ambiguous: it starts %u running "
                                                        "sandboxes (%s)",
               key, n, ids->str);
  return NULL;
}

SbxRunState *
sbx_run_state_find (GPtrArray *live, const char *key, GError **error)
{
  for (guint i = 0; i < live->len; i++)
    if (g_str_equal (((SbxRunState *) g_ptr_array_index (live, i))->id, key))
      return g_ptr_array_index (live, i);
  for (guint i = 0; i < live->len; i++)
    if (g_strcmp0 (((SbxRunState *) g_ptr_array_index (live, i))->name, key) == 0)
      return g_ptr_array_index (live, i);
  if (strlen (key) < SBX_RUN_ID_MIN_PREFIX)
    return NULL;
  return find_by_prefix (live, key, error);
}

SbxRunState *
sbx_run_state_find_running (const char *key, GError **error)
{
  g_autoptr(GPtrArray) live = sbx_run_state_list (error);
  g_autoptr(GError) local_error = NULL;
  SbxRunState *state;
  guint index;

  if (live == NULL)
    return NULL;
  if ((state = sbx_run_state_find (live, key, &local_error)) == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, SBX_ERROR, SBX_ERROR_NOT_FOUND, "no running sandbox '%s'", key);
      return NULL;
    }
  g_ptr_array_find (live, state, &index);
  return g_ptr_array_steal_index_fast (live, index);
}

/* TRUE when @pid is pid 1 of a pid namespace below ours: its NSpid ends in 1. */
static gboolean
is_namespace_init (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *status = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &status, NULL, NULL))
    return FALSE;
  lines = g_strsplit (status, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "NSpid:"))
      return g_str_has_suffix (lines[i], "\t1") && strchr (lines[i] + 6, '\t') != strrchr (lines[i], '\t');
  return FALSE;
}

pid_t
sbx_run_state_init_pid (const SbxRunState *state)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/task/%d/children", (int) state->setup_pid,
                                           (int) state->setup_pid);
  g_autofree char *children = NULL;
  g_auto(GStrv) pids = NULL;
  pid_t ppid = 0;

  /* The setup process is the supervisor's child; its children are init and, with
   * fuse-overlayfs, the daemon, which stays in our pid namespace. */
  if (!sbx_proc_stat (state->setup_pid, NULL, &ppid) || ppid != state->supervisor_pid ||
      !g_file_get_contents (path, &children, NULL, NULL))
    return state->setup_pid;
  pids = g_strsplit (g_strstrip (children), " ", -1);
  for (guint i = 0; pids[i] != NULL; i++)
    {
      pid_t pid = (pid_t) g_ascii_strtoll (pids[i], NULL, 10);
      if (pid > 0 && is_namespace_init (pid))
        return pid;
    }
  return state->setup_pid;
}
