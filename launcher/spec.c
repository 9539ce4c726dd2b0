/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* spec.c: the effective profile and an image's config as an OCI runtime config.json (what
 * goes where: spec.h).  Built from the SbxProfile where it holds the resolved value (mounts
 * with "~" expanded and sbx.desktop's sockets, env, user, capabilities as masks) and from
 * the merged profile JSON where OCI's own shape is kept (rlimits, namespaces, resources,
 * seccomp, annotations). */
#include "spec.h"
#include "json-util.h"
#include "accounts.h"
#include "defaults.h"
#include "profile-private.h"
#include "sbx-error.h"

#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define OCI_VERSION "1.0.2"
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* Stands for RLIM_INFINITY in the tree until sbx_spec_to_data() writes it as a uint64. */
#define RLIM_INFINITY_MARK "\001sbx:RLIM_INFINITY"
#define RLIM_INFINITY_TEXT "18446744073709551615"

/* ------------------------------------------------------------------ small helpers */

static JsonArray *
string_array (const char * const *strv)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_array_add_string_element (array, strv[i]);
  return array;
}

/* "a,b,c" -> ["a", "b", "c"]. */
static JsonArray *
option_array (const char *options)
{
  g_auto(GStrv) parts = g_strsplit (options, ",", -1);
  return string_array ((const char * const *) parts);
}

/* ------------------------------------------------------------------ the user */

/* The profile's process.user (as numbers), else the image's User. */
static gboolean
settle_user (const SbxSpecSource *source, SbxAccount *user, GError **error)
{
  const SbxProfile *profile = source->profile;
  g_autofree char *spec = NULL;

  if (profile->have_user)
    spec = g_strdup_printf ("%u:%u", (guint) profile->uid, (guint) profile->gid);
  else
    spec = g_strdup (source->image->user);
  if (!sbx_account_resolve (source->rootfs_fd, spec, profile->additional_gids, user, error))
    return g_prefix_error (error, "image '%s': ", source->image->name), FALSE;
  return TRUE;
}

static JsonObject *
user_object (const SbxProfile *profile, const SbxAccount *user)
{
  JsonObject *object = json_object_new ();

  json_object_set_int_member (object, "uid", user->uid);
  json_object_set_int_member (object, "gid", user->gid);
  if (profile->have_umask)
    json_object_set_int_member (object, "umask", profile->umask);
  if (user->groups->len > 0)
    {
      JsonArray *gids = json_array_new ();
      for (guint i = 0; i < user->groups->len; i++)
        json_array_add_int_element (gids, g_array_index (user->groups, gid_t, i));
      json_object_set_array_member (object, "additionalGids", gids);
    }
  return object;
}

/* ------------------------------------------------------------------ process */

/* The profile's process.args, else Docker's rule: Entrypoint + Cmd. */
static char **
command_args (const SbxSpecSource *source, GError **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;

  if (source->profile->args != NULL)
    g_strv_builder_addv (builder, (const char **) source->profile->args);
  else
    {
      if (source->image->entrypoint != NULL)
        g_strv_builder_addv (builder, (const char **) source->image->entrypoint);
      if (source->image->cmd != NULL)
        g_strv_builder_addv (builder, (const char **) source->image->cmd);
    }
  args = g_strv_builder_end (builder);
  if (args[0] == NULL || *args[0] == '\0')
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                   "image '%s' has no Entrypoint or Cmd and profile '%s' no process.args: nothing to run",
                   source->image->name, source->profile->name);
      return NULL;
    }
  return g_steal_pointer (&args);
}

