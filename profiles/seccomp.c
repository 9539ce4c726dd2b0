/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* seccomp.c: seccomp filters from OCI seccomp JSON (and the Docker / containers-common
 * file format) through libseccomp to a BPF program, and its loading.
 *
 * One reader serves both the check and the compiler: it turns the JSON into a Filter of
 * libseccomp values.  Checking, it reports through the document ("file:line:col: path:");
 * compiling an already checked, possibly merged node, it names the path alone.
 *
 * Semantics worth knowing:
 * - A syscall name libseccomp does not know fails a rule that denies (a typo must not
 *   weaken a deny list) and is skipped in an allow or log rule (as runc does).
 * - Two conditions on one argument in one rule are refused: libseccomp 2.5 cannot AND
 *   them, and runc's way (one rule per condition, ORed) would widen an allow rule.
 * - Overlapping rules are libseccomp's business, as with runc: the first unconditional rule
 *   for a syscall wins, and an unconditional rule overrides conditional ones.
 * - A rule whose action is the default action is left out (libseccomp refuses it).
 * - Docker's includes/excludes: "caps" against the bounding set (includes: all present;
 *   excludes: any present), "arches" against the native architecture (Go names: amd64),
 *   "minKernel" against the running kernel's MAJOR.MINOR.  "archMap" adds the entry of the
 *   native architecture and its subArchitectures.
 * - Calls from an architecture the filter does not list (i386 int 0x80 or x32 calls in an
 *   x86_64-only filter) kill the whole process, not only the calling thread. */
#include "seccomp-filter.h"
#include "io-uring-ops.h"
#include "seccomp-arches.h"
#include "sbx-error.h"
#include "spelling.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#define MAX_ARGS 6
#define MAX_ERRNO 4095

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (scmp_filter_ctx, seccomp_release, NULL)

/* --------------------------------------------------------------------------- tables */

typedef struct {
  const char *name;
  uint32_t action; /* SCMP_ACT_ERRNO and SCMP_ACT_TRACE: without the errno */
  gboolean takes_errno;
  gboolean allows; /* unknown syscall names are skipped in such rules */
} ActionInfo;

