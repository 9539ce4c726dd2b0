/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* profile.c: finding, including, merging and reading profiles.
 *
 *   search path → each file parsed and checked on its own (schema.c) → includes merged in
 *   order, the including file last → command-line overrides (overrides.c) → SbxProfile.
 *
 * Merge rules (README, "Profiles"): objects merge key by key; a later scalar or array
 * replaces an earlier one, except the arrays that are sets keyed by something inside them
 * (process.env by variable, process.rlimits by type, mounts by destination,
 * linux.namespaces by type), which merge entry by entry, and linux.maskedPaths,
 * linux.readonlyPaths, sbx.network.publish, allow and deny and the sbx.dbus.* name lists, which add up.  linux.seccomp is replaced
 * whole, and so is each of the hooks' lists (hooks.createRuntime, ...).  A null removes what the
 * included profiles set. */
#include "profile-private.h"
#include "install-dirs.h"
#include "json-util.h"
#include "log.h"
#include "seccomp-filter.h"
#include "sbx-error.h"
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <gio/gio.h>

#define MAX_INCLUDE_DEPTH 16
#define BUILTIN_DIR "(built-in)"
#define BUILTIN_RESOURCE_PATH "/org/sbx/profiles"

/* ----------------------------------------------------------------- small lookups */

gboolean
sbx_profile_name_is_valid (const char *name)
{
  if (*name == '\0' || *name == '.' || strlen (name) > 64)
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
  return TRUE;
}

int
sbx_capability_from_name (const char *name)
{
  g_autofree char *full = NULL;
  cap_value_t value;

  if (name == NULL || !g_ascii_isalpha (name[0]))
    return -1;
  full = g_ascii_strncasecmp (name, "CAP_", 4) == 0 ? g_strdup (name) : g_strconcat ("CAP_", name, NULL);
  if (cap_from_name (full, &value) != 0 || value < 0 || value > 63)
    return -1;
  return value;
}

/* -------------------------------------------------------------------- JSON helpers */

JsonObject *
sbx_json_object_ensure_object (JsonObject *object, const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    json_object_set_object_member (object, member, json_object_new ());
  return json_object_get_object_member (object, member);
}

JsonArray *
sbx_json_object_ensure_array (JsonObject *object, const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    json_object_set_array_member (object, member, json_array_new ());
  return json_object_get_array_member (object, member);
}

/* -------------------------------------------------------------------------- merging */

typedef enum { ARRAY_REPLACE,
               ARRAY_KEYED,
               ARRAY_UNION } ArrayRule;

