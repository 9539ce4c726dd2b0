/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* profile.c: finding, including and merging profiles, and the API.
 *
 *   search path → each file parsed and checked on its own (schema.c) → includes merged in
 *   order, the including file last → command-line overrides (overrides.c) → SbxProfile
 *   (profile-read.c); or, for a run, all of that from the cache (profile-cache.c).
 *
 * Merge rules (README, "Profiles"): objects merge key by key; a later scalar or array
 * replaces an earlier one, except the arrays that are sets keyed by something inside them
 * (process.env by variable, process.rlimits by type, mounts by destination,
 * linux.namespaces by type), which merge entry by entry, and linux.maskedPaths,
 * linux.readonlyPaths, sbx.network.publish, allow and deny and the sbx.dbus.* name lists, which add up.  linux.seccomp is replaced
 * whole, and so is each of the hooks' lists (hooks.createRuntime, ...).  A null removes what the
 * included profiles set. */
#include "profile-private.h"
#include "profile-cache.h"
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

/* The shipped profiles, compiled into the program by data/meson.build, registered on first
 * use rather than by a constructor at start-up, which would load GIO in every run
 * (common/lazy-load.h).  Weak: a program built without them (most unit tests) has none. */
void sbx_profiles_register_resource (void) __attribute__ ((weak));
GResource *sbx_profiles_get_resource (void) __attribute__ ((weak));

GResource *
sbx_profile_builtin_resource (void)
{
  /* Registering twice would loop GLib's list of them: once per process, the way
   * G_DEFINE_QUARK keeps its quark. */
  static gsize registered = 0;

  if (sbx_profiles_register_resource == NULL || sbx_profiles_get_resource == NULL)
    return NULL;
  if (g_once_init_enter (&registered))
    {
      sbx_profiles_register_resource ();
      g_once_init_leave (&registered, 1);
    }
  return sbx_profiles_get_resource ();
}

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

json_t *
sbx_json_object_ensure_object (json_t *object, const char *member)
{
  json_t *value = sbx_json_get_object (object, member);

  if (value == NULL)
    sbx_json_set (object, member, value = json_object ());
  return value;
}

