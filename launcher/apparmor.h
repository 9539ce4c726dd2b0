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

/* Makes the next execve of the calling thread enter @profile.  Called in the sandbox, after
 * its own /proc is mounted, just before execve. */
gboolean sbx_apparmor_change_onexec (const char *profile, GError **error);

G_END_DECLS