/* How the array at @path merges; for ARRAY_KEYED, *key_of says what identifies an entry. */
static ArrayRule
array_rule (const char *path, const char **key_of)
{
  static const struct {
    const char *path;
    ArrayRule rule;
    const char *key;
  } rules[] = {
    { "process.env", ARRAY_KEYED, "=" },
    { "process.rlimits", ARRAY_KEYED, "type" },
    { "mounts", ARRAY_KEYED, "destination" },
    { "linux.namespaces", ARRAY_KEYED, "type" },
    { "linux.maskedPaths", ARRAY_UNION, NULL },
    { "linux.readonlyPaths", ARRAY_UNION, NULL },
    { SBX_PROFILE_EXTENSION_KEY ".network.publish", ARRAY_UNION, NULL },
    { SBX_PROFILE_EXTENSION_KEY ".network.allow", ARRAY_UNION, NULL },
    { SBX_PROFILE_EXTENSION_KEY ".network.deny", ARRAY_UNION, NULL },
    { SBX_PROFILE_EXTENSION_KEY ".dbus.session.talk", ARRAY_UNION, NULL },
    { SBX_PROFILE_EXTENSION_KEY ".dbus.session.own", ARRAY_UNION, NULL },
    { SBX_PROFILE_EXTENSION_KEY ".dbus.session.see", ARRAY_UNION, NULL },
    { SBX_PROFILE_EXTENSION_KEY ".dbus.session.call", ARRAY_UNION, NULL },
    { SBX_PROFILE_EXTENSION_KEY ".dbus.session.broadcast", ARRAY_UNION, NULL },
    { SBX_PROFILE_EXTENSION_KEY ".dbus.system.talk", ARRAY_UNION, NULL },
    { SBX_PROFILE_EXTENSION_KEY ".dbus.system.own", ARRAY_UNION, NULL },
    { SBX_PROFILE_EXTENSION_KEY ".dbus.system.see", ARRAY_UNION, NULL },
    { SBX_PROFILE_EXTENSION_KEY ".dbus.system.call", ARRAY_UNION, NULL },
    { SBX_PROFILE_EXTENSION_KEY ".dbus.system.broadcast", ARRAY_UNION, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (rules); i++)
    if (g_str_equal (rules[i].path, path))
      {
        *key_of = rules[i].key;
        return rules[i].rule;
      }
  return ARRAY_REPLACE;
}

/* The identity of an entry of a keyed array: "PATH" of "PATH=/bin", a mount's destination. */
static char *
entry_key (JsonNode *entry, const char *key_of)
{
  if (g_str_equal (key_of, "="))
    {
      const char *s = json_node_get_string (entry);
      const char *eq = s != NULL ? strchr (s, '=') : NULL;
      return s == NULL ? NULL : g_strndup (s, eq != NULL ? (gsize) (eq - s) : strlen (s));
    }
  if (!JSON_NODE_HOLDS_OBJECT (entry))
    return NULL;
  return g_strdup (sbx_json_get_string (json_node_get_object (entry), key_of));
}

static JsonNode *
merge_arrays (JsonArray *base, JsonArray *over, ArrayRule rule, const char *key_of)
{
  JsonArray *result = json_array_new ();
  JsonNode *node;

  for (guint i = 0; i < json_array_get_length (base); i++)
    {
      JsonNode *entry = json_array_get_element (base, i);
      gboolean replaced = FALSE;
      g_autofree char *key = rule == ARRAY_KEYED ? entry_key (entry, key_of) : NULL;

      for (guint j = 0; j < json_array_get_length (over) && !replaced; j++)
        {
          JsonNode *other = json_array_get_element (over, j);
          if (rule == ARRAY_UNION)
            replaced = json_node_equal (entry, other);
          else if (key != NULL)
            {
              g_autofree char *other_key = entry_key (other, key_of);
              replaced = g_strcmp0 (key, other_key) == 0;
            }
        }
      if (!replaced)
        json_array_add_element (result, json_node_copy (entry));
    }
  for (guint j = 0; j < json_array_get_length (over); j++)
    json_array_add_element (result, json_node_copy (json_array_get_element (over, j)));
  node = json_node_init_array (json_node_alloc (), result);
  json_array_unref (result); /* the node holds its own reference */
  return node;
}

static JsonNode *merge_nodes (JsonNode *base, JsonNode *over, const char *path);

static JsonNode *
merge_objects (JsonObject *base, JsonObject *over, const char *path)
{
  JsonObject *result = json_object_new ();
  JsonNode *node;
  g_autoptr(GList) base_members = json_object_get_members (base);
  g_autoptr(GList) over_members = json_object_get_members (over);

  for (GList *l = base_members; l != NULL; l = l->next)
    if (!json_object_has_member (over, l->data))
      json_object_set_member (result, l->data, json_node_copy (json_object_get_member (base, l->data)));
  for (GList *l = over_members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *value = json_object_get_member (over, key);
      JsonNode *old = json_object_get_member (base, key);
      g_autofree char *member_path = sbx_json_path_member (path, key);

      if (JSON_NODE_HOLDS_NULL (value))
        continue; /* null: unset */
      json_object_set_member (result, key, old != NULL ? merge_nodes (old, value, member_path) : json_node_copy (value));
    }
  node = json_node_init_object (json_node_alloc (), result);
  json_object_unref (result); /* the node holds its own reference */
  return node;
}

static JsonNode *
merge_nodes (JsonNode *base, JsonNode *over, const char *path)
{
  const char *key_of = NULL;
  ArrayRule rule;

  if (g_str_equal (path, "linux.seccomp"))
    return json_node_copy (over);
  if (JSON_NODE_HOLDS_OBJECT (base) && JSON_NODE_HOLDS_OBJECT (over))
    return merge_objects (json_node_get_object (base), json_node_get_object (over), path);
  rule = array_rule (path, &key_of);
  if (rule != ARRAY_REPLACE && JSON_NODE_HOLDS_ARRAY (base) && JSON_NODE_HOLDS_ARRAY (over))
    return merge_arrays (json_node_get_array (base), json_node_get_array (over), rule, key_of);
  return json_node_copy (over);
}

/* Drops nulls left in a profile that included nothing (they only mean "unset"). */
static void
drop_nulls (JsonNode *node)
{
  g_autoptr(GList) members = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return;
  members = json_object_get_members (json_node_get_object (node));
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *value = json_object_get_member (json_node_get_object (node), l->data);
      if (JSON_NODE_HOLDS_NULL (value))
        json_object_remove_member (json_node_get_object (node), l->data);
      else
        drop_nulls (value);
    }
}

/* ---------------------------------------------------------------------- finding */

char **
sbx_profile_search_path (void)
{
  g_autoptr(GStrvBuilder) dirs = g_strv_builder_new ();
  const char *override = g_getenv ("SBX_PROFILE_PATH");
  const char *datadir = g_getenv ("SBX_DATADIR");
  g_autofree char *system_dir = NULL, *user_dir = NULL, *installed = NULL;

  g_strv_builder_add (dirs, BUILTIN_DIR);
  if (override != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (override, ":", -1);
      for (guint i = 0; parts[i] != NULL; i++)
        if (*parts[i])
          g_strv_builder_add (dirs, parts[i]);
      return g_strv_builder_end (dirs);
    }
  if (datadir == NULL)
    datadir = installed = sbx_install_path (SBX_DATADIR);
  system_dir = g_build_filename (datadir, "profiles", NULL);
  user_dir = g_build_filename (g_get_user_config_dir (), "sbx", "profiles", NULL);
  g_strv_builder_add_many (dirs, system_dir, "/etc/sbx/profiles", user_dir, NULL);
  return g_strv_builder_end (dirs);
}

