/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* overrides.c: the command line over a profile.  Each option edits the merged profile's
 * JSON the way the same change written in a profile would, so `sbx profile show` and the
 * run see one effective profile.  Option names and syntax follow Podman's. */
#include "profile-private.h"
#include "seccomp-filter.h"
#include "json-util.h"
#include "escape.h"
#include "sbx-error.h"

#include <string.h>
#include <sys/capability.h>

static gboolean
option_error (GError **error, const char *option, const char *value, const char *why)
{
  g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s '%s': %s", option, value, why);
  return FALSE;
}

/* Profiles are JSON, which holds UTF-8 text only: an option's value that is not UTF-8
 * (a path in another encoding) is refused here, as given, rather than changed. */
static gboolean
all_utf8 (GError **error, const char *option, char * const *values)
{
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    if (!g_utf8_validate (values[i], -1, NULL))
      {
        g_autofree char *shown = sbx_escape (values[i]);
        g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s '%s': not UTF-8 text (profiles hold UTF-8 only)",
                     option, shown);
        return FALSE;
      }
  return TRUE;
}

static gboolean
refused_destination (GError **error, const char *option, const char *value, const char *destination)
{
  g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s '%s': a mount on %s is refused: %s", option,
               value, destination, sbx_mount_destination_refused (destination));
  return FALSE;
}

/* Replaces (or appends) the entry of @array that @same_entry says is the same as @entry
 * (stolen). */
static void
upsert (json_t *array, json_t *entry, gboolean (*same_entry) (json_t *, json_t *))
{
  for (size_t i = 0; i < json_array_size (array); i++)
    if (same_entry (json_array_get (array, i), entry))
      {
        json_array_remove (array, i);
        break;
      }
  sbx_json_append (array, entry);
}

static gboolean
same_env_name (json_t *a, json_t *b)
{
  const char *sa = json_string_value (a), *sb = json_string_value (b);
  gsize la = strcspn (sa, "="), lb = strcspn (sb, "=");

  return la == lb && strncmp (sa, sb, la) == 0;
}

static gboolean
same_member (json_t *a, json_t *b, const char *member)
{
  return json_is_object (a) && g_strcmp0 (sbx_json_get_string (a, member), sbx_json_get_string (b, member)) == 0;
}

static gboolean
same_destination (json_t *a, json_t *b)
{
  return same_member (a, b, "destination");
}

static gboolean
same_rlimit_type (json_t *a, json_t *b)
{
  return same_member (a, b, "type");
}

static gboolean
apply_env (json_t *process, char **env, GError **error)
{
  json_t *array = sbx_json_object_ensure_array (process, "env");

  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      const char *eq = strchr (env[i], '=');
      g_autofree char *entry = NULL;

      if (eq == env[i] || *env[i] == '\0')
        return option_error (error, "--env", env[i], "must be NAME=VALUE or NAME");
      if (eq == NULL)
        {
          const char *value = g_getenv (env[i]);
          if (value == NULL)
            continue; /* as Podman: an unset variable is not passed */
          entry = g_strconcat (env[i], "=", value, NULL);
          if (!all_utf8 (error, "--env", (char *[]) { entry, NULL }))
            return FALSE;
        }
      else
        entry = g_strdup (env[i]);
      upsert (array, sbx_json_string_new (entry), same_env_name);
    }
  return TRUE;
}

/* A new mount object. */
static json_t *
mount_node (const char *destination, const char *type, const char *source, char **options)
{
  json_t *m = json_object ();

  sbx_json_set (m, "destination", sbx_json_string_new (destination));
  sbx_json_set (m, "type", sbx_json_string_new (type));
  sbx_json_set (m, "source", sbx_json_string_new (source));
  sbx_json_set (m, "options", sbx_json_strv_new (options));
  return m;
}

