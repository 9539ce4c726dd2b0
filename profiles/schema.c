/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* schema.c: what a profile file may say, checked one file at a time so every complaint
 * carries that file's line:col.  The schema is a table in the shape of the OCI runtime
 * config: each known key with its JSON type, its members or elements, and a check of its
 * value.  Unknown keys are errors (with a "did you mean"), never ignored: a misspelt
 * "noNewPrivilege" must not leave a sandbox with privileges it was meant to lose.
 * `null` is allowed for any object member: in a profile that includes others it removes
 * what they set (see README, "Profiles"). */
#include "profile-private.h"
#include "seccomp-filter.h"
#include "userns-mode.h"
#include "desktop-grants.h"
#include <gio/gio.h>
#include "dbus-policy.h"
#include "netopts.h"
#include "schema-net.h"
#include "storage-driver.h"
#include "json-util.h"
#include "sbx-error.h"
#include "spelling.h"

#include <sched.h>
#include <string.h>

typedef enum {
  K_OBJECT,
  K_ARRAY,
  K_STRING,
  K_BOOL,
  K_INT,
  K_MAP, /* an object of string values with any keys */
  K_BOOL_OR_STRING,
} Kind;

typedef gboolean (*ValueCheck) (SbxJsonDoc *doc, const char *path, json_t *node, GError **error);

typedef struct Field Field;
struct Field {
  const char *key;
  Kind kind;
  const Field *fields; /* K_OBJECT: its members, ended by a NULL key; K_ARRAY: its element */
  ValueCheck check;    /* after the type (and members) are right */
  gint64 min, max;     /* K_INT: allowed range, when min < max */
};

#define END \
  { \
    NULL, 0, NULL, NULL, 0, 0 \
  }

/* ------------------------------------------------------------------- value checks */

static const char *
node_string (json_t *node)
{
  return json_string_value (node);
}

static gboolean
check_absolute_path (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  const char *s = node_string (node);

  if (s[0] != '/')
    return sbx_json_doc_error (doc, path, error, "'%s' is not an absolute path", s);
  if (strlen (s) > 4096)
    return sbx_json_doc_error (doc, path, error, "path longer than 4096 bytes");
  return TRUE;
}

static gboolean
check_capability (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  const char *s = node_string (node);

  if (!g_str_has_prefix (s, "CAP_") || sbx_capability_from_name (s) < 0)
    return sbx_json_doc_error (doc, path, error, "unknown capability '%s'", s);
  return TRUE;
}

static gboolean
check_env_entry (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  const char *s = node_string (node);
  const char *eq = strchr (s, '=');

  if (eq == NULL || eq == s)
    return sbx_json_doc_error (doc, path, error, "'%s' is not NAME=VALUE", s);
  return TRUE;
}

static gboolean
check_nonempty_args (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  if (json_array_size (node) == 0 || *json_string_value (json_array_get (node, 0)) == '\0')
    return sbx_json_doc_error (doc, path, error, "must name a program to run");
  return TRUE;
}

static gboolean
check_rlimit_type (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  if (sbx_rlimit_from_name (node_string (node)) < 0)
    return sbx_json_doc_error (doc, path, error, "unknown rlimit '%s'", node_string (node));
  return TRUE;
}

static gboolean
check_rlimit (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  g_autofree char *soft_path = sbx_json_path_member (path, "soft");
  rlim_t soft, hard;

  /* null passes the members' own checks (it unsets a member in a merge), but an rlimit is
   * a whole entry: a null type or limit would reach the lookups below. */
  if (!json_is_string (json_object_get (node, "type")) || !json_is_integer (json_object_get (node, "soft")) ||
      !json_is_integer (json_object_get (node, "hard")))
    return sbx_json_doc_error (doc, path, error, "an rlimit needs type, soft and hard");
  soft = sbx_rlimit_value (json_object_get (node, "soft"));
  hard = sbx_rlimit_value (json_object_get (node, "hard"));
  if (soft > hard)
    return sbx_json_doc_error (doc, soft_path, error, "soft limit above the hard limit");
  return TRUE;
}

static gboolean
check_rlimit_number (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  /* json-doc.c reads 18446744073709551615 (RLIM_INFINITY as a uint64) as -1. */
  if (json_integer_value (node) < -1)
    return sbx_json_doc_error (doc, path, error, "must be 0 or more (-1: unlimited)");
  return TRUE;
}