static SbxJsonDoc *
load_builtin (const char *name, GError **error)
{
  g_autofree char *resource = g_strdup_printf (BUILTIN_RESOURCE_PATH "/%s.json", name);
  g_autofree char *display = g_strdup_printf (BUILTIN_DIR "/%s.json", name);
  g_autoptr(GBytes) bytes = g_resources_lookup_data (resource, 0, NULL);
  gsize length;
  const char *data;

  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &length);
  return sbx_json_doc_new_from_data (display, data, length, error);
}

/* A loaded profile file and where on the search path it was found. */
typedef struct {
  SbxJsonDoc *doc;
  char *name;    /* the profile name; NULL for a file given by path */
  int dir_index; /* index on the search path; G_MAXINT for a file given by path */
} Source;

static void
source_clear (Source *source)
{
  g_clear_pointer (&source->doc, sbx_json_doc_unref);
  g_clear_pointer (&source->name, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Source, source_clear)

/* Finds profile @name in the search path directories below @below (highest first). */
static gboolean
find_profile (const char *name, int below, Source *out, GError **error)
{
  g_auto(GStrv) dirs = sbx_profile_search_path ();

  for (int i = MIN ((int) g_strv_length (dirs), below) - 1; i >= 0; i--)
    {
      g_autofree char *file = NULL;

      if (i == 0)
        {
          g_autoptr(GError) local_error = NULL;
          out->doc = load_builtin (name, &local_error);
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
        }
      else
        {
          file = g_strdup_printf ("%s/%s.json", dirs[i], name);
          if (!g_file_test (file, G_FILE_TEST_EXISTS))
            continue;
          out->doc = sbx_json_doc_new_from_file (file, error);
          if (out->doc == NULL)
            return FALSE;
        }
      if (out->doc != NULL)
        {
          out->name = g_strdup (name);
          out->dir_index = i;
          return TRUE;
        }
    }
  g_set_error (error, SBX_ERROR, SBX_ERROR_NOT_FOUND, "profile '%s' not found (see 'sbx profile ls')", name);
  return FALSE;
}

static gboolean
is_path (const char *name_or_path)
{
  return strchr (name_or_path, '/') != NULL || g_str_has_suffix (name_or_path, ".json");
}

static gboolean
open_source (const char *name_or_path, Source *out, GError **error)
{
  if (is_path (name_or_path))
    {
      out->doc = sbx_json_doc_new_from_file (name_or_path, error);
      out->dir_index = G_MAXINT;
      return out->doc != NULL;
    }
  if (!sbx_profile_name_is_valid (name_or_path))
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                   "'%s' is not a profile name or a file (a file needs a '/' or .json)", name_or_path);
      return FALSE;
    }
  return find_profile (name_or_path, G_MAXINT, out, error);
}

/* -------------------------------------------------------------------- including */

typedef struct {
  GPtrArray *stack; /* "name@dir" of the profiles being included, outermost first */
} IncludeState;

static char *
stack_entry (const Source *source)
{
  return g_strdup_printf ("%s@%d", source->name != NULL ? source->name : sbx_json_doc_get_name (source->doc),
                          source->dir_index);
}

static char *
describe_cycle (GPtrArray *stack, const char *again)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < stack->len; i++)
    {
      g_autofree char *name = g_strdup (g_ptr_array_index (stack, i));
      *strrchr (name, '@') = '\0';
      g_string_append_printf (s, "%s -> ", name);
    }
  g_string_append (s, again);
  return g_string_free (s, FALSE);
}

static JsonNode *resolve (const Source *source, IncludeState *state, GError **error);