static gboolean
check_mount_options (const char *option, const char *value, char **options, GError **error)
{
  for (guint i = 0; options[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      SbxMount scratch = { 0 };
      gboolean ok = sbx_mount_apply_option (&scratch, options[i], &local_error);

      g_free (scratch.data);
      if (!ok)
        return option_error (error, option, value, local_error->message);
    }
  return TRUE;
}

/* -v SRC:DST[:OPTS]: a bind mount, recursive unless OPTS say "bind". */
static gboolean
apply_volume (json_t *mounts, const char *spec, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (spec, ":", 3);
  g_autoptr(GStrvBuilder) options = g_strv_builder_new ();
  g_auto(GStrv) extra = NULL;
  g_auto(GStrv) all = NULL;
  g_autofree char *source = NULL;
  gboolean has_bind = FALSE;

  if (g_strv_length (parts) < 2 || *parts[0] == '\0' || *parts[1] == '\0')
    return option_error (error, "--volume", spec, "must be SRC:DST[:OPTIONS]");
  if (parts[0][0] != '/' && !g_str_equal (parts[0], "~") && !g_str_has_prefix (parts[0], "~/"))
    return option_error (error, "--volume", spec, "the source must be an absolute path or ~/... "
                                                  "(named volumes are not supported, nor is ~user)");
  if (parts[1][0] != '/')
    return option_error (error, "--volume", spec, "the destination must be an absolute path");
  if (sbx_mount_destination_is_root (parts[1]))
    return option_error (error, "--volume", spec, "the destination cannot be / (it would replace the image)");
  if (sbx_mount_destination_refused (parts[1]) != NULL)
    return refused_destination (error, "--volume", spec, parts[1]);
  source = parts[0][0] == '~' ? g_build_filename (g_get_home_dir (), parts[0] + 1, NULL) : g_strdup (parts[0]);
  if (!g_file_test (source, G_FILE_TEST_EXISTS))
    return option_error (error, "--volume", spec, "the source does not exist (sbx creates nothing on the host)");
  extra = g_strsplit (parts[2] != NULL ? parts[2] : "", ",", -1);
  for (guint i = 0; extra[i] != NULL; i++)
    if (*extra[i])
      {
        has_bind = has_bind || g_str_equal (extra[i], "bind") || g_str_equal (extra[i], "rbind");
        g_strv_builder_add (options, extra[i]);
      }
  if (!has_bind)
    g_strv_builder_add (options, "rbind");
  all = g_strv_builder_end (options);
  if (!check_mount_options ("--volume", spec, all, error))
    return FALSE;
  upsert (mounts, mount_node (parts[1], "bind", source, all), same_destination);
  return TRUE;
}

/* --tmpfs DST[:OPTS] */
static gboolean
apply_tmpfs (json_t *mounts, const char *spec, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (spec, ":", 2);
  g_autoptr(GStrvBuilder) options = g_strv_builder_new ();
  g_auto(GStrv) extra = g_strsplit (parts[0] != NULL && parts[1] != NULL ? parts[1] : "", ",", -1);
  g_auto(GStrv) all = NULL;

  if (parts[0] == NULL || parts[0][0] != '/')
    return option_error (error, "--tmpfs", spec, "must be DST[:OPTIONS] with an absolute DST");
  if (sbx_mount_destination_is_root (parts[0]))
    return option_error (error, "--tmpfs", spec, "the destination cannot be / (it would replace the image)");
  if (sbx_mount_destination_refused (parts[0]) != NULL)
    return refused_destination (error, "--tmpfs", spec, parts[0]);
  g_strv_builder_add_many (options, "nosuid", "nodev", NULL);
  for (guint i = 0; extra[i] != NULL; i++)
    if (*extra[i])
      g_strv_builder_add (options, extra[i]);
  all = g_strv_builder_end (options);
  if (!check_mount_options ("--tmpfs", spec, all, error))
    return FALSE;
  upsert (mounts, mount_node (parts[0], "tmpfs", "tmpfs", all), same_destination);
  return TRUE;
}

static const char * const capability_sets[] = { "bounding", "effective", "inheritable", "permitted", "ambient" };

static void
remove_string (json_t *array, const char *value)
{
  for (size_t i = json_array_size (array); i > 0; i--)
    if (g_strcmp0 (json_string_value (json_array_get (array, i - 1)), value) == 0)
      json_array_remove (array, i - 1);
}

/* Capability N as "CAP_NET_RAW".  cap_to_name ()'s string belongs to libcap: it must go
 * back with cap_free (), never free () (libcap keeps a header in front of it). */
static char *
capability_upper_name (int cap)
{
  char *lower = cap_to_name ((cap_value_t) cap);
  char *upper = lower != NULL ? g_ascii_strup (lower, -1) : NULL;

  cap_free (lower);
  return upper;
}

/* "net_raw", "CAP_NET_RAW" -> "CAP_NET_RAW"; NULL if unknown. */
static char *
capability_name (const char *name)
{
  int cap = sbx_capability_from_name (name);

  return cap < 0 ? NULL : capability_upper_name (cap);
}

static gboolean
edit_capabilities (json_t *caps, char **names, gboolean add, GError **error)
{
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      gboolean all = g_ascii_strcasecmp (names[i], "ALL") == 0;
      int first = 0, last = (int) cap_max_bits () - 1;

      if (!all)
        {
          g_autofree char *name = capability_name (names[i]);
          if (name == NULL)
            return option_error (error, add ? "--cap-add" : "--cap-drop", names[i], "unknown capability");
          first = last = sbx_capability_from_name (name);
        }
      for (int cap = first; cap <= last; cap++)
        {
          g_autofree char *name = capability_upper_name (cap);
          for (gsize s = 0; s < G_N_ELEMENTS (capability_sets); s++)
            {
              json_t *set = sbx_json_object_ensure_array (caps, capability_sets[s]);
              remove_string (set, name);
              if (add)
                sbx_json_append (set, sbx_json_string_new (name));
            }
        }
    }
  return TRUE;
}

