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

/* "a,b,c" -> ["a", "b", "c"]. */
static json_t *
option_array (const char *options)
{
  g_auto(GStrv) parts = g_strsplit (options, ",", -1);
  return sbx_json_strv_new (parts);
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

static json_t *
user_object (const SbxProfile *profile, const SbxAccount *user)
{
  json_t *object = json_object ();

  sbx_json_set (object, "uid", json_integer (user->uid));
  sbx_json_set (object, "gid", json_integer (user->gid));
  if (profile->have_umask)
    sbx_json_set (object, "umask", json_integer (profile->umask));
  if (user->groups->len > 0)
    {
      json_t *gids = json_array ();
      for (guint i = 0; i < user->groups->len; i++)
        sbx_json_append (gids, json_integer (g_array_index (user->groups, gid_t, i)));
      sbx_json_set (object, "additionalGids", gids);
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

static json_t *
capabilities_object (const SbxProfile *profile)
{
  static const char * const sets[SBX_N_CAPSETS] = {
    [SBX_CAPSET_BOUNDING] = "bounding",
    [SBX_CAPSET_EFFECTIVE] = "effective",
    [SBX_CAPSET_INHERITABLE] = "inheritable",
    [SBX_CAPSET_PERMITTED] = "permitted",
    [SBX_CAPSET_AMBIENT] = "ambient",
  };
  json_t *object = json_object ();

  for (int set = 0; set < SBX_N_CAPSETS; set++)
    {
      json_t *names = json_array ();
      for (int cap = 0; cap < 64; cap++)
        if (profile->caps[set] & (G_GUINT64_CONSTANT (1) << cap))
          {
            char *name = cap_to_name (cap);
            g_autofree char *upper = g_ascii_strup (name, -1);
            cap_free (name);
            sbx_json_append (names, sbx_json_string_new (upper));
          }
      sbx_json_set (object, sets[set], names);
    }
  return object;
}

/* An rlimit's value: RLIM_INFINITY as the mark (a string), anything else as the integer. */
static json_t *
rlimit_value_new (json_t *value)
{
  rlim_t limit = sbx_rlimit_value (value);

  if (limit == RLIM_INFINITY)
    return sbx_json_string_new (RLIM_INFINITY_MARK);
  return json_integer ((json_int_t) limit);
}

static json_t *
rlimits_array (json_t *rlimits)
{
  json_t *array = json_array ();

  for (size_t i = 0; i < json_array_size (rlimits); i++)
    {
      json_t *in = json_array_get (rlimits, i);
      json_t *out = json_object ();

      sbx_json_set (out, "type", sbx_json_string_new (sbx_json_get_string (in, "type")));
      sbx_json_set (out, "hard", rlimit_value_new (json_object_get (in, "hard")));
      sbx_json_set (out, "soft", rlimit_value_new (json_object_get (in, "soft")));
      sbx_json_append (array, out);
    }
  return array;
}

static json_t *
process_object (const SbxSpecSource *source, json_t *top, GError **error)
{
  const SbxProfile *profile = source->profile;
  const char *cwd = profile->cwd != NULL ? profile->cwd : source->image->working_dir;
  json_t *rlimits = sbx_json_get_array (sbx_json_get_object (top, "process"), "rlimits");
  g_auto(SbxAccount) user = { 0 };
  g_auto(GStrv) args = NULL;
  g_auto(GStrv) env = NULL;
  g_autofree char *abs_cwd = NULL;
  json_t *process;

  if ((args = command_args (source, error)) == NULL || !settle_user (source, &user, error))
    return NULL;
  env = command_env (source, &user);
  abs_cwd = g_canonicalize_filename (cwd != NULL && *cwd ? cwd : "/", "/");

  process = json_object ();
  sbx_json_set (process, "terminal", json_false ());
  sbx_json_set (process, "user", user_object (profile, &user));
  sbx_json_set (process, "args", sbx_json_strv_new (args));
  sbx_json_set (process, "env", sbx_json_strv_new (env));
  sbx_json_set (process, "cwd", sbx_json_string_new (abs_cwd));
  sbx_json_set (process, "capabilities", capabilities_object (profile));
  if (json_array_size (rlimits) > 0)
    sbx_json_set (process, "rlimits", rlimits_array (rlimits));
  sbx_json_set (process, "noNewPrivileges", json_boolean (profile->no_new_privileges));
  if (profile->have_oom_score_adj)
    sbx_json_set (process, "oomScoreAdj", json_integer (profile->oom_score_adj));
  if (source->apparmor_label != NULL)
    sbx_json_set (process, "apparmorProfile", sbx_json_string_new (source->apparmor_label));
  else if (source->use_apparmor && profile->apparmor_profile != NULL)
    sbx_json_set (process, "apparmorProfile", sbx_json_string_new (profile->apparmor_profile));
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
add_namespace (json_t *array, const char *type)
{
  json_t *object = json_object ();

  sbx_json_set (object, "type", sbx_json_string_new (type));
  sbx_json_append (array, object);
}

/* A listed namespace's "type", "" when it has none. */
static const char *
namespace_type (const json_t *ns)
{
  const char *type = sbx_json_get_string (ns, "type");

  return type != NULL ? type : "";
}

/* The profile's namespaces (first of each type), user, mount and pid always, network as
 * sbx run would make it. */
static json_t *
namespaces_array (const SbxProfile *profile, json_t *listed, NamespaceSet *out)
{
  static const char * const always[] = { "user", "mount", "pid" };
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  json_t *array = json_array ();
  gboolean net_listed = FALSE;

  for (size_t i = 0; i < json_array_size (listed); i++)
    net_listed |= g_str_equal (namespace_type (json_array_get (listed, i)), "network");
  out->net = wants_network_namespace (profile, net_listed);
  for (size_t i = 0; i < json_array_size (listed); i++)
    {
      json_t *ns = json_array_get (listed, i);
      const char *type = namespace_type (ns);

      if (g_hash_table_contains (seen, type) || (g_str_equal (type, "network") && !out->net))
        continue;
      g_hash_table_add (seen, (gpointer) type);
      sbx_json_append (array, json_deep_copy (ns));
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

static json_t *
id_mappings (const SbxIdMap *map)
{
  json_t *array = json_array ();

  for (guint i = 0; i < map->n_ranges; i++)
    {
      json_t *range = json_object ();
      sbx_json_set (range, "containerID", json_integer (map->ranges[i].inside));
      sbx_json_set (range, "hostID", json_integer (map->ranges[i].outside));
      sbx_json_set (range, "size", json_integer (map->ranges[i].count));
      sbx_json_append (array, range);
    }
  return array;
}

/* ------------------------------------------------------------------ mounts */

/* Takes @options (NULL: none). */
static json_t *
mount_object (const char *destination, const char *type, const char *source, json_t *options)
{
  json_t *object = json_object ();

  sbx_json_set (object, "destination", sbx_json_string_new (destination));
  sbx_json_set (object, "type", sbx_json_string_new (type));
  sbx_json_set (object, "source", sbx_json_string_new (source));
  if (options != NULL)
    sbx_json_set (object, "options", options);
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
static json_t *
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
  json_t *options = json_array ();

  if (mount->kind == SBX_MOUNT_BIND)
    sbx_json_append (options, json_string (mount->recursive ? "rbind" : "bind"));
  for (gsize i = 0; i < G_N_ELEMENTS (attrs); i++)
    if (mount->attr_set & attrs[i].attr)
      sbx_json_append (options, json_string (attrs[i].set));
    else if ((mount->attr_clr & attrs[i].attr) && attrs[i].clr != NULL)
      sbx_json_append (options, json_string (attrs[i].clr));
  if (mount->kind == SBX_MOUNT_TMPFS && mount->data != NULL)
    {
      g_auto(GStrv) data = g_strsplit (mount->data, ",", -1);
      for (guint i = 0; data[i] != NULL; i++)
        sbx_json_append (options, sbx_json_string_new (data[i]));
    }
  return options;
}

/* The standard mounts, then the profile's; one on a standard destination takes its place. */
static json_t *
mounts_array (const SbxProfile *profile, const NamespaceSet *ns, const SbxIdLayout *ids)
{
  g_autoptr(GPtrArray) mounts = g_ptr_array_new_with_free_func ((GDestroyNotify) json_decref);
  guint n_standard;
  json_t *array = json_array ();

  add_standard_mounts (mounts, ns, ids);
  n_standard = mounts->len;
  for (guint i = 0; i < profile->mounts->len; i++)
    {
      const SbxMount *m = g_ptr_array_index (profile->mounts, i);
      gboolean bind = m->kind == SBX_MOUNT_BIND;
      json_t *object = mount_object (m->destination, bind ? "bind" : "tmpfs",
                                     bind ? m->source : "tmpfs", mount_options (m));
      guint j;

      for (j = 0; j < n_standard; j++)
        if (g_str_equal (sbx_json_get_string (g_ptr_array_index (mounts, j), "destination"), m->destination))
          break;
      if (j < n_standard)
        {
          json_decref (g_ptr_array_index (mounts, j));
          g_ptr_array_index (mounts, j) = object;
        }
      else
        g_ptr_array_add (mounts, object);
    }
  for (guint i = 0; i < mounts->len; i++)
    sbx_json_append (array, json_incref (g_ptr_array_index (mounts, i)));
  return array;
}

/* ------------------------------------------------------------------ the rest */

static json_t *
linux_object (const SbxSpecSource *source, json_t *top, NamespaceSet *ns)
{
  const SbxProfile *profile = source->profile;
  json_t *in = sbx_json_get_object (top, "linux");
  json_t *resources = sbx_json_get_object (in, "resources");
  json_t *object = json_object ();

  sbx_json_set (object, "namespaces", namespaces_array (profile, sbx_json_get_array (in, "namespaces"), ns));
  sbx_json_set (object, "uidMappings", id_mappings (&source->ids->uid_map));
  sbx_json_set (object, "gidMappings", id_mappings (&source->ids->gid_map));
  sbx_json_set (object, "maskedPaths", sbx_json_strv_new (profile->masked_paths));
  sbx_json_set (object, "readonlyPaths", sbx_json_strv_new (profile->readonly_paths));
  if (profile->seccomp_rules != NULL)
    sbx_json_set (object, "seccomp", json_deep_copy (profile->seccomp_rules));
  if (resources != NULL)
    sbx_json_set (object, "resources", json_deep_copy (resources));
  return object;
}

/* The profile's annotations (a copy, in their order), then sbx's two. */
static json_t *
annotations_object (const SbxSpecSource *source, json_t *top)
{
  json_t *in = sbx_json_get_object (top, "annotations");
  json_t *object = in != NULL ? json_deep_copy (in) : json_object ();

  sbx_json_set (object, "org.sbx.image", sbx_json_string_new (source->image->name));
  sbx_json_set (object, "org.sbx.profile", sbx_json_string_new (source->profile->name));
  return object;
}

json_t *
sbx_spec_build (const SbxSpecSource *source, GError **error)
{
  const SbxProfile *profile = source->profile;
  json_t *top = profile->json;
  g_autoptr(json_t) config = json_object ();
  json_t *process = process_object (source, top, error);
  json_t *hooks = sbx_json_get_object (top, "hooks");
  json_t *root;
  NamespaceSet ns = { 0 };
  json_t *linux_;

  if (process == NULL)
    return NULL;
  linux_ = linux_object (source, top, &ns);
  sbx_json_set (config, "ociVersion", json_string (OCI_VERSION));
  sbx_json_set (config, "process", process);
  root = json_object ();
  sbx_json_set (root, "path", json_string ("rootfs"));
  sbx_json_set (root, "readonly", json_boolean (profile->root_readonly));
  sbx_json_set (config, "root", root);
  if (ns.uts)
    {
      /* A runtime refuses a hostname without a uts namespace of the container's own. */
      sbx_json_set (config, "hostname",
                    sbx_json_string_new (profile->hostname != NULL ? profile->hostname : SBX_DEFAULT_HOSTNAME));
      if (profile->domainname != NULL)
        sbx_json_set (config, "domainname", sbx_json_string_new (profile->domainname));
    }
  sbx_json_set (config, "mounts", mounts_array (profile, &ns, source->ids));
  sbx_json_set (config, "linux", linux_);
  sbx_json_set (config, "annotations", annotations_object (source, top));
  if (hooks != NULL) /* OCI's own: the same meaning to any runtime */
    sbx_json_set (config, "hooks", json_deep_copy (hooks));
  return g_steal_pointer (&config);
}

/* ------------------------------------------------------------------ writing */

static guint
count_infinity_marks (json_t *config)
{
  json_t *rlimits = sbx_json_get_array (sbx_json_get_object (config, "process"), "rlimits");
  guint n = 0;

  for (size_t i = 0; i < json_array_size (rlimits); i++)
    {
      json_t *r = json_array_get (rlimits, i);
      const char *limits[] = { "soft", "hard" };
      for (gsize j = 0; j < G_N_ELEMENTS (limits); j++)
        n += g_strcmp0 (sbx_json_get_string (r, limits[j]), RLIM_INFINITY_MARK) == 0;
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
sbx_spec_to_data (json_t *config, GError **error)
{
  g_autoptr(json_t) mark = sbx_json_string_new (RLIM_INFINITY_MARK);
  g_autofree char *mark_text = sbx_json_to_text (mark, FALSE, NULL); /* quoted and escaped */
  g_autofree char *text = sbx_json_to_text (config, TRUE, NULL);
  GString *out;
  guint expected = count_infinity_marks (config);

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
