/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caller-account.c: the caller in the sandbox's /etc/passwd and /etc/group (caller-account.h). */
#include "caller-account.h"
#include "fd-util.h"
#include "log.h"
#include "sbx-error.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>
#include <linux/openat2.h>

#define ACCOUNT_FILE_MAX (4 * 1024 * 1024)

static char *
field (const char *value, const char *fallback)
{
  return g_strdelimit (g_strdup (value != NULL && *value ? value : fallback), ":\n", '_');
}

void
sbx_caller_account_plan (SbxRunPlan *plan)
{
  struct passwd *pw = getpwuid (plan->ids.caller_uid);
  struct group *gr = getgrgid (plan->ids.caller_gid);
  g_autofree char *name = field (pw != NULL ? pw->pw_name : NULL, g_get_user_name ());
  g_autofree char *home = field (pw != NULL ? pw->pw_dir : NULL, g_get_home_dir ());
  g_autofree char *shell = field (pw != NULL ? pw->pw_shell : NULL, "/bin/sh");
  g_autofree char *group = field (gr != NULL ? gr->gr_name : NULL, name);

  plan->caller_passwd = g_strdup_printf ("%s:x:%u:%u:%s:%s:%s\n", name, (guint) plan->ids.caller_uid,
                                         (guint) plan->ids.caller_gid, name, home, shell);
  plan->caller_group = g_strdup_printf ("%s:x:%u:\n", group, (guint) plan->ids.caller_gid);
}

/* TRUE when a line of @contents has @id as its third field. */
static gboolean
has_id (const char *contents, guint id)
{
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);
  g_autofree char *wanted = g_strdup_printf ("%u", id);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], ":", 4);
      if (g_strv_length (f) >= 3 && g_str_equal (f[2], wanted))
        return TRUE;
    }
  return FALSE;
}

/* /etc/NAME of the image, a regular file read without following symlinks; NULL: leave it. */
static char *
read_etc (int etc_fd, const char *name)
{
  sbx_autofd int fd = sbx_openat2 (etc_fd, name, O_RDONLY | O_NOFOLLOW, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
  g_autoptr(GString) text = g_string_new (NULL);
  char buf[8192];
  ssize_t n;

  if (fd < 0)
    return NULL;
  while ((n = read (fd, buf, sizeof buf)) > 0 && text->len < ACCOUNT_FILE_MAX)
    g_string_append_len (text, buf, n);
  if (n < 0 || strlen (text->str) != text->len)
    return NULL;
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Appends @line to /etc/@name unless it names @id already; the file is replaced whole
 * (a copy in the upper layer), never written through a link. */
static gboolean
add_line (int etc_fd, const char *name, guint id, const char *line, GError **error)
{
  g_autofree char *contents = read_etc (etc_fd, name);
  g_autofree char *updated = NULL;
  g_autofree char *tmp = g_strconcat (".", name, ".sbx-new", NULL);

  if (contents == NULL || has_id (contents, id))
    return TRUE;
  updated = g_strconcat (contents, *contents && !g_str_has_suffix (contents, "\n") ? "\n" : "", line, NULL);
  (void) unlinkat (etc_fd, tmp, 0);
  if (!sbx_write_string_at (etc_fd, tmp, O_CREAT | O_EXCL | O_NOFOLLOW, 0644, updated, error))
    return g_prefix_error (error, "keep-id: /etc/%s: ", name), FALSE;
  if (renameat (etc_fd, tmp, etc_fd, name) != 0)
    return sbx_set_error_from_errno (error, errno, "keep-id: replace /etc/%s", name);
  return TRUE;
}

static gboolean
make_home (int root_fd, const SbxRunPlan *plan)
{
  g_auto(GStrv) f = g_strsplit (plan->caller_passwd, ":", 7);
  const char *home = g_strv_length (f) >= 6 ? f[5] : NULL;
  g_autofree char *relative = NULL;
  sbx_autofd int fd = -1;

  if (home == NULL || home[0] != '/' || g_str_equal (home, "/"))
    return FALSE;
  relative = g_strdup (home + 1);
  /* Parents as the image's root would make them; the home itself the caller's. */
  for (char *slash = strchr (relative, '/'); slash != NULL; slash = strchr (slash + 1, '/'))
    {
      *slash = '\0';
      (void) mkdirat (root_fd, relative, 0755);
      *slash = '/';
    }
  if (mkdirat (root_fd, relative, 0700) != 0)
    return FALSE;
  fd = sbx_openat2 (root_fd, relative, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
  return fd >= 0 && fchown (fd, plan->ids.caller_uid, plan->ids.caller_gid) == 0;
}

/* The caller's passwd line, its shell swapped for /bin/sh when the image has not got it. */
static char *
passwd_line (int root_fd, const SbxRunPlan *plan)
{
  g_auto(GStrv) f = g_strsplit (plan->caller_passwd, ":", 7);
  sbx_autofd int shell = -1;

  if (g_strv_length (f) != 7)
    return g_strdup (plan->caller_passwd);
  g_strchomp (f[6]);
  shell = sbx_openat2 (root_fd, f[6], O_PATH, RESOLVE_IN_ROOT);
  if (shell < 0)
    {
      g_free (f[6]);
      f[6] = g_strdup ("/bin/sh");
    }
  return g_strconcat (f[0], ":", f[1], ":", f[2], ":", f[3], ":", f[4], ":", f[5], ":", f[6], "\n", NULL);
}

gboolean
sbx_caller_account_add (int root_fd, const SbxRunPlan *plan, GError **error)
{
  sbx_autofd int etc_fd = -1;
  g_autofree char *line = NULL;

  if (plan->caller_passwd == NULL)
    return TRUE;
  line = passwd_line (root_fd, plan);
  etc_fd = sbx_openat2 (root_fd, "etc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
  if (etc_fd < 0)
    return TRUE;
  if (!add_line (etc_fd, "passwd", plan->ids.caller_uid, line, error) ||
      !add_line (etc_fd, "group", plan->ids.caller_gid, plan->caller_group, error))
    return FALSE;
  sbx_debug ("init", "keep-id", "the caller in /etc/passwd and /etc/group%s",
             make_home (root_fd, plan) ? ", its home made" : "");
  return TRUE;
}