/* The image's Env, then the profile's; PATH and HOME when neither sets them. */
static char **
command_env (const SbxSpecSource *source, const SbxAccount *user)
{
  char **env = g_strdupv (source->image->env);
  char **profile_env = source->profile->env;

  for (guint i = 0; profile_env != NULL && profile_env[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (profile_env[i], "=", 2);
      env = g_environ_setenv (env, kv[0], kv[1] != NULL ? kv[1] : "", TRUE);
    }
  env = g_environ_setenv (env, "PATH", DEFAULT_PATH, FALSE);
  env = g_environ_setenv (env, "HOME", user->home, FALSE);
  return env;
}

static JsonObject *
capabilities_object (const SbxProfile *profile)
{
  static const char * const sets[SBX_N_CAPSETS] = {
    [SBX_CAPSET_BOUNDING] = "bounding",
    [SBX_CAPSET_EFFECTIVE] = "effective",
    [SBX_CAPSET_INHERITABLE] = "inheritable",
    [SBX_CAPSET_PERMITTED] = "permitted",
    [SBX_CAPSET_AMBIENT] = "ambient",
  };
  JsonObject *object = json_object_new ();

  for (int set = 0; set < SBX_N_CAPSETS; set++)
    {
      JsonArray *names = json_array_new ();
      for (int cap = 0; cap < 64; cap++)
        if (profile->caps[set] & (G_GUINT64_CONSTANT (1) << cap))
          {
            char *name = cap_to_name (cap);
            g_autofree char *upper = g_ascii_strup (name, -1);
            cap_free (name);
            json_array_add_string_element (names, upper);
          }
      json_object_set_array_member (object, sets[set], names);
    }
  return object;
}

static JsonNode *
rlimit_value_node (JsonNode *value)
{
  rlim_t limit = sbx_rlimit_value (value);
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  if (limit == RLIM_INFINITY)
    json_node_set_string (node, RLIM_INFINITY_MARK);
  else
    json_node_set_int (node, (gint64) limit);
  return node;
}

static JsonArray *
rlimits_array (JsonArray *rlimits)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < json_array_get_length (rlimits); i++)
    {
      JsonObject *in = json_array_get_object_element (rlimits, i);
      JsonObject *out = json_object_new ();

      json_object_set_string_member (out, "type", json_object_get_string_member (in, "type"));
      json_object_set_member (out, "hard", rlimit_value_node (json_object_get_member (in, "hard")));
      json_object_set_member (out, "soft", rlimit_value_node (json_object_get_member (in, "soft")));
      json_array_add_object_element (array, out);
    }
  return array;
}

static JsonObject *
process_object (const SbxSpecSource *source, JsonObject *top, GError **error)
{
  const SbxProfile *profile = source->profile;
  const char *cwd = profile->cwd != NULL ? profile->cwd : source->image->working_dir;
  JsonArray *rlimits = sbx_json_get_array (sbx_json_get_object (top, "process"), "rlimits");
  g_auto(SbxAccount) user = { 0 };
  g_auto(GStrv) args = NULL;
  g_auto(GStrv) env = NULL;
  g_autofree char *abs_cwd = NULL;
  JsonObject *process;

  if ((args = command_args (source, error)) == NULL || !settle_user (source, &user, error))
    return NULL;
  env = command_env (source, &user);
  abs_cwd = g_canonicalize_filename (cwd != NULL && *cwd ? cwd : "/", "/");

  process = json_object_new ();
  json_object_set_boolean_member (process, "terminal", FALSE);
  json_object_set_object_member (process, "user", user_object (profile, &user));
  json_object_set_array_member (process, "args", string_array ((const char * const *) args));
  json_object_set_array_member (process, "env", string_array ((const char * const *) env));
  json_object_set_string_member (process, "cwd", abs_cwd);
  json_object_set_object_member (process, "capabilities", capabilities_object (profile));
  if (rlimits != NULL && json_array_get_length (rlimits) > 0)
    json_object_set_array_member (process, "rlimits", rlimits_array (rlimits));
  json_object_set_boolean_member (process, "noNewPrivileges", profile->no_new_privileges);
  if (profile->have_oom_score_adj)
    json_object_set_int_member (process, "oomScoreAdj", profile->oom_score_adj);
  if (source->apparmor_label != NULL)
    json_object_set_string_member (process, "apparmorProfile", source->apparmor_label);
  else if (source->use_apparmor && profile->apparmor_profile != NULL)
    json_object_set_string_member (process, "apparmorProfile", profile->apparmor_profile);
  return process;
}

/* ------------------------------------------------------------------ namespaces */

typedef struct {
  gboolean uts, ipc, net;
} NamespaceSet;

