/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-profile.c: profiles: the parser's errors (each "FILE:LINE:COL: PATH: message"), the
 * merge rules, includes and the search path, plain OCI configs, the command-line overrides
 * and the conversion into an SbxProfile.
 *
 * $SBX_PROFILE_PATH is set to two scratch directories, "lower" then "upper" (upper wins);
 * the built-in (compiled-in) profiles stay the lowest layer. */
#include "profile.h"
#include "profile-private.h"
#include "json-doc.h"
#include "json-util.h"
#include "dbus-policy.h"
#include "sbx-error.h"

#include <errno.h>
#include <gio/gio.h>
#include <string.h>
#include <sched.h>
#include <unistd.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

/* Assertions are non-fatal here (one run reports every broken rule), so GCC cannot know
 * that a pointer checked by g_assert_nonnull () is not NULL on the next line. */
#pragma GCC diagnostic ignored "-Wnull-dereference"

static char *base_dir;  /* everything scratch lives here */
static char *lower_dir; /* $SBX_PROFILE_PATH, first (lower) */
static char *upper_dir; /* $SBX_PROFILE_PATH, second (wins) */
static char *files_dir; /* files given by path */

#define CAP(n) (G_GUINT64_CONSTANT (1) << (n))

/* ------------------------------------------------------------------------- helpers */

static void
rm_rf (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *entry;

  if (dir != NULL)
    {
      while ((entry = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, entry, NULL);
          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            rm_rf (child);
          else
            (void) g_unlink (child);
        }
      g_dir_close (dir);
    }
  (void) g_rmdir (path);
}