/* Includes sbx.include[i] of @source. */
static JsonNode *
resolve_include (const Source *source, guint i, const char *name, IncludeState *state, GError **error)
{
  g_autofree char *path = g_strdup_printf (SBX_PROFILE_EXTENSION_KEY ".include[%u]", i);
  g_auto(Source) included = { 0 };
  g_autofree char *entry = NULL;
  g_autoptr(GError) local_error = NULL;
  /* A profile including its own name extends the one below it on the search path. */
  int below = g_strcmp0 (name, source->name) == 0 ? source->dir_index : G_MAXINT;

  if (state->stack->len >= MAX_INCLUDE_DEPTH)
    {
      sbx_json_doc_error (source->doc, path, error, "includes nested deeper than %d", MAX_INCLUDE_DEPTH);
      return NULL;
    }
  if (!find_profile (name, below, &included, &local_error))
    {
      /* A broken included file speaks for itself, with its own line:col. */
      if (g_error_matches (local_error, SBX_ERROR, SBX_ERROR_NOT_FOUND))
        sbx_json_doc_error (source->doc, path, error, "%s", local_error->message);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  entry = stack_entry (&included);
  for (guint k = 0; k < state->stack->len; k++)
    if (g_str_equal (g_ptr_array_index (state->stack, k), entry))
      {
        g_autofree char *cycle = describe_cycle (state->stack, name);
        sbx_json_doc_error (source->doc, path, error, "include cycle: %s", cycle);
        return NULL;
      }
  return resolve (&included, state, error);
}

/* Checks @source, then returns its includes merged in order with @source on top. */
static JsonNode *
resolve (const Source *source, IncludeState *state, GError **error)
{
  JsonNode *root = sbx_json_doc_get_root (source->doc);
  JsonArray *includes;
  g_autoptr(JsonNode) merged = NULL;
  g_autoptr(JsonNode) own = NULL;
  JsonObject *extension;

  if (!sbx_profile_schema_check (source->doc, error))
    return NULL;
  g_ptr_array_add (state->stack, stack_entry (source));
  includes = sbx_json_get_array (sbx_json_get_object (json_node_get_object (root), SBX_PROFILE_EXTENSION_KEY), "include");
  for (guint i = 0; includes != NULL && i < json_array_get_length (includes); i++)
    {
      g_autoptr(JsonNode) one = resolve_include (source, i, json_array_get_string_element (includes, i),
                                                  state, error);
      if (one == NULL)
        return NULL;
      if (merged == NULL)
        merged = g_steal_pointer (&one);
      else
        {
          JsonNode *next = merge_nodes (merged, one, "");
          json_node_unref (merged);
          merged = next;
        }
    }
  g_ptr_array_remove_index (state->stack, state->stack->len - 1);
  own = json_node_copy (root);
  if ((extension = sbx_json_get_object (json_node_get_object (own), SBX_PROFILE_EXTENSION_KEY)) != NULL)
    json_object_remove_member (extension, "include");
  if (merged == NULL)
    return g_steal_pointer (&own);
  return merge_nodes (merged, own, "");
}

static JsonNode *
load_merged (const char *name_or_path, char **out_name, GError **error)
{
  g_auto(Source) source = { 0 };
  g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func (g_free);
  IncludeState state = { stack };
  JsonNode *merged;

  if (!open_source (name_or_path, &source, error))
    return NULL;
  merged = resolve (&source, &state, error);
  if (merged != NULL)
    {
      drop_nulls (merged);
      if (out_name != NULL)
        *out_name = g_strdup (source.name != NULL ? source.name : name_or_path);
    }
  return merged;
}

/* ------------------------------------------------------------------- converting */

static char **
string_array (JsonArray *array)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    g_strv_builder_add (builder, json_array_get_string_element (array, i));
  return g_strv_builder_end (builder);
}

static guint64
capability_mask (JsonArray *array)
{
  guint64 mask = 0;

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      int cap = sbx_capability_from_name (json_array_get_string_element (array, i));
      if (cap >= 0)
        mask |= G_GUINT64_CONSTANT (1) << cap;
    }
  return mask;
}

static void
read_process (SbxProfile *p, JsonObject *process)
{
  static const char * const capsets[SBX_N_CAPSETS] = { "bounding", "effective", "inheritable",
                                                       "permitted", "ambient" };
  JsonObject *user = sbx_json_get_object (process, "user");
  JsonObject *caps = sbx_json_get_object (process, "capabilities");
  JsonArray *rlimits = sbx_json_get_array (process, "rlimits");
  JsonArray *gids = sbx_json_get_array (user, "additionalGids");

  if (sbx_json_get_array (process, "args") != NULL)
    p->args = string_array (sbx_json_get_array (process, "args"));
  p->env = string_array (sbx_json_get_array (process, "env"));
  p->cwd = g_strdup (sbx_json_get_string (process, "cwd"));
  p->terminal = process != NULL && json_object_get_boolean_member_with_default (process, "terminal", FALSE);
  if (user != NULL)
    {
      p->have_user = TRUE;
      p->uid = (uid_t) json_object_get_int_member_with_default (user, "uid", 0);
      p->gid = (gid_t) json_object_get_int_member_with_default (user, "gid", 0);
      p->username = g_strdup (sbx_json_get_string (user, "username"));
      p->have_umask = json_object_has_member (user, "umask");
      p->umask = (mode_t) json_object_get_int_member_with_default (user, "umask", 022);
    }
  for (guint i = 0; gids != NULL && i < json_array_get_length (gids); i++)
    {
      gid_t gid = (gid_t) json_array_get_int_element (gids, i);
      g_array_append_val (p->additional_gids, gid);
    }
  for (int set = 0; set < SBX_N_CAPSETS; set++)
    p->caps[set] = capability_mask (sbx_json_get_array (caps, capsets[set]));
  for (guint i = 0; rlimits != NULL && i < json_array_get_length (rlimits); i++)
    {
      JsonObject *r = json_array_get_object_element (rlimits, i);
      SbxRlimit limit = { sbx_rlimit_from_name (sbx_json_get_string (r, "type")),
                          sbx_rlimit_value (json_object_get_member (r, "soft")),
                          sbx_rlimit_value (json_object_get_member (r, "hard")) };
      g_array_append_val (p->rlimits, limit);
    }
  if (process == NULL)
    return; /* a profile without "process" (json-glib's getters refuse NULL with a critical) */
  p->no_new_privileges = json_object_get_boolean_member_with_default (process, "noNewPrivileges", FALSE);
  p->apparmor_profile = g_strdup (sbx_json_get_string (process, "apparmorProfile"));
  if (p->apparmor_profile != NULL && *p->apparmor_profile == '\0')
    g_clear_pointer (&p->apparmor_profile, g_free);
  p->have_oom_score_adj = json_object_has_member (process, "oomScoreAdj");
  p->oom_score_adj = (int) json_object_get_int_member_with_default (process, "oomScoreAdj", 0);
}