static gboolean
check_namespace (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  g_autofree char *type_path = sbx_json_path_member (path, "type");
  g_autofree char *ns_path = sbx_json_path_member (path, "path");
  const char *type = sbx_json_get_string (node, "type");
  const char *ns;

  if (type == NULL) /* missing, or null (which would crash the lookup below) */
    return sbx_json_doc_error (doc, path, error, "a namespace needs a type");
  if (g_str_equal (type, "time"))
    return sbx_json_doc_error (doc, type_path, error, "the time namespace is not supported by sbx (yet): "
                                                      "leave it out");
  if (sbx_namespace_flag_from_name (type) == 0)
    return sbx_json_doc_error (doc, type_path, error,
                               "unknown namespace type '%s' (pid, network, mount, ipc, uts, user, cgroup)", type);
  ns = sbx_json_get_string (node, "path");
  if (ns != NULL && *ns != '\0')
    return sbx_json_doc_error (doc, ns_path, error, "joining an existing namespace is not supported by sbx");
  return TRUE;
}

static gboolean
check_hostname (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  const char *s = node_string (node);

  if (*s == '\0' || strlen (s) > 64)
    return sbx_json_doc_error (doc, path, error, "must be 1 to 64 characters");
  for (const char *p = s; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return sbx_json_doc_error (doc, path, error, "'%s' is not a valid host name", s);
  return TRUE;
}

static gboolean
check_mount_option_list (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  json_t *option;
  size_t i;

  json_array_foreach (node, i, option)
    {
      g_autofree char *element = sbx_json_path_element (path, (guint) i);
      g_autoptr(GError) local_error = NULL;
      SbxMount scratch = { 0 };

      if (!sbx_mount_apply_option (&scratch, json_string_value (option), &local_error))
        {
          g_free (scratch.data);
          return sbx_json_doc_error (doc, element, error, "%s", local_error->message);
        }
      g_free (scratch.data);
    }
  return TRUE;
}

/* Whether @destination names "/" as written ("/", "//.", "/a/.."); symlinks in the image
 * are caught when the mount point is resolved (launcher/mounts.c). */
gboolean
sbx_mount_destination_is_root (const char *destination)
{
  g_auto(GStrv) parts = g_strsplit (destination, "/", -1);
  guint depth = 0;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (*parts[i] == '\0' || g_str_equal (parts[i], "."))
        continue;
      if (g_str_equal (parts[i], ".."))
        depth = depth > 0 ? depth - 1 : 0;
      else
        depth++;
    }
  return depth == 0;
}

static gboolean
check_mount (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  g_autofree char *type_path = sbx_json_path_member (path, "type");
  g_autofree char *source_path = sbx_json_path_member (path, "source");
  const char *type = sbx_json_get_string (node, "type");
  const char *destination = sbx_json_get_string (node, "destination");
  json_t *options = sbx_json_get_array (node, "options");
  gboolean bind = type != NULL && g_str_equal (type, "bind");

  if (destination == NULL)
    return sbx_json_doc_error (doc, path, error, "a mount needs a destination");
  if (destination[0] == '/' && sbx_mount_destination_is_root (destination))
    {
      g_autofree char *destination_path = sbx_json_path_member (path, "destination");
      return sbx_json_doc_error (doc, destination_path, error,
                                 "a mount on / would replace the image (choose the image, or a directory below /)");
    }
  if (sbx_mount_is_standard (destination, type))
    return TRUE; /* /proc, /dev, /sys ...: sbx mounts those itself, its own way */
  if (sbx_mount_destination_refused (destination) != NULL)
    {
      g_autofree char *destination_path = sbx_json_path_member (path, "destination");
      return sbx_json_doc_error (doc, destination_path, error, "a mount on %s is refused: %s",
                                 destination, sbx_mount_destination_refused (destination));
    }
  if (options != NULL)
    {
      g_autofree char *options_path = sbx_json_path_member (path, "options");
      json_t *option;
      size_t i;

      if (!check_mount_option_list (doc, options_path, options, error))
        return FALSE;
      json_array_foreach (options, i, option)
        {
          const char *opt = json_string_value (option);
          bind = bind || g_str_equal (opt, "bind") || g_str_equal (opt, "rbind");
        }
    }
  if (bind)
    {
      const char *source = sbx_json_get_string (node, "source");
      if (source == NULL || *source == '\0')
        return sbx_json_doc_error (doc, path, error, "a bind mount needs a source");
      if (source[0] != '/' && !g_str_has_prefix (source, "~/") && !g_str_equal (source, "~"))
        return sbx_json_doc_error (doc, source_path, error,
                                   "'%s' is not an absolute path (or ~/...)", source);
      return TRUE;
    }
  if (type == NULL)
    return sbx_json_doc_error (doc, path, error, "a mount needs a type (bind, tmpfs, ...)");
  if (g_str_equal (type, "tmpfs"))
    return TRUE;
  return sbx_json_doc_error (doc, type_path, error,
                             "mount type '%s' on %s is not supported (bind and tmpfs are; "
                             "/proc, /dev, /dev/pts, /dev/shm, /dev/mqueue, /sys and /sys/fs/cgroup "
                             "are always set up by sbx)",
                             type, destination);
}

