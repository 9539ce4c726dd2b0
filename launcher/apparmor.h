/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apparmor.h: running the sandboxed command under an AppArmor profile (process.apparmorProfile).
 *
 * The supervisor settles, before anything starts, whether the profile can be used: AppArmor
 * enabled and the profile loaded.  Where it cannot, the profile's sbx.apparmor.ifUnavailable
 * decides: "warn" prints one warning and runs without it, "ignore" runs without it quietly,
 * "fail" refuses to start.  The sandbox's init then asks for the profile on exec
 * (aa_change_onexec) as its last step before execve, so the profile confines exactly the
 * image's command. */
#pragma once

#include <glib.h>
#include "profile.h"

G_BEGIN_DECLS

/* Whether the kernel has AppArmor enabled (and its filesystem is reachable). */
gboolean sbx_apparmor_is_enabled (void);

/* Decides whether the command runs under @profile (NULL or "unconfined": no).  Sets
 * *@out_use; fails only when AppArmor or the profile is missing and @policy is
 * SBX_APPARMOR_FAIL.  SBX_APPARMOR_WARN prints one "sbx: warning:" line instead,
 * SBX_APPARMOR_IGNORE nothing. */
gboolean sbx_apparmor_check (const char *profile, SbxAppArmorPolicy policy, gboolean *out_use,
                             GError **error);

/* The profile of sbx's policy (data/apparmor/sbx.in, loaded with the `sbx` profile) that
 * allows everything but creating user namespaces (and changing profile). */
#define SBX_APPARMOR_NOUSERNS "sbx-nouserns"

/* The label the command is exec'd under, or NULL for none (it keeps sbx's own).
 * @profile: the usable process.apparmorProfile, or NULL; @userns_granted: the profile's
 * sbx.apparmor.userns; @nouserns_loaded: sbx-nouserns is loaded.  Where it is loaded and the
 * profile grants no user namespaces, the command never runs under sbx's own label (which
 * grants them, the door through Ubuntu's restriction): it runs under sbx-nouserns, alone or
 * stacked with @profile ("PROFILE//&sbx-nouserns"), so no profile it names reopens it. */
char *sbx_apparmor_exec_label (const char *profile, gboolean userns_granted, gboolean nouserns_loaded);

/* Whether @label (from sbx_apparmor_exec_label) includes sbx-nouserns. */
gboolean sbx_apparmor_label_denies_userns (const char *label);

/* sbx_apparmor_check, then the label for sbx_apparmor_exec_label (NULL: none) in
 * *@out_label. */
gboolean sbx_apparmor_settle (const char *profile, SbxAppArmorPolicy policy, gboolean userns_granted,
                              gboolean *out_use, char **out_label, GError **error);

/* Ubuntu's restriction (kernel.apparmor_restrict_unprivileged_userns=1): an unconfined,
 * unprivileged process that creates a user namespace gets no capability in it (or none at
 * all), and a sandbox cannot be set up.  sbx escapes it only under its own profile.  Returns
 * NULL where the restriction does not stop sbx, else the one-line cause and fix.
 * @restricted: the sysctl's value (-1: absent); @privileged: CAP_SYS_ADMIN, which the
 * restriction exempts; @label: sbx's own AppArmor label (NULL: unknown); @profile_loaded:
 * the `sbx` profile is loaded; @exe: the running sbx's path. */
char *sbx_apparmor_userns_refusal (long restricted, gboolean privileged, const char *label,
                                   gboolean profile_loaded, const char *exe);

/* The check above for this process, before any user namespace is made: FALSE with that
 * line in @error. */
gboolean sbx_apparmor_check_userns_restriction (GError **error);

/* Makes the next execve of the calling thread enter @profile (a label: "A//&B" stacks).  Called in the sandbox, after
 * its own /proc is mounted, just before execve. */
gboolean sbx_apparmor_change_onexec (const char *profile, GError **error);

G_END_DECLS
