/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caller-account.h: the caller as the sandbox's /etc/passwd and /etc/group name them, for
 * keep-id (as Podman does): name, uid, gid, home and shell from the host's entry.  The host
 * image's /etc is made of them; an image run with keep-id gets them added to its own files
 * in the sandbox's upper layer (never the image), where its files do not name the caller
 * already, so whoami, ~, git and ssh find the user. */
#pragma once

#include <glib.h>
#include "plan.h"

G_BEGIN_DECLS

/* Supervisor side: plan->caller_passwd / caller_group ("name:x:uid:gid:..." lines), from
 * the host's databases, with ':' and newlines in names replaced. */
void sbx_caller_account_plan (SbxRunPlan *plan);

/* Inside, before pivot_root: appends the caller's lines to @root_fd's /etc/passwd and
 * /etc/group unless the uid (gid) is there already, and makes the home directory, the
 * caller's own, when missing.  An image without a plain /etc/passwd is left alone. */
gboolean sbx_caller_account_add (int root_fd, const SbxRunPlan *plan, GError **error);

G_END_DECLS
