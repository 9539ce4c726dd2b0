/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apparmor.c: AppArmor through libapparmor: is it enabled, is a profile loaded, and the
 * change of profile on the command's execve. */
#include "apparmor.h"
#include "log.h"
#include "fd-util.h"
#include "sbx-error.h"
#include "escape.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/apparmor.h>
#include <sys/capability.h>

typedef enum {
  PROFILE_LOADED,
  PROFILE_MISSING,
  PROFILE_UNKNOWN, /* the kernel would not tell us */
} ProfileState;

gboolean
sbx_apparmor_is_enabled (void)
{
  return aa_is_enabled () == 1;
}

/* A query through <securityfs>/apparmor/.access, which any user may make (dbus-daemon does):
 * naming a label the kernel does not know fails with ENOENT, and only then. */
static ProfileState
query_profile (const char *profile)
{
  int allowed = 0, audited = 0;

  if (aa_query_file_path (AA_MAY_READ, profile, "/", &allowed, &audited) == 0)
    return PROFILE_LOADED;
  return errno == ENOENT ? PROFILE_MISSING : PROFILE_UNKNOWN;
}

/* <securityfs>/apparmor/profiles: one "NAME (MODE)" a line.  Most kernels let only root
 * read it, so this is the fallback for kernels without .access. */
static ProfileState
scan_profiles_file (const char *profile)
{
  g_autofree char *mountpoint = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (aa_find_mountpoint (&mountpoint) != 0)
    return PROFILE_UNKNOWN;
  path = g_build_filename (mountpoint, "profiles", NULL);
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return PROFILE_UNKNOWN;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *mode = g_strrstr (lines[i], " (");

      if (mode != NULL)
        *mode = '\0';
      if (g_str_equal (lines[i], profile))
        return PROFILE_LOADED;
    }
  return PROFILE_MISSING;
}

static ProfileState
profile_state (const char *profile)
{
  ProfileState state = query_profile (profile);

  return state == PROFILE_UNKNOWN ? scan_profiles_file (profile) : state;
}

/* The profile cannot be used: the policy says whether that stops the run. */
static gboolean
apply_policy (const char *profile, SbxAppArmorPolicy policy, const char *why, GError **error)
{
  switch (policy)
    {
    case SBX_APPARMOR_FAIL:
      g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "apparmorProfile '%s': %s", profile, why);
      return FALSE;
    case SBX_APPARMOR_WARN:
      sbx_warning ("apparmorProfile '%s': %s; running without it "
                   "(sbx.apparmor.ifUnavailable \"fail\" refuses instead)",
                   profile, why);
      return TRUE;
    case SBX_APPARMOR_IGNORE:
      return TRUE;
    }
  g_return_val_if_reached (FALSE);
}

gboolean
sbx_apparmor_check (const char *profile, SbxAppArmorPolicy policy, gboolean *out_use,
                    GError **error)
{
  *out_use = FALSE;
  if (profile == NULL || g_str_equal (profile, "unconfined"))
    return TRUE;
  if (!sbx_apparmor_is_enabled ())
    return apply_policy (profile, policy, "AppArmor is not enabled on this host", error);
  if (profile_state (profile) == PROFILE_MISSING)
    return apply_policy (profile, policy, "no profile of that name is loaded in the kernel", error);
  /* Loaded, or the kernel would not say: then aa_change_onexec finds out, and a missing
   * profile fails the run before the command starts (never runs it unconfined). */
  *out_use = TRUE;
  return TRUE;
}

char *
sbx_apparmor_exec_label (const char *profile, gboolean userns_granted, gboolean nouserns_loaded)
{
  if (!nouserns_loaded || userns_granted)
    return g_strdup (profile);
  if (profile == NULL)
    return g_strdup (SBX_APPARMOR_NOUSERNS);
  return g_strconcat (profile, "//&" SBX_APPARMOR_NOUSERNS, NULL);
}

gboolean
sbx_apparmor_label_denies_userns (const char *label)
{
  return label != NULL && (g_str_equal (label, SBX_APPARMOR_NOUSERNS) ||
                           g_str_has_suffix (label, "//&" SBX_APPARMOR_NOUSERNS));
}