static char *
expand_home (const char *source)
{
  if (g_str_equal (source, "~"))
    return g_strdup (g_get_home_dir ());
  if (g_str_has_prefix (source, "~/"))
    return g_build_filename (g_get_home_dir (), source + 2, NULL);
  return g_strdup (source);
}

static void
read_mounts (SbxProfile *p, JsonArray *mounts)
{
  for (guint i = 0; mounts != NULL && i < json_array_get_length (mounts); i++)
    {
      JsonObject *m = json_array_get_object_element (mounts, i);
      const char *type = sbx_json_get_string (m, "type");
      JsonArray *options = sbx_json_get_array (m, "options");
      SbxMount *mount;

      if (sbx_mount_is_standard (sbx_json_get_string (m, "destination"), type))
        continue;
      mount = g_new0 (SbxMount, 1);
      mount->kind = type != NULL && g_str_equal (type, "tmpfs") ? SBX_MOUNT_TMPFS : SBX_MOUNT_BIND;
      mount->recursive = mount->kind == SBX_MOUNT_BIND;
      for (guint j = 0; options != NULL && j < json_array_get_length (options); j++)
        (void) sbx_mount_apply_option (mount, json_array_get_string_element (options, j), NULL);
      mount->destination = g_canonicalize_filename (sbx_json_get_string (m, "destination"), "/");
      if (mount->kind == SBX_MOUNT_BIND)
        mount->source = expand_home (sbx_json_get_string (m, "source"));
      g_ptr_array_add (p->mounts, mount);
    }
}

