/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* scope.h: resource limits through a systemd user scope.
 *
 * The supervisor asks the user's systemd manager (org.freedesktop.systemd1 on the session
 * bus, over GDBus) for a transient scope "sbx-LABEL-PID.scope" holding the sandbox's first
 * process, with Delegate=yes and the profile's linux.resources mapped onto the scope's
 * properties, and waits for the job before the command starts.  The sandbox then creates
 * its cgroup namespace inside the scope (setup.c), so the scope is its /sys/fs/cgroup.
 *
 *   memory.limit -> MemoryMax        cpu.quota/period -> CPUQuotaPerSecUSec
 *   memory.reservation -> MemoryLow  cpu.shares -> CPUWeight (crun's conversion)
 *   memory.swap -> MemorySwapMax     cpu.cpus/mems -> AllowedCPUs/AllowedMemoryNodes
 *     (OCI's swap is memory+swap)    pids.limit -> TasksMax
 *                                    blockIO.weight -> IOWeight (crun's conversion)
 * OOMPolicy=continue keeps the scope when the kernel kills one process at the limit;
 * the supervisor watches the scope's memory.events and reports such kills. */
#pragma once

#include <glib.h>
#include <sys/types.h>
#include "profile.h"

G_BEGIN_DECLS

typedef struct SbxScope SbxScope;

/* The scope's properties for @resources, checked: a GVariant of type a(sv), floating.
 * Errors for combinations systemd cannot express (swap without a memory limit). */
GVariant *sbx_scope_properties (const SbxResources *resources, const char *description, pid_t pid,
                                GError **error);

/* A connection to the user's systemd manager, for a scope to come: NULL with @error saying
 * what is missing (cgroup v2 at /sys/fs/cgroup, a session bus, the manager on it). */
SbxScope *sbx_scope_connect (GError **error);

/* The same for a scope without limits (for `sbx stats`), tried only where a user manager
 * can be asked without delay: its socket $XDG_RUNTIME_DIR/systemd/private is there, and a
 * session bus address that needs no autolaunch ($DBUS_SESSION_BUS_ADDRESS, else
 * $XDG_RUNTIME_DIR/bus).  NULL otherwise, with a debug line only. */
SbxScope *sbx_scope_connect_if_available (void);

/* Creates the scope for @pid and waits (at most 30 s) until systemd has moved it there. */
gboolean sbx_scope_start (SbxScope *scope, const char *label, pid_t pid, GVariant *properties, GError **error);

/* `sbx exec`: moves @pid into the running scope @unit (the manager's AttachProcessesToUnit). */
gboolean sbx_scope_attach (const char *unit, pid_t pid, GError **error);

/* Watches the scope's memory.events on the thread-default main context from now on. */
void sbx_scope_watch (SbxScope *scope);

/* OOM kills counted in the scope so far; the limit they hit, as text ("64.0 MB"). */
guint64 sbx_scope_oom_kills (SbxScope *scope);
const char *sbx_scope_memory_limit_text (SbxScope *scope);
const char *sbx_scope_unit (SbxScope *scope);

void sbx_scope_free (SbxScope *scope);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxScope, sbx_scope_free)

/* One running sandbox's usage, read from its scope's cgroup (`sbx stats`). */
typedef struct {
  char *unit; /* sbx-NAME-PID.scope */
  char *description;
  guint64 memory_current, memory_max; /* bytes; memory_max G_MAXUINT64: none */
  guint64 cpu_usage_usec;
  guint64 pids_current, pids_max; /* pids_max G_MAXUINT64: none */
} SbxScopeStats;

void sbx_scope_stats_free (SbxScopeStats *stats);
/* The running sbx scopes of the user's manager: all, or those of @sandbox_name ("run" for
 * the unnamed ones). */
GPtrArray *sbx_scope_list_stats (const char *sandbox_name, GError **error);

G_END_DECLS