static gboolean
check_user_mapping (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  return TRUE; /* accepted as written by `runc spec --rootless`; sbx maps ids itself (README) */
}

static gboolean
check_empty_or_null (SbxJsonDoc *doc, const char *path, json_t *node, GError **error,
                     const char *what)
{
  gboolean empty = json_is_array (node)  ? json_array_size (node) == 0
                 : json_is_object (node) ? json_object_size (node) == 0
                 : json_is_string (node) ? *json_string_value (node) == '\0'
                                         : FALSE;

  if (!empty)
    return sbx_json_doc_error (doc, path, error, "%s is not supported by sbx (leave it empty)", what);
  return TRUE;
}

static gboolean
check_no_sysctl (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  return check_empty_or_null (doc, path, node, error, "setting sysctls");
}

static gboolean
check_no_devices (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  return check_empty_or_null (doc, path, node, error,
                              "adding devices (a sandbox has null, zero, full, random, urandom, tty)");
}

static gboolean
check_no_selinux (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  return check_empty_or_null (doc, path, node, error, "an SELinux label");
}

static gboolean
check_no_idmapped_mount (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  return check_empty_or_null (doc, path, node, error, "an id-mapped mount");
}

static gboolean
check_propagation (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  static const char * const known[] = { "private", "rprivate", "slave", "rslave", "shared",
                                        "rshared", "unbindable", "runbindable", "", NULL };

  if (!g_strv_contains (known, node_string (node)))
    return sbx_json_doc_error (doc, path, error, "unknown propagation '%s'", node_string (node));
  return TRUE;
}

static gboolean
check_include (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  if (!sbx_profile_name_is_valid (node_string (node)))
    return sbx_json_doc_error (doc, path, error,
                               "'%s' is not a profile name (letters, digits, '-', '_', '.')",
                               node_string (node));
  return TRUE;
}

static gboolean
check_network_mode (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  static const char * const known[] = { "slirp", "none", "host", NULL };

  if (!g_strv_contains (known, node_string (node)))
    return sbx_json_doc_error (doc, path, error, "unknown network mode '%s' (slirp, none, host)",
                               node_string (node));
  return TRUE;
}

static gboolean
check_publish (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  SbxNetOptions opts;
  gboolean ok;

  sbx_net_options_init (&opts);
  ok = sbx_net_options_add_publish (&opts, node_string (node), &local_error);
  sbx_net_options_clear (&opts);
  if (!ok)
    return sbx_json_doc_error (doc, path, error, "%s", local_error->message);
  return TRUE;
}

static gboolean
check_userns (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  SbxUsernsMode mode;

  if (!sbx_userns_mode_parse (node_string (node), &mode, &local_error))
    return sbx_json_doc_error (doc, path, error, "%s", local_error->message);
  return TRUE;
}

static gboolean
check_storage_driver (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  SbxStorageDriver driver;

  if (!sbx_storage_driver_parse (node_string (node), &driver, &local_error))
    return sbx_json_doc_error (doc, path, error, "%s", local_error->message);
  return TRUE;
}

static gboolean
check_apparmor_policy (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  static const char * const known[] = { "warn", "fail", "ignore", NULL };

  if (!g_strv_contains (known, node_string (node)))
    return sbx_json_doc_error (doc, path, error, "must be \"warn\", \"fail\" or \"ignore\"");
  return TRUE;
}

static gboolean
check_image_name (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  if (*node_string (node) == '\0')
    return sbx_json_doc_error (doc, path, error, "must not be empty");
  return TRUE;
}

/* sbx.desktop.x11: true (untrusted), false, "untrusted" or "trusted". */
static gboolean
check_x11 (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  if (json_is_boolean (node) || sbx_x11_mode_parse (node_string (node), NULL))
    return TRUE;
  return sbx_json_doc_error (doc, path, error, "must be true, false, \"untrusted\" or \"trusted\"");
}

static gboolean
check_home (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  if (sbx_home_mode_parse (node_string (node), NULL))
    return TRUE;
  return sbx_json_doc_error (doc, path, error, "must be \"private\", \"tmpfs\", \"host\" or \"image\"");
}

static gboolean
check_share (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!sbx_share_parse (node_string (node), NULL, &local_error))
    return sbx_json_doc_error (doc, path, error, "%s", local_error->message);
  return TRUE;
}

static gboolean
check_app_id (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  if (!sbx_dbus_is_well_known_name (node_string (node)))
    return sbx_json_doc_error (doc, path, error, "'%s' is not an application id (a reverse-DNS D-Bus name such "
                                                 "as org.mozilla.firefox)",
                               node_string (node));
  return TRUE;
}