/* sbx.network.mode, else (as sbx run decides) slirp with a network namespace, host without. */
static gboolean
wants_network_namespace (const SbxProfile *profile, gboolean listed)
{
  const char *mode = profile->network != NULL ? profile->network : listed ? "slirp"
                                                                          : "host";
  return !g_str_equal (mode, "host");
}

static void
add_namespace (JsonArray *array, const char *type)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "type", type);
  json_array_add_object_element (array, object);
}

/* The profile's namespaces (first of each type), user, mount and pid always, network as
 * sbx run would make it. */
static JsonArray *
namespaces_array (const SbxProfile *profile, JsonArray *listed, NamespaceSet *out)
{
  static const char * const always[] = { "user", "mount", "pid" };
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *array = json_array_new ();
  gboolean net_listed = FALSE;

  for (guint i = 0; listed != NULL && i < json_array_get_length (listed); i++)
    net_listed |= g_strcmp0 (json_object_get_string_member_with_default (
                               json_array_get_object_element (listed, i), "type", ""),
                             "network") == 0;
  out->net = wants_network_namespace (profile, net_listed);
  for (guint i = 0; listed != NULL && i < json_array_get_length (listed); i++)
    {
      JsonObject *ns = json_array_get_object_element (listed, i);
      const char *type = json_object_get_string_member_with_default (ns, "type", "");

      if (g_hash_table_contains (seen, type) || (g_str_equal (type, "network") && !out->net))
        continue;
      g_hash_table_add (seen, (gpointer) type);
      json_array_add_element (array, json_node_copy (json_array_get_element (listed, i)));
    }
  for (gsize i = 0; i < G_N_ELEMENTS (always); i++)
    if (!g_hash_table_contains (seen, always[i]))
      add_namespace (array, always[i]);
  if (out->net && !g_hash_table_contains (seen, "network"))
    add_namespace (array, "network");
  out->uts = g_hash_table_contains (seen, "uts");
  out->ipc = g_hash_table_contains (seen, "ipc");
  return array;
}

static JsonArray *
id_mappings (const SbxIdMap *map)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < map->n_ranges; i++)
    {
      JsonObject *range = json_object_new ();
      json_object_set_int_member (range, "containerID", map->ranges[i].inside);
      json_object_set_int_member (range, "hostID", map->ranges[i].outside);
      json_object_set_int_member (range, "size", map->ranges[i].count);
      json_array_add_object_element (array, range);
    }
  return array;
}

/* ------------------------------------------------------------------ mounts */

static JsonObject *
mount_object (const char *destination, const char *type, const char *source, JsonArray *options)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "destination", destination);
  json_object_set_string_member (object, "type", type);
  json_object_set_string_member (object, "source", source);
  if (options != NULL)
    json_object_set_array_member (object, "options", options);
  return object;
}

/* What sbx mounts itself (mounts.c), in `crun spec --rootless`'s shape.  devpts gets gid=5
 * (tty) only when subordinate gids map it, as sbx does. */
static void
add_standard_mounts (GPtrArray *mounts, const NamespaceSet *ns, const SbxIdLayout *ids)
{
  const char *pts = ids->single ? "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620"
                                : "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5";

  g_ptr_array_add (mounts, mount_object ("/proc", "proc", "proc", NULL));
  g_ptr_array_add (mounts, mount_object ("/dev", "tmpfs", "tmpfs",
                                         option_array ("nosuid,strictatime,mode=755,size=65536k")));
  g_ptr_array_add (mounts, mount_object ("/dev/pts", "devpts", "devpts", option_array (pts)));
  g_ptr_array_add (mounts, mount_object ("/dev/shm", "tmpfs", "shm",
                                         option_array ("nosuid,noexec,nodev,mode=1777,size=65536k")));
  /* An mqueue mount needs the ipc namespace; a fresh sysfs the network namespace. */
  if (ns->ipc)
    g_ptr_array_add (mounts, mount_object ("/dev/mqueue", "mqueue", "mqueue",
                                           option_array ("nosuid,noexec,nodev")));
  if (ns->net)
    g_ptr_array_add (mounts, mount_object ("/sys", "sysfs", "sysfs",
                                           option_array ("nosuid,noexec,nodev,ro")));
  else
    g_ptr_array_add (mounts, mount_object ("/sys", "bind", "/sys",
                                           option_array ("rbind,nosuid,noexec,nodev,ro")));
}