static gboolean
load_seccomp_file (json_t *linux_, const char *file, GError **error)
{
  g_autoptr(SbxJsonDoc) doc = sbx_json_doc_new_from_file (file, error);

  if (doc == NULL || !sbx_seccomp_check (doc, "", sbx_json_doc_get_root (doc), error))
    return FALSE;
  sbx_json_set (linux_, "seccomp", json_deep_copy (sbx_json_doc_get_root (doc)));
  return TRUE;
}

static void
edit_paths (json_t *linux_, const char *member, const char *paths, gboolean add)
{
  json_t *array = sbx_json_object_ensure_array (linux_, member);
  g_auto(GStrv) list = g_strsplit (paths, ":", -1);

  for (guint i = 0; list[i] != NULL; i++)
    {
      if (*list[i] == '\0')
        continue;
      remove_string (array, list[i]);
      if (add)
        sbx_json_append (array, sbx_json_string_new (list[i]));
    }
}

/* mask=/a:/b, unmask=/a:/b: absolute paths, as linux.maskedPaths says (a mistyped
 * "proc/kcore" must not leave /proc/kcore quietly unmasked). */
static gboolean
check_paths (const char *opt, const char *paths, GError **error)
{
  g_auto(GStrv) list = g_strsplit (paths, ":", -1);

  for (guint i = 0; list[i] != NULL; i++)
    if (*list[i] != '\0' && *list[i] != '/')
      return option_error (error, "--security-opt", opt, "paths must be absolute (PATH:PATH...)");
  return TRUE;
}

