/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-apparmor.c: the command's AppArmor label (sbx-nouserns stacked unless the profile
 * grants user namespaces) and the one line said when Ubuntu's restriction stops sbx. */
#include "apparmor.h"

#include <string.h>

static void
test_exec_label (void)
{
  g_autofree char *stacked = sbx_apparmor_exec_label ("sbx-default", FALSE, TRUE);
  g_autofree char *alone = sbx_apparmor_exec_label (NULL, FALSE, TRUE);
  g_autofree char *granted = sbx_apparmor_exec_label ("sbx-default", TRUE, TRUE);
  g_autofree char *granted_none = sbx_apparmor_exec_label (NULL, TRUE, TRUE);
  g_autofree char *no_policy = sbx_apparmor_exec_label ("sbx-default", FALSE, FALSE);
  g_autofree char *no_policy_none = sbx_apparmor_exec_label (NULL, FALSE, FALSE);
  g_autofree char *other = sbx_apparmor_exec_label ("chrome", FALSE, TRUE);

  /* Not granted, sbx's policy loaded: never without sbx-nouserns, whatever the profile. */
  g_assert_cmpstr (stacked, ==, "sbx-default//&sbx-nouserns");
  g_assert_cmpstr (alone, ==, "sbx-nouserns");
  g_assert_cmpstr (other, ==, "chrome//&sbx-nouserns");
  /* Granted: the profile alone, or sbx's own label (no change). */
  g_assert_cmpstr (granted, ==, "sbx-default");
  g_assert_null (granted_none);
  /* sbx's policy not loaded: as before it existed. */
  g_assert_cmpstr (no_policy, ==, "sbx-default");
  g_assert_null (no_policy_none);
  /* What the hooks follow (hooks.c). */
  g_assert_true (sbx_apparmor_label_denies_userns (stacked));
  g_assert_true (sbx_apparmor_label_denies_userns (alone));
  g_assert_false (sbx_apparmor_label_denies_userns (granted));
  g_assert_false (sbx_apparmor_label_denies_userns (NULL));
  g_assert_false (sbx_apparmor_label_denies_userns ("sbx-nouserns-not"));
}

static void
test_userns_refusal (void)
{
  g_autofree char *missing = sbx_apparmor_userns_refusal (1, FALSE, "unconfined", FALSE, "/usr/bin/sbx");
  g_autofree char *elsewhere = sbx_apparmor_userns_refusal (1, FALSE, "unconfined", TRUE, "/home/u/build/sbx");

  g_assert_nonnull (missing);
  g_assert_null (strchr (missing, '\n'));
  g_assert_nonnull (strstr (missing, "kernel.apparmor_restrict_unprivileged_userns=1"));
  g_assert_nonnull (strstr (missing, "sbx's AppArmor profile is not loaded: sudo apparmor_parser -r /"));
  g_assert_true (g_str_has_suffix (missing, "/apparmor.d/sbx"));
  g_assert_nonnull (elsewhere);
  g_assert_null (strchr (elsewhere, '\n'));
  g_assert_nonnull (strstr (elsewhere, "not to /home/u/build/sbx: run the installed sbx"));
  /* No restriction, or it does not apply: nothing to say. */
  g_assert_null (sbx_apparmor_userns_refusal (0, FALSE, "unconfined", FALSE, NULL));
  g_assert_null (sbx_apparmor_userns_refusal (-1, FALSE, "unconfined", FALSE, NULL));
  g_assert_null (sbx_apparmor_userns_refusal (1, TRUE, "unconfined", FALSE, NULL));
  g_assert_null (sbx_apparmor_userns_refusal (1, FALSE, "sbx", TRUE, NULL));
  g_assert_null (sbx_apparmor_userns_refusal (1, FALSE, NULL, FALSE, NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/apparmor/exec-label", test_exec_label);
  g_test_add_func ("/apparmor/userns-refusal", test_userns_refusal);
  return g_test_run ();
}