static gint64
limit_member (JsonObject *o, const char *member)
{
  JsonNode *node = o != NULL ? json_object_get_member (o, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return SBX_LIMIT_UNSET;
  return json_node_get_int (node);
}

static void
read_resources (SbxResources *r, JsonObject *resources)
{
  JsonObject *memory = sbx_json_get_object (resources, "memory");
  JsonObject *cpu = sbx_json_get_object (resources, "cpu");
  const char *cpus = sbx_json_get_string (cpu, "cpus"), *mems = sbx_json_get_string (cpu, "mems");

  r->memory_limit = limit_member (memory, "limit");
  r->memory_reservation = limit_member (memory, "reservation");
  r->memory_swap = limit_member (memory, "swap");
  r->cpu_shares = limit_member (cpu, "shares");
  r->cpu_quota = limit_member (cpu, "quota");
  r->cpu_period = limit_member (cpu, "period");
  r->pids_limit = limit_member (sbx_json_get_object (resources, "pids"), "limit");
  r->blkio_weight = limit_member (sbx_json_get_object (resources, "blockIO"), "weight");
  r->cpus = cpus != NULL && *cpus != '\0' ? g_strdup (cpus) : NULL;
  r->mems = mems != NULL && *mems != '\0' ? g_strdup (mems) : NULL;
}

/* Whether anything is limited: "unlimited" (-1) and 0 ("not set", as runtimes read it) are not. */
static gboolean
resources_limit_anything (const SbxResources *r)
{
  const gint64 values[] = { r->memory_limit, r->memory_reservation, r->memory_swap, r->cpu_shares,
                            r->cpu_quota, r->pids_limit, r->blkio_weight };

  for (gsize i = 0; i < G_N_ELEMENTS (values); i++)
    if (values[i] != SBX_LIMIT_UNSET && values[i] > 0)
      return TRUE;
  return r->cpus != NULL || r->mems != NULL;
}

static void
read_linux (SbxProfile *p, JsonObject *linux_)
{
  JsonArray *namespaces = sbx_json_get_array (linux_, "namespaces");
  JsonNode *seccomp = linux_ != NULL ? json_object_get_member (linux_, "seccomp") : NULL;

  for (guint i = 0; namespaces != NULL && i < json_array_get_length (namespaces); i++)
    p->unshare_flags |= sbx_namespace_flag_from_name (
      sbx_json_get_string (json_array_get_object_element (namespaces, i), "type"));
  p->masked_paths = string_array (sbx_json_get_array (linux_, "maskedPaths"));
  p->readonly_paths = string_array (sbx_json_get_array (linux_, "readonlyPaths"));
  if (seccomp != NULL && JSON_NODE_HOLDS_OBJECT (seccomp))
    p->seccomp = json_node_copy (seccomp);
  read_resources (&p->resources, sbx_json_get_object (linux_, "resources"));
  p->has_resource_limits = resources_limit_anything (&p->resources);
}

/* sbx.desktop: what the app may use of the session, as values; the sockets are found at run
 * time (launcher/desktop.c), so one profile serves Wayland and X11 sessions. */
static void
read_desktop (SbxDesktopGrants *grants, JsonObject *desktop)
{
  JsonNode *x11 = desktop != NULL ? json_object_get_member (desktop, "x11") : NULL;

  memset (grants, 0, sizeof *grants);
  if (desktop == NULL)
    return;
  grants->wayland = json_object_get_boolean_member_with_default (desktop, "wayland", FALSE);
  grants->pulseaudio = json_object_get_boolean_member_with_default (desktop, "pulseaudio", FALSE);
  grants->pipewire = json_object_get_boolean_member_with_default (desktop, "pipewire", FALSE);
  grants->gpu = json_object_get_boolean_member_with_default (desktop, "gpu", FALSE);
  if (x11 != NULL && JSON_NODE_HOLDS_VALUE (x11) && json_node_get_value_type (x11) == G_TYPE_BOOLEAN)
    grants->x11 = json_node_get_boolean (x11) ? SBX_X11_UNTRUSTED : SBX_X11_NONE;
  else if (x11 != NULL && JSON_NODE_HOLDS_VALUE (x11))
    (void) sbx_x11_mode_parse (json_node_get_string (x11), &grants->x11);
}

/* One bus of sbx.dbus; NULL when the profile does not name it (no such bus inside). */
static SbxDbusPolicy *
read_dbus_policy (JsonObject *bus)
{
  SbxDbusPolicy *policy;

  if (bus == NULL)
    return NULL;
  policy = g_new0 (SbxDbusPolicy, 1);
  policy->talk = string_array (sbx_json_get_array (bus, "talk"));
  policy->own = string_array (sbx_json_get_array (bus, "own"));
  policy->see = string_array (sbx_json_get_array (bus, "see"));
  policy->call = string_array (sbx_json_get_array (bus, "call"));
  policy->broadcast = string_array (sbx_json_get_array (bus, "broadcast"));
  return policy;
}

void
sbx_dbus_policy_free (SbxDbusPolicy *policy)
{
  if (policy == NULL)
    return;
  g_strfreev (policy->talk);
  g_strfreev (policy->own);
  g_strfreev (policy->see);
  g_strfreev (policy->call);
  g_strfreev (policy->broadcast);
  g_free (policy);
}

static void
read_extension (SbxProfile *p, JsonObject *ext)
{
  JsonObject *network = sbx_json_get_object (ext, "network");
  JsonObject *apparmor = sbx_json_get_object (ext, "apparmor");
  const char *policy = sbx_json_get_string (apparmor, "ifUnavailable");

  p->image = g_strdup (sbx_json_get_string (ext, "image"));
  p->network = g_strdup (sbx_json_get_string (network, "mode"));
  p->allow_host_loopback = network != NULL &&
                           json_object_get_boolean_member_with_default (network, "allowHostLoopback", FALSE);
  p->host_network_warning = network == NULL ||
                            json_object_get_boolean_member_with_default (network, "hostWarning", TRUE);
  p->publish = string_array (sbx_json_get_array (network, "publish"));
  p->net_allow = string_array (sbx_json_get_array (network, "allow"));
  p->net_deny = string_array (sbx_json_get_array (network, "deny"));
  p->lan = network == NULL || json_object_get_boolean_member_with_default (network, "lan", TRUE);
  p->userns = g_strdup (sbx_json_get_string (ext, "userns"));
  p->storage_driver = g_strdup (sbx_json_get_string (ext, "storageDriver"));
  p->desktop_entry = g_strdup (sbx_json_get_string (ext, "desktopEntry"));
  p->apparmor_policy = g_strcmp0 (policy, "fail") == 0   ? SBX_APPARMOR_FAIL
                     : g_strcmp0 (policy, "ignore") == 0 ? SBX_APPARMOR_IGNORE
                                                         : SBX_APPARMOR_WARN;
  p->apparmor_userns = apparmor != NULL && json_object_get_boolean_member_with_default (apparmor, "userns", FALSE);
  read_desktop (&p->desktop, sbx_json_get_object (ext, "desktop"));
  (void) sbx_home_mode_parse (sbx_json_get_string (ext, "home"), &p->home);
  p->share = string_array (sbx_json_get_array (ext, "share"));
  p->app_id = g_strdup (sbx_json_get_string (ext, "appId"));
  p->dbus_session = read_dbus_policy (sbx_json_get_object (sbx_json_get_object (ext, "dbus"), "session"));
  p->dbus_system = read_dbus_policy (sbx_json_get_object (sbx_json_get_object (ext, "dbus"), "system"));
  policy = sbx_json_get_string (sbx_json_get_object (ext, "limits"), "ifUnavailable");
  p->limits_policy = g_strcmp0 (policy, "warn") == 0   ? SBX_LIMITS_WARN
                   : g_strcmp0 (policy, "ignore") == 0 ? SBX_LIMITS_IGNORE
                                                       : SBX_LIMITS_FAIL;
}

const char *
sbx_hook_stage_name (SbxHookStage stage)
{
  static const char * const names[SBX_N_HOOK_STAGES] = {
    "prestart",
    "createRuntime",
    "createContainer",
    "startContainer",
    "poststart",
    "poststop",
  };

  return names[stage];
}

void
sbx_hook_free (SbxHook *hook)
{
  g_free (hook->path);
  g_strfreev (hook->args);
  g_strfreev (hook->env);
  g_free (hook);
}

/* hooks: each stage's list as the (merged) profile has it. */
static void
read_hooks (SbxProfile *p, JsonObject *hooks)
{
  for (int stage = 0; stage < SBX_N_HOOK_STAGES; stage++)
    {
      JsonArray *list = sbx_json_get_array (hooks, sbx_hook_stage_name (stage));

      p->hooks[stage] = g_ptr_array_new_with_free_func ((GDestroyNotify) sbx_hook_free);
      for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
        {
          JsonObject *h = json_array_get_object_element (list, i);
          SbxHook *hook = g_new0 (SbxHook, 1);
          JsonArray *args = sbx_json_get_array (h, "args");

          hook->path = g_strdup (sbx_json_get_string (h, "path"));
          hook->args = args != NULL && json_array_get_length (args) > 0 ? string_array (args)
                                                                        : g_strdupv ((char *[]) { hook->path, NULL });
          hook->env = string_array (sbx_json_get_array (h, "env"));
          hook->timeout = (int) json_object_get_int_member_with_default (h, "timeout", 0);
          g_ptr_array_add (p->hooks[stage], hook);
        }
    }
}

static SbxProfile *
profile_from_json (const char *name, JsonNode *json)
{
  SbxProfile *p = g_new0 (SbxProfile, 1);
  JsonObject *top = json_node_get_object (json);
  JsonObject *root = sbx_json_get_object (top, "root");

  p->name = g_strdup (name);
  p->json = json_node_ref (json);
  p->additional_gids = g_array_new (FALSE, FALSE, sizeof (gid_t));
  p->rlimits = g_array_new (FALSE, FALSE, sizeof (SbxRlimit));
  p->mounts = g_ptr_array_new_with_free_func ((GDestroyNotify) sbx_mount_free);
  read_process (p, sbx_json_get_object (top, "process"));
  p->hostname = g_strdup (sbx_json_get_string (top, "hostname"));
  p->domainname = g_strdup (sbx_json_get_string (top, "domainname"));
  p->root_readonly = root != NULL && json_object_get_boolean_member_with_default (root, "readonly", FALSE);
  read_mounts (p, sbx_json_get_array (top, "mounts"));
  read_linux (p, sbx_json_get_object (top, "linux"));
  read_extension (p, sbx_json_get_object (top, SBX_PROFILE_EXTENSION_KEY));
  read_hooks (p, sbx_json_get_object (top, "hooks"));
  return p;
}

void
sbx_profile_free (SbxProfile *p)
{
  if (p == NULL)
    return;
  g_free (p->name);
  g_clear_pointer (&p->json, json_node_unref);
  g_strfreev (p->args);
  g_strfreev (p->env);
  g_free (p->cwd);
  g_clear_pointer (&p->additional_gids, g_array_unref);
  g_free (p->username);
  g_clear_pointer (&p->rlimits, g_array_unref);
  g_free (p->apparmor_profile);
  g_free (p->hostname);
  g_free (p->domainname);
  g_clear_pointer (&p->mounts, g_ptr_array_unref);
  g_strfreev (p->masked_paths);
  g_strfreev (p->readonly_paths);
  g_clear_pointer (&p->seccomp, json_node_unref);
  g_free (p->image);
  g_free (p->network);
  g_strfreev (p->publish);
  g_strfreev (p->net_allow);
  g_strfreev (p->net_deny);
  g_free (p->userns);
  g_free (p->storage_driver);
  g_strfreev (p->share);
  g_free (p->app_id);
  sbx_dbus_policy_free (p->dbus_session);
  sbx_dbus_policy_free (p->dbus_system);
  g_free (p->desktop_entry);
  for (int stage = 0; stage < SBX_N_HOOK_STAGES; stage++)
    g_clear_pointer (&p->hooks[stage], g_ptr_array_unref);
  g_free (p->resources.cpus);
  g_free (p->resources.mems);
  g_free (p);
}

/* ------------------------------------------------------------------------ the API */

SbxProfile *
sbx_profile_load (const char *name_or_path, const SbxProfileOverrides *overrides, GError **error)
{
  g_autofree char *name = NULL;
  g_autoptr(JsonNode) merged = load_merged (name_or_path, &name, error);

  if (merged == NULL)
    return NULL;
  if (overrides != NULL && !sbx_profile_apply_overrides (merged, overrides, error))
    return NULL;
  return profile_from_json (name, merged);
}

SbxProfile *
sbx_profile_from_effective_json (const char *name, JsonNode *json, GError **error)
{
  if (json == NULL || !JSON_NODE_HOLDS_OBJECT (json))
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "no effective profile saved"), NULL;
  return profile_from_json (name, json);
}

