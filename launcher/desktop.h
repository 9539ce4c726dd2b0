/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* desktop.h: the desktop grants of a profile (profiles/desktop-grants.h) turned into what a
 * run binds and sets: the session's Wayland, X11 (with a private Xauthority holding a cookie
 * for that display only, untrusted unless the profile says "trusted"), PulseAudio and
 * PipeWire sockets in XDG_RUNTIME_DIR, the GPU's device nodes, the home (private, tmpfs or
 * host) and the shared user directories.  A grant the session cannot serve (no socket, no
 * device, no such XDG directory) is not an error: one `sbx: note:` line says so and the
 * environment names nothing that was not bound. */
#pragma once

#include <glib.h>
#include "plan.h"
#include "accounts.h"
#include "dbus-proxy.h"

G_BEGIN_DECLS

typedef struct {
  const char *run_dir;    /* the run's own directory on the host (run-dir.h) */
  const char *store_root; /* the store, where private homes live; NULL: not opened (host image) */
  const char *home_key;   /* --name, else NULL: the profile's name keys the private home */
  gboolean log_dbus;      /* --log-dbus: the D-Bus proxies print what they see and deny */
  char **forwarded;       /* --file-forwarding's files (absolute), each bound alone; may be NULL */
} SbxDesktopContext;

/* TRUE when the profile asks for anything of the desktop (a run directory is then made). */
gboolean sbx_desktop_wanted (const SbxProfile *profile);

/* Supervisor side, in make-plan's wake: fills the plan's runtime entries, grant mounts and
 * home from the profile and the session. */
gboolean sbx_desktop_settle (SbxRunPlan *plan, const SbxDesktopContext *context, GError **error);

/* Supervisor side, after sbx_desktop_settle: the session and system buses the profile names,
 * each through its own xdg-dbus-proxy, listening in the run directory and bound in ("bus" in
 * XDG_RUNTIME_DIR, the system bus's usual socket).  The proxies end with sbx. */
gboolean sbx_desktop_start_dbus (SbxRunPlan *plan, const SbxDesktopContext *context, SbxDbusProxy **out_session,
                                 SbxDbusProxy **out_system, GError **error);

/* Inside, in init before pivot_root: XDG_RUNTIME_DIR (/run/user/UID, 0700, @user's own) with
 * the runtime entries bound in, the home on @user's home directory, then the grant mounts. */
gboolean sbx_desktop_mount (int root_fd, const SbxRunPlan *plan, const SbxAccount *user, GError **error);

/* Inside, for the command: XDG_RUNTIME_DIR and the variables that name what was bound
 * (WAYLAND_DISPLAY, DISPLAY, XAUTHORITY, PULSE_SERVER, DBUS_SESSION_BUS_ADDRESS), HOME. */
char **sbx_desktop_environ (const SbxRunPlan *plan, const SbxAccount *user, char **env);

G_END_DECLS