static gboolean
apply_security_opt (json_t *top, const char *opt, GError **error)
{
  json_t *linux_ = sbx_json_object_ensure_object (top, "linux");
  json_t *process = sbx_json_object_ensure_object (top, "process");
  const char *eq = strchr (opt, '=');
  g_autofree char *key = eq != NULL ? g_strndup (opt, (gsize) (eq - opt)) : g_strdup (opt);
  const char *value = eq != NULL ? eq + 1 : NULL;

  if (g_str_equal (key, "no-new-privileges"))
    {
      if (value != NULL && !g_str_equal (value, "true") && !g_str_equal (value, "false"))
        return option_error (error, "--security-opt", opt, "must be no-new-privileges[=true|false]");
      sbx_json_set (process, "noNewPrivileges", json_boolean (value == NULL || g_str_equal (value, "true")));
      return TRUE;
    }
  if (value == NULL || *value == '\0')
    return option_error (error, "--security-opt", opt,
                         "expected seccomp=, apparmor=, mask=, unmask= or no-new-privileges");
  if (g_str_equal (key, "seccomp") && g_str_equal (value, "unconfined"))
    json_object_del (linux_, "seccomp");
  else if (g_str_equal (key, "seccomp"))
    return load_seccomp_file (linux_, value, error);
  else if (g_str_equal (key, "apparmor") && g_str_equal (value, "unconfined"))
    json_object_del (process, "apparmorProfile");
  else if (g_str_equal (key, "apparmor"))
    sbx_json_set (process, "apparmorProfile", sbx_json_string_new (value));
  else if (g_str_equal (key, "mask"))
    {
      if (!check_paths (opt, value, error))
        return FALSE;
      edit_paths (linux_, "maskedPaths", value, TRUE);
    }
  else if (g_str_equal (key, "unmask") && g_str_equal (value, "ALL"))
    {
      sbx_json_set (linux_, "maskedPaths", json_array ());
      sbx_json_set (linux_, "readonlyPaths", json_array ());
    }
  else if (g_str_equal (key, "unmask"))
    {
      if (!check_paths (opt, value, error))
        return FALSE;
      edit_paths (linux_, "maskedPaths", value, FALSE);
      edit_paths (linux_, "readonlyPaths", value, FALSE);
    }
  else
    return option_error (error, "--security-opt", opt, "unknown option");
  return TRUE;
}

static gboolean
parse_limit (const char *s, gint64 *out)
{
  guint64 v;

  if (g_str_equal (s, "-1") || g_str_equal (s, "unlimited"))
    {
      *out = -1;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (s, 10, 0, G_MAXINT64, &v, NULL))
    return FALSE;
  *out = (gint64) v;
  return TRUE;
}

/* --ulimit nofile=1024[:2048] */
static gboolean
apply_ulimit (json_t *process, const char *spec, GError **error)
{
  const char *eq = strchr (spec, '=');
  g_autofree char *name = eq != NULL ? g_ascii_strup (spec, eq - spec) : NULL;
  g_autofree char *type = name != NULL ? g_strconcat ("RLIMIT_", name, NULL) : NULL;
  g_auto(GStrv) values = g_strsplit (eq != NULL ? eq + 1 : "", ":", 3);
  gint64 soft, hard;
  json_t *r;

  if (type == NULL || sbx_rlimit_from_name (type) < 0)
    return option_error (error, "--ulimit", spec, "must be NAME=SOFT[:HARD] with a known NAME (nofile, nproc, core, ...)");
  if (values[0] == NULL || !parse_limit (values[0], &soft) ||
      (values[1] != NULL && (values[2] != NULL || !parse_limit (values[1], &hard))))
    return option_error (error, "--ulimit", spec, "the limits must be numbers (-1: unlimited)");
  if (values[1] == NULL)
    hard = soft;
  if ((guint64) soft > (guint64) hard)
    return option_error (error, "--ulimit", spec, "the soft limit is above the hard limit");
  r = json_object ();
  sbx_json_set (r, "type", sbx_json_string_new (type));
  sbx_json_set (r, "soft", json_integer (soft));
  sbx_json_set (r, "hard", json_integer (hard));
  upsert (sbx_json_object_ensure_array (process, "rlimits"), r, same_rlimit_type);
  return TRUE;
}

