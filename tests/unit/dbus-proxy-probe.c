/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dbus-proxy-probe.c: launcher/dbus-proxy.c driven from the command line, for
 * test-dbus-proxy.sh.  Starts one proxy as sbx run will, prints
 *   ready SOCKET PID          (the proxy listens), or
 *   unavailable: REASON       (no such bus: not an error, exit 0)
 * on stdout, then holds the proxy until SIGTERM or SIGINT, stops it and exits 0.  Errors
 * go to stderr as "sbx: MESSAGE", with sbx's exit status (125). */
#include "dbus-proxy.h"
#include "sbx-error.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static int
hold_until_signal (void)
{
  sigset_t set;
  int sig;

  sigemptyset (&set);
  sigaddset (&set, SIGTERM);
  sigaddset (&set, SIGINT);
  return sigwait (&set, &sig);
}

int
main (int argc, char **argv)
{
  gboolean system_bus = FALSE, log_denials = FALSE;
  g_autofree char *address = NULL, *dir = NULL;
  g_auto(GStrv) talk = NULL, own = NULL, see = NULL, call = NULL, broadcast = NULL;
  const GOptionEntry entries[] = {
    { "system", 0, 0, G_OPTION_ARG_NONE, &system_bus, "The system bus (default: session)", NULL },
    { "address", 0, 0, G_OPTION_ARG_STRING, &address, "The bus address (default: the usual)", "ADDR" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, "The private socket directory", "DIR" },
    { "log", 0, 0, G_OPTION_ARG_NONE, &log_denials, "Log (--log)", NULL },
    { "talk", 0, 0, G_OPTION_ARG_STRING_ARRAY, &talk, "--talk", "NAME" },
    { "own", 0, 0, G_OPTION_ARG_STRING_ARRAY, &own, "--own", "NAME" },
    { "see", 0, 0, G_OPTION_ARG_STRING_ARRAY, &see, "--see", "NAME" },
    { "call", 0, 0, G_OPTION_ARG_STRING_ARRAY, &call, "--call", "NAME=RULE" },
    { "broadcast", 0, 0, G_OPTION_ARG_STRING_ARRAY, &broadcast, "--broadcast", "NAME=RULE" },
    { NULL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- start a D-Bus proxy as sbx does");
  g_autoptr(GError) error = NULL;
  g_autoptr(SbxDbusProxy) proxy = NULL;
  SbxDbusPolicy policy = { 0 };
  SbxDbusProxyConfig config = { 0 };
  sigset_t set;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || dir == NULL)
    {
      fprintf (stderr, "sbx: %s\n", error != NULL ? error->message : "--dir is required");
      return SBX_EXIT_SBX_ERROR;
    }
  /* Blocked before the proxy starts, so a signal in between is not lost. */
  sigemptyset (&set);
  sigaddset (&set, SIGTERM);
  sigaddset (&set, SIGINT);
  sigprocmask (SIG_BLOCK, &set, NULL);
  policy = (SbxDbusPolicy) { talk, own, see, call, broadcast };
  config = (SbxDbusProxyConfig) { system_bus ? SBX_DBUS_BUS_SYSTEM : SBX_DBUS_BUS_SESSION,
                                  address, &policy, dir, log_denials };
  if ((proxy = sbx_dbus_proxy_start (&config, &error)) == NULL)
    {
      fprintf (stderr, "sbx: %s\n", error->message);
      return sbx_error_exit_status (error);
    }
  if (!sbx_dbus_proxy_is_available (proxy))
    {
      printf ("unavailable: %s\n", sbx_dbus_proxy_get_unavailable_reason (proxy));
      return 0;
    }
  printf ("ready %s %d\n", sbx_dbus_proxy_get_socket_path (proxy), (int) sbx_dbus_proxy_get_pid (proxy));
  fflush (stdout);
  hold_until_signal ();
  return 0;
}
