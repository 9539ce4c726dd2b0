/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-explain.c: the explain model (launcher/explain.h): which grants are flagged risky,
 * the sbx.why lines beside their facts, the seccomp groups of deny and allow lists, and the
 * nested-user-namespace check, on profiles written to a scratch directory and the shipped
 * ones (built in). */
#include "explain.h"
#include "json-util.h"

#include <string.h>
#include <glib/gstdio.h>

#pragma GCC diagnostic ignored "-Wnull-dereference"

static const SbxExplainContext context = { .home = "/home/u", .data_dir = "/home/u/.local/share" };

static SbxProfile *
load_text (const char *json)
{
  g_autofree char *dir = g_dir_make_tmp ("sbx-test-explain-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "p.json", NULL);
  g_autoptr(GError) error = NULL;
  SbxProfile *profile;

  g_assert_true (g_file_set_contents (path, json, -1, NULL));
  profile = sbx_profile_load (path, NULL, &error);
  g_assert_no_error (error);
  (void) g_unlink (path);
  (void) g_rmdir (dir);
  return profile;
}

static gboolean
has_risk (const SbxExplanation *e, const char *id, const char *text_part)
{
  for (guint i = 0; i < e->risky->len; i++)
    {
      const SbxExplainFact *fact = g_ptr_array_index (e->risky, i);
      if (g_str_equal (fact->id, id) && (text_part == NULL || strstr (fact->text, text_part) != NULL))
        return TRUE;
    }
  return FALSE;
}

/* The fact of section @id whose text holds @part, or NULL. */
static const SbxExplainFact *
find_fact (const SbxExplanation *e, const char *id, const char *part)
{
  SbxExplainSection *section = sbx_explanation_section (e, id);

  g_assert_nonnull (section);
  for (guint i = 0; i < section->facts->len; i++)
    {
      const SbxExplainFact *fact = g_ptr_array_index (section->facts, i);
      if (strstr (fact->text, part) != NULL)
        return fact;
    }
  return NULL;
}

static void
test_default_not_risky (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SbxProfile) profile = sbx_profile_load ("default", NULL, &error);
  g_autoptr(SbxExplanation) e = NULL;

  g_assert_no_error (error);
  e = sbx_explain_profile (profile, &context);
  g_assert_cmpuint (e->risky->len, ==, 0);
  g_assert_true (sbx_explain_seccomp_blocks_userns (profile->seccomp_rules));
  g_assert_nonnull (find_fact (e, "syscalls", "denied: keyrings (add_key, request_key, keyctl)"));
  g_assert_nonnull (find_fact (e, "syscalls", "all other system calls allowed"));
}

static void
test_browser_userns (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SbxProfile) profile = sbx_profile_load ("firefox", NULL, &error);
  g_autoptr(SbxExplanation) e = NULL;
  const SbxExplainFact *fact;

  g_assert_no_error (error);
  e = sbx_explain_profile (profile, &context);
  g_assert_false (sbx_explain_seccomp_blocks_userns (profile->seccomp_rules));
  g_assert_true (has_risk (e, "nested-userns", NULL));
  g_assert_true (has_risk (e, "gpu", NULL));
  g_assert_false (has_risk (e, "x11-trusted", NULL));
  fact = find_fact (e, "files", "home: a private home");
  g_assert_nonnull (fact);
  g_assert_cmpstr (sbx_json_get_string (fact->data, "hostPath"), ==, "/home/u/.local/share/sbx/homes/firefox");
  fact = find_fact (e, "dbus", "can talk to org.freedesktop.Notifications");
  g_assert_nonnull (fact);
  g_assert_cmpstr (fact->why, ==, "show notifications");
}

static void
test_risky_paths (void)
{
  g_autoptr(SbxProfile) profile = load_text (
    "{ \"sbx\": { \"share\": [\"~:ro\", \"/srv/data:rw\", \"~/Music:rw\"],"
    "            \"network\": { \"mode\": \"slirp\", \"allowHostLoopback\": true },"
    "            \"dbus\": { \"system\": { \"talk\": [\"org.freedesktop.systemd1\"] },"
    "                        \"session\": { \"own\": [\"org.freedesktop.secrets\"], \"see\": [\"org.freedesktop.Flatpak\"] } },"
    "            \"why\": { \"share ~:ro\": \"your documents\", \"unused.key\": \"left over\" } },"
    "  \"mounts\": [ { \"destination\": \"/run/bus\", \"type\": \"bind\", \"source\": \"/run/user/1000/bus\" },"
    "               { \"destination\": \"/data\", \"type\": \"bind\", \"source\": \"/home/u/data\" },"
    "               { \"destination\": \"/cam\", \"type\": \"bind\", \"source\": \"/dev/video0\" } ] }");
  g_autoptr(SbxExplanation) e = sbx_explain_profile (profile, &context);
  const SbxExplainFact *fact;

  g_assert_true (has_risk (e, "home-share", "can read your whole home except dotfiles (share ~:ro)"));
  g_assert_true (has_risk (e, "host-write", "/srv/data"));
  g_assert_false (has_risk (e, "host-write", "/home/u/Music")); /* inside the home */
  g_assert_false (has_risk (e, "host-write", "/home/u/data"));
  g_assert_true (has_risk (e, "dbus-unfiltered", NULL));
  g_assert_true (has_risk (e, "dbus-service", "org.freedesktop.systemd1 on the system bus"));
  g_assert_true (has_risk (e, "dbus-service", "own (and so pose as) org.freedesktop.secrets"));
  g_assert_false (has_risk (e, "dbus-service", "Flatpak")); /* "see" reaches nothing */
  g_assert_true (has_risk (e, "host-loopback", NULL));
  g_assert_true (has_risk (e, "device", "/dev/video0"));
  g_assert_true (has_risk (e, "no-seccomp", NULL));
  g_assert_true (has_risk (e, "nested-userns", NULL));
  g_assert_true (has_risk (e, "no-new-privs-off", NULL));
  g_assert_true (has_risk (e, "apparmor-unconfined", NULL));
  fact = find_fact (e, "files", "(share ~:ro): read only");
  g_assert_nonnull (fact);
  g_assert_cmpstr (fact->why, ==, "your documents");
  g_assert_nonnull (find_fact (e, "notes", "unused.key"));
  g_assert_null (find_fact (e, "notes", "share ~:ro"));
}