gboolean
sbx_profile_validate_file (const char *path, GError **error)
{
  g_autoptr(JsonNode) merged = NULL;
  g_autoptr(SbxProfile) profile = NULL;
  g_autofree char *file = is_path (path) ? g_strdup (path) : g_strconcat ("./", path, NULL);

  merged = load_merged (file, NULL, error);
  if (merged == NULL)
    return FALSE;
  profile = profile_from_json (file, merged);
  sbx_profile_warn_io_uring (profile);
  return TRUE;
}

void
sbx_profile_warn_io_uring (const SbxProfile *profile)
{
  g_autofree char *denied = sbx_seccomp_io_uring_bypass (profile->seccomp, profile->caps[SBX_CAPSET_BOUNDING]);

  if (denied != NULL)
    sbx_warning ("profile '%s': linux.seccomp allows io_uring (io_uring_setup, io_uring_enter) but denies "
                 "%s: io_uring's own operations do those without the syscalls, past the filter "
                 "(deny io_uring_setup too, as the default filter does)",
                 profile->name, denied);
}

char *
sbx_profile_to_json (const SbxProfile *profile)
{
  return sbx_json_to_text (profile->json, TRUE, NULL);
}

static void
profile_info_free (SbxProfileInfo *info)
{
  g_free (info->name);
  g_free (info->path);
  g_free (info->description);
  g_free (info);
}

