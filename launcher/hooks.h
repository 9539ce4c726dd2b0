/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hooks.h: the profile's OCI lifecycle hooks (its "hooks" object, as the OCI runtime spec's
 * config.md "POSIX-platform Hooks"), run where and in the namespaces that spec names:
 *
 *   prestart, createRuntime  the supervisor, in the caller's namespaces (the runtime's), once
 *                            init exists in all the sandbox's namespaces and the root filesystem
 *                            is mounted, before pivot_root: init asks (sync HOOKS, with its pid)
 *                            and waits for the answer (HOOKS_DONE)
 *   createContainer          init, in all the sandbox's namespaces, right before pivot_root: the
 *                            hook's path (and the bundle, its cwd) resolve in the host's
 *                            filesystem, still visible there
 *   startContainer           the command, after pivot_root and all of its confinement (user,
 *                            capabilities, no_new_privs, seccomp, AppArmor), right before its
 *                            execve: a child of it, confined as it is; the path resolves inside
 *   poststart                the supervisor, once the command's execve is done (every process
 *                            inside has closed its end of the sync socket)
 *   poststop                 the supervisor, once the sandbox ended (also when its creation
 *                            failed) and what served it (terminal, network, D-Bus proxies) is gone
 *
 * Every hook is a child with the OCI state JSON on stdin ({"ociVersion", "id", "status",
 * "pid" (init's, as the host sees it), "bundle" (the run dir), "annotations"}), only its own
 * env as its environment, its stdout on sbx's stderr, its stderr kept (the last line explains
 * a failure), cwd the bundle (startContainer: the command's working directory), SIGKILL
 * once its timeout passed.  A failure (exit status not 0, signal, timeout, not executable) of
 * prestart, createRuntime, createContainer or startContainer fails the run (125) with one
 * line naming the hook; one of poststart or poststop is a warning.  No hook gets more than
 * the process that starts it has: the caller's uid on the host, the sandbox's user
 * namespace inside. */
#pragma once

#include <glib.h>
#include <sys/types.h>
#include "plan.h"

G_BEGIN_DECLS

/* Whether @profile has any hook. */
gboolean sbx_hooks_wanted (const SbxProfile *profile);

/* The supervisor, before the first fork: the state's id (@name, else the run dir's name) and
 * bundle (@run_dir) go into @plan. */
void sbx_hooks_settle (SbxRunPlan *plan, const char *run_dir, const char *name);

/* The supervisor: waits for init's HOOKS (*out_init_pid is its pid), runs prestart and
 * createRuntime, answers HOOKS_DONE. */
gboolean sbx_hooks_create_runtime (const SbxRunPlan *plan, int sync_fd, pid_t *out_init_pid, GError **error);

/* Init, before pivot_root: says HOOKS with its host pid (*out_init_pid), waits for HOOKS_DONE,
 * runs createContainer. */
gboolean sbx_hooks_create_container (const SbxRunPlan *plan, int sync_fd, pid_t *out_init_pid, GError **error);

/* The command, confined, right before its execve. */
gboolean sbx_hooks_start_container (const SbxRunPlan *plan, pid_t init_pid, GError **error);

/* The supervisor: waits until nothing inside holds the sync socket (an ERROR from inside
 * fails here), then runs poststart (warnings only). */
gboolean sbx_hooks_poststart (const SbxRunPlan *plan, int sync_fd, pid_t init_pid, GError **error);

/* The supervisor, once the sandbox is gone (warnings only). */
void sbx_hooks_poststop (const SbxRunPlan *plan, pid_t init_pid);

G_END_DECLS