static void
test_seccomp_groups (void)
{
  g_autoptr(SbxProfile) deny = load_text (
    "{ \"linux\": { \"seccomp\": { \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
    "  { \"names\": [\"mount\", \"umount2\"], \"action\": \"SCMP_ACT_ERRNO\" },"
    "  { \"names\": [\"unshare\", \"clone\", \"clone3\"], \"action\": \"SCMP_ACT_ERRNO\" } ] } } }");
  g_autoptr(SbxProfile) allow = load_text (
    "{ \"linux\": { \"seccomp\": { \"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
    "  { \"names\": [\"read\", \"write\", \"openat\"], \"action\": \"SCMP_ACT_ALLOW\" },"
    "  { \"names\": [\"frobnicate\"], \"action\": \"SCMP_ACT_ALLOW\", \"comment\": \"custom: our own call\" } ] } } }");
  g_autoptr(SbxProfile) allow_unshare = load_text (
    "{ \"linux\": { \"seccomp\": { \"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
    "  { \"names\": [\"unshare\", \"clone\", \"clone3\"], \"action\": \"SCMP_ACT_ALLOW\" } ] } } }");
  g_autoptr(SbxExplanation) d = sbx_explain_profile (deny, &context);
  g_autoptr(SbxExplanation) a = sbx_explain_profile (allow, &context);

  g_assert_nonnull (find_fact (d, "syscalls", "denied: mounts (mount, umount2)"));
  g_assert_true (sbx_explain_seccomp_blocks_userns (deny->seccomp_rules));
  g_assert_false (has_risk (d, "nested-userns", NULL));
  g_assert_nonnull (find_fact (a, "syscalls", "allowed: files (read, write, openat)"));
  g_assert_nonnull (find_fact (a, "syscalls", "allowed: custom (frobnicate): our own call"));
  g_assert_nonnull (find_fact (a, "syscalls", "all other system calls denied"));
  g_assert_true (sbx_explain_seccomp_blocks_userns (allow->seccomp_rules));
  g_assert_false (sbx_explain_seccomp_blocks_userns (allow_unshare->seccomp_rules));
  g_assert_false (sbx_explain_seccomp_blocks_userns (NULL));
}

static void
test_privileges (void)
{
  g_autoptr(SbxProfile) profile = load_text (
    "{ \"process\": { \"noNewPrivileges\": true, \"apparmorProfile\": \"sbx-default\","
    "    \"capabilities\": { \"bounding\": [\"CAP_CHOWN\", \"CAP_NET_RAW\"] } },"
    "  \"sbx\": { \"home\": \"host\", \"desktop\": { \"x11\": \"trusted\" }, \"network\": { \"mode\": \"host\" } },"
    "  \"linux\": { \"resources\": { \"memory\": { \"limit\": 1073741824 }, \"pids\": { \"limit\": 100 } } } }");
  g_autoptr(SbxExplanation) e = sbx_explain_profile (profile, &context);

  g_assert_true (has_risk (e, "capability", "CAP_NET_RAW"));
  g_assert_false (has_risk (e, "capability", "CAP_CHOWN"));
  g_assert_false (has_risk (e, "no-new-privs-off", NULL));
  g_assert_false (has_risk (e, "apparmor-unconfined", NULL));
  g_assert_true (has_risk (e, "home-host", NULL));
  g_assert_true (has_risk (e, "x11-trusted", NULL));
  g_assert_true (has_risk (e, "network-host", NULL));
  g_assert_nonnull (find_fact (e, "limits", "memory: 1.0 GiB"));
  g_assert_nonnull (find_fact (e, "limits", "pids: at most 100 processes"));
  g_assert_nonnull (find_fact (e, "files", "home: your real home /home/u, read and write"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("SBX_PROFILE_PATH", "/nonexistent-sbx-test-explain", TRUE);
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/explain/default", test_default_not_risky);
  g_test_add_func ("/explain/browser-userns", test_browser_userns);
  g_test_add_func ("/explain/risky-paths", test_risky_paths);
  g_test_add_func ("/explain/seccomp-groups", test_seccomp_groups);
  g_test_add_func ("/explain/privileges", test_privileges);
  return g_test_run ();
}