json_t *
sbx_json_object_ensure_array (json_t *object, const char *member)
{
  json_t *value = sbx_json_get_array (object, member);

  if (value == NULL)
    sbx_json_set (object, member, value = json_array ());
  return value;
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

/* The merges below share the values they take over unchanged with the trees they came from
 * (a new reference each), as they always did: only new arrays and objects are built. */

/* The identity of an entry of a keyed array: "PATH" of "PATH=/bin", a mount's destination. */
static char *
entry_key (const json_t *entry, const char *key_of)
{
  if (g_str_equal (key_of, "="))
    {
      const char *s = json_string_value (entry);
      const char *eq = s != NULL ? strchr (s, '=') : NULL;
      return s == NULL ? NULL : g_strndup (s, eq != NULL ? (gsize) (eq - s) : strlen (s));
    }
  return g_strdup (sbx_json_get_string (entry, key_of));
}

/* Whether @over has an entry that replaces @entry of the base array. */
static gboolean
entry_replaced (const json_t *entry, const json_t *over, ArrayRule rule, const char *key_of)
{
  g_autofree char *key = rule == ARRAY_KEYED ? entry_key (entry, key_of) : NULL;
  json_t *other;
  size_t j;

  json_array_foreach (over, j, other)
    {
      g_autofree char *other_key = key != NULL ? entry_key (other, key_of) : NULL;

      if (rule == ARRAY_UNION ? json_equal (entry, other) : key != NULL && g_strcmp0 (key, other_key) == 0)
        return TRUE;
    }
  return FALSE;
}

static json_t *
merge_arrays (const json_t *base, const json_t *over, ArrayRule rule, const char *key_of)
{
  json_t *result = json_array ();
  json_t *entry;
  size_t i;

  json_array_foreach (base, i, entry)
    if (!entry_replaced (entry, over, rule, key_of))
      json_array_append (result, entry);
  json_array_foreach (over, i, entry)
    json_array_append (result, entry);
  return result;
}

static json_t *merge_nodes (json_t *base, json_t *over, const char *path);

static json_t *
merge_objects (json_t *base, json_t *over, const char *path)
{
  json_t *result = json_object ();
  const char *key;
  json_t *value;

  json_object_foreach (base, key, value)
    if (json_object_get (over, key) == NULL)
      json_object_set (result, key, value);
  json_object_foreach (over, key, value)
    {
      json_t *old = json_object_get (base, key);
      g_autofree char *member_path = sbx_json_path_member (path, key);

      if (json_is_null (value))
        continue; /* null: unset */
      json_object_set_new (result, key, old != NULL ? merge_nodes (old, value, member_path) : json_incref (value));
    }
  return result;
}

static json_t *
merge_nodes (json_t *base, json_t *over, const char *path)
{
  const char *key_of = NULL;
  ArrayRule rule;

  if (g_str_equal (path, "linux.seccomp"))
    return json_incref (over);
  if (json_is_object (base) && json_is_object (over))
    return merge_objects (base, over, path);
  rule = array_rule (path, &key_of);
  if (rule != ARRAY_REPLACE && json_is_array (base) && json_is_array (over))
    return merge_arrays (base, over, rule, key_of);
  return json_incref (over);
}

/* Drops nulls left in a profile that included nothing (they only mean "unset"). */
static void
drop_nulls (json_t *json)
{
  const char *key;
  json_t *value;
  void *next;

  if (!json_is_object (json))
    return;
  json_object_foreach_safe (json, next, key, value)
    if (json_is_null (value))
      json_object_del (json, key);
    else
      drop_nulls (value);
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
  GResource *builtin = sbx_profile_builtin_resource ();
  g_autoptr(GBytes) bytes = builtin != NULL ? g_resource_lookup_data (builtin, resource, 0, NULL) : NULL;
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

/* Finds profile @name in the search path directories below @below (highest first); each
 * file read goes into @inputs (when not NULL) first. */
static gboolean
find_profile (const char *name, int below, Source *out, SbxProfileInputs *inputs, GError **error)
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
          if (inputs != NULL)
            sbx_profile_inputs_add (inputs, file);
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
open_source (const char *name_or_path, Source *out, SbxProfileInputs *inputs, GError **error)
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
  return find_profile (name_or_path, G_MAXINT, out, inputs, error);
}

/* -------------------------------------------------------------------- including */

typedef struct {
  GPtrArray *stack;         /* "name@dir" of the profiles being included, outermost first */
  SbxProfileInputs *inputs; /* what is read, for the cache; NULL: not recorded */
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

static json_t *resolve (const Source *source, IncludeState *state, GError **error);

/* Includes sbx.include[i] of @source. */
static json_t *
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
  if (!find_profile (name, below, &included, state->inputs, &local_error))
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
static json_t *
resolve (const Source *source, IncludeState *state, GError **error)
{
  json_t *root = sbx_json_doc_get_root (source->doc);
  json_t *includes;
  g_autoptr(json_t) merged = NULL;
  g_autoptr(json_t) own = NULL;
  json_t *extension;
  json_t *include;
  size_t i;

  if (!sbx_profile_schema_check (source->doc, error))
    return NULL;
  g_ptr_array_add (state->stack, stack_entry (source));
  includes = sbx_json_get_array (sbx_json_get_object (root, SBX_PROFILE_EXTENSION_KEY), "include");
  json_array_foreach (includes, i, include)
    {
      g_autoptr(json_t) one = resolve_include (source, (guint) i, json_string_value (include), state, error);
      if (one == NULL)
        return NULL;
      if (merged == NULL)
        merged = g_steal_pointer (&one);
      else
        {
          json_t *next = merge_nodes (merged, one, "");
          json_decref (merged);
          merged = next;
        }
    }
  g_ptr_array_remove_index (state->stack, state->stack->len - 1);
  own = json_incref (root); /* the doc's tree itself, changed below: nothing reads it again */
  if ((extension = sbx_json_get_object (own, SBX_PROFILE_EXTENSION_KEY)) != NULL)
    json_object_del (extension, "include");
  if (merged == NULL)
    return g_steal_pointer (&own);
  return merge_nodes (merged, own, "");
}

/* Reads, checks and merges @name_or_path and what it includes; with @inputs, the search
 * path's directories (before they are searched) and each file read are recorded there. */
static json_t *
load_merged (const char *name_or_path, char **out_name, SbxProfileInputs *inputs, GError **error)
{
  g_auto(Source) source = { 0 };
  g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func (g_free);
  IncludeState state = { stack, inputs };
  json_t *merged;

  if (inputs != NULL)
    {
      g_auto(GStrv) dirs = sbx_profile_search_path ();
      for (guint i = 1; dirs[i] != NULL; i++) /* dirs[0]: the built-in ones, part of the binary */
        sbx_profile_inputs_add (inputs, dirs[i]);
    }
  if (!open_source (name_or_path, &source, inputs, error))
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

/* ------------------------------------------------------------------------ the API */

SbxProfile *
sbx_profile_load (const char *name_or_path, const SbxProfileOverrides *overrides, GError **error)
{
  g_autofree char *name = NULL;
  g_autoptr(json_t) merged = load_merged (name_or_path, &name, NULL, error);

  if (merged == NULL)
    return NULL;
  if (overrides != NULL && !sbx_profile_apply_overrides (merged, overrides, error))
    return NULL;
  return sbx_profile_from_json (name, merged);
}

/* The profile an entry holds; NULL when its JSON does not read back as a profile without
 * linux.seccomp (a damaged entry). */
static SbxProfile *
profile_from_entry (SbxProfileCacheEntry *entry)
{
  gsize size;
  const char *json = g_bytes_get_data (entry->json, &size);
  g_autoptr(SbxJsonDoc) doc = sbx_json_doc_new_from_data ("(the profile cache)", json, size, NULL);
  g_autoptr(SbxProfile) p = NULL;

  if (doc == NULL || !json_is_object (sbx_json_doc_get_root (doc)))
    return NULL;
  p = sbx_profile_from_json (entry->name, sbx_json_doc_get_root (doc));
  if (p->has_seccomp)
    return NULL;
  p->has_seccomp = entry->has_seccomp;
  p->seccomp_program = entry->program;
  memset (&entry->program, 0, sizeof entry->program);
  p->seccomp_compiled = TRUE;
  p->effective_json = g_bytes_ref (entry->effective);
  p->seccomp_io_uring_bypass = g_steal_pointer (&entry->io_uring_bypass);
  return g_steal_pointer (&p);
}

/* Compiles @p's filter and keeps @p in the cache; FALSE (and *@why) when it is not kept. */
static gboolean
store_in_cache (SbxProfile *p, const char *cache_dir, const char *name, const char * const *search_path,
                const SbxProfileInputs *inputs, char **why)
{
  g_auto(SbxProfileCacheEntry) entry = { 0 };
  g_autoptr(GError) error = NULL;
  char *text;
  gsize size;

  if (p->has_seccomp &&
      !sbx_seccomp_compile (p->seccomp_rules, p->caps[SBX_CAPSET_BOUNDING], &p->seccomp_program, &error))
    return *why = g_strdup ("its seccomp filter does not compile"), FALSE; /* the run says why */
  p->seccomp_compiled = TRUE;
  if ((text = sbx_profile_to_json (p, FALSE, &error)) == NULL)
    return *why = g_strdup (error->message), FALSE;
  p->effective_json = g_bytes_new_take (text, strlen (text));
  entry.name = g_strdup (p->name);
  text = sbx_json_to_text (p->json, FALSE, &size);
  entry.json = g_bytes_new_take (text, size);
  entry.effective = g_bytes_ref (p->effective_json);
  entry.has_seccomp = p->has_seccomp;
  if (p->has_seccomp)
    entry.io_uring_bypass = sbx_seccomp_io_uring_bypass (p->seccomp_rules, p->caps[SBX_CAPSET_BOUNDING]);
  entry.program.program = p->seccomp_program.program != NULL ? g_bytes_ref (p->seccomp_program.program) : NULL;
  entry.program.flags = p->seccomp_program.flags;
  return sbx_profile_cache_store (cache_dir, name, search_path, inputs, &entry, why);
}

SbxProfile *
sbx_profile_load_cached (const char *name_or_path, const SbxProfileOverrides *overrides, const char *cache_dir,
                         char **source, GError **error)
{
  g_auto(GStrv) search_path = NULL;
  g_auto(SbxProfileCacheEntry) entry = { 0 };
  g_autoptr(SbxProfileInputs) inputs = NULL;
  g_autoptr(SbxProfile) p = NULL;
  g_autoptr(json_t) merged = NULL;
  g_autofree char *name = NULL;
  g_autofree char *why = NULL;
  g_autofree char *not_kept = NULL;

  if (cache_dir == NULL || is_path (name_or_path) || !sbx_profile_overrides_are_empty (overrides))
    {
      *source = g_strdup ("read (the cache is for a profile by name, without overrides)");
      return sbx_profile_load (name_or_path, overrides, error);
    }
  search_path = sbx_profile_search_path ();
  if (sbx_profile_cache_lookup (cache_dir, name_or_path, (const char * const *) search_path, &entry, &why))
    {
      if ((p = profile_from_entry (&entry)) != NULL)
        return *source = g_strdup ("from the cache"), g_steal_pointer (&p);
      why = g_strdup ("damaged (its JSON)");
    }
  inputs = sbx_profile_inputs_new ();
  if ((merged = load_merged (name_or_path, &name, inputs, error)) == NULL)
    return NULL;
  p = sbx_profile_from_json (name, merged);
  if (!store_in_cache (p, cache_dir, name_or_path, (const char * const *) search_path, inputs, &not_kept))
    *source = g_strdup_printf ("read (cache: %s; not kept: %s)", why, not_kept);
  else
    *source = g_strdup_printf ("read (cache: %s; kept)", why);
  return g_steal_pointer (&p);
}

SbxProfile *
sbx_profile_from_effective_json (const char *name, json_t *json, GError **error)
{
  if (!json_is_object (json))
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "no effective profile saved"), NULL;
  return sbx_profile_from_json (name, json);
}

gboolean
sbx_profile_validate_file (const char *path, GError **error)
{
  g_autoptr(json_t) merged = NULL;
  g_autoptr(SbxProfile) profile = NULL;
  g_autofree char *file = is_path (path) ? g_strdup (path) : g_strconcat ("./", path, NULL);

  merged = load_merged (file, NULL, NULL, error);
  if (merged == NULL)
    return FALSE;
  profile = sbx_profile_from_json (file, merged);
  sbx_profile_warn_io_uring (profile);
  return TRUE;
}

void
sbx_profile_warn_io_uring (const SbxProfile *profile)
{
  g_autofree char *denied = profile->seccomp_rules != NULL
                            ? sbx_seccomp_io_uring_bypass (profile->seccomp_rules, profile->caps[SBX_CAPSET_BOUNDING])
                            : g_strdup (profile->seccomp_io_uring_bypass); /* from the cache */

  if (denied != NULL)
    sbx_warning ("profile '%s': linux.seccomp allows io_uring (io_uring_setup, io_uring_enter) but denies "
                 "%s: io_uring's own operations do those without the syscalls, past the filter "
                 "(deny io_uring_setup too, as the default filter does)",
                 profile->name, denied);
}

char *
sbx_profile_to_json (const SbxProfile *profile, gboolean pretty, GError **error)
{
  g_autoptr(json_t) whole = NULL;

  if (profile->effective_json != NULL)
    {
      gsize size;
      const char *text = g_bytes_get_data (profile->effective_json, &size);
      g_autoptr(SbxJsonDoc) doc = NULL;

      if (!pretty)
        return g_strndup (text, size);
      doc = sbx_json_doc_new_from_data ("(the profile cache)", text, size, error);
      return doc != NULL ? sbx_json_to_text (sbx_json_doc_get_root (doc), TRUE, NULL) : NULL;
    }
  if (profile->has_seccomp && profile->seccomp_rules == NULL)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "profile '%s': its seccomp rules are not at hand",
                        profile->name),
           NULL;
  whole = sbx_profile_json_with_member (profile->json, "linux", "seccomp", profile->seccomp_rules);
  return sbx_json_to_text (whole, pretty, NULL);
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
      GResource *builtin = sbx_profile_builtin_resource ();
      g_auto(GStrv) children = builtin != NULL ? g_resource_enumerate_children (builtin, BUILTIN_RESOURCE_PATH, 0, NULL) : NULL;
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
      if (find_profile (sorted[i], G_MAXINT, &source, NULL, &local_error))
        {
          json_t *top = sbx_json_doc_get_root (source.doc);
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