static gboolean
check_dbus_name (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!sbx_dbus_name_check (node_string (node), &local_error))
    return sbx_json_doc_error (doc, path, error, "%s", local_error->message);
  return TRUE;
}

static gboolean
check_dbus_name_rule (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!sbx_dbus_name_rule_check (node_string (node), &local_error))
    return sbx_json_doc_error (doc, path, error, "%s", local_error->message);
  return TRUE;
}

/* sbx.desktopEntry: a desktop file id as found in applications/ ("firefox-esr.desktop"): a
 * plain file name (no directory, not hidden) of letters, digits, '-', '_' and '.'. */
static gboolean
check_desktop_entry (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  const char *id = node_string (node);
  gsize length = strlen (id);

  if (length <= strlen (".desktop") || length > 255 || !g_str_has_suffix (id, ".desktop") || id[0] == '.')
    return sbx_json_doc_error (doc, path, error, "must be a desktop file name ending in .desktop (\"firefox-esr.desktop\")");
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return sbx_json_doc_error (doc, path, error, "must be a plain file name (letters, digits, '-', '_', '.')");
  return TRUE;
}

/* ------------------------------------------------------------------------ the schema */

static const Field string_element = { NULL, K_STRING, NULL, NULL, 0, 0 };
static const Field path_element = { NULL, K_STRING, NULL, check_absolute_path, 0, 0 };
static const Field capability_element = { NULL, K_STRING, NULL, check_capability, 0, 0 };
static const Field env_element = { NULL, K_STRING, NULL, check_env_entry, 0, 0 };
static const Field share_element = { NULL, K_STRING, NULL, check_share, 0, 0 };
static const Field gid_element = { NULL, K_INT, NULL, NULL, 0, G_MAXUINT32 - 1 };

static const Field capabilities_fields[] = {
  { "bounding", K_ARRAY, &capability_element, NULL, 0, 0 },
  { "effective", K_ARRAY, &capability_element, NULL, 0, 0 },
  { "inheritable", K_ARRAY, &capability_element, NULL, 0, 0 },
  { "permitted", K_ARRAY, &capability_element, NULL, 0, 0 },
  { "ambient", K_ARRAY, &capability_element, NULL, 0, 0 },
  END,
};

static const Field user_fields[] = {
  { "uid", K_INT, NULL, NULL, 0, G_MAXUINT32 - 1 },
  { "gid", K_INT, NULL, NULL, 0, G_MAXUINT32 - 1 },
  { "umask", K_INT, NULL, NULL, 0, 0777 },
  { "additionalGids", K_ARRAY, &gid_element, NULL, 0, 0 },
  { "username", K_STRING, NULL, NULL, 0, 0 },
  END,
};

static const Field rlimit_fields[] = {
  { "type", K_STRING, NULL, check_rlimit_type, 0, 0 },
  { "soft", K_INT, NULL, check_rlimit_number, 0, 0 },
  { "hard", K_INT, NULL, check_rlimit_number, 0, 0 },
  END,
};
static const Field rlimit_element = { NULL, K_OBJECT, rlimit_fields, check_rlimit, 0, 0 };

static const Field console_size_fields[] = {
  { "height", K_INT, NULL, NULL, 0, G_MAXUINT32 },
  { "width", K_INT, NULL, NULL, 0, G_MAXUINT32 },
  END,
};

static const Field process_fields[] = {
  { "terminal", K_BOOL, NULL, NULL, 0, 0 },
  { "consoleSize", K_OBJECT, console_size_fields, NULL, 0, 0 },
  { "user", K_OBJECT, user_fields, NULL, 0, 0 },
  { "args", K_ARRAY, &string_element, check_nonempty_args, 0, 0 },
  { "env", K_ARRAY, &env_element, NULL, 0, 0 },
  { "cwd", K_STRING, NULL, check_absolute_path, 0, 0 },
  { "capabilities", K_OBJECT, capabilities_fields, NULL, 0, 0 },
  { "rlimits", K_ARRAY, &rlimit_element, NULL, 0, 0 },
  { "noNewPrivileges", K_BOOL, NULL, NULL, 0, 0 },
  { "apparmorProfile", K_STRING, NULL, NULL, 0, 0 },
  { "oomScoreAdj", K_INT, NULL, NULL, -1000, 1000 },
  { "selinuxLabel", K_STRING, NULL, check_no_selinux, 0, 0 },
  END,
};

static const Field root_fields[] = {
  { "path", K_STRING, NULL, NULL, 0, 0 },
  { "readonly", K_BOOL, NULL, NULL, 0, 0 },
  END,
};

static const Field id_mapping_fields[] = {
  { "containerID", K_INT, NULL, NULL, 0, G_MAXUINT32 },
  { "hostID", K_INT, NULL, NULL, 0, G_MAXUINT32 },
  { "size", K_INT, NULL, NULL, 0, G_MAXUINT32 },
  END,
};
static const Field id_mapping_element = { NULL, K_OBJECT, id_mapping_fields, check_user_mapping, 0, 0 };

