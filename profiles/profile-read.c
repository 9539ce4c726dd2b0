/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* profile-read.c: the SbxProfile of a merged, checked profile's JSON: each key's value read
 * into its field (profile.c finds, checks and merges the files). */
#include "profile-private.h"
#include "json-util.h"

#include <string.h>

/* ------------------------------------------------------------------- converting */

static char **
string_array (const json_t *array)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  json_t *element;
  size_t i;

  json_array_foreach (array, i, element)
    g_strv_builder_add (builder, json_string_value (element));
  return g_strv_builder_end (builder);
}

static guint64
capability_mask (const json_t *array)
{
  guint64 mask = 0;
  json_t *element;
  size_t i;

  json_array_foreach (array, i, element)
    {
      int cap = sbx_capability_from_name (json_string_value (element));
      if (cap >= 0)
        mask |= G_GUINT64_CONSTANT (1) << cap;
    }
  return mask;
}

static void
read_process (SbxProfile *p, json_t *process)
{
  static const char * const capsets[SBX_N_CAPSETS] = { "bounding", "effective", "inheritable",
                                                       "permitted", "ambient" };
  json_t *user = sbx_json_get_object (process, "user");
  json_t *caps = sbx_json_get_object (process, "capabilities");
  json_t *rlimits = sbx_json_get_array (process, "rlimits");
  json_t *gids = sbx_json_get_array (user, "additionalGids");
  json_t *element;
  size_t i;

  if (sbx_json_get_array (process, "args") != NULL)
    p->args = string_array (sbx_json_get_array (process, "args"));
  p->env = string_array (sbx_json_get_array (process, "env"));
  p->cwd = g_strdup (sbx_json_get_string (process, "cwd"));
  p->terminal = sbx_json_get_bool (process, "terminal", FALSE);
  if (user != NULL)
    {
      p->have_user = TRUE;
      p->uid = (uid_t) sbx_json_get_int (user, "uid", 0);
      p->gid = (gid_t) sbx_json_get_int (user, "gid", 0);
      p->username = g_strdup (sbx_json_get_string (user, "username"));
      p->have_umask = json_object_get (user, "umask") != NULL;
      p->umask = (mode_t) sbx_json_get_int (user, "umask", 022);
    }
  json_array_foreach (gids, i, element)
    {
      gid_t gid = (gid_t) sbx_json_value_int (element);
      g_array_append_val (p->additional_gids, gid);
    }
  for (int set = 0; set < SBX_N_CAPSETS; set++)
    p->caps[set] = capability_mask (sbx_json_get_array (caps, capsets[set]));
  json_array_foreach (rlimits, i, element)
    {
      SbxRlimit limit = { sbx_rlimit_from_name (sbx_json_get_string (element, "type")),
                          sbx_rlimit_value (json_object_get (element, "soft")),
                          sbx_rlimit_value (json_object_get (element, "hard")) };
      g_array_append_val (p->rlimits, limit);
    }
  p->no_new_privileges = sbx_json_get_bool (process, "noNewPrivileges", FALSE);
  p->apparmor_profile = g_strdup (sbx_json_get_string (process, "apparmorProfile"));
  if (p->apparmor_profile != NULL && *p->apparmor_profile == '\0')
    g_clear_pointer (&p->apparmor_profile, g_free);
  p->have_oom_score_adj = json_object_get (process, "oomScoreAdj") != NULL;
  p->oom_score_adj = (int) sbx_json_get_int (process, "oomScoreAdj", 0);
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
read_mounts (SbxProfile *p, json_t *mounts)
{
  json_t *m;
  size_t i;

  json_array_foreach (mounts, i, m)
    {
      const char *type = sbx_json_get_string (m, "type");
      json_t *options = sbx_json_get_array (m, "options");
      json_t *option;
      size_t j;
      SbxMount *mount;

      if (sbx_mount_is_standard (sbx_json_get_string (m, "destination"), type))
        continue;
      mount = g_new0 (SbxMount, 1);
      mount->kind = type != NULL && g_str_equal (type, "tmpfs") ? SBX_MOUNT_TMPFS : SBX_MOUNT_BIND;
      mount->recursive = mount->kind == SBX_MOUNT_BIND;
      json_array_foreach (options, j, option)
        (void) sbx_mount_apply_option (mount, json_string_value (option), NULL);
      mount->destination = g_canonicalize_filename (sbx_json_get_string (m, "destination"), "/");
      if (mount->kind == SBX_MOUNT_BIND)
        mount->source = expand_home (sbx_json_get_string (m, "source"));
      g_ptr_array_add (p->mounts, mount);
    }
}

static gint64
limit_member (const json_t *o, const char *member)
{
  json_t *value = json_object_get (o, member);

  return json_is_integer (value) ? json_integer_value (value) : SBX_LIMIT_UNSET;
}

static void
read_resources (SbxResources *r, json_t *resources)
{
  json_t *memory = sbx_json_get_object (resources, "memory");
  json_t *cpu = sbx_json_get_object (resources, "cpu");
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
read_linux (SbxProfile *p, json_t *linux_)
{
  json_t *namespaces = sbx_json_get_array (linux_, "namespaces");
  json_t *seccomp = json_object_get (linux_, "seccomp");
  json_t *ns;
  size_t i;

  json_array_foreach (namespaces, i, ns)
    p->unshare_flags |= sbx_namespace_flag_from_name (sbx_json_get_string (ns, "type"));
  p->masked_paths = string_array (sbx_json_get_array (linux_, "maskedPaths"));
  p->readonly_paths = string_array (sbx_json_get_array (linux_, "readonlyPaths"));
  if (json_is_object (seccomp))
    {
      p->seccomp_rules = json_incref (seccomp);
      p->has_seccomp = TRUE;
    }
  read_resources (&p->resources, sbx_json_get_object (linux_, "resources"));
  p->has_resource_limits = resources_limit_anything (&p->resources);
}

/* sbx.desktop: what the app may use of the session, as values; the sockets are found at run
 * time (launcher/desktop.c), so one profile serves Wayland and X11 sessions. */
static void
read_desktop (SbxDesktopGrants *grants, json_t *desktop)
{
  json_t *x11 = json_object_get (desktop, "x11");

  memset (grants, 0, sizeof *grants);
  if (desktop == NULL)
    return;
  grants->wayland = sbx_json_get_bool (desktop, "wayland", FALSE);
  grants->pulseaudio = sbx_json_get_bool (desktop, "pulseaudio", FALSE);
  grants->pipewire = sbx_json_get_bool (desktop, "pipewire", FALSE);
  grants->gpu = sbx_json_get_bool (desktop, "gpu", FALSE);
  if (json_is_boolean (x11))
    grants->x11 = json_is_true (x11) ? SBX_X11_UNTRUSTED : SBX_X11_NONE;
  else if (json_is_string (x11) || json_is_number (x11))
    (void) sbx_x11_mode_parse (json_string_value (x11), &grants->x11);
}

/* One bus of sbx.dbus; NULL when the profile does not name it (no such bus inside). */
static SbxDbusPolicy *
read_dbus_policy (json_t *bus)
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
read_extension (SbxProfile *p, json_t *ext)
{
  json_t *network = sbx_json_get_object (ext, "network");
  json_t *apparmor = sbx_json_get_object (ext, "apparmor");
  const char *policy = sbx_json_get_string (apparmor, "ifUnavailable");

  p->image = g_strdup (sbx_json_get_string (ext, "image"));
  p->network = g_strdup (sbx_json_get_string (network, "mode"));
  p->allow_host_loopback = sbx_json_get_bool (network, "allowHostLoopback", FALSE);
  p->host_network_warning = sbx_json_get_bool (network, "hostWarning", TRUE);
  p->publish = string_array (sbx_json_get_array (network, "publish"));
  p->net_allow = string_array (sbx_json_get_array (network, "allow"));
  p->net_deny = string_array (sbx_json_get_array (network, "deny"));
  p->lan = sbx_json_get_bool (network, "lan", TRUE);
  p->userns = g_strdup (sbx_json_get_string (ext, "userns"));
  p->storage_driver = g_strdup (sbx_json_get_string (ext, "storageDriver"));
  p->desktop_entry = g_strdup (sbx_json_get_string (ext, "desktopEntry"));
  p->apparmor_policy = g_strcmp0 (policy, "fail") == 0   ? SBX_APPARMOR_FAIL
                     : g_strcmp0 (policy, "ignore") == 0 ? SBX_APPARMOR_IGNORE
                                                         : SBX_APPARMOR_WARN;
  p->apparmor_userns = sbx_json_get_bool (apparmor, "userns", FALSE);
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
read_hooks (SbxProfile *p, json_t *hooks)
{
  for (int stage = 0; stage < SBX_N_HOOK_STAGES; stage++)
    {
      json_t *list = sbx_json_get_array (hooks, sbx_hook_stage_name (stage));
      json_t *h;
      size_t i;

      p->hooks[stage] = g_ptr_array_new_with_free_func ((GDestroyNotify) sbx_hook_free);
      json_array_foreach (list, i, h)
        {
          SbxHook *hook = g_new0 (SbxHook, 1);
          json_t *args = sbx_json_get_array (h, "args");

          hook->path = g_strdup (sbx_json_get_string (h, "path"));
          hook->args = json_array_size (args) > 0 ? string_array (args) : g_strdupv ((char *[]) { hook->path, NULL });
          hook->env = string_array (sbx_json_get_array (h, "env"));
          hook->timeout = (int) sbx_json_get_int (h, "timeout", 0);
          g_ptr_array_add (p->hooks[stage], hook);
        }
    }
}

/* A copy of the object @json with @member of its member @parent left out (@value NULL) or
 * set to @value, in its place or last; the rest is shared, nothing of @json is changed. */
json_t *
sbx_profile_json_with_member (json_t *json, const char *parent, const char *member, json_t *value)
{
  json_t *in = sbx_json_get_object (json, parent);
  g_autoptr(json_t) new_top = json_object ();
  g_autoptr(json_t) new_in = json_object ();
  const char *key;
  json_t *node;

  json_object_foreach (in, key, node)
    if (g_str_equal (key, member) && value != NULL)
      json_object_set (new_in, key, value);
    else if (!g_str_equal (key, member))
      json_object_set (new_in, key, node);
  if (value != NULL && json_object_get (new_in, member) == NULL)
    json_object_set (new_in, member, value);
  json_object_foreach (json, key, node)
    json_object_set (new_top, key, g_str_equal (key, parent) ? new_in : node);
  if (in == NULL && value != NULL)
    json_object_set (new_top, parent, new_in);
  return g_steal_pointer (&new_top);
}

SbxProfile *
sbx_profile_from_json (const char *name, json_t *json)
{
  SbxProfile *p = g_new0 (SbxProfile, 1);
  json_t *top = json;
  json_t *root = sbx_json_get_object (top, "root");

  p->name = g_strdup (name);
  p->json = sbx_profile_json_with_member (json, "linux", "seccomp", NULL);
  p->additional_gids = g_array_new (FALSE, FALSE, sizeof (gid_t));
  p->rlimits = g_array_new (FALSE, FALSE, sizeof (SbxRlimit));
  p->mounts = g_ptr_array_new_with_free_func ((GDestroyNotify) sbx_mount_free);
  read_process (p, sbx_json_get_object (top, "process"));
  p->hostname = g_strdup (sbx_json_get_string (top, "hostname"));
  p->domainname = g_strdup (sbx_json_get_string (top, "domainname"));
  p->root_readonly = sbx_json_get_bool (root, "readonly", FALSE);
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
  g_clear_pointer (&p->json, json_decref);
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
  g_clear_pointer (&p->seccomp_rules, json_decref);
  sbx_seccomp_program_clear (&p->seccomp_program);
  g_clear_pointer (&p->effective_json, g_bytes_unref);
  g_free (p->seccomp_io_uring_bypass);
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