/* A profile mount's options back in OCI's words. */
static JsonArray *
mount_options (const SbxMount *mount)
{
  static const struct {
    unsigned long attr;
    const char *set, *clr;
  } attrs[] = {
    { MOUNT_ATTR_RDONLY, "ro", "rw" },
    { MOUNT_ATTR_NOSUID, "nosuid", "suid" },
    { MOUNT_ATTR_NODEV, "nodev", "dev" },
    { MOUNT_ATTR_NOEXEC, "noexec", "exec" },
    { MOUNT_ATTR_NOSYMFOLLOW, "nosymfollow", NULL },
    { MOUNT_ATTR_NOATIME, "noatime", NULL },
    { MOUNT_ATTR_STRICTATIME, "strictatime", NULL },
    { MOUNT_ATTR_NODIRATIME, "nodiratime", NULL },
  };
  JsonArray *options = json_array_new ();

  if (mount->kind == SBX_MOUNT_BIND)
    json_array_add_string_element (options, mount->recursive ? "rbind" : "bind");
  for (gsize i = 0; i < G_N_ELEMENTS (attrs); i++)
    if (mount->attr_set & attrs[i].attr)
      json_array_add_string_element (options, attrs[i].set);
    else if ((mount->attr_clr & attrs[i].attr) && attrs[i].clr != NULL)
      json_array_add_string_element (options, attrs[i].clr);
  if (mount->kind == SBX_MOUNT_TMPFS && mount->data != NULL)
    {
      g_auto(GStrv) data = g_strsplit (mount->data, ",", -1);
      for (guint i = 0; data[i] != NULL; i++)
        json_array_add_string_element (options, data[i]);
    }
  return options;
}

/* The standard mounts, then the profile's; one on a standard destination takes its place. */
static JsonArray *
mounts_array (const SbxProfile *profile, const NamespaceSet *ns, const SbxIdLayout *ids)
{
  g_autoptr(GPtrArray) mounts = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  guint n_standard;
  JsonArray *array = json_array_new ();

  add_standard_mounts (mounts, ns, ids);
  n_standard = mounts->len;
  for (guint i = 0; i < profile->mounts->len; i++)
    {
      const SbxMount *m = g_ptr_array_index (profile->mounts, i);
      gboolean bind = m->kind == SBX_MOUNT_BIND;
      JsonObject *object = mount_object (m->destination, bind ? "bind" : "tmpfs",
                                         bind ? m->source : "tmpfs", mount_options (m));
      guint j;

      for (j = 0; j < n_standard; j++)
        if (g_str_equal (json_object_get_string_member (g_ptr_array_index (mounts, j), "destination"),
                         m->destination))
          break;
      if (j < n_standard)
        {
          json_object_unref (g_ptr_array_index (mounts, j));
          g_ptr_array_index (mounts, j) = object;
        }
      else
        g_ptr_array_add (mounts, object);
    }
  for (guint i = 0; i < mounts->len; i++)
    json_array_add_object_element (array, json_object_ref (g_ptr_array_index (mounts, i)));
  return array;
}

/* ------------------------------------------------------------------ the rest */

static JsonObject *
linux_object (const SbxSpecSource *source, JsonObject *top, NamespaceSet *ns)
{
  const SbxProfile *profile = source->profile;
  JsonObject *in = sbx_json_get_object (top, "linux");
  JsonObject *resources = sbx_json_get_object (in, "resources");
  JsonObject *object = json_object_new ();

  json_object_set_array_member (object, "namespaces",
                                namespaces_array (profile, sbx_json_get_array (in, "namespaces"), ns));
  json_object_set_array_member (object, "uidMappings", id_mappings (&source->ids->uid_map));
  json_object_set_array_member (object, "gidMappings", id_mappings (&source->ids->gid_map));
  json_object_set_array_member (object, "maskedPaths",
                                string_array ((const char * const *) profile->masked_paths));
  json_object_set_array_member (object, "readonlyPaths",
                                string_array ((const char * const *) profile->readonly_paths));
  if (profile->seccomp_rules != NULL)
    json_object_set_member (object, "seccomp", json_node_copy (profile->seccomp_rules));
  if (resources != NULL)
    json_object_set_member (object, "resources", json_node_copy (json_object_get_member (in, "resources")));
  return object;
}

