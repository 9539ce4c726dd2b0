/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* accounts.c: an image's users and groups (accounts.h). */
#include "accounts.h"
#include "fd-util.h"
#include "sbx-error.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/openat2.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void
sbx_account_clear (SbxAccount *account)
{
  g_clear_pointer (&account->groups, g_array_unref);
  g_clear_pointer (&account->name, g_free);
  g_clear_pointer (&account->home, g_free);
}

/* A regular file of the image, or NULL (missing, or something that could hang a read). */
static FILE *
open_account_file (int root_fd, const char *path)
{
  sbx_autofd int fd = sbx_openat2 (root_fd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY,
                                   RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
  struct stat st;
  FILE *f;

  if (fd < 0 || fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || (f = fdopen (fd, "re")) == NULL)
    return NULL;
  sbx_steal_fd (&fd);
  return f;
}

static gboolean
parse_id (const char *s, guint32 *out)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (s, 10, 0, G_MAXUINT32 - 1, &v, NULL))
    return FALSE;
  *out = (guint32) v;
  return TRUE;
}

/* The passwd entry named @name, or of @uid when @name is NULL. */
static gboolean
lookup_passwd (int root_fd, const char *name, uid_t uid, SbxAccount *account)
{
  FILE *f = open_account_file (root_fd, "/etc/passwd");
  struct passwd *pw;
  gboolean found = FALSE;

  if (f == NULL)
    return FALSE;
  while (!found && (pw = fgetpwent (f)) != NULL)
    if (name != NULL ? g_strcmp0 (pw->pw_name, name) == 0 : pw->pw_uid == uid)
      {
        account->uid = pw->pw_uid;
        account->gid = pw->pw_gid;
        account->name = g_strdup (pw->pw_name);
        account->home = g_strdup (pw->pw_dir);
        found = TRUE;
      }
  fclose (f);
  return found;
}

static void
add_group (SbxAccount *account, gid_t gid)
{
  if (gid == account->gid)
    return;
  for (guint i = 0; i < account->groups->len; i++)
    if (g_array_index (account->groups, gid_t, i) == gid)
      return;
  g_array_append_val (account->groups, gid);
}

/* Resolves @group_name to *@out_gid; with @member set, adds the groups listing it instead. */
static gboolean
scan_groups (int root_fd, const char *group_name, gid_t *out_gid, const char *member, SbxAccount *account)
{
  FILE *f = open_account_file (root_fd, "/etc/group");
  struct group *gr;
  gboolean found = FALSE;

  if (f == NULL)
    return FALSE;
  while ((gr = fgetgrent (f)) != NULL)
    {
      if (group_name != NULL && g_strcmp0 (gr->gr_name, group_name) == 0)
        {
          *out_gid = gr->gr_gid;
          found = TRUE;
          break;
        }
      if (member != NULL && gr->gr_mem != NULL && g_strv_contains ((const char * const *) gr->gr_mem, member))
        add_group (account, gr->gr_gid);
    }
  fclose (f);
  return found;
}

gboolean
sbx_account_resolve (int root_fd, const char *spec, GArray *additional_gids, SbxAccount *out, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (spec != NULL ? spec : "", ":", 2);
  const char *user_part = parts[0] != NULL && *parts[0] ? parts[0] : "0";
  const char *group_part = parts[0] != NULL ? parts[1] : NULL;
  guint32 id;

  memset (out, 0, sizeof *out);
  out->groups = g_array_new (FALSE, FALSE, sizeof (gid_t));
  if (parse_id (user_part, &id))
    {
      if (!lookup_passwd (root_fd, NULL, id, out))
        out->gid = 0;
      out->uid = id;
    }
  else if (!lookup_passwd (root_fd, user_part, 0, out))
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                   "user '%s' not found in the image's /etc/passwd", user_part);
      return FALSE;
    }
  if (group_part != NULL && *group_part && !parse_id (group_part, &out->gid) &&
      !scan_groups (root_fd, group_part, &out->gid, NULL, out))
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                   "group '%s' not found in the image's /etc/group", group_part);
      return FALSE;
    }
  for (guint i = 0; additional_gids != NULL && i < additional_gids->len; i++)
    add_group (out, g_array_index (additional_gids, gid_t, i));
  if (out->name != NULL)
    scan_groups (root_fd, NULL, NULL, out->name, out);
  if (out->home == NULL)
    out->home = g_strdup (out->uid == 0 ? "/root" : "/");
  return TRUE;
}
