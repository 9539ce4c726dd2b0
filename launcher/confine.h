/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* confine.h: the command's last steps, inside the sandbox after pivot_root:
 * reset signals; resolve the user against the image's /etc/passwd and /etc/group;
 * enter the working directory; drop capabilities to the default set (bounding, then
 * effective/permitted; inheritable and ambient empty); switch user; no_new_privs;
 * seccomp last (denies terminal input injection: TIOCSTI, TIOCLINUX); the startContainer
 * hooks (hooks.h; @init_pid is init's host pid, for their state); then execve,
 * searching PATH of the sandbox's own environment.  Failures go to the supervisor
 * over the sync socket: 127 when the program is not found, 126 when it cannot run.
 * `sbx exec` (cmd-exec.c) runs the very same steps, without the hooks, in a process that
 * joined a running sandbox's namespaces. */
#pragma once

#include <glib.h>
#include "plan.h"

G_BEGIN_DECLS

/* @seccomp: the filter init received from the supervisor (sync.h). */
G_NORETURN void sbx_confine_and_exec (const SbxRunPlan *plan, const SbxSeccompProgram *seccomp, int sync_fd,
                                      pid_t init_pid);

/* `sbx exec`: the same confinement and execve for a process that joined the running
 * sandbox's namespaces (no startContainer hooks: they belong to the sandbox's start). */
G_NORETURN void sbx_confine_and_exec_joined (const SbxRunPlan *plan, int sync_fd);

G_END_DECLS