static gboolean
apply_hostname (json_t *top, const char *hostname, GError **error)
{
  if (*hostname == '\0' || strlen (hostname) > 64)
    return option_error (error, "--hostname", hostname, "must be 1 to 64 characters");
  /* As a profile's "hostname" (schema.c): it also goes into /etc/hosts and /etc/hostname. */
  for (const char *p = hostname; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return option_error (error, "--hostname", hostname, "not a valid host name (letters, digits, '-', '.')");
  sbx_json_set (top, "hostname", sbx_json_string_new (hostname));
  return TRUE;
}

static gboolean
has_any (char **list)
{
  return list != NULL && list[0] != NULL;
}

/* Podman's sizes: a number, optionally with a decimal part, then b, k, m or g (either case;
 * "kb", "mb", "gb" too).  -1 for "unlimited" where @allow_unlimited. */
static gboolean
parse_size (const char *option, const char *text, gboolean allow_unlimited, gint64 *out, GError **error)
{
  static const struct {
    const char *suffix;
    gint64 factor;
  } units[] = {
    { "", 1 },
    { "b", 1 },
    { "k", 1 << 10 },
    { "kb", 1 << 10 },
    { "m", 1 << 20 },
    { "mb", 1 << 20 },
    { "g", 1 << 30 },
    { "gb", 1 << 30 },
  };
  g_autofree char *lower = g_ascii_strdown (text, -1);
  char *end = NULL;
  double value;

  if (allow_unlimited && g_str_equal (text, "-1"))
    return *out = -1, TRUE;
  if (!g_ascii_isdigit (lower[0]))
    return option_error (error, option, text, "must be a size: a number with b, k, m or g");
  value = g_ascii_strtod (lower, &end);
  for (gsize i = 0; i < G_N_ELEMENTS (units); i++)
    if (g_str_equal (end, units[i].suffix))
      {
        double bytes = value * (double) units[i].factor;
        if (bytes < 4096 || bytes > (double) (G_MAXINT64 / 2))
          return option_error (error, option, text, "must be at least 4k (and below 4 EiB)");
        *out = (gint64) bytes;
        return TRUE;
      }
  return option_error (error, option, text, "must be a size: a number with b, k, m or g");
}

static void
set_limit (json_t *top, const char *group, const char *member, gint64 value)
{
  json_t *resources = sbx_json_object_ensure_object (sbx_json_object_ensure_object (top, "linux"), "resources");
  sbx_json_set (sbx_json_object_ensure_object (resources, group), member, json_integer (value));
}

/* --cpus N: N CPUs' worth of time per 100 ms period, as Podman sets it. */
static gboolean
apply_cpus (json_t *top, const char *text, GError **error)
{
  char *end = NULL;
  double cpus = g_ascii_strtod (text, &end);

  if (end == text || *end != '\0' || !(cpus >= 0.01 && cpus <= 1024))
    return option_error (error, "--cpus", text, "must be a number of CPUs from 0.01 to 1024");
  set_limit (top, "cpu", "period", 100000);
  set_limit (top, "cpu", "quota", (gint64) (cpus * 100000 + 0.5));
  return TRUE;
}

/* A numeric limit option (0: not given). */
static gboolean
apply_number (json_t *top, const char *option, gint64 value, gint64 min, gint64 max, const char *group,
              const char *member, GError **error)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, value);
  g_autofree char *range = NULL;

  if (value == 0)
    return TRUE;
  if (value < min || value > max)
    {
      range = min == -1 ? g_strdup ("must be 1 or more (-1: unlimited)")
                        : g_strdup_printf ("must be %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT, min, max);
      return option_error (error, option, text, range);
    }
  set_limit (top, group, member, value);
  return TRUE;
}