/* Empties the profile directories: every test starts from the built-in layer alone. */
static void
reset_dirs (void)
{
  rm_rf (lower_dir);
  rm_rf (upper_dir);
  rm_rf (files_dir);
  g_assert_cmpint (g_mkdir_with_parents (lower_dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (upper_dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (files_dir, 0755), ==, 0);
}

/* Writes DIR/NAME.json (or DIR/NAME when it has a '.'); returns its path. */
static char *
write_profile (const char *dir, const char *name, const char *text)
{
  g_autofree char *file = strchr (name, '.') != NULL ? g_strdup (name) : g_strconcat (name, ".json", NULL);
  char *path = g_build_filename (dir, file, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
put_profile (const char *dir, const char *name, const char *text)
{
  g_free (write_profile (dir, name, text));
}

static SbxProfile *
load_ok (const char *name_or_path, const SbxProfileOverrides *overrides)
{
  g_autoptr(GError) error = NULL;
  SbxProfile *profile = sbx_profile_load (name_or_path, overrides, &error);

  if (error != NULL)
    g_test_message ("loading %s: %s", name_or_path, error->message);
  g_assert_no_error (error);
  g_assert_nonnull (profile);
  return profile;
}

/* Checks that @error says exactly "FILE:LINE:COL: PATH: ..." with @message in the rest
 * (PATH "" for the whole document: "FILE:LINE:COL: ..."), on one line. */
#define fail_printf(...) \
  G_STMT_START \
  { \
    g_autofree char *fail_message_ = g_strdup_printf (__VA_ARGS__); \
    g_test_message ("FAILED: %s", fail_message_); \
    g_test_fail_printf ("%s", fail_message_); \
  } \
  G_STMT_END

static void
check_error_at (const GError *error, const char *file, guint line, guint col, const char *path,
                const char *message)
{
  g_autofree char *prefix = NULL;

  if (error == NULL)
    {
      fail_printf ("expected an error %s:%u:%u: %s: %s, got none", file, line, col, path, message);
      return;
    }
  prefix = *path ? g_strdup_printf ("%s:%u:%u: %s: ", file, line, col, path)
                 : g_strdup_printf ("%s:%u:%u: ", file, line, col);
  g_test_message ("error: %s", error->message);
  if (!g_error_matches (error, SBX_ERROR, SBX_ERROR_INVALID_ARG))
    fail_printf ("'%s': not SBX_ERROR_INVALID_ARG (domain %s, code %d)", error->message,
                 g_quark_to_string (error->domain), error->code);
  if (!g_str_has_prefix (error->message, prefix))
    fail_printf ("'%s' does not start with '%s'", error->message, prefix);
  else if (strstr (error->message + strlen (prefix), message) == NULL)
    fail_printf ("'%s' does not say '%s' after its prefix", error->message, message);
  if (strchr (error->message, '\n') != NULL)
    fail_printf ("'%s' has more than one line", error->message);
}

/* Checks that @error is "FILE:LINE:COL: ..." (any position) and says @message. */
static void
check_positioned (const GError *error, const char *file, const char *message)
{
  g_autofree char *quoted = g_regex_escape_string (file, -1);
  g_autofree char *pattern = g_strdup_printf ("^%s:[0-9]+:[0-9]+: ", quoted);

  if (error == NULL)
    {
      fail_printf ("expected an error '%s', got none", message);
      return;
    }
  g_test_message ("error: %s", error->message);
  if (!g_regex_match_simple (pattern, error->message, 0, 0))
    fail_printf ("'%s' does not start with '%s:LINE:COL: '", error->message, file);
  if (strstr (error->message, message) == NULL)
    fail_printf ("'%s' does not say '%s'", error->message, message);
}

/* Loads @name_or_path, which must fail as check_error_at says; a file is also validated. */
static void
load_fails_at (const char *name_or_path, const char *file, guint line, guint col, const char *path,
               const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SbxProfile) profile = sbx_profile_load (name_or_path, NULL, &error);

  g_assert_null (profile);
  check_error_at (error, file, line, col, path, message);
  if (strchr (name_or_path, '/') != NULL)
    {
      g_autoptr(GError) error2 = NULL;
      g_assert_false (sbx_profile_validate_file (name_or_path, &error2));
      check_error_at (error2, file, line, col, path, message);
    }
}

/* Writes @text as a file and checks that loading it fails at LINE:COL PATH with @message. */
static void
text_fails_at (const char *text, guint line, guint col, const char *path, const char *message)
{
  g_autofree char *file = write_profile (files_dir, "bad.json", text);

  load_fails_at (file, file, line, col, path, message);
}

/* Parses @text on its own and returns the schema check's error (or NULL). */
static GError *
schema_error (const char *text)
{
  GError *error = NULL;
  g_autoptr(SbxJsonDoc) doc = sbx_json_doc_new_from_data ("t.json", text, strlen (text), &error);

  if (doc != NULL)
    (void) sbx_profile_schema_check (doc, &error);
  return error;
}

static gboolean
strv_has (char **strv, const char *s)
{
  return strv != NULL && g_strv_contains ((const char * const *) strv, s);
}

static const SbxMount *
find_mount (const SbxProfile *p, const char *destination)
{
  for (guint i = 0; i < p->mounts->len; i++)
    {
      const SbxMount *m = g_ptr_array_index (p->mounts, i);
      if (g_str_equal (m->destination, destination))
        return m;
    }
  return NULL;
}

static const SbxRlimit *
find_rlimit (const SbxProfile *p, int resource)
{
  for (guint i = 0; i < p->rlimits->len; i++)
    if (g_array_index (p->rlimits, SbxRlimit, i).resource == resource)
      return &g_array_index (p->rlimits, SbxRlimit, i);
  return NULL;
}

static guint
count_rlimits (const SbxProfile *p, int resource)
{
  guint n = 0;

  for (guint i = 0; i < p->rlimits->len; i++)
    n += g_array_index (p->rlimits, SbxRlimit, i).resource == resource;
  return n;
}

/* The JSON array at a dotted path of the effective profile (no [] in @path). */
static json_t *
json_at (const SbxProfile *p, const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  json_t *node = p->json;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (node == NULL || !json_is_object (node))
        return NULL;
      node = json_object_get (node, parts[i]);
    }
  return node;
}

static guint64
all_caps (void)
{
  guint64 mask = 0;

  for (int cap = 0; cap < (int) cap_max_bits () && cap < 64; cap++)
    mask |= CAP (cap);
  return mask;
}

static const guint64 podman_caps =
  CAP (CAP_CHOWN) | CAP (CAP_DAC_OVERRIDE) | CAP (CAP_FOWNER) | CAP (CAP_FSETID) | CAP (CAP_KILL) |
  CAP (CAP_NET_BIND_SERVICE) | CAP (CAP_SETFCAP) | CAP (CAP_SETGID) | CAP (CAP_SETPCAP) |
  CAP (CAP_SETUID) | CAP (CAP_SYS_CHROOT);

/* --------------------------------------------------------------------- the errors */

static void
test_error_unknown_key (void)
{
  g_autoptr(GError) error = NULL;

  reset_dirs ();
  text_fails_at ("{\n"
                 "  \"hostnme\": \"x\"\n"
                 "}\n",
                 2, 3, "hostnme", "unknown key (did you mean 'hostname'?)");
  text_fails_at ("{\n"
                 "  \"process\": {\n"
                 "    \"noNewPrivilege\": true\n"
                 "  }\n"
                 "}\n",
                 3, 5, "process.noNewPrivilege", "unknown key (did you mean 'noNewPrivileges'?)");
  text_fails_at ("{\n"
                 "  \"mounts\": [\n"
                 "    {\n"
                 "      \"destination\": \"/a\",\n"
                 "      \"typ\": \"tmpfs\"\n"
                 "    }\n"
                 "  ]\n"
                 "}\n",
                 5, 7, "mounts[0].typ", "unknown key (did you mean 'type'?)");
  text_fails_at ("{\"sbx\": {\"inclde\": [\"default\"]}}", 1, 10, "sbx.inclde",
                 "unknown key (did you mean 'include'?)");
  text_fails_at ("{\"linux\": {\"namespaces\": [], \"maskedpaths\": []}}", 1, 30, "linux.maskedpaths",
                 "unknown key (did you mean 'maskedPaths'?)");
  /* Nothing close: no suggestion. */
  text_fails_at ("{\n  \"frobnicate\": 1\n}", 2, 3, "frobnicate", "unknown key");
  error = schema_error ("{\"frobnicate\": 1}");
  g_assert_nonnull (error);
  g_assert_null (strstr (error->message, "did you mean"));
  /* An unknown key whose value is null is still unknown (null only unsets known keys). */
  text_fails_at ("{\"noNewPrivileges\": null}", 1, 2, "noNewPrivileges", "unknown key");
}

static void
test_error_wrong_type (void)
{
  reset_dirs ();
  text_fails_at ("{\n  \"hostname\": 5\n}\n", 2, 3, "hostname", "must be a string");
  text_fails_at ("{\n  \"process\": {\n    \"noNewPrivileges\": \"yes\"\n  }\n}\n", 3, 5,
                 "process.noNewPrivileges", "must be true or false");
  text_fails_at ("{\n"
                 "  \"process\": {\n"
                 "    \"args\": [\n"
                 "      \"sh\",\n"
                 "      3\n"
                 "    ]\n"
                 "  }\n"
                 "}\n",
                 5, 7, "process.args[1]", "must be a string");
  text_fails_at ("{\"process\": []}", 1, 2, "process", "must be an object");
  text_fails_at ("{\"mounts\": {}}", 1, 2, "mounts", "must be an array");
  text_fails_at ("{\"process\": {\"user\": {\"uid\": 1.5}}}", 1, 23, "process.user.uid", "must be an integer");
  text_fails_at ("{\"process\": {\"user\": {\"uid\": \"0\"}}}", 1, 23, "process.user.uid", "must be an integer");
  text_fails_at ("{\"process\": {\"user\": {\"uid\": -1}}}", 1, 23, "process.user.uid", "out of range");
  text_fails_at ("{\"process\": {\"oomScoreAdj\": 5000}}", 1, 14, "process.oomScoreAdj",
                 "5000 is out of range (-1000 to 1000)");
  text_fails_at ("{\"annotations\": {\"a\": 1}}", 1, 18, "annotations.a", "must be a string");
  text_fails_at ("{\"process\": {\"env\": [\"NOEQUALS\"]}}", 1, 22, "process.env[0]", "is not NAME=VALUE");
  text_fails_at ("{\"process\": {\"env\": [\"=x\"]}}", 1, 22, "process.env[0]", "is not NAME=VALUE");
  text_fails_at ("{\"process\": {\"args\": []}}", 1, 14, "process.args", "must name a program");
  text_fails_at ("{\"process\": {\"cwd\": \"relative\"}}", 1, 14, "process.cwd", "not an absolute path");
  text_fails_at ("{\"hostname\": \"a b\"}", 1, 2, "hostname", "not a valid host name");
  text_fails_at ("{\"sbx\": {\"network\": {\"mode\": \"bridge\"}}}", 1, 22, "sbx.network.mode",
                 "unknown network mode 'bridge'");
  text_fails_at ("{\"sbx\": {\"network\": {\"publish\": [\"80\"]}}}", 1, 34, "sbx.network.publish[0]", "");
  text_fails_at ("{\"sbx\": {\"userns\": \"bogus\"}}", 1, 10, "sbx.userns", "bogus");
  text_fails_at ("{\"sbx\": {\"storageDriver\": \"zfs\"}}", 1, 10, "sbx.storageDriver", "zfs");
  text_fails_at ("{\"sbx\": {\"apparmor\": {\"ifUnavailable\": \"sometimes\"}}}", 1, 23,
                 "sbx.apparmor.ifUnavailable", "must be \"warn\"");
  text_fails_at ("{\"sbx\": {\"image\": \"\"}}", 1, 10, "sbx.image", "must not be empty");
  /* What sbx cannot do is refused, not ignored. */
  text_fails_at ("{\"linux\": {\"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}}}", 1, 12, "linux.sysctl", "not supported");
  text_fails_at ("{\"linux\": {\"devices\": [{\"type\": \"c\", \"major\": 1, \"minor\": 3}]}}", 1, 12,
                 "linux.devices", "not supported");
  text_fails_at ("{\"process\": {\"selinuxLabel\": \"system_u\"}}", 1, 14, "process.selinuxLabel", "not supported");
}

static void
test_error_capability (void)
{
  reset_dirs ();
  text_fails_at ("{\n"
                 "  \"process\": {\n"
                 "    \"capabilities\": {\n"
                 "      \"bounding\": [\"CAP_CHOWN\", \"CAP_NOPE\"]\n"
                 "    }\n"
                 "  }\n"
                 "}\n",
                 4, 33, "process.capabilities.bounding[1]", "unknown capability 'CAP_NOPE'");
  /* A profile spells capabilities as OCI does, CAP_ and all. */
  text_fails_at ("{\"process\": {\"capabilities\": {\"ambient\": [\"net_raw\"]}}}", 1, 43,
                 "process.capabilities.ambient[0]", "unknown capability 'net_raw'");
  text_fails_at ("{\"process\": {\"capabilities\": {\"effective\": [\"CAP_\"]}}}", 1, 45,
                 "process.capabilities.effective[0]", "unknown capability");
  text_fails_at ("{\"process\": {\"capabilities\": {\"permitted\": [\"CAP_64\"]}}}", 1, 45,
                 "process.capabilities.permitted[0]", "unknown capability");
  text_fails_at ("{\"process\": {\"capabilities\": {\"bounding\": \"CAP_CHOWN\"}}}", 1, 31,
                 "process.capabilities.bounding", "must be an array");
  text_fails_at ("{\"process\": {\"capabilities\": {\"bounding\": [], \"amibent\": []}}}", 1, 47,
                 "process.capabilities.amibent", "did you mean 'ambient'?");
}

static const char rlimit_template[] =
  "{\n"
  "  \"process\": {\n"
  "    \"rlimits\": [\n"
  "      {\n"
  "        \"type\": \"%s\",\n"
  "        \"soft\": %s,\n"
  "        \"hard\": %s\n"
  "      }\n"
  "    ]\n"
  "  }\n"
  "}\n";

static void
test_error_rlimit (void)
{
  g_autofree char *bad_type = g_strdup_printf (rlimit_template, "RLIMIT_NOPE", "1", "2");
  g_autofree char *lower_case = g_strdup_printf (rlimit_template, "nofile", "1", "2");
  g_autofree char *soft_above = g_strdup_printf (rlimit_template, "RLIMIT_NOFILE", "10", "5");
  g_autofree char *soft_inf = g_strdup_printf (rlimit_template, "RLIMIT_NOFILE", "18446744073709551615", "5");
  g_autofree char *negative = g_strdup_printf (rlimit_template, "RLIMIT_NOFILE", "-5", "5");
  g_autofree char *string = g_strdup_printf (rlimit_template, "RLIMIT_NOFILE", "\"5\"", "5");

  reset_dirs ();
  text_fails_at (bad_type, 5, 9, "process.rlimits[0].type", "unknown rlimit 'RLIMIT_NOPE'");
  text_fails_at (lower_case, 5, 9, "process.rlimits[0].type", "unknown rlimit 'nofile'");
  text_fails_at (soft_above, 6, 9, "process.rlimits[0].soft", "soft limit above the hard limit");
  text_fails_at (soft_inf, 6, 9, "process.rlimits[0].soft", "soft limit above the hard limit");
  text_fails_at (negative, 6, 9, "process.rlimits[0].soft", "must be 0 or more");
  text_fails_at (string, 6, 9, "process.rlimits[0].soft", "must be an integer");
  text_fails_at ("{\n  \"process\": {\n    \"rlimits\": [\n      {\"type\": \"RLIMIT_NOFILE\", \"soft\": 1}\n    ]\n  }\n}\n",
                 4, 7, "process.rlimits[0]", "an rlimit needs type, soft and hard");
}

static void
test_error_mount (void)
{
  reset_dirs ();
  text_fails_at ("{\n"
                 "  \"mounts\": [\n"
                 "    {\n"
                 "      \"destination\": \"tmp\",\n"
                 "      \"type\": \"tmpfs\",\n"
                 "      \"source\": \"tmpfs\"\n"
                 "    }\n"
                 "  ]\n"
                 "}\n",
                 4, 7, "mounts[0].destination", "'tmp' is not an absolute path");
  text_fails_at ("{\n"
                 "  \"mounts\": [\n"
                 "    {\n"
                 "      \"destination\": \"/tmp\",\n"
                 "      \"type\": \"tmpfs\",\n"
                 "      \"source\": \"tmpfs\",\n"
                 "      \"options\": [\n"
                 "        \"nosuid\",\n"
                 "        \"bogus\"\n"
                 "      ]\n"
                 "    }\n"
                 "  ]\n"
                 "}\n",
                 9, 9, "mounts[0].options[1]", "unknown mount option 'bogus'");
  /* The second mount, so the index counts. */
  text_fails_at ("{\"mounts\": [\n"
                 "  {\"destination\": \"/a\", \"type\": \"tmpfs\"},\n"
                 "  {\"destination\": \"/b\", \"type\": \"bind\", \"source\": \"relative/dir\"}\n"
                 "]}\n",
                 3, 41, "mounts[1].source", "'relative/dir' is not an absolute path");
  text_fails_at ("{\"mounts\": [\n  {\"destination\": \"/b\", \"type\": \"bind\"}\n]}\n", 2, 3, "mounts[0]",
                 "a bind mount needs a source");
  text_fails_at ("{\"mounts\": [\n  {\"destination\": \"/b\", \"options\": [\"rbind\"]}\n]}\n", 2, 3, "mounts[0]",
                 "a bind mount needs a source");
  text_fails_at ("{\"mounts\": [\n  {\"type\": \"tmpfs\"}\n]}\n", 2, 3, "mounts[0]", "a mount needs a destination");
  text_fails_at ("{\"mounts\": [\n  {\"destination\": \"/b\"}\n]}\n", 2, 3, "mounts[0]", "a mount needs a type");
  text_fails_at ("{\"mounts\": [\n  {\"destination\": \"/mnt\", \"type\": \"proc\", \"source\": \"proc\"}\n]}\n",
                 2, 27, "mounts[0].type", "mount type 'proc' on /mnt is not supported");
  text_fails_at ("{\"mounts\": [\n  {\"destination\": \"/t\", \"type\": \"tmpfs\", \"options\": [\"size=\"]}\n]}\n",
                 2, 54, "mounts[0].options[0]", "unknown mount option 'size='");
  text_fails_at ("{\"mounts\": [\n  {\"destination\": \"/t\", \"type\": \"tmpfs\", \"options\": [\"mode=0755,uid=0\"]}\n]}\n",
                 2, 54, "mounts[0].options[0]", "unknown mount option");
  text_fails_at ("{\"linux\": {\"maskedPaths\": [\"/proc/kcore\", \"proc/keys\"]}}", 1, 43,
                 "linux.maskedPaths[1]", "'proc/keys' is not an absolute path");
  text_fails_at ("{\"linux\": {\"readonlyPaths\": [\"\"]}}", 1, 30, "linux.readonlyPaths[0]", "is not an absolute path");
  text_fails_at ("{\"mounts\": [{\"destination\": \"/./\", \"type\": \"tmpfs\"}]}", 1, 14,
                 "mounts[0].destination", "a mount on / would replace the image");
}

/* Binds and tmpfs at or below /proc (and /dev/pts), or on /dev, /sys, /sys/fs/cgroup:
 * refused where written; below /dev and /sys they stay allowed. */
static void
test_error_mount_kernel_fs (void)
{
  static const struct {
    const char *destination, *type, *message;
  } refused[] = {
    { "/proc", "bind", "/proc is sbx's procfs" },
    { "/proc/self", "bind", "/proc is sbx's procfs" },
    { "/proc/self/attr", "tmpfs", "/proc is sbx's procfs" },
    { "/proc/../proc/sys", "tmpfs", "/proc is sbx's procfs" },
    { "//proc/", "tmpfs", "/proc is sbx's procfs" },
    { "/proc", "tmpfs", "/proc is sbx's procfs" },
    { "/dev/pts", "tmpfs", "/dev/pts is the sandbox's own devpts" },
    { "/dev/pts/ptmx", "bind", "/dev/pts is the sandbox's own devpts" },
    { "/sys/fs/cgroup", "tmpfs", "/sys/fs/cgroup is the sandbox's own cgroup" },
    { "/sys/fs/cgroup/", "bind", "/sys/fs/cgroup is the sandbox's own cgroup" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *text = g_strdup_printf (
        "{\"mounts\": [\n  {\"type\": \"%s\", \"source\": \"/srv\", \"destination\": \"%s\"}\n]}\n",
        refused[i].type, refused[i].destination);
      g_autofree char *column_text = g_strdup_printf ("  {\"type\": \"%s\", \"source\": \"/srv\", ",
                                                      refused[i].type);

      text_fails_at (text, 2, (int) strlen (column_text) + 1, "mounts[0].destination", refused[i].message);
    }
}

static void
test_error_namespace (void)
{
  reset_dirs ();
  text_fails_at ("{\n"
                 "  \"linux\": {\n"
                 "    \"namespaces\": [\n"
                 "      {\n"
                 "        \"type\": \"bogus\"\n"
                 "      }\n"
                 "    ]\n"
                 "  }\n"
                 "}\n",
                 5, 9, "linux.namespaces[0].type", "unknown namespace type 'bogus'");
  text_fails_at ("{\n"
                 "  \"linux\": {\n"
                 "    \"namespaces\": [\n"
                 "      {\n"
                 "        \"type\": \"network\",\n"
                 "        \"path\": \"/proc/1/ns/net\"\n"
                 "      }\n"
                 "    ]\n"
                 "  }\n"
                 "}\n",
                 6, 9, "linux.namespaces[0].path", "joining an existing namespace is not supported");
  text_fails_at ("{\"linux\": {\"namespaces\": [\n  {\"path\": \"\"}\n]}}", 2, 3, "linux.namespaces[0]",
                 "a namespace needs a type");
  text_fails_at ("{\"linux\": {\"namespaces\": [{\"type\": \"time\"}]}}", 1, 28, "linux.namespaces[0].type",
                 "the time namespace is not supported");
}

static void
test_error_duplicate (void)
{
  reset_dirs ();
  text_fails_at ("{\n"
                 "  \"process\": {\n"
                 "    \"noNewPrivileges\": true,\n"
                 "    \"noNewPrivileges\": false\n"
                 "  }\n"
                 "}\n",
                 4, 5, "process.noNewPrivileges", "duplicate key");
  text_fails_at ("{\"hostname\": \"a\",\n \"hostname\": \"b\"}", 2, 2, "hostname", "duplicate key");
  text_fails_at ("{\"mounts\": [\n  {\"destination\": \"/a\", \"type\": \"tmpfs\", \"destination\": \"/b\"}\n]}",
                 2, 42, "mounts[0].destination", "duplicate key");
  /* The same key in two different objects is no duplicate. */
  {
    g_autoptr(GError) error = schema_error ("{\"process\": {\"user\": {\"uid\": 0}}, \"linux\": {\"resources\": {\"pids\": {\"limit\": 5}}, \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": 1}, {\"containerID\": 1, \"hostID\": 2, \"size\": 1}]}}");
    g_assert_no_error (error);
  }
}

/* A key spelt with a JSON escape is the same key once read: it must count as a
 * duplicate too, or a second "noNewPrivileges" could still quietly win. */
static void
test_error_duplicate_escaped (void)
{
  reset_dirs ();
  text_fails_at ("{\n"
                 "  \"process\": {\n"
                 "    \"noNewPrivileges\": true,\n"
                 "    \"noNewPrivilege\\u0073\": false\n"
                 "  }\n"
                 "}\n",
                 4, 5, "process.noNewPrivileges", "duplicate key");
  /* A key with a control character in it (an escape): the one line shows it as \xNN. */
  text_fails_at ("{\"sbx\": {\"network\": {\"l\\n\": [], \"l\\n\": false}}}", 1, 33, "sbx.network.l\\x0a",
                 "duplicate key");
}

/* sbx_json_doc_new_from_data () must fail with @message somewhere after "NAME:" or "NAME:L:C:". */
static void
data_fails (const char *name, const char *data, gssize length, const char *prefix, const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SbxJsonDoc) doc = sbx_json_doc_new_from_data (name, data, length < 0 ? strlen (data) : (gsize) length, &error);

  if (doc != NULL || error == NULL)
    {
      fail_printf ("%s: parsed, but must fail with '%s'", name, message);
      return;
    }
  g_test_message ("error: %s", error->message);
  if (!g_str_has_prefix (error->message, prefix))
    fail_printf ("'%s' does not start with '%s'", error->message, prefix);
  if (strstr (error->message, message) == NULL)
    fail_printf ("'%s' does not say '%s'", error->message, message);
  if (strchr (error->message, '\n') != NULL)
    fail_printf ("'%s' has more than one line", error->message);
}

static void
test_error_syntax (void)
{
  g_autofree char *file = NULL;
  g_autoptr(GError) error = NULL;

  reset_dirs ();
  /* The position of the bad token. */
  text_fails_at ("{\n  \"hostname\": x\n}\n", 2, 15, "", "");
  file = write_profile (files_dir, "bad.json", "{\n  \"hostname\": \"x\",\n}\n");
  g_assert_null (sbx_profile_load (file, NULL, &error));
  if (error != NULL)
    {
      g_test_message ("%s", error->message);
      g_assert_true (g_str_has_prefix (error->message, file));
      g_assert_true (g_str_has_prefix (error->message + strlen (file), ":2:") ||
                     g_str_has_prefix (error->message + strlen (file), ":3:"));
      g_assert_null (strchr (error->message, '\n'));
    }
  /* Unterminated. */
  data_fails ("u.json", "{\"a\": [1, 2", -1, "u.json:1:", "");
  /* Anything after the document: a second object must not be silently ignored. */
  data_fails ("g.json", "{} garbage", -1, "g.json:1:", "");
  data_fails ("g.json", "{} {}", -1, "g.json:1:", "");
  data_fails ("g.json", "{\"hostname\": \"a\"}\n{\"process\": {\"noNewPrivileges\": false}}\n", -1, "g.json:2:1: ", "");
  /* Not text. */
  data_fails ("z.json", "{\"a\0\": 1}", 9, "z.json:", "not UTF-8 text");
  data_fails ("z.json", "{\"\xff\": 1}", 8, "z.json:", "not UTF-8 text");
  /* Raw control characters in strings are not JSON (lenient parsers take them), and nothing of
   * the file reaches the terminal raw through an error message. */
  data_fails ("c.json", "{\"a\nb\": 1}", -1, "c.json:1:", "control character");
  data_fails ("c.json", "{\"a\x1b[2J\": 1}", -1, "c.json:1:", "control character");
  {
    g_autoptr(GError) e = schema_error ("{\"proc\\u001b[31mess\\n\": 1}");
    g_assert_nonnull (e);
    if (e != NULL)
      {
        g_test_message ("%s", e->message);
        g_assert_null (strchr (e->message, '\033'));
        g_assert_null (strchr (e->message, '\n'));
      }
  }
  /* What lenient parsers take and JSON does not: comments (a quote inside one must not
   * hide the nesting that follows from the depth limit), leading zeros, bare words. */
  data_fails ("k.json", "/* \" */ {}", -1, "k.json:1:1: ", "unexpected character '/'");
  data_fails ("k.json", "{\"hostname\": \"a\"} // x", -1, "k.json:1:19: ", "end of the document");
  data_fails ("n.json", "{\"a\": 01}", -1, "n.json:1:8: ", "leading zeros");
  data_fails ("n.json", "{\"a\": 1.}", -1, "n.json:1:9: ", "digit");
  data_fails ("n.json", "{\"a\": truth}", -1, "n.json:1:7: ", "a value");
  data_fails ("n.json", "{\"a\": 1,}", -1, "n.json:1:9: ", "start a key");
  /* Escapes: a NUL would cut a key (a C string) short, a lone surrogate is no text. */
  data_fails ("e.json", "{\"noNewPrivileges\\u0000x\": 1}", -1, "e.json:1:", "\\u0000");
  data_fails ("e.json", "{\"a\": \"\\ud800\"}", -1, "e.json:1:8: ", "surrogate");
  data_fails ("e.json", "{\"a\": \"\\q\"}", -1, "e.json:1:8: ", "invalid escape");
  {
    g_autoptr(GError) e = NULL;
    const char *text = "{\"a\": \"\\ud83d\\ude00\\u00e9\"}";
    g_autoptr(SbxJsonDoc) ok = sbx_json_doc_new_from_data ("s.json", text, strlen (text), &e);
    g_assert_no_error (e);
    g_assert_cmpstr (sbx_json_get_string (sbx_json_doc_get_root (ok), "a"), ==, "\xf0\x9f\x98\x80\xc3\xa9");
  }
  /* Empty. */
  text_fails_at ("", 1, 1, "", "empty");
  text_fails_at ("   \n", 1, 1, "", "");
}

static void
test_error_not_object (void)
{
  reset_dirs ();
  text_fails_at ("[1, 2]", 1, 1, "", "a profile must be a JSON object");
  text_fails_at ("\n\n  \"default\"\n", 3, 3, "", "a profile must be a JSON object");
  text_fails_at ("42", 1, 1, "", "a profile must be a JSON object");
  text_fails_at ("null", 1, 1, "", "a profile must be a JSON object");
}

static void
test_error_huge_deep (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GString) ok_deep = g_string_new (NULL);
  g_autoptr(GString) huge = g_string_new ("{\"annotations\": {\"a\": \"");
  g_autoptr(SbxJsonDoc) doc = NULL;
  g_autofree char *file = NULL;

  reset_dirs ();
  /* Deeper than SBX_JSON_DOC_MAX_DEPTH: refused before a tree of it is built. */
  for (int i = 0; i < 200000; i++)
    g_string_append_c (deep, '[');
  g_assert_null (sbx_json_doc_new_from_data ("deep.json", deep->str, deep->len, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "nested deeper than"));
  g_clear_error (&error);
  /* Exactly the limit parses (it is no profile, but no crash either); one more does not. */
  for (int i = 0; i < SBX_JSON_DOC_MAX_DEPTH; i++)
    g_string_append_c (ok_deep, '[');
  for (int i = 0; i < SBX_JSON_DOC_MAX_DEPTH; i++)
    g_string_append_c (ok_deep, ']');
  doc = sbx_json_doc_new_from_data ("ok.json", ok_deep->str, ok_deep->len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (doc);
  g_assert_false (sbx_profile_schema_check (doc, &error));
  g_clear_error (&error);
  g_string_prepend_c (ok_deep, '[');
  g_string_append_c (ok_deep, ']');
  g_assert_null (sbx_json_doc_new_from_data ("deep.json", ok_deep->str, ok_deep->len, &error));
  g_assert_nonnull (strstr (error->message, "nested deeper than"));
  g_clear_error (&error);
  /* Many siblings are no nesting: 200 mounts, each an object, sit at depth 3. */
  {
    g_autoptr(GString) wide = g_string_new ("{\"mounts\": [");
    for (int i = 0; i < 200; i++)
      g_string_append_printf (wide, "%s{\"destination\": \"/m%d\", \"type\": \"tmpfs\", \"options\": []}", i ? ", " : "", i);
    g_string_append (wide, "]}");
    g_autoptr(SbxJsonDoc) d = sbx_json_doc_new_from_data ("wide.json", wide->str, wide->len, &error);
    g_assert_no_error (error);
    g_assert_nonnull (d);
    g_clear_error (&error);
  }
  /* Brackets inside strings are no nesting. */
  {
    g_autoptr(GString) s = g_string_new ("{\"annotations\": {\"a\": \"");
    for (int i = 0; i < 1000; i++)
      g_string_append (s, "[{");
    g_string_append (s, "\"}}");
    g_autoptr(SbxJsonDoc) d = sbx_json_doc_new_from_data ("s.json", s->str, s->len, &error);
    g_assert_no_error (error);
    g_assert_true (sbx_profile_schema_check (d, &error));
    g_assert_no_error (error);
  }
  /* A file deeper than the limit fails with the file's name and a position. */
  file = write_profile (files_dir, "deep.json", deep->str);
  {
    g_autoptr(GError) e = NULL;
    g_assert_null (sbx_profile_load (file, NULL, &e));
    check_positioned (e, file, "nested deeper than");
  }
  /* Larger than SBX_JSON_DOC_MAX_SIZE. */
  while (huge->len <= SBX_JSON_DOC_MAX_SIZE)
    g_string_append (huge, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
  g_string_append (huge, "\"}}");
  g_assert_null (sbx_json_doc_new_from_data ("huge.json", huge->str, huge->len, &error));
  g_assert_nonnull (strstr (error->message, "larger than"));
  g_clear_error (&error);
  g_free (file);
  file = write_profile (files_dir, "huge.json", huge->str);
  g_assert_null (sbx_profile_load (file, NULL, &error));
  check_positioned (error, file, "larger than");
  g_clear_error (&error);
}

static void
test_error_not_regular (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *fifo = g_build_filename (files_dir, "fifo.json", NULL);

  reset_dirs ();
  /* A fifo never blocks the load, a directory is no profile. */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_false (sbx_profile_validate_file (fifo, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_false (sbx_profile_validate_file (files_dir, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_null (sbx_profile_load ("/dev/null", NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  /* A name that is neither a valid name nor a path. */
  g_assert_null (sbx_profile_load ("bad name", NULL, &error));
  g_assert_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG);
  g_clear_error (&error);
  g_assert_null (sbx_profile_load ("no-such-profile", NULL, &error));
  g_assert_error (error, SBX_ERROR, SBX_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (sbx_profile_load ("/no/such/file.json", NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "/no/such/file.json"));
}

static void
test_error_include (void)
{
  g_autofree char *a = NULL, *b = NULL, *m = NULL, *self = NULL, *bad = NULL, *broken = NULL, *top = NULL;

  reset_dirs ();
  /* a -> b -> a: the file that closes the cycle is blamed. */
  a = write_profile (upper_dir, "a", "{\"sbx\": {\"include\": [\"b\"]}}");
  b = write_profile (upper_dir, "b", "{\n  \"sbx\": {\n    \"include\": [\n      \"a\"\n    ]\n  }\n}\n");
  load_fails_at ("a", b, 4, 7, "sbx.include[0]", "include cycle: a -> b -> a");
  /* By path, "a" is another file than the a.json found by name: a.json -> b -> a -> b. */
  load_fails_at (a, a, 1, 22, "sbx.include[0]", "include cycle");
  /* A missing include. */
  m = write_profile (upper_dir, "m", "{\n  \"hostname\": \"m\",\n  \"sbx\": {\"include\": [\"default\", \"nope\"]}\n}\n");
  load_fails_at ("m", m, 3, 34, "sbx.include[1]", "profile 'nope' not found");
  /* A profile including itself with nothing below it on the search path. */
  self = write_profile (upper_dir, "self", "{\"sbx\": {\"include\": [\"self\"]}}");
  load_fails_at ("self", self, 1, 22, "sbx.include[0]", "profile 'self' not found");
  /* Not a profile name. */
  bad = write_profile (upper_dir, "badname", "{\"sbx\": {\"include\": [\"../etc/passwd\"]}}");
  load_fails_at ("badname", bad, 1, 22, "sbx.include[0]", "is not a profile name");
  /* A broken included profile speaks with its own file:line:col. */
  broken = write_profile (upper_dir, "broken", "{\n  \"process\": {\"noNewPrivileges\": 1}\n}\n");
  top = write_profile (upper_dir, "top", "{\"sbx\": {\"include\": [\"broken\"]}}");
  load_fails_at ("top", broken, 2, 15, "process.noNewPrivileges", "must be true or false");
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *broken_syntax = write_profile (upper_dir, "broken", "{\n  \"process\": \n}\n");
    g_assert_null (sbx_profile_load ("top", NULL, &error));
    g_assert_nonnull (error);
    g_assert_true (g_str_has_prefix (error->message, broken_syntax));
  }
}

/* MAX_INCLUDE_DEPTH (16) profiles deep loads; one more does not. */
static void
test_error_include_depth (void)
{
  g_autofree char *blamed = NULL;

  reset_dirs ();
  for (int i = 0; i <= 16; i++)
    {
      g_autofree char *name = g_strdup_printf ("p%d", i);
      g_autofree char *text = i < 16 ? g_strdup_printf ("{\"sbx\": {\"include\": [\"p%d\"]}, \"annotations\": {\"p%d\": \"x\"}}", i + 1, i)
                                     : g_strdup ("{\"hostname\": \"deepest\"}");
      g_autofree char *path = write_profile (upper_dir, name, text);
      if (i == 15)
        blamed = g_strdup (path);
    }
  {
    g_autoptr(SbxProfile) p = load_ok ("p1", NULL);
    g_assert_cmpstr (p->hostname, ==, "deepest");
  }
  load_fails_at ("p0", blamed, 1, 22, "sbx.include[0]", "includes nested deeper than 16");
}

/* ---------------------------------------------------------------- the merge rules */

static void
test_merge_objects_scalars (void)
{
  g_autofree char *b = NULL, *t = NULL;
  g_autoptr(SbxProfile) p = NULL;

  reset_dirs ();
  b = write_profile (upper_dir, "base",
                     "{\"hostname\": \"base\", \"domainname\": \"base.example\","
                     " \"process\": {\"cwd\": \"/base\", \"noNewPrivileges\": true, \"args\": [\"a\", \"b\"],"
                     "   \"capabilities\": {\"bounding\": [\"CAP_CHOWN\", \"CAP_KILL\"], \"effective\": [\"CAP_KILL\"]},"
                     "   \"user\": {\"uid\": 5, \"gid\": 6}},"
                     " \"root\": {\"readonly\": true},"
                     " \"annotations\": {\"a\": \"1\", \"b\": \"2\"},"
                     " \"sbx\": {\"network\": {\"mode\": \"none\", \"allowHostLoopback\": true}, \"image\": \"img\"}}");
  t = write_profile (upper_dir, "top",
                     "{\"sbx\": {\"include\": [\"base\"], \"network\": {\"mode\": \"slirp\"}},"
                     " \"hostname\": \"top\","
                     " \"process\": {\"cwd\": \"/top\", \"args\": [\"c\"],"
                     "   \"capabilities\": {\"bounding\": [\"CAP_NET_RAW\"]}, \"user\": {\"uid\": 7}},"
                     " \"annotations\": {\"b\": \"3\", \"c\": \"4\"}}");
  p = load_ok ("top", NULL);
  /* Scalars replace. */
  g_assert_cmpstr (p->hostname, ==, "top");
  g_assert_cmpstr (p->cwd, ==, "/top");
  g_assert_cmpstr (p->network, ==, "slirp");
  /* Objects merge: what the top does not say stays. */
  g_assert_cmpstr (p->domainname, ==, "base.example");
  g_assert_true (p->no_new_privileges);
  g_assert_true (p->root_readonly);
  g_assert_true (p->allow_host_loopback);
  g_assert_cmpstr (p->image, ==, "img");
  g_assert_true (p->have_user);
  g_assert_cmpuint (p->uid, ==, 7);
  g_assert_cmpuint (p->gid, ==, 6);
  /* Plain arrays replace whole (process.args, capability sets). */
  g_assert_cmpuint (g_strv_length (p->args), ==, 1);
  g_assert_cmpstr (p->args[0], ==, "c");
  g_assert_cmphex (p->caps[SBX_CAPSET_BOUNDING], ==, CAP (CAP_NET_RAW));
  g_assert_cmphex (p->caps[SBX_CAPSET_EFFECTIVE], ==, CAP (CAP_KILL));
  /* Maps merge key by key. */
  {
    json_t *annotations = json_at (p, "annotations");
    g_assert_cmpstr (sbx_json_get_string (annotations, "a"), ==, "1");
    g_assert_cmpstr (sbx_json_get_string (annotations, "b"), ==, "3");
    g_assert_cmpstr (sbx_json_get_string (annotations, "c"), ==, "4");
  }
  /* The include list itself is not part of the effective profile. */
  g_assert_null (json_at (p, "sbx.include"));
}

static void
test_merge_keyed_arrays (void)
{
  g_autofree char *b = NULL, *t = NULL;
  g_autoptr(SbxProfile) p = NULL;
  const SbxMount *m;
  const SbxRlimit *r;

  reset_dirs ();
  b = write_profile (upper_dir, "base",
                     "{\"process\": {\"env\": [\"A=1\", \"B=2\", \"PATH=/bin\"],"
                     "  \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 10, \"hard\": 20},"
                     "               {\"type\": \"RLIMIT_CORE\", \"soft\": 0, \"hard\": 0}]},"
                     " \"mounts\": [{\"destination\": \"/a\", \"type\": \"tmpfs\", \"options\": [\"size=1m\"]},"
                     "            {\"destination\": \"/b\", \"type\": \"tmpfs\"}],"
                     " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}],"
                     "   \"maskedPaths\": [\"/m1\", \"/m2\"], \"readonlyPaths\": [\"/r1\"]},"
                     " \"sbx\": {\"network\": {\"publish\": [\"8080:80\", \"9090:90\"]}}}");
  t = write_profile (upper_dir, "top",
                     "{\"sbx\": {\"include\": [\"base\"], \"network\": {\"publish\": [\"9090:90\", \"7070:70/udp\"]}},"
                     " \"process\": {\"env\": [\"B=3\", \"C=4\"],"
                     "  \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 100, \"hard\": 200}]},"
                     " \"mounts\": [{\"destination\": \"/a\", \"type\": \"tmpfs\", \"options\": [\"size=2m\"]},"
                     "            {\"destination\": \"/c\", \"type\": \"tmpfs\"}],"
                     " \"linux\": {\"namespaces\": [{\"type\": \"network\"}, {\"type\": \"uts\"}],"
                     "   \"maskedPaths\": [\"/m2\", \"/m3\"], \"readonlyPaths\": [\"/r2\"]}}");
  p = load_ok ("top", NULL);
  /* process.env by name. */
  g_assert_true (strv_has (p->env, "A=1"));
  g_assert_true (strv_has (p->env, "B=3"));
  g_assert_false (strv_has (p->env, "B=2"));
  g_assert_true (strv_has (p->env, "C=4"));
  g_assert_true (strv_has (p->env, "PATH=/bin"));
  g_assert_cmpuint (g_strv_length (p->env), ==, 4);
  /* rlimits by type. */
  g_assert_cmpuint (count_rlimits (p, RLIMIT_NOFILE), ==, 1);
  r = find_rlimit (p, RLIMIT_NOFILE);
  g_assert_nonnull (r);
  g_assert_cmpuint (r->soft, ==, 100);
  g_assert_cmpuint (r->hard, ==, 200);
  g_assert_nonnull (find_rlimit (p, RLIMIT_CORE));
  /* mounts by destination. */
  g_assert_cmpuint (p->mounts->len, ==, 3);
  m = find_mount (p, "/a");
  g_assert_nonnull (m);
  g_assert_cmpstr (m->data, ==, "size=2m");
  g_assert_nonnull (find_mount (p, "/b"));
  g_assert_nonnull (find_mount (p, "/c"));
  /* namespaces by type. */
  g_assert_cmphex (p->unshare_flags, ==, CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS);
  g_assert_true (json_is_array (json_at (p, "linux.namespaces")));
  g_assert_cmpuint (json_array_size (json_at (p, "linux.namespaces")), ==, 3);
  /* maskedPaths, readonlyPaths and publish add up, without duplicates. */
  g_assert_cmpuint (g_strv_length (p->masked_paths), ==, 3);
  g_assert_true (strv_has (p->masked_paths, "/m1") && strv_has (p->masked_paths, "/m2") &&
                 strv_has (p->masked_paths, "/m3"));
  g_assert_cmpuint (g_strv_length (p->readonly_paths), ==, 2);
  g_assert_cmpuint (g_strv_length (p->publish), ==, 3);
  g_assert_true (strv_has (p->publish, "8080:80") && strv_has (p->publish, "9090:90") &&
                 strv_has (p->publish, "7070:70/udp"));
}

static const char seccomp_base[] =
  "{\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1,"
  " \"architectures\": [\"SCMP_ARCH_X86_64\"],"
  " \"syscalls\": [{\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"}]}}}";

static void
test_merge_seccomp_replaced (void)
{
  g_autofree char *b = NULL, *t = NULL;
  g_autoptr(SbxProfile) p = NULL;
  json_t *seccomp;

  reset_dirs ();
  b = write_profile (upper_dir, "base", seccomp_base);
  t = write_profile (upper_dir, "top",
                     "{\"sbx\": {\"include\": [\"base\"]},"
                     " \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\"}}}");
  p = load_ok ("top", NULL);
  g_assert_nonnull (p->seccomp_rules);
  seccomp = p->seccomp_rules;
  g_assert_true (json_is_object (seccomp));
  g_assert_cmpstr (sbx_json_get_string (seccomp, "defaultAction"), ==, "SCMP_ACT_ALLOW");
  /* Nothing of the included filter survives: no merging into a filter. */
  g_assert_null (json_object_get (seccomp, "syscalls"));
  g_assert_null (json_object_get (seccomp, "architectures"));
  g_assert_null (json_object_get (seccomp, "defaultErrnoRet"));
}

static void
test_merge_null_removes (void)
{
  g_autofree char *b = NULL, *t = NULL, *alone = NULL, *whole = NULL;
  g_autoptr(SbxProfile) p = NULL;
  g_autoptr(SbxProfile) q = NULL;

  reset_dirs ();
  b = write_profile (upper_dir, "base", seccomp_base);
  t = write_profile (upper_dir, "top",
                     "{\"sbx\": {\"include\": [\"base\", \"default\"], \"network\": null},"
                     " \"linux\": {\"seccomp\": null},"
                     " \"process\": {\"apparmorProfile\": null, \"capabilities\": {\"bounding\": null}},"
                     " \"hostname\": null}");
  p = load_ok ("top", NULL);
  g_assert_null (p->seccomp_rules);
  g_assert_null (p->apparmor_profile);
  g_assert_null (p->hostname);
  g_assert_null (p->network);
  g_assert_cmphex (p->caps[SBX_CAPSET_BOUNDING], ==, 0);
  g_assert_cmphex (p->caps[SBX_CAPSET_EFFECTIVE], ==, podman_caps); /* only what was unset */
  g_assert_true (p->no_new_privileges);
  g_assert_false (p->has_seccomp);
  whole = sbx_profile_to_json (p, FALSE, NULL);
  g_assert_null (strstr (whole, "\"seccomp\":"));
  g_assert_null (json_at (p, "hostname"));
  /* A null in a profile that includes nothing is dropped too. */
  alone = write_profile (upper_dir, "alone", "{\"hostname\": null, \"process\": {\"cwd\": null, \"env\": [\"A=1\"]}}");
  q = load_ok ("alone", NULL);
  g_assert_null (q->hostname);
  g_assert_null (q->cwd);
  g_assert_null (json_at (q, "hostname"));
  g_assert_null (json_at (q, "process.cwd"));
  g_assert_true (strv_has (q->env, "A=1"));
}

/* sbx.dbus: bus names and NAME=RULE entries are checked as xdg-dbus-proxy reads them,
 * each complaint at its entry. */
static void
test_error_dbus (void)
{
  static const char * const good_names[] = { "org.example.App", "org.example.*", "org.example-x._1",
                                             "a.b", NULL };
  static const char * const bad_names[] = { "org", "org..example", "org.example.", ".org.example",
                                            "org.1example", ":1.42", "org.*", "org.example.*.x",
                                            "org.exa mple", "*", "", NULL };
  static const char * const good_rules[] = { "*", "org.example.Iface", "org.example.Iface.*",
                                             "org.example.Iface.Method", "@/org/example",
                                             "@/org/example/*", "@/*", "@/", "*@/org/example/*",
                                             "org.example.Iface.Method@/a/b", NULL };
  static const char * const bad_rules[] = { "", "org", "org.example.Iface.*.x", "@", "@org/example",
                                            "@/org/example/", "@/org//example", "@/org/ex-ample",
                                            "org.example.Iface.1x", "org.example.Iface@/a@/b", "**", NULL };

  reset_dirs ();
  for (guint i = 0; good_names[i] != NULL; i++)
    g_assert_true (sbx_dbus_name_check (good_names[i], NULL));
  for (guint i = 0; bad_names[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_assert_false (sbx_dbus_name_check (bad_names[i], &error));
      g_assert_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG);
    }
  for (guint i = 0; good_rules[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *entry = g_strconcat ("org.example.App=", good_rules[i], NULL);
      sbx_dbus_name_rule_check (entry, &error);
      g_assert_no_error (error);
    }
  for (guint i = 0; bad_rules[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *entry = g_strconcat ("org.example.App=", bad_rules[i], NULL);
      if (sbx_dbus_name_rule_check (entry, &error))
        g_test_message ("rule '%s' was accepted", bad_rules[i]);
      g_assert_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG);
    }

  text_fails_at ("{\"sbx\": {\"dbus\": {\"session\": {\"talk\": [\"org..x\"]}}}}", 1, 40,
                 "sbx.dbus.session.talk[0]", "'org..x' is not a D-Bus bus name");
  text_fails_at ("{\"sbx\": {\"dbus\": {\"system\": {\"own\": [\"org.example.A\", \":1.2\"]}}}}", 1, 55,
                 "sbx.dbus.system.own[1]", "unique bus name");
  text_fails_at ("{\"sbx\": {\"dbus\": {\"session\": {\n"
                 "  \"see\": [\"org.example.*\"],\n"
                 "  \"call\": [\"org.example.App\"]}}}}",
                 3, 12,
                 "sbx.dbus.session.call[0]", "is not NAME=RULE");
  text_fails_at ("{\"sbx\": {\"dbus\": {\"session\": {\"broadcast\": [\"org.example.App=@/a/\"]}}}}", 1, 45,
                 "sbx.dbus.session.broadcast[0]", "'/a/' is not an object path");
  text_fails_at ("{\"sbx\": {\"dbus\": {\"session\": {\"call\": [\"x=*\"]}}}}", 1, 40,
                 "sbx.dbus.session.call[0]", "'x' is not a D-Bus bus name");
  text_fails_at ("{\"sbx\": {\"dbus\": {\"session\": {\"tlak\": []}}}}", 1, 31,
                 "sbx.dbus.session.tlak", "did you mean 'talk'");
  text_fails_at ("{\"sbx\": {\"dbus\": {\"user\": {}}}}", 1, 19, "sbx.dbus.user", "unknown key");
  text_fails_at ("{\"sbx\": {\"dbus\": {\"session\": {\"talk\": \"org.example.App\"}}}}", 1, 31,
                 "sbx.dbus.session.talk", "must be an array");
  text_fails_at ("{\"sbx\": {\"dbus\": {\"session\": true}}}", 1, 19, "sbx.dbus.session", "must be an object");
}

/* sbx.dbus: the name lists add up across includes, null removes a list or a whole bus,
 * and a bus the profile does not name is not in the sandbox. */
static void
test_merge_dbus (void)
{
  g_autofree char *b = NULL, *t = NULL, *u = NULL, *none = NULL;
  g_autoptr(SbxProfile) p = NULL;
  g_autoptr(SbxProfile) q = NULL;
  g_autoptr(SbxProfile) r = NULL;

  reset_dirs ();
  b = write_profile (upper_dir, "base",
                     "{\"sbx\": {\"dbus\": {\"session\": {\"talk\": [\"org.a.A\", \"org.b.B\"],"
                     "   \"call\": [\"org.c.C=org.c.Iface.*@/org/c/*\"], \"see\": [\"org.s.*\"]},"
                     " \"system\": {\"talk\": [\"org.freedesktop.NetworkManager\"]}}}}");
  t = write_profile (upper_dir, "top",
                     "{\"sbx\": {\"include\": [\"base\"], \"dbus\": {\"session\": {\"talk\": [\"org.b.B\", \"org.d.D\"],"
                     "   \"own\": [\"org.mine.*\"], \"broadcast\": [\"org.c.C=@/org/c/*\"], \"see\": null}}}}");
  p = load_ok ("top", NULL);
  g_assert_nonnull (p->dbus_session);
  g_assert_cmpuint (g_strv_length (p->dbus_session->talk), ==, 3);
  g_assert_true (strv_has (p->dbus_session->talk, "org.a.A") && strv_has (p->dbus_session->talk, "org.b.B") &&
                 strv_has (p->dbus_session->talk, "org.d.D"));
  g_assert_cmpuint (g_strv_length (p->dbus_session->own), ==, 1);
  g_assert_true (strv_has (p->dbus_session->call, "org.c.C=org.c.Iface.*@/org/c/*"));
  g_assert_true (strv_has (p->dbus_session->broadcast, "org.c.C=@/org/c/*"));
  g_assert_cmpuint (g_strv_length (p->dbus_session->see), ==, 0); /* null removed it */
  g_assert_nonnull (p->dbus_system);
  g_assert_true (strv_has (p->dbus_system->talk, "org.freedesktop.NetworkManager"));

  u = write_profile (upper_dir, "nosession",
                     "{\"sbx\": {\"include\": [\"base\"], \"dbus\": {\"session\": null}}}");
  q = load_ok ("nosession", NULL);
  g_assert_null (q->dbus_session);
  g_assert_nonnull (q->dbus_system);

  /* No sbx.dbus: no bus at all; an empty object: the bus, with nothing to talk to. */
  none = write_profile (upper_dir, "empty", "{\"sbx\": {\"dbus\": {\"session\": {}}}}");
  r = load_ok ("empty", NULL);
  g_assert_nonnull (r->dbus_session);
  g_assert_cmpuint (g_strv_length (r->dbus_session->talk), ==, 0);
  g_assert_null (r->dbus_system);
  g_clear_pointer (&r, sbx_profile_free);
  r = load_ok ("default", NULL);
  g_assert_null (r->dbus_session);
  g_assert_null (r->dbus_system);
}

static void
test_merge_include_order (void)
{
  g_autofree char *x = NULL, *y = NULL, *t = NULL, *u = NULL;
  g_autoptr(SbxProfile) p = NULL;
  g_autoptr(SbxProfile) q = NULL;

  reset_dirs ();
  x = write_profile (upper_dir, "x", "{\"hostname\": \"x\", \"domainname\": \"x\", \"process\": {\"env\": [\"V=x\", \"X=1\"]}}");
  y = write_profile (upper_dir, "y", "{\"hostname\": \"y\", \"process\": {\"env\": [\"V=y\", \"Y=1\"]}}");
  /* The later include wins over the earlier one... */
  t = write_profile (upper_dir, "t", "{\"sbx\": {\"include\": [\"x\", \"y\"]}, \"process\": {\"cwd\": \"/t\"}}");
  p = load_ok ("t", NULL);
  g_assert_cmpstr (p->hostname, ==, "y");
  g_assert_cmpstr (p->domainname, ==, "x");
  g_assert_true (strv_has (p->env, "V=y"));
  g_assert_false (strv_has (p->env, "V=x"));
  g_assert_true (strv_has (p->env, "X=1") && strv_has (p->env, "Y=1"));
  /* ...and the including file over both, wherever "include" sits in it. */
  u = write_profile (upper_dir, "u", "{\"hostname\": \"u\", \"process\": {\"env\": [\"V=u\"]}, \"sbx\": {\"include\": [\"y\", \"x\"]}}");
  q = load_ok ("u", NULL);
  g_assert_cmpstr (q->hostname, ==, "u");
  g_assert_true (strv_has (q->env, "V=u"));
  g_assert_false (strv_has (q->env, "V=x"));
  g_assert_false (strv_has (q->env, "V=y"));
}

/* Search path: upper over lower over built-in; a profile including its own name extends the
 * next one down; a built-in profile's includes see the user's overrides. */
static void
test_search_path (void)
{
  g_autofree char *lower = NULL, *upper = NULL, *user_default = NULL;
  g_auto(GStrv) dirs = sbx_profile_search_path ();

  reset_dirs ();
  g_assert_cmpuint (g_strv_length (dirs), ==, 3);
  g_assert_cmpstr (dirs[1], ==, lower_dir);
  g_assert_cmpstr (dirs[2], ==, upper_dir);

  lower = write_profile (lower_dir, "app", "{\"hostname\": \"lower\", \"process\": {\"env\": [\"L=1\", \"V=lower\"]}}");
  {
    g_autoptr(SbxProfile) p = load_ok ("app", NULL);
    g_assert_cmpstr (p->hostname, ==, "lower");
  }
  /* The upper directory shadows the lower. */
  upper = write_profile (upper_dir, "app", "{\"domainname\": \"upper\"}");
  {
    g_autoptr(SbxProfile) p = load_ok ("app", NULL);
    g_assert_null (p->hostname);
    g_assert_cmpstr (p->domainname, ==, "upper");
  }
  /* Including its own name: extends the lower one. */
  g_free (upper);
  upper = write_profile (upper_dir, "app", "{\"sbx\": {\"include\": [\"app\"]}, \"process\": {\"env\": [\"U=1\", \"V=upper\"]}}");
  {
    g_autoptr(SbxProfile) p = load_ok ("app", NULL);
    g_assert_cmpstr (p->hostname, ==, "lower");
    g_assert_true (strv_has (p->env, "L=1") && strv_has (p->env, "U=1") && strv_has (p->env, "V=upper"));
    g_assert_false (strv_has (p->env, "V=lower"));
  }
  /* The user's "default" extending the built-in one... */
  user_default = write_profile (upper_dir, "default",
                                "{\"sbx\": {\"include\": [\"default\"]}, \"hostname\": \"mine\","
                                " \"process\": {\"env\": [\"MINE=1\"]}}");
  {
    g_autoptr(SbxProfile) p = load_ok ("default", NULL);
    g_assert_cmpstr (p->hostname, ==, "mine");
    g_assert_cmphex (p->caps[SBX_CAPSET_BOUNDING], ==, podman_caps);
    g_assert_true (p->no_new_privileges);
  }
  /* ...is what the built-in desktop includes as "default". */
  {
    g_autoptr(SbxProfile) p = load_ok ("desktop", NULL);
    g_assert_cmpstr (p->hostname, ==, "mine");
    g_assert_true (strv_has (p->env, "MINE=1"));
    g_assert_cmphex (p->caps[SBX_CAPSET_BOUNDING], ==, podman_caps);
  }
  /* A file given by path that includes a name finds it on the search path. */
  {
    g_autofree char *file = write_profile (files_dir, "by-path.json", "{\"sbx\": {\"include\": [\"app\"]}}");
    g_autoptr(SbxProfile) p = load_ok (file, NULL);
    g_assert_cmpstr (p->hostname, ==, "lower");
    g_assert_true (sbx_profile_validate_file (file, NULL));
  }
  /* Empty elements of SBX_PROFILE_PATH are skipped. */
  {
    g_autofree char *old = g_strdup (g_getenv ("SBX_PROFILE_PATH"));
    g_autofree char *value = g_strdup_printf (":%s::", upper_dir);
    g_auto(GStrv) d = NULL;
    g_setenv ("SBX_PROFILE_PATH", value, TRUE);
    d = sbx_profile_search_path ();
    g_assert_cmpuint (g_strv_length (d), ==, 2);
    g_assert_cmpstr (d[1], ==, upper_dir);
    g_setenv ("SBX_PROFILE_PATH", old, TRUE);
  }
}

static void
test_list (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *user_default = NULL, *mine = NULL, *lower_mine = NULL;
  gboolean seen[4] = { FALSE };
  guint found_default = 0, found_mine = 0;

  reset_dirs ();
  user_default = write_profile (upper_dir, "default", "{\"sbx\": {\"include\": [\"default\"], \"description\": \"my default\"}}");
  lower_mine = write_profile (lower_dir, "mine", "{\"sbx\": {\"description\": \"lower\"}}");
  mine = write_profile (upper_dir, "mine", "{\"sbx\": {\"description\": \"upper\"}}");
  put_profile (upper_dir, ".hidden.json", "{}");
  put_profile (upper_dir, "not-json.txt", "{}");
  list = sbx_profile_list (&error);
  g_assert_no_error (error);
  g_assert_nonnull (list);
  for (guint i = 0; i < list->len; i++)
    {
      const SbxProfileInfo *info = g_ptr_array_index (list, i);
      static const char * const builtins[] = { "default", "desktop", "devel", "firefox" };

      g_test_message ("%s %s %s", info->name, info->path ? info->path : "built-in", info->description);
      if (i > 0)
        g_assert_cmpint (strcmp (((SbxProfileInfo *) g_ptr_array_index (list, i - 1))->name, info->name), <, 0);
      for (guint k = 0; k < G_N_ELEMENTS (builtins); k++)
        if (g_str_equal (info->name, builtins[k]))
          seen[k] = TRUE;
      if (g_str_equal (info->name, "default"))
        {
          found_default++;
          g_assert_cmpstr (info->path, ==, user_default);
          g_assert_cmpstr (info->description, ==, "my default");
        }
      else if (g_str_equal (info->name, "mine"))
        {
          found_mine++;
          g_assert_cmpstr (info->path, ==, mine);
          g_assert_cmpstr (info->description, ==, "upper");
        }
      else if (g_str_equal (info->name, "desktop"))
        g_assert_null (info->path);
      g_assert_false (g_str_equal (info->name, ".hidden"));
      g_assert_false (g_str_equal (info->name, "not-json"));
    }
  g_assert_true (seen[0] && seen[1] && seen[2] && seen[3]);
  g_assert_cmpuint (found_default, ==, 1);
  g_assert_cmpuint (found_mine, ==, 1);
}

/* ---------------------------------------------------------------- shipped profiles */

static void
test_builtin_profiles (void)
{
  reset_dirs ();
  {
    g_autoptr(SbxProfile) p = load_ok ("default", NULL);
    g_assert_cmpstr (p->name, ==, "default");
    for (int set = 0; set < SBX_N_CAPSETS; set++)
      g_test_message ("capset %d: %" G_GINT64_MODIFIER "x", set, p->caps[set]);
    g_assert_cmphex (p->caps[SBX_CAPSET_BOUNDING], ==, podman_caps);
    g_assert_cmphex (p->caps[SBX_CAPSET_EFFECTIVE], ==, podman_caps);
    g_assert_cmphex (p->caps[SBX_CAPSET_PERMITTED], ==, podman_caps);
    g_assert_cmphex (p->caps[SBX_CAPSET_INHERITABLE], ==, 0);
    g_assert_cmphex (p->caps[SBX_CAPSET_AMBIENT], ==, 0);
    g_assert_true (p->no_new_privileges);
    g_assert_true (strv_has (p->masked_paths, "/proc/kcore"));
    g_assert_true (strv_has (p->readonly_paths, "/proc/sys"));
    g_assert_nonnull (p->seccomp_rules);
    g_assert_false (p->root_readonly);
    g_assert_true ((p->unshare_flags & (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID)) ==
                   (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID));
    g_assert_null (p->args);
  }
  {
    g_autoptr(SbxProfile) p = load_ok ("desktop", NULL);
    const SbxMount *shm = find_mount (p, "/dev/shm");
    g_assert_cmphex (p->caps[SBX_CAPSET_BOUNDING], ==, podman_caps);
    g_assert_true (p->no_new_privileges);
    g_assert_nonnull (p->seccomp_rules);
    g_assert_nonnull (shm);
    g_assert_cmpint (shm->kind, ==, SBX_MOUNT_TMPFS);
  }
  {
    g_autoptr(SbxProfile) p = load_ok ("devel", NULL);
    g_assert_cmpstr (p->userns, ==, "keep-id");
    g_assert_cmphex (p->caps[SBX_CAPSET_BOUNDING], ==, podman_caps);
  }
  {
    g_autoptr(SbxProfile) p = load_ok ("firefox", NULL);
    g_assert_nonnull (p->args);
    g_assert_cmpstr (p->args[0], ==, "firefox-esr");
    g_assert_cmpstr (p->image, ==, "host");
    g_assert_cmpstr (p->app_id, ==, "org.mozilla.firefox");
    g_assert_true (p->no_new_privileges);
    g_assert_cmpint (p->home, ==, SBX_HOME_PRIVATE);
    g_assert_true (strv_has (p->share, "xdg-download:rw"));
    g_assert_nonnull (p->dbus_session);
    g_assert_nonnull (find_mount (p, "/dev/shm"));
    /* The browser base keeps the filter but lets the browser make its own user namespaces. */
    g_assert_nonnull (p->seccomp_rules);
    {
      g_autofree char *filter = sbx_json_to_text (p->seccomp_rules, FALSE, NULL);
      g_assert_null (strstr (filter, "\"unshare\""));
    }
  }
  /* Every shipped profile is valid by itself, as a file. */
  {
    static const char * const names[] = { "default", "desktop", "devel", "firefox", "gui-x11", "gui-wayland", "audio",
                                          "network", "offline", "browser", "chromium", "thunderbird", "libreoffice",
                                          "vlc", "gimp", "evince", "devshell" };
    const char *srcdir = g_getenv ("SBX_TESTS_SRCDIR");
    for (gsize i = 0; srcdir != NULL && i < G_N_ELEMENTS (names); i++)
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *file = g_strdup_printf ("%s/../data/profiles/%s.json", srcdir, names[i]);
        if (!g_file_test (file, G_FILE_TEST_EXISTS))
          continue;
        g_assert_true (sbx_profile_validate_file (file, &error));
        g_assert_no_error (error);
      }
  }
}

/* The desktop extension is values only (launcher/desktop.c finds the sockets at run time):
 * grants, the home mode, shares and the app id, each checked at its line:col. */
static void
test_desktop (void)
{
  g_autofree char *file = NULL;

  reset_dirs ();
  {
    g_autoptr(SbxProfile) p = load_ok ("desktop", NULL);
    g_assert_true (p->desktop.wayland && p->desktop.pulseaudio && p->desktop.pipewire && p->desktop.gpu);
    g_assert_cmpint (p->desktop.x11, ==, SBX_X11_UNTRUSTED);
    g_assert_null (find_mount (p, "/run/sbx/wayland-0"));
  }
  file = write_profile (files_dir, "d.json", "{\"sbx\": {\"desktop\": {\"x11\": \"trusted\"}, \"home\": \"tmpfs\", "
                                             "\"share\": [\"xdg-download:rw\", \"~/Projects/foo\", \"xdg-pictures/2024:ro\"], "
                                             "\"appId\": \"org.example.App\"}}");
  {
    g_autoptr(SbxProfile) p = load_ok (file, NULL);
    g_assert_cmpint (p->desktop.x11, ==, SBX_X11_TRUSTED);
    g_assert_cmpint (p->home, ==, SBX_HOME_TMPFS);
    g_assert_cmpuint (g_strv_length (p->share), ==, 3);
    g_assert_cmpstr (p->app_id, ==, "org.example.App");
  }
  text_fails_at ("{\"sbx\": {\"desktop\": {\"x11\": \"yes\"}}}", 1, 22, "sbx.desktop.x11",
                 "must be true, false, \"untrusted\" or \"trusted\"");
  text_fails_at ("{\"sbx\": {\"home\": \"shared\"}}", 1, 10, "sbx.home", "must be");
  text_fails_at ("{\"sbx\": {\"share\": [\"xdg-bogus\"]}}", 1, 20, "sbx.share[0]", "unknown XDG directory");
  text_fails_at ("{\"sbx\": {\"share\": [\"~/../etc:rw\"]}}", 1, 20, "sbx.share[0]", "must be plain");
  text_fails_at ("{\"sbx\": {\"share\": [\"/:rw\"]}}", 1, 20, "sbx.share[0]", "whole host file system");
  text_fails_at ("{\"sbx\": {\"share\": [\"xdg-download:rwx\"]}}", 1, 20, "sbx.share[0]", "ro or rw");
  text_fails_at ("{\"sbx\": {\"appId\": \"firefox\"}}", 1, 10, "sbx.appId", "not an application id");
}

/* ------------------------------------------------------------- plain OCI configs */

static void
oci_spec (const char *runtime)
{
  g_autofree char *base = g_path_get_basename (runtime);
  g_autofree char *dir = g_build_filename (files_dir, base, NULL);
  g_autofree char *config = g_build_filename (dir, "config.json", NULL);
  const char *argv[] = { runtime, "spec", "--rootless", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  reset_dirs ();
  if (!g_file_test (runtime, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_autofree char *reason = g_strdup_printf ("%s is not installed", runtime);
      g_test_skip (reason);
      return;
    }
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  if (!g_spawn_sync (dir, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                     &status, &error) ||
      !g_spawn_check_wait_status (status, NULL) || !g_file_test (config, G_FILE_TEST_EXISTS))
    {
      g_autofree char *reason = g_strdup_printf ("'%s spec --rootless' failed: %s%s", runtime,
                                                 error != NULL ? error->message : "", err != NULL ? err : "");
      g_test_skip (reason);
      return;
    }
  g_assert_true (sbx_profile_validate_file (config, &error));
  g_assert_no_error (error);
  {
    g_autoptr(SbxProfile) p = load_ok (config, NULL);
    const SbxRlimit *r = find_rlimit (p, RLIMIT_NOFILE);
    const guint64 caps = CAP (CAP_AUDIT_WRITE) | CAP (CAP_KILL) | CAP (CAP_NET_BIND_SERVICE);

    g_assert_nonnull (p->args);
    g_assert_cmpstr (p->args[0], ==, "sh");
    g_assert_cmpstr (p->cwd, ==, "/");
    g_assert_true (p->have_user);
    g_assert_cmpuint (p->uid, ==, 0);
    g_assert_true (p->no_new_privileges);
    g_assert_true (p->root_readonly);
    g_assert_cmphex (p->caps[SBX_CAPSET_BOUNDING], ==, caps);
    g_assert_cmphex (p->caps[SBX_CAPSET_AMBIENT], ==, caps);
    g_assert_cmphex (p->caps[SBX_CAPSET_INHERITABLE], ==, 0);
    g_assert_nonnull (r);
    g_assert_cmpuint (r->soft, ==, 1024);
    g_assert_cmpuint (r->hard, ==, 1024);
    g_assert_true (strv_has (p->env, "TERM=xterm"));
    g_assert_true (strv_has (p->masked_paths, "/proc/kcore"));
    g_assert_true (p->unshare_flags & CLONE_NEWPID);
    g_assert_null (p->seccomp_rules);
    /* /proc, /dev, /dev/pts, /sys ... are sbx's own: none is left to mount. */
    for (guint i = 0; i < p->mounts->len; i++)
      g_test_message ("mount %s", ((SbxMount *) g_ptr_array_index (p->mounts, i))->destination);
    g_assert_null (find_mount (p, "/proc"));
    g_assert_null (find_mount (p, "/dev/pts"));
    g_assert_null (find_mount (p, "/sys"));
    g_assert_null (find_mount (p, "/sys/fs/cgroup"));
    g_assert_null (find_mount (p, "/dev/mqueue"));
  }
  /* A profile may include nothing and still be extended by the command line. */
  {
    const char *env[] = { "X=1", NULL };
    SbxProfileOverrides o = { .env = (char **) env, .hostname = "oci" };
    g_autoptr(SbxProfile) p = load_ok (config, &o);
    g_assert_cmpstr (p->hostname, ==, "oci");
    g_assert_true (strv_has (p->env, "X=1") && strv_has (p->env, "TERM=xterm"));
  }
}

static void
test_oci_crun (void)
{
  oci_spec ("/usr/bin/crun");
}

static void
test_oci_runc (void)
{
  oci_spec ("/usr/sbin/runc");
}

/* ------------------------------------------------------------- typed conversion */

static void
test_convert (void)
{
  g_autofree char *file = NULL;
  g_autoptr(SbxProfile) p = NULL;
  const SbxMount *m;
  const SbxRlimit *r;
  g_autofree char *home_data = g_build_filename (g_get_home_dir (), "data", NULL);

  reset_dirs ();
  file = write_profile (files_dir, "conv.json",
                        "{\"process\": {"
                        "   \"user\": {\"uid\": 1000, \"gid\": 100, \"additionalGids\": [5, 6], \"umask\": 63, \"username\": \"u\"},"
                        "   \"capabilities\": {\"bounding\": [\"CAP_NET_RAW\", \"CAP_SYS_ADMIN\", \"CAP_CHECKPOINT_RESTORE\"],"
                        "                    \"effective\": [\"CAP_NET_RAW\"], \"permitted\": [\"CAP_NET_RAW\"],"
                        "                    \"inheritable\": [\"CAP_NET_RAW\"], \"ambient\": [\"CAP_NET_RAW\"]},"
                        "   \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1024, \"hard\": 4096},"
                        "                {\"type\": \"RLIMIT_CORE\", \"soft\": 0, \"hard\": 18446744073709551615},"
                        "                {\"type\": \"RLIMIT_STACK\", \"soft\": 18446744073709551615, \"hard\": 18446744073709551615}],"
                        "   \"noNewPrivileges\": false, \"apparmorProfile\": \"\", \"oomScoreAdj\": 500,"
                        "   \"args\": [\"prog\", \"arg 1\"], \"cwd\": \"/work\"},"
                        " \"hostname\": \"h-1.example\","
                        " \"root\": {\"readonly\": true},"
                        " \"mounts\": ["
                        "   {\"destination\": \"/ro\", \"type\": \"bind\", \"source\": \"/srv\", \"options\": [\"rbind\", \"ro\", \"nosuid\", \"nodev\", \"noexec\"]},"
                        "   {\"destination\": \"/rw\", \"type\": \"bind\", \"source\": \"/srv\", \"options\": [\"bind\", \"ro\", \"rw\", \"suid\", \"dev\", \"exec\"]},"
                        "   {\"destination\": \"/home-data\", \"source\": \"~/data\", \"options\": [\"rbind\", \"nosymfollow\", \"rprivate\"]},"
                        "   {\"destination\": \"/t/./x/../y//\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"size=64m\", \"mode=1777\", \"noexec\", \"noatime\"]},"
                        "   {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"}"
                        " ],"
                        " \"linux\": {\"namespaces\": [{\"type\": \"uts\"}, {\"type\": \"ipc\"}, {\"type\": \"cgroup\"}, {\"type\": \"user\"}, {\"type\": \"mount\"}],"
                        "   \"resources\": {\"pids\": {\"limit\": 100}}},"
                        " \"sbx\": {\"image\": \"img\", \"userns\": \"keep-id\", \"storageDriver\": \"overlay\","
                        "   \"network\": {\"mode\": \"none\"}, \"apparmor\": {\"ifUnavailable\": \"fail\"}}}");
  p = load_ok (file, NULL);
  g_assert_cmpstr (p->name, ==, file);
  /* process.user */
  g_assert_true (p->have_user);
  g_assert_cmpuint (p->uid, ==, 1000);
  g_assert_cmpuint (p->gid, ==, 100);
  g_assert_cmpuint (p->additional_gids->len, ==, 2);
  g_assert_cmpuint (g_array_index (p->additional_gids, gid_t, 1), ==, 6);
  g_assert_true (p->have_umask);
  g_assert_cmpuint (p->umask, ==, 077);
  g_assert_cmpstr (p->username, ==, "u");
  /* capability bitmasks, bit N = capability N */
  g_assert_cmphex (p->caps[SBX_CAPSET_BOUNDING], ==, CAP (CAP_NET_RAW) | CAP (CAP_SYS_ADMIN) | CAP (40));
  for (int set = SBX_CAPSET_EFFECTIVE; set < SBX_N_CAPSETS; set++)
    g_assert_cmphex (p->caps[set], ==, CAP (CAP_NET_RAW));
  /* rlimits, unlimited as RLIM_INFINITY */
  g_assert_cmpuint (p->rlimits->len, ==, 3);
  r = find_rlimit (p, RLIMIT_NOFILE);
  g_assert_nonnull (r);
  g_assert_cmpuint (r->soft, ==, 1024);
  g_assert_cmpuint (r->hard, ==, 4096);
  r = find_rlimit (p, RLIMIT_CORE);
  g_assert_nonnull (r);
  g_assert_cmpuint (r->soft, ==, 0);
  g_assert_true (r->hard == RLIM_INFINITY);
  r = find_rlimit (p, RLIMIT_STACK);
  g_assert_true (r->soft == RLIM_INFINITY && r->hard == RLIM_INFINITY);
  g_assert_false (p->no_new_privileges);
  g_assert_null (p->apparmor_profile); /* "" is none */
  g_assert_true (p->have_oom_score_adj);
  g_assert_cmpint (p->oom_score_adj, ==, 500);
  g_assert_cmpuint (g_strv_length (p->args), ==, 2);
  g_assert_cmpstr (p->args[1], ==, "arg 1");
  g_assert_cmpstr (p->cwd, ==, "/work");
  g_assert_cmpstr (p->hostname, ==, "h-1.example");
  g_assert_true (p->root_readonly);
  /* mounts and their attributes */
  g_assert_cmpuint (p->mounts->len, ==, 4); /* /proc is sbx's own */
  m = find_mount (p, "/ro");
  g_assert_nonnull (m);
  g_assert_cmpint (m->kind, ==, SBX_MOUNT_BIND);
  g_assert_true (m->recursive);
  g_assert_cmpstr (m->source, ==, "/srv");
  g_assert_cmphex (m->attr_set, ==, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  g_assert_cmphex (m->attr_clr, ==, 0);
  m = find_mount (p, "/rw");
  g_assert_nonnull (m);
  g_assert_false (m->recursive);
  g_assert_cmphex (m->attr_set, ==, 0);
  g_assert_cmphex (m->attr_clr, ==, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  m = find_mount (p, "/home-data");
  g_assert_nonnull (m);
  g_assert_cmpint (m->kind, ==, SBX_MOUNT_BIND);
  g_assert_cmpstr (m->source, ==, home_data);
  g_assert_cmphex (m->attr_set, ==, MOUNT_ATTR_NOSYMFOLLOW);
  m = find_mount (p, "/t/y");
  g_assert_nonnull (m);
  g_assert_cmpint (m->kind, ==, SBX_MOUNT_TMPFS);
  g_assert_cmpstr (m->data, ==, "size=64m,mode=1777");
  g_assert_cmphex (m->attr_set, ==, MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOATIME);
  g_assert_null (m->source);
  /* the mount order is the profile's */
  g_assert_cmpstr (((SbxMount *) g_ptr_array_index (p->mounts, 0))->destination, ==, "/ro");
  g_assert_cmpstr (((SbxMount *) g_ptr_array_index (p->mounts, 3))->destination, ==, "/t/y");
  /* linux */
  g_assert_cmphex (p->unshare_flags, ==, CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP | CLONE_NEWUSER | CLONE_NEWNS);
  g_assert_true (p->has_resource_limits);
  g_assert_null (p->seccomp_rules);
  /* sbx */
  g_assert_cmpstr (p->image, ==, "img");
  g_assert_cmpstr (p->userns, ==, "keep-id");
  g_assert_cmpstr (p->storage_driver, ==, "overlay");
  g_assert_cmpstr (p->network, ==, "none");
  g_assert_cmpint (p->apparmor_policy, ==, SBX_APPARMOR_FAIL);
  /* to JSON and back: the effective profile is itself a valid profile */
  {
    g_autofree char *json = sbx_profile_to_json (p, TRUE, NULL);
    g_autofree char *again = write_profile (files_dir, "again.json", json);
    g_autoptr(SbxProfile) q = load_ok (again, NULL);
    g_assert_cmphex (q->caps[SBX_CAPSET_BOUNDING], ==, p->caps[SBX_CAPSET_BOUNDING]);
    g_assert_cmpuint (q->mounts->len, ==, p->mounts->len);
    r = find_rlimit (q, RLIMIT_CORE);
    g_assert_true (r != NULL && r->hard == RLIM_INFINITY);
  }
  /* the defaults of what a profile leaves out */
  {
    g_autofree char *empty = write_profile (files_dir, "empty.json", "{}");
    g_autoptr(SbxProfile) q = load_ok (empty, NULL);
    g_assert_false (q->have_user);
    g_assert_null (q->args);
    g_assert_null (q->hostname);
    g_assert_null (q->seccomp_rules);
    g_assert_false (q->no_new_privileges);
    g_assert_cmpuint (q->mounts->len, ==, 0);
    for (int set = 0; set < SBX_N_CAPSETS; set++)
      g_assert_cmphex (q->caps[set], ==, 0);
    g_assert_cmpint (q->apparmor_policy, ==, SBX_APPARMOR_WARN);
    g_assert_false (q->has_resource_limits);
  }
}

static void
test_capability_names (void)
{
  g_assert_cmpint (sbx_capability_from_name ("CAP_NET_RAW"), ==, CAP_NET_RAW);
  g_assert_cmpint (sbx_capability_from_name ("net_raw"), ==, CAP_NET_RAW);
  g_assert_cmpint (sbx_capability_from_name ("NET_RAW"), ==, CAP_NET_RAW);
  g_assert_cmpint (sbx_capability_from_name ("cap_chown"), ==, CAP_CHOWN);
  g_assert_cmpint (sbx_capability_from_name ("CAP_NOPE"), ==, -1);
  g_assert_cmpint (sbx_capability_from_name ("12"), ==, -1);
  g_assert_cmpint (sbx_capability_from_name (""), ==, -1);
  g_assert_cmpint (sbx_capability_from_name (NULL), ==, -1);
  g_assert_cmpint (sbx_capability_from_name ("ALL"), ==, -1);
  g_assert_cmpint (sbx_rlimit_from_name ("RLIMIT_NOFILE"), ==, RLIMIT_NOFILE);
  g_assert_cmpint (sbx_rlimit_from_name ("RLIMIT_RTTIME"), ==, RLIMIT_RTTIME);
  g_assert_cmpint (sbx_rlimit_from_name ("NOFILE"), ==, -1);
  g_assert_cmpint (sbx_namespace_flag_from_name ("network"), ==, CLONE_NEWNET);
  g_assert_cmpint (sbx_namespace_flag_from_name ("net"), ==, 0);
  g_assert_true (sbx_profile_name_is_valid ("firefox-esr_2.0"));
  g_assert_false (sbx_profile_name_is_valid (".hidden"));
  g_assert_false (sbx_profile_name_is_valid ("a/b"));
  g_assert_false (sbx_profile_name_is_valid (""));
}

/* ------------------------------------------------------------------- overrides */

static SbxProfile *
load_with (const SbxProfileOverrides *o)
{
  return load_ok ("default", o);
}

static void
override_fails (const SbxProfileOverrides *o, const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SbxProfile) p = sbx_profile_load ("default", o, &error);

  g_assert_null (p);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  if (strstr (error->message, message) == NULL)
    fail_printf ("'%s' does not say '%s'", error->message, message);
  g_assert_null (strchr (error->message, '\n'));
}

static void
test_override_caps (void)
{
  reset_dirs ();
  {
    const char *add[] = { "ALL", NULL };
    SbxProfileOverrides o = { .cap_add = (char **) add };
    g_autoptr(SbxProfile) p = load_with (&o);
    for (int set = 0; set < SBX_N_CAPSETS; set++)
      g_assert_cmphex (p->caps[set], ==, all_caps ());
  }
  {
    const char *drop[] = { "all", NULL };
    SbxProfileOverrides o = { .cap_drop = (char **) drop };
    g_autoptr(SbxProfile) p = load_with (&o);
    for (int set = 0; set < SBX_N_CAPSETS; set++)
      g_assert_cmphex (p->caps[set], ==, 0);
  }
  {
    /* Drops first, then adds (as Podman), whatever the order given. */
    const char *drop[] = { "ALL", NULL }, *add[] = { "net_raw", "CAP_SYS_PTRACE", "NET_ADMIN", NULL };
    SbxProfileOverrides o = { .cap_add = (char **) add, .cap_drop = (char **) drop };
    g_autoptr(SbxProfile) p = load_with (&o);
    const guint64 want = CAP (CAP_NET_RAW) | CAP (CAP_SYS_PTRACE) | CAP (CAP_NET_ADMIN);
    for (int set = 0; set < SBX_N_CAPSETS; set++)
      g_assert_cmphex (p->caps[set], ==, want);
  }
  {
    const char *drop[] = { "chown", "CAP_KILL", NULL }, *add[] = { "CAP_NET_RAW", NULL };
    SbxProfileOverrides o = { .cap_add = (char **) add, .cap_drop = (char **) drop };
    g_autoptr(SbxProfile) p = load_with (&o);
    const guint64 want = (podman_caps & ~(CAP (CAP_CHOWN) | CAP (CAP_KILL))) | CAP (CAP_NET_RAW);
    g_assert_cmphex (p->caps[SBX_CAPSET_BOUNDING], ==, want);
    g_assert_cmphex (p->caps[SBX_CAPSET_EFFECTIVE], ==, want);
    g_assert_cmphex (p->caps[SBX_CAPSET_PERMITTED], ==, want);
    g_assert_cmphex (p->caps[SBX_CAPSET_INHERITABLE], ==, CAP (CAP_NET_RAW));
    g_assert_cmphex (p->caps[SBX_CAPSET_AMBIENT], ==, CAP (CAP_NET_RAW));
    /* the effective JSON lists each name once, spelt CAP_... */
    {
      json_t *bounding = json_at (p, "process.capabilities.bounding");
      guint n = 0;
      g_assert_true (json_is_array (bounding));
      for (gsize i = 0; i < json_array_size (bounding); i++)
        {
          const char *name = json_string_value (json_array_get (bounding, i));
          g_assert_nonnull (name);
          g_assert_true (g_str_has_prefix (name, "CAP_"));
          n += g_str_equal (name, "CAP_NET_RAW");
          g_assert_cmpstr (name, !=, "CAP_CHOWN");
        }
      g_assert_cmpuint (n, ==, 1);
    }
  }
  {
    /* Adding one already there does not list it twice. */
    const char *add[] = { "CAP_CHOWN", "chown", NULL };
    SbxProfileOverrides o = { .cap_add = (char **) add };
    g_autoptr(SbxProfile) p = load_with (&o);
    json_t *bounding = json_at (p, "process.capabilities.bounding");
    guint n = 0;
    g_assert_true (json_is_array (bounding));
    for (gsize i = 0; i < json_array_size (bounding); i++)
      n += g_strcmp0 (json_string_value (json_array_get (bounding, i)), "CAP_CHOWN") == 0;
    g_assert_cmpuint (n, ==, 1);
  }
  {
    const char *add[] = { "CAP_NOPE", NULL };
    SbxProfileOverrides o = { .cap_add = (char **) add };
    override_fails (&o, "--cap-add 'CAP_NOPE': unknown capability");
  }
  {
    const char *drop[] = { "", NULL };
    SbxProfileOverrides o = { .cap_drop = (char **) drop };
    override_fails (&o, "--cap-drop");
  }
}

static void
test_override_env (void)
{
  reset_dirs ();
  g_setenv ("SBX_TEST_PASSED", "from-caller", TRUE);
  g_unsetenv ("SBX_TEST_UNSET");
  put_profile (upper_dir, "envp", "{\"process\": {\"env\": [\"A=profile\", \"B=profile\", \"SBX_TEST_PASSED=profile\"]}}");
  {
    const char *env[] = { "A=cli", "C=x=y", "SBX_TEST_PASSED", "SBX_TEST_UNSET", "EMPTY=", NULL };
    SbxProfileOverrides o = { .env = (char **) env };
    g_autoptr(SbxProfile) p = load_ok ("envp", &o);
    g_assert_true (strv_has (p->env, "A=cli"));
    g_assert_false (strv_has (p->env, "A=profile"));
    g_assert_true (strv_has (p->env, "B=profile"));
    g_assert_true (strv_has (p->env, "C=x=y"));
    g_assert_true (strv_has (p->env, "SBX_TEST_PASSED=from-caller"));
    g_assert_false (strv_has (p->env, "SBX_TEST_PASSED=profile"));
    g_assert_true (strv_has (p->env, "EMPTY="));
    for (guint i = 0; p->env[i] != NULL; i++)
      g_assert_false (g_str_has_prefix (p->env[i], "SBX_TEST_UNSET"));
    g_assert_cmpuint (g_strv_length (p->env), ==, 5);
  }
  {
    const char *env[] = { "=x", NULL };
    SbxProfileOverrides o = { .env = (char **) env };
    override_fails (&o, "--env '=x'");
  }
  {
    const char *env[] = { "", NULL };
    SbxProfileOverrides o = { .env = (char **) env };
    override_fails (&o, "--env");
  }
}

static void
test_override_volume (void)
{
  g_autofree char *src = g_build_filename (files_dir, "src", NULL);
  g_autofree char *v1 = NULL, *v2 = NULL, *v3 = NULL, *v4 = NULL;

  reset_dirs ();
  g_assert_cmpint (g_mkdir (src, 0755), ==, 0);
  v1 = g_strdup_printf ("%s:/data", src);
  v2 = g_strdup_printf ("%s:/ro:ro,nosuid", src);
  v3 = g_strdup_printf ("%s:/nr:bind,noexec", src);
  v4 = g_strdup_printf ("%s:/tmp:ro", src);
  put_profile (upper_dir, "vol", "{\"mounts\": [{\"destination\": \"/tmp\", \"type\": \"tmpfs\"}]}");
  {
    const char *volumes[] = { v1, v2, v3, v4, NULL };
    const char *tmpfs[] = { "/scratch", "/sized:size=10m,mode=700,noexec", NULL };
    SbxProfileOverrides o = { .volumes = (char **) volumes, .tmpfs = (char **) tmpfs };
    g_autoptr(SbxProfile) p = load_ok ("vol", &o);
    const SbxMount *m = find_mount (p, "/data");
    g_assert_nonnull (m);
    g_assert_cmpint (m->kind, ==, SBX_MOUNT_BIND);
    g_assert_cmpstr (m->source, ==, src);
    g_assert_true (m->recursive);
    g_assert_cmphex (m->attr_set & MOUNT_ATTR_RDONLY, ==, 0);
    m = find_mount (p, "/ro");
    g_assert_nonnull (m);
    g_assert_true (m->recursive);
    g_assert_cmphex (m->attr_set, ==, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID);
    m = find_mount (p, "/nr");
    g_assert_nonnull (m);
    g_assert_false (m->recursive);
    g_assert_cmphex (m->attr_set, ==, MOUNT_ATTR_NOEXEC);
    /* The command line's /tmp replaces the profile's. */
    m = find_mount (p, "/tmp");
    g_assert_nonnull (m);
    g_assert_cmpint (m->kind, ==, SBX_MOUNT_BIND);
    g_assert_true (json_is_array (json_at (p, "mounts")));
    g_assert_cmpuint (json_array_size (json_at (p, "mounts")), ==, 6);
    m = find_mount (p, "/scratch");
    g_assert_nonnull (m);
    g_assert_cmpint (m->kind, ==, SBX_MOUNT_TMPFS);
    g_assert_cmphex (m->attr_set, ==, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
    m = find_mount (p, "/sized");
    g_assert_nonnull (m);
    g_assert_cmpstr (m->data, ==, "size=10m,mode=700");
    g_assert_cmphex (m->attr_set, ==, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  }
  /* Errors. */
  {
    g_autofree char *missing = g_strdup_printf ("%s/nope:/x", files_dir);
    g_autofree char *rel_dst = g_strdup_printf ("%s:x", src);
    g_autofree char *bad_opt = g_strdup_printf ("%s:/x:ro,bogus", src);
    g_autofree char *no_dst = g_strdup_printf ("%s:", src);
    g_autofree char *on_root = g_strdup_printf ("%s:/", src);
    g_autofree char *on_root2 = g_strdup_printf ("%s://.:ro", src);
    struct {
      const char *spec;
      const char *message;
    } bad[] = {
      { on_root, "the destination cannot be /" },
      { on_root2, "the destination cannot be /" },
      { "~root/x:/x", "nor is ~user" },
      { "/x", "must be SRC:DST[:OPTIONS]" },
      { ":/x", "must be SRC:DST[:OPTIONS]" },
      { no_dst, "must be SRC:DST[:OPTIONS]" },
      { "named:/x", "named volumes are not supported" },
      { "relative/dir:/x", "absolute path" },
      { rel_dst, "the destination must be an absolute path" },
      { missing, "the source does not exist" },
      { bad_opt, "unknown mount option 'bogus'" },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        const char *volumes[] = { bad[i].spec, NULL };
        SbxProfileOverrides o = { .volumes = (char **) volumes };
        g_autofree char *prefix = g_strdup_printf ("--volume '%s': ", bad[i].spec);
        override_fails (&o, prefix);
        override_fails (&o, bad[i].message);
      }
  }
  {
    const char *tmpfs[] = { "relative", NULL };
    SbxProfileOverrides o = { .tmpfs = (char **) tmpfs };
    override_fails (&o, "--tmpfs 'relative'");
  }
  {
    const char *tmpfs[] = { "/x/..:size=1m", NULL };
    SbxProfileOverrides o = { .tmpfs = (char **) tmpfs };
    override_fails (&o, "the destination cannot be /");
  }
  /* sbx's own /proc, /dev/pts, /dev, /sys, /sys/fs/cgroup (runc CVE-2019-16884 / -19921). */
  {
    static const char * const kernel_fs[] = { "/proc", "/proc/self", "/proc/", "/proc/self/attr/exec",
                                              "/x/../proc/1", "/dev", "/dev/pts", "/dev/pts/ptmx",
                                              "/sys", "/sys/fs/cgroup", "/sys//fs/cgroup/" };
    for (gsize i = 0; i < G_N_ELEMENTS (kernel_fs); i++)
      {
        g_autofree char *volume = g_strdup_printf ("%s:%s", src, kernel_fs[i]);
        const char *volumes[] = { volume, NULL };
        const char *tmpfs[] = { kernel_fs[i], NULL };
        SbxProfileOverrides ov = { .volumes = (char **) volumes };
        SbxProfileOverrides ot = { .tmpfs = (char **) tmpfs };
        g_autofree char *vprefix = g_strdup_printf ("--volume '%s': ", volume);
        g_autofree char *tprefix = g_strdup_printf ("--tmpfs '%s': ", kernel_fs[i]);

        override_fails (&ov, vprefix);
        override_fails (&ov, "is refused: ");
        override_fails (&ot, tprefix);
      }
  }
  /* Below /dev and /sys stays allowed: device binds, /dev/shm, hiding part of sysfs. */
  {
    g_autofree char *dri = g_strdup_printf ("%s:/dev/dri", src);
    const char *volumes[] = { dri, NULL };
    const char *tmpfs[] = { "/dev/shm", "/sys/firmware", "/sys/fs/cgroup/x", "/procfoo", NULL };
    SbxProfileOverrides o = { .volumes = (char **) volumes, .tmpfs = (char **) tmpfs };
    g_autoptr(SbxProfile) p = load_with (&o);
    g_assert_nonnull (find_mount (p, "/dev/dri"));
    g_assert_nonnull (find_mount (p, "/dev/shm"));
    g_assert_nonnull (find_mount (p, "/sys/firmware"));
    g_assert_nonnull (find_mount (p, "/procfoo"));
  }
  {
    const char *tmpfs[] = { "/t:frob", NULL };
    SbxProfileOverrides o = { .tmpfs = (char **) tmpfs };
    override_fails (&o, "unknown mount option 'frob'");
  }
  {
    /* --read-only */
    SbxProfileOverrides o = { .read_only = TRUE };
    g_autoptr(SbxProfile) p = load_with (&o);
    g_assert_true (p->root_readonly);
  }
}

static void
test_override_security_opt (void)
{
  g_autofree char *seccomp_file = NULL, *bad_seccomp = NULL;

  reset_dirs ();
  seccomp_file = write_profile (files_dir, "seccomp.json",
                                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
  bad_seccomp = write_profile (files_dir, "bad-seccomp.json", "{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n \"defaultAction\": \"SCMP_ACT_KILL\"}");
  {
    const char *opts[] = { "seccomp=unconfined", "apparmor=unconfined", "no-new-privileges=false", NULL };
    SbxProfileOverrides o = { .security_opts = (char **) opts };
    g_autoptr(SbxProfile) p = load_with (&o);
    g_assert_null (p->seccomp_rules);
    g_assert_null (p->apparmor_profile);
    g_assert_false (p->no_new_privileges);
  }
  {
    g_autofree char *opt = g_strdup_printf ("seccomp=%s", seccomp_file);
    const char *opts[] = { opt, "apparmor=my-profile", "no-new-privileges", NULL };
    SbxProfileOverrides o = { .security_opts = (char **) opts };
    g_autoptr(SbxProfile) p = load_with (&o);
    json_t *s;
    g_assert_nonnull (p->seccomp_rules);
    s = p->seccomp_rules;
    g_assert_cmpstr (sbx_json_get_string (s, "defaultAction"), ==, "SCMP_ACT_ALLOW");
    g_assert_nonnull (sbx_json_get_array (s, "syscalls"));
    g_assert_cmpuint (json_array_size (sbx_json_get_array (s, "syscalls")), ==, 1);
    g_assert_cmpstr (p->apparmor_profile, ==, "my-profile");
    g_assert_true (p->no_new_privileges);
  }
  {
    const char *no_nnp[] = { "no-new-privileges=false", NULL };
    const char *opts[] = { "no-new-privileges=true", NULL };
    SbxProfileOverrides o1 = { .security_opts = (char **) no_nnp };
    g_autoptr(SbxProfile) p1 = load_with (&o1);
    SbxProfileOverrides o2 = { .security_opts = (char **) opts };
    g_autoptr(SbxProfile) p2 = load_with (&o2);
    g_assert_false (p1->no_new_privileges);
    g_assert_true (p2->no_new_privileges);
  }
  {
    const char *opts[] = { "mask=/a:/b", "unmask=/proc/kcore:/proc/sys", NULL };
    SbxProfileOverrides o = { .security_opts = (char **) opts };
    g_autoptr(SbxProfile) p = load_with (&o);
    g_assert_true (strv_has (p->masked_paths, "/a") && strv_has (p->masked_paths, "/b"));
    g_assert_false (strv_has (p->masked_paths, "/proc/kcore"));
    g_assert_true (strv_has (p->masked_paths, "/proc/keys"));
    g_assert_false (strv_has (p->readonly_paths, "/proc/sys"));
    g_assert_true (strv_has (p->readonly_paths, "/proc/bus"));
  }
  {
    const char *opts[] = { "unmask=ALL", NULL };
    SbxProfileOverrides o = { .security_opts = (char **) opts };
    g_autoptr(SbxProfile) p = load_with (&o);
    g_assert_cmpuint (g_strv_length (p->masked_paths), ==, 0);
    g_assert_cmpuint (g_strv_length (p->readonly_paths), ==, 0);
  }
  {
    /* Options apply in order: an unmask after a mask takes it back. */
    const char *opts[] = { "mask=/x", "unmask=/x", NULL };
    SbxProfileOverrides o = { .security_opts = (char **) opts };
    g_autoptr(SbxProfile) p = load_with (&o);
    g_assert_false (strv_has (p->masked_paths, "/x"));
  }
  {
    g_autofree char *bad = g_strdup_printf ("seccomp=%s", bad_seccomp);
    g_autofree char *missing = g_strdup_printf ("seccomp=%s/nope.json", files_dir);
    g_autofree char *dup_prefix = g_strdup_printf ("%s:2:2: defaultAction: duplicate key", bad_seccomp);
    struct {
      const char *opt;
      const char *message;
    } bad_opts[] = {
      { "bogus=1", "--security-opt 'bogus=1': unknown option" },
      { "seccomp", "--security-opt 'seccomp'" },
      { "seccomp=", "--security-opt 'seccomp='" },
      { "apparmor=", "--security-opt 'apparmor='" },
      { "no-new-privileges=maybe", "no-new-privileges[=true|false]" },
      { "mask=proc/kcore", "--security-opt 'mask=proc/kcore': paths must be absolute" },
      { "mask=/a:b", "paths must be absolute" },
      { "unmask=proc/kcore", "paths must be absolute" },
      { missing, "nope.json" },
      { bad, dup_prefix },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (bad_opts); i++)
      {
        const char *opts[] = { bad_opts[i].opt, NULL };
        SbxProfileOverrides o = { .security_opts = (char **) opts };
        override_fails (&o, bad_opts[i].message);
      }
  }
}

static void
test_override_ulimit (void)
{
  reset_dirs ();
  put_profile (upper_dir, "lim", "{\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 2},"
                                 " {\"type\": \"RLIMIT_CORE\", \"soft\": 0, \"hard\": 0}]}}");
  {
    const char *limits[] = { "nofile=100:200", "nproc=50", "STACK=unlimited", "memlock=-1:-1", "cpu=10:unlimited", NULL };
    SbxProfileOverrides o = { .ulimits = (char **) limits };
    g_autoptr(SbxProfile) p = load_ok ("lim", &o);
    const SbxRlimit *r = find_rlimit (p, RLIMIT_NOFILE);
    g_assert_cmpuint (count_rlimits (p, RLIMIT_NOFILE), ==, 1);
    g_assert_cmpuint (r->soft, ==, 100);
    g_assert_cmpuint (r->hard, ==, 200);
    r = find_rlimit (p, RLIMIT_NPROC);
    g_assert_nonnull (r);
    g_assert_cmpuint (r->soft, ==, 50);
    g_assert_cmpuint (r->hard, ==, 50); /* no HARD: the same as SOFT */
    r = find_rlimit (p, RLIMIT_STACK);
    g_assert_true (r != NULL && r->soft == RLIM_INFINITY && r->hard == RLIM_INFINITY);
    r = find_rlimit (p, RLIMIT_MEMLOCK);
    g_assert_true (r != NULL && r->soft == RLIM_INFINITY && r->hard == RLIM_INFINITY);
    r = find_rlimit (p, RLIMIT_CPU);
    g_assert_true (r != NULL && r->soft == 10 && r->hard == RLIM_INFINITY);
    g_assert_nonnull (find_rlimit (p, RLIMIT_CORE)); /* the profile's other limits stay */
    g_assert_cmpuint (p->rlimits->len, ==, 6);
  }
  {
    struct {
      const char *spec;
      const char *message;
    } bad[] = {
      { "nofile=200:100", "the soft limit is above the hard limit" },
      { "nofile=-1:100", "the soft limit is above the hard limit" },
      { "bogus=1", "known NAME" },
      { "rlimit_nofile=1", "known NAME" },
      { "nofile", "known NAME" },
      { "=1", "known NAME" },
      { "nofile=", "must be numbers" },
      { "nofile=abc", "must be numbers" },
      { "nofile=1:2:3", "must be numbers" },
      { "nofile=1:", "must be numbers" },
      { "nofile=-2", "must be numbers" },
      { "nofile=99999999999999999999", "must be numbers" },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        const char *limits[] = { bad[i].spec, NULL };
        SbxProfileOverrides o = { .ulimits = (char **) limits };
        g_autofree char *prefix = g_strdup_printf ("--ulimit '%s': ", bad[i].spec);
        override_fails (&o, prefix);
        override_fails (&o, bad[i].message);
      }
  }
}

static void
test_override_hostname (void)
{
  reset_dirs ();
  {
    SbxProfileOverrides o = { .hostname = "cli-host" };
    g_autoptr(SbxProfile) p = load_with (&o);
    g_assert_cmpstr (p->hostname, ==, "cli-host");
  }
  {
    SbxProfileOverrides o = { .hostname = "" };
    override_fails (&o, "--hostname");
  }
  {
    SbxProfileOverrides o = { .hostname = "a-very-long-host-name-that-goes-on-and-on-and-on-past-sixty-four-bytes" };
    override_fails (&o, "--hostname");
  }
  {
    /* What a profile may not say, the command line may not either. */
    SbxProfileOverrides o = { .hostname = "a b/c" };
    override_fails (&o, "--hostname");
  }
}

/* Overrides edit the effective JSON: what `sbx profile show` would print is what runs. */
static void
test_override_json (void)
{
  const char *env[] = { "K=V", NULL };
  const char *limits[] = { "nofile=5:6", NULL };
  const char *opts[] = { "seccomp=unconfined", NULL };
  SbxProfileOverrides o = { .env = (char **) env, .ulimits = (char **) limits, .security_opts = (char **) opts, .hostname = "jh", .read_only = TRUE };
  g_autoptr(SbxProfile) p = NULL;
  g_autofree char *json = NULL;
  g_autofree char *file = NULL;

  reset_dirs ();
  p = load_with (&o);
  json = sbx_profile_to_json (p, TRUE, NULL);
  g_assert_nonnull (strstr (json, "\"K=V\""));
  g_assert_null (strstr (json, "\"seccomp\""));
  file = write_profile (files_dir, "shown.json", json);
  {
    g_autoptr(SbxProfile) q = load_ok (file, NULL);
    const SbxRlimit *r = find_rlimit (q, RLIMIT_NOFILE);
    g_assert_cmpstr (q->hostname, ==, "jh");
    g_assert_true (q->root_readonly);
    g_assert_true (strv_has (q->env, "K=V"));
    g_assert_true (r != NULL && r->soft == 5 && r->hard == 6);
    g_assert_null (q->seccomp_rules);
    g_assert_cmphex (q->caps[SBX_CAPSET_BOUNDING], ==, podman_caps);
  }
}

/* ---------------------------------------------------------------------- json-doc */

/* json-doc's tree of a valid text, written out compact. */
static char *
doc_tree_text (const char *name, const char *text, gsize length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SbxJsonDoc) doc = sbx_json_doc_new_from_data (name, text, length, &error);

  g_assert_no_error (error);
  g_assert_nonnull (doc);
  return sbx_json_to_text (sbx_json_doc_get_root (doc), FALSE, NULL);
}

/* json-doc builds the tree itself: for any valid text it must be jansson's own, value
 * types included (written back out, an int and a double differ: 1 and 1.0). */
static void
tree_is_janssons (const char *name, const char *text, gsize length)
{
  json_error_t parse_error;
  g_autoptr(json_t) root = json_loadb (text, length, JSON_DECODE_ANY, &parse_error);
  g_autofree char *ours = doc_tree_text (name, text, length);
  g_autofree char *theirs = NULL;

  if (root == NULL)
    {
      fail_printf ("%s: jansson refuses it: %s", name, parse_error.text);
      return;
    }
  theirs = sbx_json_to_text (root, FALSE, NULL);
  if (g_strcmp0 (ours, theirs) != 0)
    fail_printf ("%s: json-doc's tree %s is not jansson's %s", name, ours, theirs);
}

static void
test_json_doc_tree (void)
{
  const char * const texts[] = {
    "{}",
    "[]",
    "0",
    "-0",
    "1.5",
    "-2.5e3",
    "1E+2",
    "1e-2",
    "true",
    "false",
    "null",
    "\"\"",
    "\"\\u00e9\\ud83d\\ude00 \\\" \\\\ \\/ \\b\\f\\n\\r\\t\"",
    "{\"a\": 1, \"b\": [1, 2.0, \"x\", null, true, {\"c\": {}}], \"\": []}",
    "[9223372036854775807, -9223372036854775808]",
    " \t\r\n[ [ [ ] ] ]\n",
  };
  g_auto(GStrv) builtins = g_resource_enumerate_children (sbx_profile_builtin_resource (), "/org/sbx/profiles", 0, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    tree_is_janssons (texts[i], texts[i], strlen (texts[i]));
  g_assert_nonnull (builtins);
  for (guint i = 0; builtins[i] != NULL; i++)
    {
      g_autofree char *path = g_strconcat ("/org/sbx/profiles/", builtins[i], NULL);
      g_autoptr(GBytes) bytes = g_resource_lookup_data (sbx_profile_builtin_resource (), path, 0, NULL);
      gsize length;
      const char *data = bytes != NULL ? g_bytes_get_data (bytes, &length) : NULL;

      if (g_str_has_suffix (builtins[i], ".json"))
        tree_is_janssons (builtins[i], data, length);
    }
  /* Unsigned 64-bit integers (OCI's rlimits; jansson refuses them) are cast to signed 64
   * bits, as sbx has always read them: 2^64-1 is -1, an rlimit's "infinity". */
  {
    const char *text = "[9223372036854775807, -9223372036854775808, 9223372036854775808, 18446744073709551615]";
    g_autofree char *ours = doc_tree_text ("u64.json", text, strlen (text));
    g_assert_cmpstr (ours, ==, "[9223372036854775807,-9223372036854775808,-9223372036854775808,-1]");
  }
  /* Past 64 bits: refused at the number (not read as -1, an rlimit's "infinity"). */
  data_fails ("i.json", "{\"a\": 18446744073709551616}", -1, "i.json:1:7: ", "out of range");
  data_fails ("i.json", "{\"a\": -9223372036854775809}", -1, "i.json:1:7: ", "out of range");
  data_fails ("i.json", "[99999999999999999999]", -1, "i.json:1:2: ", "out of range");
  /* A second key found while the tree is built is still worded with its path. */
  data_fails ("d.json", "{\"a\": {\"b\": 1, \"b\": 2}}", -1, "d.json:1:16: ", "a.b: duplicate key");
}

static void
test_json_doc_positions (void)
{
  const char *text = "{\n  \"a\": [\n    1,\n    {\"b\": true}\n  ],\n\t\"c\": \"\xc3\xa9\xc3\xa9\", \"d\": 1\n}";
  g_autoptr(GError) error = NULL;
  g_autoptr(SbxJsonDoc) doc = sbx_json_doc_new_from_data ("p.json", text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_cmpstr (sbx_json_doc_get_name (doc), ==, "p.json");
  sbx_json_doc_error (doc, "a[1].b", &error, "x");
  g_assert_cmpstr (error->message, ==, "p.json:4:6: a[1].b: x");
  g_clear_error (&error);
  sbx_json_doc_error (doc, "a[0]", &error, "y %d", 5);
  g_assert_cmpstr (error->message, ==, "p.json:3:5: a[0]: y 5");
  g_clear_error (&error);
  /* A tab is one column; a multi-byte character too. */
  sbx_json_doc_error (doc, "d", &error, "z");
  g_assert_cmpstr (error->message, ==, "p.json:6:13: d: z");
  g_clear_error (&error);
  /* No position recorded: the nearest ancestor's. */
  sbx_json_doc_error (doc, "a[1].b.nope[3]", &error, "w");
  g_assert_cmpstr (error->message, ==, "p.json:4:6: a[1].b.nope[3]: w");
  g_clear_error (&error);
  sbx_json_doc_error (doc, "", &error, "root");
  g_assert_cmpstr (error->message, ==, "p.json:1:1: root");
  g_clear_error (&error);
  {
    g_autofree char *m = sbx_json_path_member ("", "a");
    g_autofree char *n = sbx_json_path_member ("a", "b");
    g_autofree char *e = sbx_json_path_element ("a.b", 3);
    g_assert_cmpstr (m, ==, "a");
    g_assert_cmpstr (n, ==, "a.b");
    g_assert_cmpstr (e, ==, "a.b[3]");
  }
}

int
main (int argc, char **argv)
{
  g_autofree char *runtime = NULL;
  g_autofree char *path = NULL;
  int status;

  base_dir = g_dir_make_tmp ("sbx-test-profile-XXXXXX", NULL);
  g_assert_nonnull (base_dir);
  lower_dir = g_build_filename (base_dir, "lower", NULL);
  upper_dir = g_build_filename (base_dir, "upper", NULL);
  files_dir = g_build_filename (base_dir, "files", NULL);
  runtime = g_build_filename (base_dir, "run", NULL);
  g_assert_cmpint (g_mkdir (runtime, 0700), ==, 0);
  path = g_strdup_printf ("%s:%s", lower_dir, upper_dir);
  g_setenv ("SBX_PROFILE_PATH", path, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  g_unsetenv ("WAYLAND_DISPLAY");
  g_unsetenv ("DISPLAY");
  g_unsetenv ("XAUTHORITY");

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/profile/error/unknown-key", test_error_unknown_key);
  g_test_add_func ("/profile/error/wrong-type", test_error_wrong_type);
  g_test_add_func ("/profile/error/capability", test_error_capability);
  g_test_add_func ("/profile/error/rlimit", test_error_rlimit);
  g_test_add_func ("/profile/error/mount", test_error_mount);
  g_test_add_func ("/profile/error/mount-kernel-fs", test_error_mount_kernel_fs);
  g_test_add_func ("/profile/error/namespace", test_error_namespace);
  g_test_add_func ("/profile/error/duplicate", test_error_duplicate);
  g_test_add_func ("/profile/error/duplicate-escaped", test_error_duplicate_escaped);
  g_test_add_func ("/profile/error/syntax", test_error_syntax);
  g_test_add_func ("/profile/error/not-object", test_error_not_object);
  g_test_add_func ("/profile/error/huge-deep", test_error_huge_deep);
  g_test_add_func ("/profile/error/not-regular", test_error_not_regular);
  g_test_add_func ("/profile/error/include", test_error_include);
  g_test_add_func ("/profile/error/include-depth", test_error_include_depth);
  g_test_add_func ("/profile/error/dbus", test_error_dbus);
  g_test_add_func ("/profile/merge/objects-scalars", test_merge_objects_scalars);
  g_test_add_func ("/profile/merge/keyed-arrays", test_merge_keyed_arrays);
  g_test_add_func ("/profile/merge/seccomp-replaced", test_merge_seccomp_replaced);
  g_test_add_func ("/profile/merge/null-removes", test_merge_null_removes);
  g_test_add_func ("/profile/merge/include-order", test_merge_include_order);
  g_test_add_func ("/profile/merge/dbus", test_merge_dbus);
  g_test_add_func ("/profile/search-path", test_search_path);
  g_test_add_func ("/profile/list", test_list);
  g_test_add_func ("/profile/builtin", test_builtin_profiles);
  g_test_add_func ("/profile/desktop", test_desktop);
  g_test_add_func ("/profile/oci/crun", test_oci_crun);
  g_test_add_func ("/profile/oci/runc", test_oci_runc);
  g_test_add_func ("/profile/convert", test_convert);
  g_test_add_func ("/profile/names", test_capability_names);
  g_test_add_func ("/profile/override/caps", test_override_caps);
  g_test_add_func ("/profile/override/env", test_override_env);
  g_test_add_func ("/profile/override/volume-tmpfs", test_override_volume);
  g_test_add_func ("/profile/override/security-opt", test_override_security_opt);
  g_test_add_func ("/profile/override/ulimit", test_override_ulimit);
  g_test_add_func ("/profile/override/hostname", test_override_hostname);
  g_test_add_func ("/profile/override/json", test_override_json);
  g_test_add_func ("/profile/json-doc/positions", test_json_doc_positions);
  g_test_add_func ("/profile/json-doc/tree", test_json_doc_tree);
  status = g_test_run ();
  rm_rf (base_dir);
  g_free (base_dir);
  g_free (lower_dir);
  g_free (upper_dir);
  g_free (files_dir);
  return status;
}