static const Field mount_option_list = { NULL, K_STRING, NULL, NULL, 0, 0 };
static const Field mount_fields[] = {
  { "destination", K_STRING, NULL, check_absolute_path, 0, 0 },
  { "type", K_STRING, NULL, NULL, 0, 0 },
  { "source", K_STRING, NULL, NULL, 0, 0 },
  { "options", K_ARRAY, &mount_option_list, NULL, 0, 0 },
  { "uidMappings", K_ARRAY, &id_mapping_element, check_no_idmapped_mount, 0, 0 },
  { "gidMappings", K_ARRAY, &id_mapping_element, check_no_idmapped_mount, 0, 0 },
  END,
};
static const Field mount_element = { NULL, K_OBJECT, mount_fields, check_mount, 0, 0 };

static const Field namespace_fields[] = {
  { "type", K_STRING, NULL, NULL, 0, 0 },
  { "path", K_STRING, NULL, NULL, 0, 0 },
  END,
};
static const Field namespace_element = { NULL, K_OBJECT, namespace_fields, check_namespace, 0, 0 };

static const Field device_rule_fields[] = {
  { "allow", K_BOOL, NULL, NULL, 0, 0 },
  { "type", K_STRING, NULL, NULL, 0, 0 },
  { "major", K_INT, NULL, NULL, -1, G_MAXINT64 },
  { "minor", K_INT, NULL, NULL, -1, G_MAXINT64 },
  { "access", K_STRING, NULL, NULL, 0, 0 },
  END,
};
static const Field device_rule_element = { NULL, K_OBJECT, device_rule_fields, NULL, 0, 0 };

/* Limits a systemd scope has no property for: refused rather than silently dropped. */
static gboolean
check_no_scope_equivalent (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  gboolean harmless = json_is_false (node) || (json_is_integer (node) && json_integer_value (node) == 0) ||
                      (json_is_object (node) && json_object_size (node) == 0);

  if (harmless)
    return TRUE;
  return sbx_json_doc_error (doc, path, error, "not supported by sbx: its limits are a systemd scope's "
                                               "properties, and systemd has none for this (leave it out)");
}

static gboolean
check_cpu_period (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  gint64 period = json_integer_value (node);

  if (period != 0 && (period < 1000 || period > 1000000))
    return sbx_json_doc_error (doc, path, error, "must be 1000 to 1000000 microseconds");
  return TRUE;
}

static gboolean
check_cpu_shares (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  gint64 shares = json_integer_value (node);

  if (shares != 0 && (shares < 2 || shares > 262144))
    return sbx_json_doc_error (doc, path, error, "must be 2 to 262144");
  return TRUE;
}

static const Field memory_fields[] = {
  { "limit", K_INT, NULL, NULL, -1, G_MAXINT64 },
  { "reservation", K_INT, NULL, NULL, -1, G_MAXINT64 },
  { "swap", K_INT, NULL, NULL, -1, G_MAXINT64 },
  { "kernel", K_INT, NULL, check_no_scope_equivalent, -1, G_MAXINT64 },
  { "kernelTCP", K_INT, NULL, check_no_scope_equivalent, -1, G_MAXINT64 },
  { "swappiness", K_INT, NULL, check_no_scope_equivalent, 0, 100 },
  { "disableOOMKiller", K_BOOL, NULL, check_no_scope_equivalent, 0, 0 },
  { "useHierarchy", K_BOOL, NULL, NULL, 0, 0 },
  END,
};

static const Field cpu_fields[] = {
  { "shares", K_INT, NULL, check_cpu_shares, 0, G_MAXINT64 },
  { "quota", K_INT, NULL, NULL, -1, G_MAXINT64 },
  { "period", K_INT, NULL, check_cpu_period, 0, G_MAXINT64 },
  { "realtimeRuntime", K_INT, NULL, check_no_scope_equivalent, -1, G_MAXINT64 },
  { "realtimePeriod", K_INT, NULL, check_no_scope_equivalent, 0, G_MAXINT64 },
  { "cpus", K_STRING, NULL, NULL, 0, 0 },
  { "mems", K_STRING, NULL, NULL, 0, 0 },
  { "idle", K_INT, NULL, check_no_scope_equivalent, 0, 1 },
  END,
};

static const Field pids_fields[] = {
  { "limit", K_INT, NULL, NULL, -1, G_MAXINT64 },
  END,
};

static const Field block_io_fields[] = {
  { "weight", K_INT, NULL, NULL, 10, 1000 },
  END,
};