static gboolean
apply_resources (json_t *top, const SbxProfileOverrides *o, GError **error)
{
  const struct {
    const char *option, *text, *member;
    gboolean unlimited;
  } sizes[] = {
    { "--memory", o->memory, "limit", FALSE },
    { "--memory-reservation", o->memory_reservation, "reservation", FALSE },
    { "--memory-swap", o->memory_swap, "swap", TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      gint64 bytes;
      if (sizes[i].text == NULL)
        continue;
      if (!parse_size (sizes[i].option, sizes[i].text, sizes[i].unlimited, &bytes, error))
        return FALSE;
      set_limit (top, "memory", sizes[i].member, bytes);
    }
  if (o->cpus != NULL && !apply_cpus (top, o->cpus, error))
    return FALSE;
  if (!apply_number (top, "--cpu-shares", o->cpu_shares, 2, 262144, "cpu", "shares", error) ||
      !apply_number (top, "--pids-limit", o->pids_limit, -1, G_MAXINT32, "pids", "limit", error) ||
      !apply_number (top, "--blkio-weight", o->blkio_weight, 10, 1000, "blockIO", "weight", error))
    return FALSE;
  if (o->limits_optional)
    sbx_json_set (sbx_json_object_ensure_object (sbx_json_object_ensure_object (top, SBX_PROFILE_EXTENSION_KEY),
                                                 "limits"),
                  "ifUnavailable", json_string ("warn"));
  return TRUE;
}

/* Every field: the size check stops the build when one is added without being named here. */
gboolean
sbx_profile_overrides_are_empty (const SbxProfileOverrides *o)
{
  G_STATIC_ASSERT (sizeof (SbxProfileOverrides) == 7 * sizeof (char **) + sizeof (const char *) + 8 +
                                                     4 * sizeof (const char *) + 3 * sizeof (gint64) + 8);
  return o == NULL ||
         (!has_any (o->env) && !has_any (o->volumes) && !has_any (o->tmpfs) && !has_any (o->cap_add) &&
          !has_any (o->cap_drop) && !has_any (o->security_opts) && !has_any (o->ulimits) && o->hostname == NULL &&
          !o->read_only && o->memory == NULL && o->memory_reservation == NULL && o->memory_swap == NULL &&
          o->cpus == NULL && o->cpu_shares == 0 && o->pids_limit == 0 && o->blkio_weight == 0 &&
          !o->limits_optional);
}

gboolean
sbx_profile_apply_overrides (json_t *root, const SbxProfileOverrides *o, GError **error)
{
  json_t *top = root;
  const char *hostname[] = { o->hostname, NULL };

  if (!all_utf8 (error, "--env", o->env) || !all_utf8 (error, "--volume", o->volumes) ||
      !all_utf8 (error, "--tmpfs", o->tmpfs) || !all_utf8 (error, "--security-opt", o->security_opts) ||
      !all_utf8 (error, "--hostname", (char * const *) hostname))
    return FALSE;
  if (has_any (o->env) && !apply_env (sbx_json_object_ensure_object (top, "process"), o->env, error))
    return FALSE;
  for (guint i = 0; o->volumes != NULL && o->volumes[i] != NULL; i++)
    if (!apply_volume (sbx_json_object_ensure_array (top, "mounts"), o->volumes[i], error))
      return FALSE;
  for (guint i = 0; o->tmpfs != NULL && o->tmpfs[i] != NULL; i++)
    if (!apply_tmpfs (sbx_json_object_ensure_array (top, "mounts"), o->tmpfs[i], error))
      return FALSE;
  /* As Podman: drops first, so "--cap-drop ALL --cap-add X" leaves X. */
  if (has_any (o->cap_drop) || has_any (o->cap_add))
    {
      json_t *caps = sbx_json_object_ensure_object (sbx_json_object_ensure_object (top, "process"),
                                                    "capabilities");
      if (!edit_capabilities (caps, o->cap_drop, FALSE, error) ||
          !edit_capabilities (caps, o->cap_add, TRUE, error))
        return FALSE;
    }
  for (guint i = 0; o->security_opts != NULL && o->security_opts[i] != NULL; i++)
    if (!apply_security_opt (top, o->security_opts[i], error))
      return FALSE;
  for (guint i = 0; o->ulimits != NULL && o->ulimits[i] != NULL; i++)
    if (!apply_ulimit (sbx_json_object_ensure_object (top, "process"), o->ulimits[i], error))
      return FALSE;
  if (o->hostname != NULL && !apply_hostname (top, o->hostname, error))
    return FALSE;
  if (o->read_only)
    sbx_json_set (sbx_json_object_ensure_object (top, "root"), "readonly", json_true ());
  return apply_resources (top, o, error);
}