gboolean
sbx_apparmor_settle (const char *profile, SbxAppArmorPolicy policy, gboolean userns_granted,
                     gboolean *out_use, char **out_label, GError **error)
{
  gboolean nouserns_loaded;

  *out_label = NULL;
  if (!sbx_apparmor_check (profile, policy, out_use, error))
    return FALSE;
  nouserns_loaded = sbx_apparmor_is_enabled () && profile_state (SBX_APPARMOR_NOUSERNS) == PROFILE_LOADED;
  *out_label = sbx_apparmor_exec_label (*out_use ? profile : NULL, userns_granted, nouserns_loaded);
  return TRUE;
}

/* Takes @text; its escaped copy, or NULL. */
static char *
escape_or_null (char *text)
{
  g_autofree char *owned = text;

  return owned != NULL ? sbx_escape (owned) : NULL;
}

#define RESTRICTION "user namespaces are restricted by AppArmor (kernel.apparmor_restrict_unprivileged_userns=1)"

char *
sbx_apparmor_userns_refusal (long restricted, gboolean privileged, const char *label,
                             gboolean profile_loaded, const char *exe)
{
  /* Only the unconfined process is restricted; under a profile (sbx's own, or one an
   * administrator gave it) that profile's userns rule decides. */
  if (restricted != 1 || privileged || label == NULL || !g_str_equal (label, "unconfined"))
    return NULL;
  if (!profile_loaded)
    return g_strdup (RESTRICTION " and sbx's AppArmor profile is not loaded: "
                                 "sudo apparmor_parser -r " SBX_APPARMOR_PROFILE_FILE);
  return g_strdup_printf (RESTRICTION " and sbx's AppArmor profile attaches to " SBX_INSTALLED_BINARY
                                      ", not to %s: run the installed sbx (or add its path to " SBX_APPARMOR_PROFILE_FILE
                                      " and reload it)",
                          exe != NULL ? exe : "this sbx");
}

static gboolean
has_sys_admin (void)
{
  cap_t caps = cap_get_proc ();
  cap_flag_value_t value = CAP_CLEAR;

  if (caps != NULL)
    {
      (void) cap_get_flag (caps, CAP_SYS_ADMIN, CAP_EFFECTIVE, &value);
      cap_free (caps);
    }
  return value == CAP_SET;
}

gboolean
sbx_apparmor_check_userns_restriction (GError **error)
{
  long restricted = sbx_read_sysctl ("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
  g_autofree char *label = NULL;
  g_autofree char *exe = NULL;
  g_autofree char *why = NULL;
  char *mode = NULL;

  if (restricted != 1)
    return TRUE;
  if (aa_getcon (&label, &mode) < 0)
    g_clear_pointer (&label, free);
  exe = escape_or_null (g_file_read_link ("/proc/self/exe", NULL));
  why = sbx_apparmor_userns_refusal (restricted, has_sys_admin (), label,
                                     label != NULL && profile_state ("sbx") == PROFILE_LOADED, exe);
  if (why == NULL)
    return TRUE;
  g_set_error_literal (error, SBX_ERROR, SBX_ERROR_FAILED, why);
  return FALSE;
}

/* What aa_change_onexec does, on an fd checked to be procfs's (not a file mounted over
 * /proc, runc's CVE-2019-16884): "exec PROFILE" written to the calling thread's exec
 * attribute, the LSM-stacking path first, as libapparmor tries them. */
gboolean
sbx_apparmor_change_onexec (const char *profile, GError **error)
{
  static const char * const attrs[] = { "/proc/thread-self/attr/apparmor/exec", "/proc/thread-self/attr/exec" };
  g_autofree char *command = g_strconcat ("exec ", profile, NULL);
  g_autoptr(GError) local_error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (attrs); i++)
    {
      sbx_autofd int fd = -1;

      g_clear_error (&local_error);
      if (access (attrs[i], F_OK) != 0 && i + 1 < G_N_ELEMENTS (attrs))
        continue;
      if ((fd = sbx_open_procfs (attrs[i], O_WRONLY, &local_error)) < 0)
        break;
      if (write (fd, command, strlen (command)) == (ssize_t) strlen (command))
        return TRUE;
      sbx_set_error_from_errno (&local_error, errno, "write %s", attrs[i]);
      break;
    }
  g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "apparmorProfile '%s': change profile on exec: %s",
               profile, local_error->message);
  return FALSE;
}
