/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dbus-proxy.h: a filtering D-Bus proxy (xdg-dbus-proxy) between a sandbox and one of
 * the caller's buses.
 *
 * The proxy runs outside the sandbox, as the caller, and listens on a socket in a private
 * directory the caller gives; that socket is what gets bound into the sandbox.  Starting
 * returns once the proxy is listening, so the sandboxed program never races it; a run
 * spawns it instead and waits for it only when the sandbox is about to bind its socket, so
 * that the proxy's own start (it is a GIO program) overlaps the sandbox's setup.  The
 * proxy lives exactly as long as sbx: it holds one end of a pipe whose other end only sbx
 * holds (xdg-dbus-proxy --fd), and it gets SIGKILL when sbx dies (PR_SET_PDEATHSIG), so
 * even a SIGKILLed sbx leaves no proxy behind. */
#pragma once

#include <glib.h>
#include "profile.h"
#include "portal-id.h"

G_BEGIN_DECLS

typedef enum {
  SBX_DBUS_BUS_SESSION,
  SBX_DBUS_BUS_SYSTEM,
} SbxDbusBus;

/* Where the sandbox finds the proxied buses: the session bus as "bus" in the sandbox's
 * XDG_RUNTIME_DIR (desktop.c), the system bus where D-Bus looks by default. */
#define SBX_DBUS_SYSTEM_SOCKET_INSIDE "/run/dbus/system_bus_socket"
/* The address outside: the system bus's well-known socket. */
#define SBX_DBUS_SYSTEM_BUS_ADDRESS "unix:path=/run/dbus/system_bus_socket"

typedef struct {
  SbxDbusBus bus;
  const char *address;         /* NULL: the session bus is $DBUS_SESSION_BUS_ADDRESS, the
                                   system bus SBX_DBUS_SYSTEM_BUS_ADDRESS */
  const SbxDbusPolicy *policy; /* what the sandbox may do on the bus */
  const char *socket_dir;      /* where to listen: a directory of ours, mode 0700 */
  gboolean log_denials;        /* xdg-dbus-proxy --log: its trace, denials included, on
                                   sbx's stderr */
  const SbxPortalId *identity; /* NULL, or the app id the portals know the sandbox by: the
                                   proxy runs in its namespaces (portal-id.h) */
} SbxDbusProxyConfig;

typedef struct _SbxDbusProxy SbxDbusProxy;

/* Starts xdg-dbus-proxy (from $PATH) for @config and waits until it listens.  A bus the
 * caller does not have (no $DBUS_SESSION_BUS_ADDRESS, or its socket absent) is no error:
 * the result is then "not available", with a one-line reason.  Errors: an address with a
 * transport other than unix:, a malformed address, xdg-dbus-proxy missing or failing, a
 * socket directory that is not private.  Call it from the thread that lives as long as
 * sbx (PR_SET_PDEATHSIG follows the thread that forked). */
SbxDbusProxy *sbx_dbus_proxy_start (const SbxDbusProxyConfig *config, GError **error);

/* The same without the wait: returns once xdg-dbus-proxy is started; its socket may not
 * be there yet.  sbx_dbus_proxy_wait_ready before anything uses the socket. */
SbxDbusProxy *sbx_dbus_proxy_spawn (const SbxDbusProxyConfig *config, GError **error);

/* Waits until a spawned proxy listens (at once when it does already, or when the bus is
 * not available).  Errors: the proxy ended, or did not listen within 10 s. */
gboolean sbx_dbus_proxy_wait_ready (SbxDbusProxy *proxy, GError **error);

gboolean sbx_dbus_proxy_is_available (const SbxDbusProxy *proxy);
/* Why the bus is not available ("no session bus: DBUS_SESSION_BUS_ADDRESS is not set"),
 * outside input escaped; NULL when it is. */
const char *sbx_dbus_proxy_get_unavailable_reason (const SbxDbusProxy *proxy);
/* The socket the proxy listens on (to bind into the sandbox); NULL when not available. */
const char *sbx_dbus_proxy_get_socket_path (const SbxDbusProxy *proxy);
/* The proxy's process id; -1 when not available. */
GPid sbx_dbus_proxy_get_pid (const SbxDbusProxy *proxy);

/* Ends the proxy (SIGKILL; with log_denials, it exits when its pipe closes, SIGKILL after a
 * grace period), reaps it,
 * removes its socket and frees @proxy.  NULL is allowed. */
void sbx_dbus_proxy_stop (SbxDbusProxy *proxy);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxDbusProxy, sbx_dbus_proxy_stop)

G_END_DECLS