static const Field resources_fields[] = {
  { "devices", K_ARRAY, &device_rule_element, NULL, 0, 0 },
  { "memory", K_OBJECT, memory_fields, NULL, 0, 0 },
  { "cpu", K_OBJECT, cpu_fields, NULL, 0, 0 },
  { "pids", K_OBJECT, pids_fields, NULL, 0, 0 },
  { "blockIO", K_OBJECT, block_io_fields, NULL, 0, 0 },
  { "unified", K_MAP, NULL, check_no_scope_equivalent, 0, 0 },
  END,
};

static const Field linux_fields[] = {
  { "namespaces", K_ARRAY, &namespace_element, NULL, 0, 0 },
  { "uidMappings", K_ARRAY, &id_mapping_element, NULL, 0, 0 },
  { "gidMappings", K_ARRAY, &id_mapping_element, NULL, 0, 0 },
  { "resources", K_OBJECT, resources_fields, NULL, 0, 0 },
  { "cgroupsPath", K_STRING, NULL, NULL, 0, 0 },
  { "seccomp", K_OBJECT, NULL, sbx_seccomp_check, 0, 0 },
  { "maskedPaths", K_ARRAY, &path_element, NULL, 0, 0 },
  { "readonlyPaths", K_ARRAY, &path_element, NULL, 0, 0 },
  { "rootfsPropagation", K_STRING, NULL, check_propagation, 0, 0 },
  { "mountLabel", K_STRING, NULL, check_no_selinux, 0, 0 },
  { "sysctl", K_MAP, NULL, check_no_sysctl, 0, 0 },
  { "devices", K_ARRAY, &device_rule_element, check_no_devices, 0, 0 },
  END,
};

static const Field include_element = { NULL, K_STRING, NULL, check_include, 0, 0 };
static const Field publish_element = { NULL, K_STRING, NULL, check_publish, 0, 0 };
static const Field net_rule_element = { NULL, K_STRING, NULL, sbx_schema_check_net_rule, 0, 0 };

static const Field network_fields[] = {
  { "mode", K_STRING, NULL, check_network_mode, 0, 0 },
  { "allowHostLoopback", K_BOOL, NULL, NULL, 0, 0 },
  { "hostWarning", K_BOOL, NULL, NULL, 0, 0 },
  { "publish", K_ARRAY, &publish_element, NULL, 0, 0 },
  { "allow", K_ARRAY, &net_rule_element, NULL, 0, 0 },
  { "deny", K_ARRAY, &net_rule_element, NULL, 0, 0 },
  { "lan", K_BOOL, NULL, NULL, 0, 0 },
  END,
};

static const Field apparmor_fields[] = {
  { "ifUnavailable", K_STRING, NULL, check_apparmor_policy, 0, 0 },
  { "userns", K_BOOL, NULL, NULL, 0, 0 },
  END,
};

static const Field limits_fields[] = {
  { "ifUnavailable", K_STRING, NULL, check_apparmor_policy, 0, 0 },
  END,
};

static const Field desktop_fields[] = {
  { "wayland", K_BOOL, NULL, NULL, 0, 0 },
  { "x11", K_BOOL_OR_STRING, NULL, check_x11, 0, 0 },
  { "pulseaudio", K_BOOL, NULL, NULL, 0, 0 },
  { "pipewire", K_BOOL, NULL, NULL, 0, 0 },
  { "gpu", K_BOOL, NULL, NULL, 0, 0 },
  END,
};

static const Field dbus_name_element = { NULL, K_STRING, NULL, check_dbus_name, 0, 0 };
static const Field dbus_name_rule_element = { NULL, K_STRING, NULL, check_dbus_name_rule, 0, 0 };

/* One bus: xdg-dbus-proxy's --talk, --own, --see, --call and --broadcast. */
static const Field dbus_bus_fields[] = {
  { "talk", K_ARRAY, &dbus_name_element, NULL, 0, 0 },
  { "own", K_ARRAY, &dbus_name_element, NULL, 0, 0 },
  { "see", K_ARRAY, &dbus_name_element, NULL, 0, 0 },
  { "call", K_ARRAY, &dbus_name_rule_element, NULL, 0, 0 },
  { "broadcast", K_ARRAY, &dbus_name_rule_element, NULL, 0, 0 },
  END,
};

static const Field dbus_fields[] = {
  { "session", K_OBJECT, dbus_bus_fields, NULL, 0, 0 },
  { "system", K_OBJECT, dbus_bus_fields, NULL, 0, 0 },
  END,
};