static JsonObject *
annotations_object (const SbxSpecSource *source, JsonObject *top)
{
  JsonObject *in = sbx_json_get_object (top, "annotations");
  JsonObject *object = json_object_new ();
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  if (in != NULL)
    {
      json_object_iter_init (&iter, in);
      while (json_object_iter_next (&iter, &key, &value))
        json_object_set_member (object, key, json_node_copy (value));
    }
  json_object_set_string_member (object, "org.sbx.image", source->image->name);
  json_object_set_string_member (object, "org.sbx.profile", source->profile->name);
  return object;
}

JsonNode *
sbx_spec_build (const SbxSpecSource *source, GError **error)
{
  const SbxProfile *profile = source->profile;
  JsonObject *top = json_node_get_object (profile->json);
  g_autoptr(JsonObject) config = json_object_new ();
  JsonObject *process = process_object (source, top, error);
  JsonObject *root;
  JsonNode *node;
  NamespaceSet ns = { 0 };
  JsonObject *linux_;

  if (process == NULL)
    return NULL;
  linux_ = linux_object (source, top, &ns);
  json_object_set_string_member (config, "ociVersion", OCI_VERSION);
  json_object_set_object_member (config, "process", process);
  root = json_object_new ();
  json_object_set_string_member (root, "path", "rootfs");
  json_object_set_boolean_member (root, "readonly", profile->root_readonly);
  json_object_set_object_member (config, "root", root);
  if (ns.uts)
    {
      /* A runtime refuses a hostname without a uts namespace of the container's own. */
      json_object_set_string_member (config, "hostname",
                                     profile->hostname != NULL ? profile->hostname : SBX_DEFAULT_HOSTNAME);
      if (profile->domainname != NULL)
        json_object_set_string_member (config, "domainname", profile->domainname);
    }
  json_object_set_array_member (config, "mounts", mounts_array (profile, &ns, source->ids));
  json_object_set_object_member (config, "linux", linux_);
  json_object_set_object_member (config, "annotations", annotations_object (source, top));
  if (sbx_json_get_object (top, "hooks") != NULL) /* OCI's own: the same meaning to any runtime */
    json_object_set_member (config, "hooks", json_node_copy (json_object_get_member (top, "hooks")));

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, config);
  return node;
}

/* ------------------------------------------------------------------ writing */

static guint
count_infinity_marks (JsonNode *config)
{
  JsonArray *rlimits = sbx_json_get_array (sbx_json_get_object (json_node_get_object (config), "process"), "rlimits");
  guint n = 0;

  for (guint i = 0; rlimits != NULL && i < json_array_get_length (rlimits); i++)
    {
      JsonObject *r = json_array_get_object_element (rlimits, i);
      const char *limits[] = { "soft", "hard" };
      for (gsize j = 0; j < G_N_ELEMENTS (limits); j++)
        n += g_strcmp0 (json_object_get_string_member_with_default (r, limits[j], NULL),
                        RLIM_INFINITY_MARK) == 0;
    }
  return n;
}

static guint
count_occurrences (const char *haystack, const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + strlen (needle), needle))
    n++;
  return n;
}

char *
sbx_spec_to_data (JsonNode *config, GError **error)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) mark = json_node_new (JSON_NODE_VALUE);
  g_autofree char *mark_text = NULL;
  g_autofree char *text = NULL;
  GString *out;
  guint expected = count_infinity_marks (config);

  json_node_set_string (mark, RLIM_INFINITY_MARK);
  mark_text = json_to_string (mark, FALSE);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, config);
  text = json_generator_to_data (generator, NULL);
  /* The mark stands alone as a string only where we put it; anywhere else (a profile's own
   * string holding it) the counts differ and nothing is written. */
  if (count_occurrences (text, mark_text) != expected)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "the profile holds a string sbx reserves");
      return NULL;
    }
  out = g_string_new (text);
  g_string_replace (out, mark_text, RLIM_INFINITY_TEXT, 0);
  g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}