static void
add_profile_names (GHashTable *names, const char *dir)
{
  g_autoptr(GDir) d = NULL;
  const char *entry;

  if (g_str_equal (dir, BUILTIN_DIR))
    {
      g_auto(GStrv) children = g_resources_enumerate_children (BUILTIN_RESOURCE_PATH, 0, NULL);
      for (guint i = 0; children != NULL && children[i] != NULL; i++)
        if (g_str_has_suffix (children[i], ".json"))
          g_hash_table_add (names, g_strndup (children[i], strlen (children[i]) - 5));
      return;
    }
  if ((d = g_dir_open (dir, 0, NULL)) == NULL)
    return;
  while ((entry = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (entry, ".json"))
      {
        g_autofree char *name = g_strndup (entry, strlen (entry) - 5);
        if (sbx_profile_name_is_valid (name))
          g_hash_table_add (names, g_steal_pointer (&name));
      }
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GPtrArray *
sbx_profile_list (GError **error)
{
  g_auto(GStrv) dirs = sbx_profile_search_path ();
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func ((GDestroyNotify) profile_info_free);
  g_autofree const char **sorted = NULL;
  guint n;

  for (guint i = 0; dirs[i] != NULL; i++)
    add_profile_names (names, dirs[i]);
  sorted = (const char **) g_hash_table_get_keys_as_array (names, &n);
  qsort (sorted, n, sizeof (char *), compare_names);
  for (guint i = 0; i < n; i++)
    {
      g_auto(Source) source = { 0 };
      SbxProfileInfo *info = g_new0 (SbxProfileInfo, 1);
      g_autoptr(GError) local_error = NULL;

      info->name = g_strdup (sorted[i]);
      if (find_profile (sorted[i], G_MAXINT, &source, &local_error))
        {
          JsonObject *top = JSON_NODE_HOLDS_OBJECT (sbx_json_doc_get_root (source.doc))
                            ? json_node_get_object (sbx_json_doc_get_root (source.doc))
                            : NULL;
          info->path = source.dir_index == 0 ? NULL : g_strdup (sbx_json_doc_get_name (source.doc));
          info->description = g_strdup (sbx_json_get_string (sbx_json_get_object (top, SBX_PROFILE_EXTENSION_KEY),
                                                             "description"));
        }
      else
        info->description = g_strdup_printf ("(broken: %s)", local_error->message);
      g_ptr_array_add (result, info);
    }
  return g_steal_pointer (&result);
}