static const Field extension_fields[] = {
  { "description", K_STRING, NULL, NULL, 0, 0 },
  { "include", K_ARRAY, &include_element, NULL, 0, 0 },
  { "image", K_STRING, NULL, check_image_name, 0, 0 },
  { "network", K_OBJECT, network_fields, NULL, 0, 0 },
  { "userns", K_STRING, NULL, check_userns, 0, 0 },
  { "storageDriver", K_STRING, NULL, check_storage_driver, 0, 0 },
  { "apparmor", K_OBJECT, apparmor_fields, NULL, 0, 0 },
  { "limits", K_OBJECT, limits_fields, NULL, 0, 0 },
  { "desktop", K_OBJECT, desktop_fields, NULL, 0, 0 },
  { "home", K_STRING, NULL, check_home, 0, 0 },
  { "share", K_ARRAY, &share_element, NULL, 0, 0 },
  { "appId", K_STRING, NULL, check_app_id, 0, 0 },
  { "why", K_MAP, NULL, NULL, 0, 0 },
  { "desktopEntry", K_STRING, NULL, check_desktop_entry, 0, 0 },
  { "dbus", K_OBJECT, dbus_fields, NULL, 0, 0 },
  END,
};

/* hooks: as OCI's config.md, "POSIX-platform Hooks". */
static gboolean
check_hook (SbxJsonDoc *doc, const char *path, json_t *node, GError **error)
{
  json_t *hook_path = json_object_get (node, "path");

  if (hook_path == NULL || json_is_null (hook_path))
    return sbx_json_doc_error (doc, path, error, "a hook needs a path");
  return TRUE;
}

static const Field hook_fields[] = {
  { "path", K_STRING, NULL, check_absolute_path, 0, 0 },
  { "args", K_ARRAY, &string_element, NULL, 0, 0 },
  { "env", K_ARRAY, &env_element, NULL, 0, 0 },
  { "timeout", K_INT, NULL, NULL, 1, G_MAXINT32 },
  END,
};
static const Field hook_element = { NULL, K_OBJECT, hook_fields, check_hook, 0, 0 };

static const Field hooks_fields[] = {
  { "prestart", K_ARRAY, &hook_element, NULL, 0, 0 },
  { "createRuntime", K_ARRAY, &hook_element, NULL, 0, 0 },
  { "createContainer", K_ARRAY, &hook_element, NULL, 0, 0 },
  { "startContainer", K_ARRAY, &hook_element, NULL, 0, 0 },
  { "poststart", K_ARRAY, &hook_element, NULL, 0, 0 },
  { "poststop", K_ARRAY, &hook_element, NULL, 0, 0 },
  END,
};

static const Field top_fields[] = {
  { "ociVersion", K_STRING, NULL, NULL, 0, 0 },
  { "process", K_OBJECT, process_fields, NULL, 0, 0 },
  { "root", K_OBJECT, root_fields, NULL, 0, 0 },
  { "hostname", K_STRING, NULL, check_hostname, 0, 0 },
  { "domainname", K_STRING, NULL, NULL, 0, 0 },
  { "mounts", K_ARRAY, &mount_element, NULL, 0, 0 },
  { "annotations", K_MAP, NULL, NULL, 0, 0 },
  { "hooks", K_OBJECT, hooks_fields, NULL, 0, 0 },
  { "linux", K_OBJECT, linux_fields, NULL, 0, 0 },
  { SBX_PROFILE_EXTENSION_KEY, K_OBJECT, extension_fields, NULL, 0, 0 },
  END,
};

static const Field top = { "", K_OBJECT, top_fields, NULL, 0, 0 };

/* --------------------------------------------------------------------- the walker */

static const char *
kind_name (Kind kind)
{
  switch (kind)
    {
    case K_OBJECT:
    case K_MAP: return "an object";
    case K_ARRAY: return "an array";
    case K_STRING: return "a string";
    case K_BOOL: return "true or false";
    case K_INT: return "an integer";
    case K_BOOL_OR_STRING: return "true, false or a string";
    default: return "?";
    }
}

static gboolean
has_kind (json_t *node, Kind kind)
{
  switch (kind)
    {
    case K_OBJECT:
    case K_MAP: return json_is_object (node);
    case K_ARRAY: return json_is_array (node);
    case K_STRING: return json_is_string (node);
    case K_BOOL: return json_is_boolean (node);
    case K_INT: return json_is_integer (node); /* a real (1.0, 1e3) is not one */
    case K_BOOL_OR_STRING: return has_kind (node, K_BOOL) || has_kind (node, K_STRING);
    default: return FALSE;
    }
}

/* The key of @fields closest to @key, for "did you mean". */
static const char *
closest_key (const Field *fields, const char *key)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();

  for (const Field *f = fields; f->key != NULL; f++)
    g_ptr_array_add (keys, (gpointer) f->key);
  g_ptr_array_add (keys, NULL);
  return sbx_spelling_suggest (key, (const char * const *) keys->pdata);
}

static gboolean check_node (SbxJsonDoc *doc, const char *path, json_t *node, const Field *field,
                            GError **error);