static const ActionInfo actions[] = {
  { "SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, FALSE, FALSE },
  { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, FALSE, FALSE },
  { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, FALSE, FALSE },
  { "SCMP_ACT_TRAP", SCMP_ACT_TRAP, FALSE, FALSE },
  { "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO (0), TRUE, FALSE },
  { "SCMP_ACT_TRACE", SCMP_ACT_TRACE (0), TRUE, FALSE },
  { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, FALSE, TRUE },
  { "SCMP_ACT_LOG", SCMP_ACT_LOG, FALSE, TRUE },
};

static const struct {
  const char *name;
  enum scmp_compare op;
} operators[] = {
  { "SCMP_CMP_NE", SCMP_CMP_NE },
  { "SCMP_CMP_LT", SCMP_CMP_LT },
  { "SCMP_CMP_LE", SCMP_CMP_LE },
  { "SCMP_CMP_EQ", SCMP_CMP_EQ },
  { "SCMP_CMP_GE", SCMP_CMP_GE },
  { "SCMP_CMP_GT", SCMP_CMP_GT },
  { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static const struct {
  const char *name;
  guint flag;
} filter_flags[] = {
  { "SECCOMP_FILTER_FLAG_TSYNC", 0 }, /* the sandbox is single-threaded when it loads */
  { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
  { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
};

static const char * const root_keys[] = {
  "defaultAction", "defaultErrnoRet", "defaultErrno", "architectures", "archMap", "flags",
  "listenerPath", "listenerMetadata", "syscalls", NULL
};
static const char * const rule_keys[] = {
  "names", "name", "action", "errnoRet", "errno", "args", "comment", "includes", "excludes", NULL
};
static const char * const arg_keys[] = { "index", "value", "valueTwo", "op", NULL };
static const char * const condition_keys[] = { "caps", "arches", "minKernel", NULL };
static const char * const arch_map_keys[] = { "architecture", "subArchitectures", NULL };

/* ----------------------------------------------------------------------- the model */

typedef struct {
  guint major, minor; /* 0.0: none */
} KernelVersion;

typedef struct {
  GPtrArray *names; /* the syscalls to add (unknown names already left out) */
  uint32_t action;
  struct scmp_arg_cmp conds[MAX_ARGS];
  guint n_conds;
  guint64 include_caps, exclude_caps;
  gboolean arch_included, arch_excluded;
  KernelVersion include_kernel, exclude_kernel;
} Rule;

typedef struct {
  uint32_t default_action;
  GArray *arches;        /* uint32_t: what the filter covers besides the native architecture */
  GArray *listed_arches; /* uint32_t: every architecture named, for knowing syscall names */
  guint flags;
  GPtrArray *rules; /* Rule */
} Filter;

static void
rule_free (Rule *rule)
{
  g_ptr_array_unref (rule->names);
  g_free (rule);
}

static void
filter_clear (Filter *filter)
{
  g_clear_pointer (&filter->arches, g_array_unref);
  g_clear_pointer (&filter->listed_arches, g_array_unref);
  g_clear_pointer (&filter->rules, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Filter, filter_clear)

static void
filter_init (Filter *filter)
{
  memset (filter, 0, sizeof *filter);
  filter->arches = g_array_new (FALSE, FALSE, sizeof (uint32_t));
  filter->listed_arches = g_array_new (FALSE, FALSE, sizeof (uint32_t));
  filter->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) rule_free);
}

/* ---------------------------------------------------------------- reading helpers */

typedef struct {
  SbxJsonDoc *doc; /* NULL when compiling: messages then carry the path alone */
} Reader;

static gboolean G_GNUC_PRINTF (4, 5)
  fail (const Reader *r, const char *path, GError **error, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (r->doc != NULL)
    sbx_json_doc_error (r->doc, path, error, "%s", message);
  else
    g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s%s%s", path, *path ? ": " : "", message);
  return FALSE;
}

static gboolean
unknown_key (const Reader *r, const char *path, const char *key, const char * const *known,
             GError **error)
{
  const char *closest = sbx_spelling_suggest (key, known);
  g_autofree char *member = sbx_json_path_member (path, key);

  if (closest != NULL)
    return fail (r, member, error, "unknown key (did you mean '%s'?)", closest);
  return fail (r, member, error, "unknown key");
}

static gboolean
check_keys (const Reader *r, const char *path, json_t *object, const char * const *known,
            GError **error)
{
  const char *key;
  json_t *value;

  json_object_foreach (object, key, value)
    if (!g_strv_contains (known, key))
      return unknown_key (r, path, key, known, error);
  return TRUE;
}

/* The member @key, or NULL when it is absent or null (Go writes empty lists as null). */
static json_t *
member (json_t *object, const char *key)
{
  json_t *node = json_object_get (object, key);

  return node != NULL && !json_is_null (node) ? node : NULL;
}

static gboolean
expect_string (const Reader *r, const char *path, json_t *node, const char **out, GError **error)
{
  if (!json_is_string (node))
    return fail (r, path, error, "expected a string");
  *out = json_string_value (node);
  return TRUE;
}

static gboolean
expect_uint (const Reader *r, const char *path, json_t *node, guint64 max, guint64 *out,
             GError **error)
{
  json_int_t value;

  if (!json_is_integer (node) || (value = json_integer_value (node)) < 0 || (guint64) value > max)
    return fail (r, path, error, "expected an integer from 0 to %" G_GUINT64_FORMAT, max);
  *out = (guint64) value;
  return TRUE;
}

/* Optional string member: *out stays NULL when absent. */
static gboolean
get_string (const Reader *r, const char *path, json_t *object, const char *key,
            const char **out, GError **error)
{
  json_t *node = member (object, key);
  g_autofree char *p = sbx_json_path_member (path, key);

  *out = NULL;
  return node == NULL || expect_string (r, p, node, out, error);
}

/* Optional array member: *out stays NULL when absent. */
static gboolean
get_array (const Reader *r, const char *path, json_t *object, const char *key,
           json_t **out, GError **error)
{
  json_t *node = member (object, key);
  g_autofree char *p = sbx_json_path_member (path, key);

  *out = NULL;
  if (node == NULL)
    return TRUE;
  if (!json_is_array (node))
    return fail (r, p, error, "expected an array");
  *out = node;
  return TRUE;
}

static gboolean
expect_object (const Reader *r, const char *path, json_t *node, const char * const *keys,
               json_t **out, GError **error)
{
  if (!json_is_object (node))
    return fail (r, path, error, "expected an object");
  *out = node;
  return check_keys (r, path, *out, keys, error);
}

/* Calls @each for every element of the array member @key (absent: none), each a string. */
typedef gboolean (*StringFunc) (const Reader *r, const char *path, const char *value,
                                gpointer data, GError **error);

static gboolean
for_each_string (const Reader *r, const char *path, json_t *object, const char *key,
                 StringFunc each, gpointer data, GError **error)
{
  g_autofree char *p = sbx_json_path_member (path, key);
  json_t *array;

  if (!get_array (r, path, object, key, &array, error))
    return FALSE;
  for (gsize i = 0; array != NULL && i < json_array_size (array); i++)
    {
      g_autofree char *element = sbx_json_path_element (p, (guint) i);
      const char *value = NULL;

      if (!expect_string (r, element, json_array_get (array, i), &value, error) ||
          !each (r, element, value, data, error))
        return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------ value parsers */

static int
errno_from_name (const char *name)
{
  for (int e = 1; e <= MAX_ERRNO; e++)
    {
      const char *known = strerrorname_np (e);
      if (known != NULL && g_str_equal (known, name))
        return e;
    }
  return -1;
}

static const ActionInfo *
lookup_action (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (actions); i++)
    if (g_str_equal (actions[i].name, name))
      return &actions[i];
  return NULL;
}

/* An action with its errno: @action_key ("action"), @ret_key ("errnoRet", OCI) and
 * @name_key ("errno", containers-common's errno name, which must agree). */
static gboolean
read_action (const Reader *r, const char *path, json_t *object, const char *action_key,
             const char *ret_key, const char *name_key, uint32_t *out, gboolean *allows,
             GError **error)
{
  g_autofree char *action_path = sbx_json_path_member (path, action_key);
  g_autofree char *ret_path = sbx_json_path_member (path, ret_key);
  g_autofree char *name_path = sbx_json_path_member (path, name_key);
  json_t *action_node = member (object, action_key);
  json_t *ret_node = member (object, ret_key);
  const char *name = NULL, *errno_name = NULL;
  const ActionInfo *info;
  guint64 ret = EPERM;
  int named = -1;

  if (action_node == NULL)
    return fail (r, path, error, "'%s' is missing", action_key);
  if (!expect_string (r, action_path, action_node, &name, error) ||
      !get_string (r, path, object, name_key, &errno_name, error))
    return FALSE;
  if (g_str_equal (name, "SCMP_ACT_NOTIFY"))
    return fail (r, action_path, error, "SCMP_ACT_NOTIFY is not supported (sbx runs no seccomp agent)");
  if ((info = lookup_action (name)) == NULL)
    return fail (r, action_path, error, "unknown seccomp action '%s'", name);
  if ((ret_node != NULL || errno_name != NULL) && !info->takes_errno)
    return fail (r, ret_node != NULL ? ret_path : name_path, error,
                 "an errno applies only to SCMP_ACT_ERRNO and SCMP_ACT_TRACE");
  if (ret_node != NULL && !expect_uint (r, ret_path, ret_node, MAX_ERRNO, &ret, error))
    return FALSE;
  if (errno_name != NULL && (named = errno_from_name (errno_name)) < 0)
    return fail (r, name_path, error, "unknown errno name '%s'", errno_name);
  if (named >= 0 && ret_node != NULL && (guint64) named != ret)
    return fail (r, name_path, error, "'%s' is %d, but %s says %" G_GUINT64_FORMAT,
                 errno_name, named, ret_key, ret);
  if (named >= 0)
    ret = (guint64) named;
  *out = info->takes_errno ? info->action | (uint32_t) ret : info->action;
  if (allows != NULL)
    *allows = info->allows;
  return TRUE;
}

static gboolean
parse_arch (const Reader *r, const char *path, const char *name, uint32_t *out, GError **error)
{
  g_autofree char *lower = NULL;

  if (!g_str_has_prefix (name, "SCMP_ARCH_"))
    return fail (r, path, error, "unknown architecture '%s' (expected SCMP_ARCH_...)", name);
  lower = g_ascii_strdown (name + strlen ("SCMP_ARCH_"), -1);
  if ((*out = seccomp_arch_resolve_name (lower)) == 0)
    return fail (r, path, error, "unknown architecture '%s'", name);
  return TRUE;
}

static gboolean
add_architecture (const Reader *r, const char *path, const char *name, gpointer data, GError **error)
{
  Filter *filter = data;
  uint32_t arch;

  if (!parse_arch (r, path, name, &arch, error))
    return FALSE;
  g_array_append_val (filter->arches, arch);
  g_array_append_val (filter->listed_arches, arch);
  return TRUE;
}

static gboolean
add_sub_architecture (const Reader *r, const char *path, const char *name, gpointer data, GError **error)
{
  GArray **target = data; /* [0]: listed; [1]: the filter's, or NULL (not the native entry) */
  uint32_t arch;

  if (!parse_arch (r, path, name, &arch, error))
    return FALSE;
  g_array_append_val (target[0], arch);
  if (target[1] != NULL)
    g_array_append_val (target[1], arch);
  return TRUE;
}

/* Docker's archMap: [{ "architecture": A, "subArchitectures": [...] }]; only the native
 * architecture's entry goes into the filter. */
static gboolean
read_arch_map (const Reader *r, const char *path, json_t *map, Filter *filter, GError **error)
{
  for (gsize i = 0; i < json_array_size (map); i++)
    {
      g_autofree char *element = sbx_json_path_element (path, (guint) i);
      g_autofree char *arch_path = sbx_json_path_member (element, "architecture");
      json_t *entry = NULL;
      const char *name;
      uint32_t arch;
      GArray *target[2];

      if (!expect_object (r, element, json_array_get (map, i), arch_map_keys, &entry, error) ||
          !get_string (r, element, entry, "architecture", &name, error))
        return FALSE;
      if (name == NULL)
        return fail (r, element, error, "'architecture' is missing");
      if (!parse_arch (r, arch_path, name, &arch, error))
        return FALSE;
      g_array_append_val (filter->listed_arches, arch);
      target[0] = filter->listed_arches;
      target[1] = arch == seccomp_arch_native () ? filter->arches : NULL;
      if (!for_each_string (r, element, entry, "subArchitectures", add_sub_architecture, target, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
add_flag (const Reader *r, const char *path, const char *name, gpointer data, GError **error)
{
  guint *flags = data;

  for (gsize i = 0; i < G_N_ELEMENTS (filter_flags); i++)
    if (g_str_equal (filter_flags[i].name, name))
      {
        *flags |= filter_flags[i].flag;
        return TRUE;
      }
  if (g_str_equal (name, "SECCOMP_FILTER_FLAG_NEW_LISTENER") ||
      g_str_equal (name, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"))
    return fail (r, path, error, "'%s' is not supported (sbx runs no seccomp agent)", name);
  return fail (r, path, error, "unknown seccomp flag '%s'", name);
}

static gboolean
check_no_listener (const Reader *r, const char *path, json_t *object, GError **error)
{
  static const char * const keys[] = { "listenerPath", "listenerMetadata" };

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *p = sbx_json_path_member (path, keys[i]);
      const char *value;

      if (!get_string (r, path, object, keys[i], &value, error))
        return FALSE;
      if (value != NULL && *value)
        return fail (r, p, error, "not supported (sbx runs no seccomp agent)");
    }
  return TRUE;
}

/* ------------------------------------------------------------------------- rules */

typedef struct {
  Rule *rule;
  gboolean allows;
  const GArray *listed_arches;
} NameContext;

static gboolean
syscall_known (const char *name, const GArray *arches)
{
  if (seccomp_syscall_resolve_name (name) != __NR_SCMP_ERROR)
    return TRUE;
  for (guint i = 0; i < arches->len; i++)
    if (seccomp_syscall_resolve_name_arch (g_array_index (arches, uint32_t, i), name) != __NR_SCMP_ERROR)
      return TRUE;
  return FALSE;
}

static gboolean
add_syscall_name (const Reader *r, const char *path, const char *name, gpointer data, GError **error)
{
  NameContext *ctx = data;

  if (syscall_known (name, ctx->listed_arches))
    g_ptr_array_add (ctx->rule->names, g_strdup (name));
  else if (!ctx->allows)
    {
      const struct scmp_version *v = seccomp_version ();
      return fail (r, path, error, "unknown syscall '%s' (libseccomp %u.%u.%u does not know it; "
                                   "a deny rule must name only syscalls it can deny)",
                   name, v->major, v->minor, v->micro);
    }
  return TRUE;
}

/* OCI "names": [...] or Docker's "name": "...", not both. */
static gboolean
read_names (const Reader *r, const char *path, json_t *object, NameContext *ctx, GError **error)
{
  g_autofree char *name_path = sbx_json_path_member (path, "name");
  const char *single;

  if (!get_string (r, path, object, "name", &single, error))
    return FALSE;
  if (single != NULL && member (object, "names") != NULL)
    return fail (r, name_path, error, "give either 'name' or 'names', not both");
  if (single != NULL)
    return add_syscall_name (r, name_path, single, ctx, error);
  if (member (object, "names") == NULL)
    return fail (r, path, error, "'names' is missing");
  return for_each_string (r, path, object, "names", add_syscall_name, ctx, error);
}

static gboolean
lookup_operator (const char *name, enum scmp_compare *out)
{
  for (gsize i = 0; i < G_N_ELEMENTS (operators); i++)
    if (g_str_equal (operators[i].name, name))
      {
        *out = operators[i].op;
        return TRUE;
      }
  return FALSE;
}

/* { "index": 0-5, "value": V, "valueTwo": V2, "op": "SCMP_CMP_..." }.  For MASKED_EQ,
 * value is the mask and valueTwo the datum, as runc and crun read them. */
static gboolean
read_condition (const Reader *r, const char *path, json_t *node, struct scmp_arg_cmp *out,
                GError **error)
{
  static const char * const required[] = { "index", "value", "op" };
  g_autofree char *index_path = sbx_json_path_member (path, "index");
  g_autofree char *value_path = sbx_json_path_member (path, "value");
  g_autofree char *value2_path = sbx_json_path_member (path, "valueTwo");
  g_autofree char *op_path = sbx_json_path_member (path, "op");
  json_t *object = NULL;
  guint64 index = 0, value = 0, value_two = 0;
  const char *op = NULL;

  if (!expect_object (r, path, node, arg_keys, &object, error))
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (required); i++)
    if (member (object, required[i]) == NULL)
      return fail (r, path, error, "'%s' is missing", required[i]);
  if (!expect_uint (r, index_path, member (object, "index"), MAX_ARGS - 1, &index, error) ||
      !expect_uint (r, value_path, member (object, "value"), G_MAXINT64, &value, error) ||
      (member (object, "valueTwo") != NULL &&
       !expect_uint (r, value2_path, member (object, "valueTwo"), G_MAXINT64, &value_two, error)) ||
      !expect_string (r, op_path, member (object, "op"), &op, error))
    return FALSE;
  if (!lookup_operator (op, &out->op))
    return fail (r, op_path, error, "unknown seccomp operator '%s'", op);
  out->arg = (unsigned int) index;
  out->datum_a = value;
  out->datum_b = value_two;
  return TRUE;
}

static gboolean
read_conditions (const Reader *r, const char *path, json_t *object, Rule *rule, GError **error)
{
  g_autofree char *args_path = sbx_json_path_member (path, "args");
  json_t *args;
  guint seen = 0;

  if (!get_array (r, path, object, "args", &args, error))
    return FALSE;
  for (gsize i = 0; args != NULL && i < json_array_size (args); i++)
    {
      g_autofree char *element = sbx_json_path_element (args_path, (guint) i);
      struct scmp_arg_cmp cond;

      if (!read_condition (r, element, json_array_get (args, i), &cond, error))
        return FALSE;
      if (seen & (1u << cond.arg))
        return fail (r, element, error, "a second condition on argument %u: libseccomp cannot "
                                        "combine them in one rule (write separate rules)",
                     cond.arg);
      seen |= 1u << cond.arg;
      rule->conds[rule->n_conds++] = cond;
    }
  return TRUE;
}

static gboolean
add_capability (const Reader *r, const char *path, const char *name, gpointer data, GError **error)
{
  guint64 *caps = data;
  cap_value_t cap;

  if (g_ascii_strncasecmp (name, "CAP_", 4) != 0 || !g_ascii_isalpha (name[4]) ||
      cap_from_name (name, &cap) != 0 || cap < 0 || cap > 63)
    return fail (r, path, error, "unknown capability '%s'", name);
  *caps |= G_GUINT64_CONSTANT (1) << cap;
  return TRUE;
}

static gboolean
match_go_arch (const Reader *r, const char *path, const char *name, gpointer data, GError **error)
{
  gboolean *native = data;

  uint32_t arch;

  if (sbx_seccomp_go_arch (name, &arch))
    {
      if (arch != 0 && arch == seccomp_arch_native ())
        *native = TRUE;
      return TRUE;
    }
  return fail (r, path, error, "unknown architecture '%s' (expected Go's names: amd64, arm64, ...)", name);
}

static gboolean
parse_kernel_version (const char *s, KernelVersion *out)
{
  g_auto(GStrv) parts = g_strsplit (s, ".", 3);
  guint64 major, minor;

  if (g_strv_length (parts) != 2 ||
      !g_ascii_string_to_unsigned (parts[0], 10, 1, 1000, &major, NULL) ||
      !g_ascii_string_to_unsigned (parts[1], 10, 0, 1000, &minor, NULL))
    return FALSE;
  out->major = (guint) major;
  out->minor = (guint) minor;
  return TRUE;
}

/* includes / excludes: { "caps": [...], "arches": [...], "minKernel": "5.8" }. */
static gboolean
read_rule_filter (const Reader *r, const char *path, json_t *object, const char *key,
                  guint64 *caps, gboolean *arch_listed, gboolean *has_arches,
                  KernelVersion *kernel, GError **error)
{
  g_autofree char *p = sbx_json_path_member (path, key);
  g_autofree char *kernel_path = sbx_json_path_member (p, "minKernel");
  json_t *node = member (object, key);
  json_t *filter = NULL;
  json_t *arches = NULL;
  const char *min_kernel = NULL;

  if (node == NULL)
    return TRUE;
  if (!expect_object (r, p, node, condition_keys, &filter, error) ||
      !for_each_string (r, p, filter, "caps", add_capability, caps, error) ||
      !for_each_string (r, p, filter, "arches", match_go_arch, arch_listed, error) ||
      !get_array (r, p, filter, "arches", &arches, error) ||
      !get_string (r, p, filter, "minKernel", &min_kernel, error))
    return FALSE;
  *has_arches = arches != NULL && json_array_size (arches) > 0;
  if (min_kernel != NULL && !parse_kernel_version (min_kernel, kernel))
    return fail (r, kernel_path, error, "'%s' is not a kernel version MAJOR.MINOR", min_kernel);
  return TRUE;
}

static gboolean
read_rule (const Reader *r, const char *path, json_t *node, Filter *filter, GError **error)
{
  json_t *object = NULL;
  Rule *rule;
  NameContext names;
  gboolean include_native = FALSE, include_given = FALSE, exclude_given = FALSE;
  const char *comment;

  if (!expect_object (r, path, node, rule_keys, &object, error))
    return FALSE;
  rule = g_new0 (Rule, 1);
  rule->names = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (filter->rules, rule);
  names = (NameContext) { rule, FALSE, filter->listed_arches };
  if (!get_string (r, path, object, "comment", &comment, error) ||
      !read_action (r, path, object, "action", "errnoRet", "errno", &rule->action, &names.allows, error) ||
      !read_names (r, path, object, &names, error) ||
      !read_conditions (r, path, object, rule, error) ||
      !read_rule_filter (r, path, object, "includes", &rule->include_caps, &include_native,
                         &include_given, &rule->include_kernel, error) ||
      !read_rule_filter (r, path, object, "excludes", &rule->exclude_caps, &rule->arch_excluded,
                         &exclude_given, &rule->exclude_kernel, error))
    return FALSE;
  rule->arch_included = !include_given || include_native;
  return TRUE;
}

/* ------------------------------------------------------------------ the whole filter */

static gboolean
read_filter (const Reader *r, const char *path, json_t *node, Filter *filter, GError **error)
{
  g_autofree char *map_path = sbx_json_path_member (path, "archMap");
  g_autofree char *syscalls_path = sbx_json_path_member (path, "syscalls");
  json_t *object = NULL;
  json_t *arch_map, *syscalls;

  if (!expect_object (r, path, node, root_keys, &object, error) ||
      !read_action (r, path, object, "defaultAction", "defaultErrnoRet", "defaultErrno",
                    &filter->default_action, NULL, error) ||
      !for_each_string (r, path, object, "architectures", add_architecture, filter, error) ||
      !get_array (r, path, object, "archMap", &arch_map, error) ||
      !for_each_string (r, path, object, "flags", add_flag, &filter->flags, error) ||
      !check_no_listener (r, path, object, error) ||
      !get_array (r, path, object, "syscalls", &syscalls, error))
    return FALSE;
  if (arch_map != NULL && json_array_size (arch_map) > 0 && filter->arches->len > 0)
    return fail (r, map_path, error, "give either 'architectures' or 'archMap', not both");
  if (arch_map != NULL && !read_arch_map (r, map_path, arch_map, filter, error))
    return FALSE;
  for (gsize i = 0; syscalls != NULL && i < json_array_size (syscalls); i++)
    {
      g_autofree char *element = sbx_json_path_element (syscalls_path, (guint) i);
      if (!read_rule (r, element, json_array_get (syscalls, i), filter, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
sbx_seccomp_check (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  Reader reader = { doc };
  g_auto(Filter) filter = { 0 };

  filter_init (&filter);
  return read_filter (&reader, path, node, &filter, error);
}

/* ------------------------------------------------------------------------ compiling */

static KernelVersion
running_kernel (void)
{
  KernelVersion version = { 0, 0 };
  struct utsname u;

  if (uname (&u) == 0)
    sscanf (u.release, "%u.%u", &version.major, &version.minor);
  return version;
}

static gboolean
kernel_at_least (const KernelVersion *kernel, const KernelVersion *wanted)
{
  return kernel->major > wanted->major ||
         (kernel->major == wanted->major && kernel->minor >= wanted->minor);
}

static gboolean
rule_applies (const Rule *rule, guint64 bounding_caps, const KernelVersion *kernel)
{
  if ((rule->include_caps & bounding_caps) != rule->include_caps ||
      (rule->exclude_caps & bounding_caps) != 0)
    return FALSE;
  if (!rule->arch_included || rule->arch_excluded)
    return FALSE;
  if (rule->include_kernel.major != 0 && !kernel_at_least (kernel, &rule->include_kernel))
    return FALSE;
  if (rule->exclude_kernel.major != 0 && kernel_at_least (kernel, &rule->exclude_kernel))
    return FALSE;
  return TRUE;
}

static gboolean
set_attributes (scmp_filter_ctx ctx, GError **error)
{
  static const struct {
    enum scmp_filter_attr attr;
    uint32_t value;
    const char *what;
  } attrs[] = {
    { SCMP_FLTATR_CTL_NNP, 0, "leave no_new_privs to sbx" },
    { SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS, "kill calls from other architectures" },
    { SCMP_FLTATR_CTL_OPTIMIZE, 2, "sort the syscalls into a binary tree" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (attrs); i++)
    {
      int rc = seccomp_attr_set (ctx, attrs[i].attr, attrs[i].value);
      if (rc < 0)
        return sbx_set_error_from_errno (error, -rc, "libseccomp: %s", attrs[i].what);
    }
  return TRUE;
}

/* Architectures of another byte order cannot be in one filter with the native one, and
 * can never call here: they are left out. */
static gboolean
add_arches (scmp_filter_ctx ctx, const GArray *arches, GError **error)
{
  for (guint i = 0; i < arches->len; i++)
    {
      uint32_t arch = g_array_index (arches, uint32_t, i);
      int rc = seccomp_arch_add (ctx, arch);

      if (rc < 0 && rc != -EEXIST && rc != -EDOM)
        return sbx_set_error_from_errno (error, -rc, "libseccomp: add architecture %#x", arch);
    }
  return TRUE;
}

static gboolean
add_rule (scmp_filter_ctx ctx, const Rule *rule, guint index, GError **error)
{
  for (guint i = 0; i < rule->names->len; i++)
    {
      const char *name = g_ptr_array_index (rule->names, i);
      int nr = seccomp_syscall_resolve_name (name);
      int rc;

      if (nr == __NR_SCMP_ERROR)
        continue; /* known to a listed architecture only */
      rc = seccomp_rule_add_array (ctx, rule->action, nr, rule->n_conds, rule->conds);
      if (rc == -EEXIST)
        {
          g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "syscalls[%u]: an earlier rule for %s "
                                                                "has the same conditions and another action",
                       index, name);
          return FALSE;
        }
      if (rc < 0)
        return sbx_set_error_from_errno (error, -rc, "syscalls[%u]: libseccomp: add the rule for %s",
                                         index, name);
    }
  return TRUE;
}

static GBytes *
export_bpf (scmp_filter_ctx ctx, GError **error)
{
  int fd = memfd_create ("sbx-seccomp", MFD_CLOEXEC);
  g_autofree guint8 *data = NULL;
  off_t size;
  ssize_t n = 0;
  int rc;

  if (fd < 0)
    {
      sbx_set_error_from_errno (error, errno, "memfd_create");
      return NULL;
    }
  if ((rc = seccomp_export_bpf (ctx, fd)) < 0 || (size = lseek (fd, 0, SEEK_END)) < 0 ||
      size % (off_t) sizeof (struct sock_filter) != 0 ||
      (data = g_malloc (size > 0 ? (gsize) size : 1),
       (n = pread (fd, data, (size_t) size, 0)) != size))
    {
      int errsv = rc < 0 ? -rc : n < 0 ? errno
                                       : EIO;
      close (fd);
      sbx_set_error_from_errno (error, errsv, "libseccomp: export the BPF program");
      return NULL;
    }
  close (fd);
  if ((gsize) size / sizeof (struct sock_filter) > BPF_MAXINSNS)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                   "the filter compiles to %zu BPF instructions; the kernel takes at most %d",
                   (gsize) size / sizeof (struct sock_filter), BPF_MAXINSNS);
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&data), (gsize) size);
}

static gboolean
build_program (const Filter *filter, guint64 bounding_caps, SbxSeccompProgram *out, GError **error)
{
  g_auto(scmp_filter_ctx) ctx = seccomp_init (filter->default_action);
  KernelVersion kernel = running_kernel ();

  if (ctx == NULL)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED,
                   "libseccomp: cannot start a filter with default action %#x", filter->default_action);
      return FALSE;
    }
  if (!set_attributes (ctx, error) || !add_arches (ctx, filter->arches, error))
    return FALSE;
  for (guint i = 0; i < filter->rules->len; i++)
    {
      const Rule *rule = g_ptr_array_index (filter->rules, i);
      if (rule->action != filter->default_action && rule_applies (rule, bounding_caps, &kernel) &&
          !add_rule (ctx, rule, i, error))
        return FALSE;
    }
  if ((out->program = export_bpf (ctx, error)) == NULL)
    return FALSE;
  out->flags = filter->flags;
  return TRUE;
}

gboolean
sbx_seccomp_compile (json_t *node, guint64 bounding_caps, SbxSeccompProgram *out, GError **error)
{
  Reader reader = { NULL };
  g_auto(Filter) filter = { 0 };

  memset (out, 0, sizeof *out);
  filter_init (&filter);
  return read_filter (&reader, "", node, &filter, error) &&
         build_program (&filter, bounding_caps, out, error);
}

/* ------------------------------------------------------------- io_uring's bypass */

static gboolean
names_syscall (const Rule *rule, int nr)
{
  for (guint i = 0; i < rule->names->len; i++)
    if (seccomp_syscall_resolve_name (g_ptr_array_index (rule->names, i)) == nr)
      return TRUE;
  return FALSE;
}

static gboolean
is_allow (uint32_t action)
{
  return action == SCMP_ACT_ALLOW || action == SCMP_ACT_LOG;
}

/* How @filter treats syscall @name: *denied_all when every call is refused, *denied_some
 * when some are (a deny rule with conditions, or a default deny with conditional allows). */
static void
syscall_verdict (const Filter *filter, const char *name, guint64 caps, gboolean *denied_all,
                 gboolean *denied_some)
{
  KernelVersion kernel = running_kernel ();
  int nr = seccomp_syscall_resolve_name (name);
  gboolean any_rule = FALSE;

  *denied_all = *denied_some = FALSE;
  for (guint i = 0; nr != __NR_SCMP_ERROR && i < filter->rules->len; i++)
    {
      const Rule *rule = g_ptr_array_index (filter->rules, i);

      if (!rule_applies (rule, caps, &kernel) || !names_syscall (rule, nr))
        continue;
      if (rule->n_conds == 0) /* the first unconditional rule decides */
        {
          *denied_all = !is_allow (rule->action);
          *denied_some = *denied_some || *denied_all;
          return;
        }
      any_rule = TRUE;
      *denied_some = *denied_some || !is_allow (rule->action);
    }
  if (!is_allow (filter->default_action))
    {
      *denied_all = !any_rule;
      *denied_some = TRUE;
    }
}

char *
sbx_seccomp_io_uring_bypass (json_t *node, guint64 bounding_caps)
{
  static const char * const ring[] = { "io_uring_setup", "io_uring_enter" };
  Reader reader = { NULL };
  g_auto(Filter) filter = { 0 };
  g_autoptr(GString) names = g_string_new (NULL);
  gsize n_ops;
  const SbxIoUringOp *ops = sbx_io_uring_ops (&n_ops);
  gboolean all, some;

  filter_init (&filter);
  if (node == NULL || !read_filter (&reader, "", node, &filter, NULL))
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (ring); i++)
    {
      syscall_verdict (&filter, ring[i], bounding_caps, &all, &some);
      if (all)
        return NULL;
    }
  for (gsize i = 0; i < n_ops; i++)
    {
      syscall_verdict (&filter, ops[i].syscall, bounding_caps, &all, &some);
      if (some)
        g_string_append_printf (names, "%s%s", names->len ? ", " : "", ops[i].syscall);
    }
  return names->len ? g_string_free (g_steal_pointer (&names), FALSE) : NULL;
}
