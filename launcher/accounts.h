/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* accounts.h: an image's users and groups.  "USER[:GROUP]" (names or numbers, as Docker,
 * runc and Podman take them) resolved against the image's /etc/passwd and /etc/group, read
 * inside its root (symlinks resolved there, never to the host's files; a fifo or device in
 * their place is ignored).  Used where the command starts (confine.c) and where `sbx spec`
 * writes process.user (spec.c), so both see the same ids. */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

typedef struct {
  uid_t uid;
  gid_t gid;
  GArray *groups; /* gid_t: the supplementary groups, each once, never @gid */
  char *name;     /* NULL when the uid has no passwd entry */
  char *home;     /* the entry's, else /root for uid 0 and / for the others */
} SbxAccount;

void sbx_account_clear (SbxAccount *account);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SbxAccount, sbx_account_clear)

/* Resolves @spec ("" or NULL: root) under @root_fd.  A numeric uid need not be in
 * /etc/passwd; a name must.  The supplementary groups are @additional_gids (gid_t, may be
 * NULL), then the groups that list the user's name. */
gboolean sbx_account_resolve (int root_fd, const char *spec, GArray *additional_gids, SbxAccount *out,
                              GError **error);

G_END_DECLS