static gboolean
check_members (SbxJsonDoc *doc, const char *path, json_t *object, const Field *fields,
               GError **error)
{
  const char *key;
  json_t *value;

  json_object_foreach (object, key, value)
    {
      g_autofree char *member_path = sbx_json_path_member (path, key);
      const Field *field = NULL;
      const char *suggestion;

      for (const Field *f = fields; f->key != NULL && field == NULL; f++)
        if (g_str_equal (f->key, key))
          field = f;
      if (field == NULL)
        {
          suggestion = closest_key (fields, key);
          if (suggestion != NULL)
            return sbx_json_doc_error (doc, member_path, error, "unknown key (did you mean '%s'?)", suggestion);
          return sbx_json_doc_error (doc, member_path, error, "unknown key");
        }
      if (json_is_null (value))
        continue;
      if (!check_node (doc, member_path, value, field, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
check_map (SbxJsonDoc *doc, const char *path, json_t *object, GError **error)
{
  const char *key;
  json_t *value;

  json_object_foreach (object, key, value)
    {
      if (!has_kind (value, K_STRING))
        {
          g_autofree char *member_path = sbx_json_path_member (path, key);
          return sbx_json_doc_error (doc, member_path, error, "must be a string");
        }
    }
  return TRUE;
}

static gboolean
check_node (SbxJsonDoc *doc, const char *path, json_t *node, const Field *field, GError **error)
{
  if (!has_kind (node, field->kind))
    return sbx_json_doc_error (doc, path, error, "must be %s", kind_name (field->kind));
  if (field->kind == K_INT && field->min < field->max &&
      (json_integer_value (node) < field->min || json_integer_value (node) > field->max))
    return sbx_json_doc_error (doc, path, error, "%" G_GINT64_FORMAT " is out of range (%" G_GINT64_FORMAT " to %" G_GINT64_FORMAT ")",
                               (gint64) json_integer_value (node), field->min, field->max);
  if (field->kind == K_OBJECT && field->fields != NULL && !check_members (doc, path, node, field->fields, error))
    return FALSE;
  if (field->kind == K_MAP && !check_map (doc, path, node, error))
    return FALSE;
  if (field->kind == K_ARRAY)
    {
      json_t *element;
      size_t i;

      json_array_foreach (node, i, element)
        {
          g_autofree char *element_path = sbx_json_path_element (path, (guint) i);
          if (!check_node (doc, element_path, element, field->fields, error))
            return FALSE;
        }
    }
  return field->check == NULL || field->check (doc, path, node, error);
}

gboolean
sbx_profile_schema_check (SbxJsonDoc *doc, GError **error)
{
  json_t *root = sbx_json_doc_get_root (doc);

  if (!json_is_object (root))
    return sbx_json_doc_error (doc, "", error, "a profile must be a JSON object");
  return check_node (doc, "", root, &top, error);
}

/* ------------------------------------------------------------------ small lookups */

int
sbx_namespace_flag_from_name (const char *name)
{
  static const struct {
    const char *name;
    int flag;
  } types[] = {
    { "pid", CLONE_NEWPID },
    { "network", CLONE_NEWNET },
    { "mount", CLONE_NEWNS },
    { "ipc", CLONE_NEWIPC },
    { "uts", CLONE_NEWUTS },
    { "user", CLONE_NEWUSER },
    { "cgroup", CLONE_NEWCGROUP },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_str_equal (types[i].name, name))
      return types[i].flag;
  return 0;
}

int
sbx_rlimit_from_name (const char *name)
{
  static const struct {
    const char *name;
    int resource;
  } limits[] = {
    { "RLIMIT_AS", RLIMIT_AS },
    { "RLIMIT_CORE", RLIMIT_CORE },
    { "RLIMIT_CPU", RLIMIT_CPU },
    { "RLIMIT_DATA", RLIMIT_DATA },
    { "RLIMIT_FSIZE", RLIMIT_FSIZE },
    { "RLIMIT_LOCKS", RLIMIT_LOCKS },
    { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
    { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
    { "RLIMIT_NICE", RLIMIT_NICE },
    { "RLIMIT_NOFILE", RLIMIT_NOFILE },
    { "RLIMIT_NPROC", RLIMIT_NPROC },
    { "RLIMIT_RSS", RLIMIT_RSS },
    { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
    { "RLIMIT_RTTIME", RLIMIT_RTTIME },
    { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
    { "RLIMIT_STACK", RLIMIT_STACK },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (limits); i++)
    if (g_str_equal (limits[i].name, name))
      return limits[i].resource;
  return -1;
}

rlim_t
sbx_rlimit_value (json_t *node)
{
  gint64 v = json_integer_value (node);

  return v < 0 ? RLIM_INFINITY : (rlim_t) v;
}
