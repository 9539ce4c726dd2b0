/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* explain-access.c: the network, D-Bus, display and sound, privileges and limits sections of
 * the explain model (explain.h), and the risky grants among them. */
#include "explain-private.h"
#include "json-util.h"
#include "netopts.h"
#include "profile-private.h"

#include <arpa/inet.h>
#include <sched.h>
#include <string.h>
#include <sys/capability.h>

/* ------------------------------------------------------------------------ network */

static void
explain_publish (SbxExplainBuilder *b, SbxExplainSection *network)
{
  g_auto(SbxNetOptions) net = { 0 };

  sbx_net_options_init (&net);
  for (guint i = 0; b->profile->publish != NULL && b->profile->publish[i] != NULL; i++)
    {
      const char *spec = b->profile->publish[i];
      char address[INET6_ADDRSTRLEN] = "?";
      const SbxPortForward *forward;
      SbxExplainFact *fact;

      if (!sbx_net_options_add_publish (&net, spec, NULL))
        continue;
      forward = &g_array_index (net.forwards, SbxPortForward, net.forwards->len - 1);
      sbx_port_forward_host (forward, address, sizeof address);
      fact = sbx_explain_add (network, sbx_explain_why_printf (b, "network.publish %s", spec),
                              "port %s:%u on your machine leads to port %u/%s in the sandbox", address,
                              forward->host_port, forward->guest_port, forward->is_udp ? "udp" : "tcp");
      sbx_json_set (fact->data, "kind", sbx_json_string_new ("publish"));
      sbx_json_set (fact->data, "hostAddress", sbx_json_string_new (address));
      sbx_json_set (fact->data, "hostPort", json_integer (forward->host_port));
      sbx_json_set (fact->data, "sandboxPort", json_integer (forward->guest_port));
      sbx_json_set (fact->data, "protocol", sbx_json_string_new (forward->is_udp ? "udp" : "tcp"));
    }
}

void
sbx_explain_network (SbxExplainBuilder *b)
{
  SbxExplainSection *network = sbx_explain_section_new (b, "network", "Network");
  const SbxProfile *p = b->profile;
  const char *mode = p->network != NULL ? p->network : (p->unshare_flags & CLONE_NEWNET) ? "slirp"
                                                                                         : "host";
  const char *why = sbx_explain_why (b, "network.mode");
  const char *loopback_why = sbx_explain_why (b, "network.allowHostLoopback");
  SbxExplainFact *fact;

  if (g_str_equal (mode, "none"))
    fact = sbx_explain_add (network, why, "no network: only the sandbox's own loopback, nothing can be sent out");
  else if (g_str_equal (mode, "host"))
    {
      sbx_explain_risk (b, "network-host", why, "host network: reaches services on your 127.0.0.1 and abstract "
                                                "sockets (X11, D-Bus)");
      fact = sbx_explain_add (network, why, "the host's network: everything your machine reaches, its 127.0.0.1 "
                                            "services and abstract unix sockets included");
    }
  else
    {
      fact = sbx_explain_add (network, why, "the internet, through slirp (user-mode networking)");
      if (p->allow_host_loopback)
        sbx_explain_risk (b, "host-loopback", loopback_why, "reaches services on your 127.0.0.1 (slirp with "
                                                            "allowHostLoopback)");
      sbx_explain_add (network, loopback_why, "services on your machine's 127.0.0.1: %s",
                       p->allow_host_loopback ? "reachable (allowHostLoopback)" : "not reachable");
      sbx_explain_net_rules (b, network);
    }
  sbx_json_set (fact->data, "kind", sbx_json_string_new ("mode"));
  sbx_json_set (fact->data, "mode", sbx_json_string_new (mode));
  sbx_json_set (fact->data, "allowHostLoopback", json_boolean (p->allow_host_loopback));
  explain_publish (b, network);
}

/* ------------------------------------------------------------------------- D-Bus */

/* Services whose reach goes beyond the sandbox: talking to them (or owning their name, and so
 * posing as them) is a risky grant.  bus NULL: either bus. */
static const struct {
  const char *name;
  const char *bus;
  const char *reason;
} dbus_risky_services[] = {
  { "org.freedesktop.Flatpak", "session", "runs commands on the host, outside any sandbox (flatpak-spawn --host)" },
  { "org.freedesktop.systemd1", NULL, "starts programs on the host as systemd units, outside the sandbox" },
  { "org.freedesktop.secrets", "session", "reads your saved passwords (the Secret Service)" },
  { "org.gnome.keyring", "session", "reads your saved passwords (GNOME Keyring)" },
  { "org.kde.kwalletd5", "session", "reads your saved passwords (KWallet)" },
  { "org.kde.kwalletd6", "session", "reads your saved passwords (KWallet)" },
  { "ca.desrt.dconf", "session", "changes every app's settings, keyboard shortcuts that run commands included" },
  { "org.gnome.Shell", "session", "the desktop shell: screenshots, other windows, extensions" },
  { "org.kde.KWin", "session", "the window manager: screenshots, other windows, scripts" },
  { "org.kde.klauncher5", "session", "starts programs outside the sandbox" },
  { "org.freedesktop.impl.portal.desktop.gtk", "session", "a portal backend: what the portal would ask you, unasked" },
  { "org.freedesktop.impl.portal.desktop.gnome", "session", "a portal backend: what the portal would ask you, unasked" },
  { "org.freedesktop.impl.portal.desktop.kde", "session", "a portal backend: what the portal would ask you, unasked" },
  { "org.freedesktop.PolicyKit1", "system", "asks for administrator rights" },
  { "org.freedesktop.login1", "system", "powers off and suspends the machine, reaches other sessions" },
  { "org.freedesktop.UDisks2", "system", "mounts, unlocks and formats disks" },
  { "org.freedesktop.PackageKit", "system", "installs and removes software" },
  { "org.freedesktop.NetworkManager", "system", "changes the network, Wi-Fi passwords included" },
};

gboolean
sbx_explain_is_bus_socket (const char *path)
{
  g_autofree char *runtime_bus = g_build_filename (g_get_user_runtime_dir (), "bus", NULL);

  return g_str_equal (path, runtime_bus) || g_str_equal (path, "/run/dbus/system_bus_socket") ||
         g_str_equal (path, "/var/run/dbus/system_bus_socket") ||
         (g_str_has_prefix (path, "/run/user/") && g_str_has_suffix (path, "/bus"));
}

/* Whether policy entry @entry ("org.foo", "org.foo.*") covers bus name @name. */
static gboolean
entry_covers (const char *entry, const char *name)
{
  gsize len;

  if (!g_str_has_suffix (entry, ".*"))
    return g_str_equal (entry, name);
  len = strlen (entry) - 2;
  return strncmp (entry, name, len) == 0 && (name[len] == '\0' || name[len] == '.');
}

/* "org.freedesktop.*": a wildcard two names deep or less reaches whole desktops' services. */
static gboolean
entry_is_broad (const char *entry)
{
  guint dots = 0;

  if (!g_str_has_suffix (entry, ".*"))
    return FALSE;
  for (const char *p = entry; *p; p++)
    dots += *p == '.';
  return dots <= 2;
}

static void
flag_dbus_entry (SbxExplainBuilder *b, const char *bus, const char *verb, const char *entry, const char *why)
{
  g_autofree char *name = g_strndup (entry, strcspn (entry, "="));

  for (gsize i = 0; i < G_N_ELEMENTS (dbus_risky_services); i++)
    {
      if (dbus_risky_services[i].bus != NULL && !g_str_equal (dbus_risky_services[i].bus, bus))
        continue;
      if (!entry_covers (name, dbus_risky_services[i].name))
        continue;
      if (entry_is_broad (name))
        sbx_explain_risk (b, "dbus-broad", why, "can %s a broad set of D-Bus services (%s bus: %s), %s among them: %s",
                          verb, bus, entry, dbus_risky_services[i].name, dbus_risky_services[i].reason);
      else
        sbx_explain_risk (b, "dbus-service", why, "can %s %s on the %s bus: %s", verb, dbus_risky_services[i].name,
                          bus, dbus_risky_services[i].reason);
      return;
    }
}

static void
explain_dbus_list (SbxExplainBuilder *b, SbxExplainSection *section, const char *bus, const char *list,
                   char **entries, const char *words)
{
  for (guint i = 0; entries != NULL && entries[i] != NULL; i++)
    {
      const char *why = sbx_explain_why_printf (b, "dbus.%s.%s %s", bus, list, entries[i]);
      SbxExplainFact *fact = sbx_explain_add (section, why, "%s bus: %s %s", bus, words, entries[i]);

      sbx_json_set (fact->data, "bus", sbx_json_string_new (bus));
      sbx_json_set (fact->data, "kind", sbx_json_string_new (list));
      sbx_json_set (fact->data, "name", sbx_json_string_new (entries[i]));
      if (!g_str_equal (list, "see") && !g_str_equal (list, "broadcast"))
        flag_dbus_entry (b, bus, g_str_equal (list, "own") ? "own (and so pose as)" : g_str_equal (list, "talk") ? "talk to"
                                                                                                                 : list,
                         entries[i], why);
    }
}

static void
explain_bus (SbxExplainBuilder *b, SbxExplainSection *section, const char *bus, const SbxDbusPolicy *policy)
{
  const char *why = sbx_explain_why_printf (b, "dbus.%s", bus);
  SbxExplainFact *fact;

  if (policy == NULL)
    {
      fact = sbx_explain_add (section, why, "no %s bus", bus);
      sbx_json_set (fact->data, "bus", sbx_json_string_new (bus));
      sbx_json_set (fact->data, "kind", sbx_json_string_new ("none"));
      return;
    }
  fact = sbx_explain_add (section, why, "%s bus: through a filter (xdg-dbus-proxy); every name below is all it "
                                        "reaches",
                          bus);
  sbx_json_set (fact->data, "bus", sbx_json_string_new (bus));
  sbx_json_set (fact->data, "kind", sbx_json_string_new ("filtered"));
  explain_dbus_list (b, section, bus, "talk", policy->talk, "can talk to");
  explain_dbus_list (b, section, bus, "own", policy->own, "can own the name");
  explain_dbus_list (b, section, bus, "see", policy->see, "can see");
  explain_dbus_list (b, section, bus, "call", policy->call, "can call");
  explain_dbus_list (b, section, bus, "broadcast", policy->broadcast, "can receive broadcasts of");
}

void
sbx_explain_dbus (SbxExplainBuilder *b)
{
  SbxExplainSection *section = sbx_explain_section_new (b, "dbus", "D-Bus");
  SbxExplainFact *fact;

  explain_bus (b, section, "session", b->profile->dbus_session);
  explain_bus (b, section, "system", b->profile->dbus_system);
  if (b->profile->app_id != NULL)
    {
      fact = sbx_explain_add (section, sbx_explain_why (b, "appId"), "app id (what portals know it by): %s",
                              b->profile->app_id);
      sbx_json_set (fact->data, "kind", sbx_json_string_new ("appId"));
      sbx_json_set (fact->data, "name", sbx_json_string_new (b->profile->app_id));
    }
}

/* -------------------------------------------------------------- display and sound */

static void
add_grant (SbxExplainSection *section, const char *why, const char *kind, const char *text)
{
  SbxExplainFact *fact = sbx_explain_add (section, why, "%s", text);

  sbx_json_set (fact->data, "kind", sbx_json_string_new (kind));
}

void
sbx_explain_display (SbxExplainBuilder *b)
{
  SbxExplainSection *section = sbx_explain_section_new (b, "display", "Display and sound");
  const SbxDesktopGrants *g = &b->profile->desktop;
  const char *x11_why = sbx_explain_why (b, "desktop.x11");

  if (g->wayland)
    add_grant (section, sbx_explain_why (b, "desktop.wayland"), "wayland",
               "Wayland: can show windows; the compositor keeps other apps' windows and input from it");
  else
    add_grant (section, NULL, "no-wayland", "no Wayland display");
  if (g->x11 == SBX_X11_TRUSTED)
    {
      sbx_explain_risk (b, "x11-trusted", x11_why, "X11 trusted: can read other windows' input and contents "
                                                   "(keystrokes, screenshots)");
      add_grant (section, x11_why, "x11-trusted", "X11 (trusted): can show windows, and read other windows' input "
                                                  "and contents");
    }
  else if (g->x11 == SBX_X11_UNTRUSTED)
    add_grant (section, x11_why, "x11-untrusted", "X11 (untrusted): can show windows; cannot read other windows' "
                                                  "input and contents");
  else
    add_grant (section, NULL, "no-x11", "no X11 display");
  if (g->pulseaudio)
    add_grant (section, sbx_explain_why (b, "desktop.pulseaudio"), "pulseaudio",
               "PulseAudio: can play sound and record from your microphones");
  if (g->pipewire)
    add_grant (section, sbx_explain_why (b, "desktop.pipewire"), "pipewire",
               "PipeWire: can play and record sound, and use the streams (cameras, screen casts) the portal gives it");
  if (!g->pulseaudio && !g->pipewire)
    add_grant (section, NULL, "no-sound", "no sound");
}

/* ------------------------------------------------------------------- privileges */

/* The capability set of the shipped default profile (Podman's). */
static const int default_caps[] = {
  CAP_CHOWN,
  CAP_DAC_OVERRIDE,
  CAP_FOWNER,
  CAP_FSETID,
  CAP_KILL,
  CAP_NET_BIND_SERVICE,
  CAP_SETFCAP,
  CAP_SETGID,
  CAP_SETPCAP,
  CAP_SETUID,
  CAP_SYS_CHROOT,
};

/* What a capability beyond the default set adds, inside the sandbox's user namespace. */
static const struct {
  int cap;
  const char *reason;
} cap_reasons[] = {
  { CAP_SYS_ADMIN, "mounts file systems and much else root can do in the sandbox's namespaces" },
  { CAP_NET_ADMIN, "configures the sandbox's network, reaching netfilter and other privileged kernel code" },
  { CAP_NET_RAW, "raw and packet sockets: forged packets" },
  { CAP_SYS_PTRACE, "traces and changes other processes in the sandbox" },
  { CAP_DAC_READ_SEARCH, "reads any file it can see, whatever its permissions, and opens files by handle" },
  { CAP_MKNOD, "creates device nodes" },
  { CAP_SYS_MODULE, "asks for kernel modules (refused outside the host's own namespace)" },
  { CAP_SYS_RAWIO, "raw I/O (refused outside the host's own namespace)" },
  { CAP_BPF, "eBPF programs" },
  { CAP_PERFMON, "performance monitoring: side channels" },
  { CAP_IPC_LOCK, "locks memory" },
  { CAP_SYS_RESOURCE, "goes beyond resource limits" },
};

static gboolean
cap_is_default (int cap)
{
  for (gsize i = 0; i < G_N_ELEMENTS (default_caps); i++)
    if (default_caps[i] == cap)
      return TRUE;
  return FALSE;
}

static char *
cap_name (int cap)
{
  char *lower = cap_to_name ((cap_value_t) cap);
  char *name = g_ascii_strup (lower, -1);

  cap_free (lower);
  return name;
}

static void
flag_cap (SbxExplainBuilder *b, SbxExplainSection *section, int cap, const char *name)
{
  const char *reason = "a capability the default set leaves out";
  const char *why = sbx_explain_why_printf (b, "process.capabilities %s", name);
  SbxExplainFact *fact;

  for (gsize i = 0; i < G_N_ELEMENTS (cap_reasons); i++)
    if (cap_reasons[i].cap == cap)
      reason = cap_reasons[i].reason;
  sbx_explain_risk (b, "capability", why, "capability %s beyond the default set: %s", name, reason);
  fact = sbx_explain_add (section, why, "beyond the default set: %s: %s", name, reason);
  sbx_json_set (fact->data, "kind", sbx_json_string_new ("extraCapability"));
  sbx_json_set (fact->data, "name", sbx_json_string_new (name));
}

static void
explain_caps (SbxExplainBuilder *b, SbxExplainSection *section)
{
  guint64 all = 0;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *joined = NULL;
  SbxExplainFact *fact;
  json_t *array = json_array ();

  for (int set = 0; set < SBX_N_CAPSETS; set++)
    all |= b->profile->caps[set];
  for (int cap = 0; cap < 64; cap++)
    if (all & (G_GUINT64_CONSTANT (1) << cap))
      {
        g_ptr_array_add (names, cap_name (cap));
        sbx_json_append (array, sbx_json_string_new (g_ptr_array_index (names, names->len - 1)));
      }
  g_ptr_array_add (names, NULL);
  joined = g_strjoinv (", ", (char **) names->pdata);
  fact = sbx_explain_add (section, sbx_explain_why (b, "process.capabilities"),
                          "capabilities (inside its own user namespace only): %s", *joined ? joined : "none");
  sbx_json_set (fact->data, "kind", sbx_json_string_new ("capabilities"));
  sbx_json_set (fact->data, "names", array);
  for (int cap = 0; cap < 64; cap++)
    if ((all & (G_GUINT64_CONSTANT (1) << cap)) && !cap_is_default (cap))
      {
        g_autofree char *name = cap_name (cap);
        flag_cap (b, section, cap, name);
      }
}

static void
explain_confinement (SbxExplainBuilder *b, SbxExplainSection *section)
{
  const SbxProfile *p = b->profile;
  const char *nnp_why = sbx_explain_why (b, "process.noNewPrivileges");
  const char *aa_why = sbx_explain_why (b, "process.apparmorProfile");
  gboolean unconfined = p->apparmor_profile == NULL || g_str_equal (p->apparmor_profile, "unconfined");
  static const char * const if_unavailable[] = { "sbx warns and runs it without", "sbx refuses to run it",
                                                 "sbx runs it without" };

  if (!p->no_new_privileges)
    sbx_explain_risk (b, "no-new-privs-off", nnp_why, "no_new_privs off: setuid programs inside can gain privileges");
  add_grant (section, nnp_why, p->no_new_privileges ? "no-new-privs" : "no-new-privs-off",
             p->no_new_privileges ? "no_new_privs: on (setuid programs inside gain nothing)"
                                  : "no_new_privs: off (setuid programs inside can gain privileges)");
  if (unconfined)
    {
      sbx_explain_risk (b, "apparmor-unconfined", aa_why, "AppArmor unconfined: no AppArmor profile confines it");
      add_grant (section, aa_why, "apparmor", "AppArmor: unconfined");
    }
  else
    sbx_explain_add (section, aa_why, "AppArmor: profile %s (on a host without AppArmor, %s)", p->apparmor_profile,
                     if_unavailable[p->apparmor_policy]);
  sbx_explain_add (section, sbx_explain_why (b, "apparmor.userns"),
                   p->apparmor_userns ? "AppArmor: may make user namespaces where Ubuntu's restriction would stop it "
                                        "(sbx.apparmor.userns)"
                                      : "AppArmor: no user namespaces of its own where sbx's AppArmor policy is loaded "
                                        "(sbx-nouserns), whatever its seccomp filter allows");
  if (p->userns != NULL)
    sbx_explain_add (section, sbx_explain_why (b, "userns"), "user ids: %s (sbx.userns)", p->userns);
  else
    sbx_explain_add (section, sbx_explain_why (b, "userns"), "user ids: its own; root inside is you outside, "
                                                             "never real root");
}

void
sbx_explain_privileges (SbxExplainBuilder *b)
{
  SbxExplainSection *section = sbx_explain_section_new (b, "privileges", "Privileges");

  explain_caps (b, section);
  explain_confinement (b, section);
}

/* ------------------------------------------------------------------------ limits */

static char *
size_text (gint64 bytes)
{
  g_autofree char *text = g_format_size_full ((guint64) bytes, G_FORMAT_SIZE_IEC_UNITS);
  g_auto(GStrv) parts = g_strsplit (text, "\xc2\xa0", -1);

  return g_strjoinv (" ", parts);
}

static void
add_limit (SbxExplainSection *section, const char *why, const char *what, gint64 value, char *text)
{
  g_autofree char *owned = text;
  SbxExplainFact *fact;

  fact = sbx_explain_add (section, why, "%s: %s", what, owned);
  sbx_json_set (fact->data, "kind", sbx_json_string_new (what));
  if (value != SBX_LIMIT_UNSET)
    sbx_json_set (fact->data, "value", json_integer (value));
}

static const char *
rlimit_name (int resource)
{
  static const char * const names[] = { "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE",
                                        "RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS",
                                        "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE",
                                        "RLIMIT_RTPRIO", "RLIMIT_RTTIME" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (sbx_rlimit_from_name (names[i]) == resource)
      return names[i];
  return "RLIMIT_?";
}

static void
explain_rlimits (SbxExplainSection *section, const char *why, GArray *rlimits)
{
  for (guint i = 0; rlimits != NULL && i < rlimits->len; i++)
    {
      const SbxRlimit *r = &g_array_index (rlimits, SbxRlimit, i);
      g_autofree char *soft = r->soft == RLIM_INFINITY ? g_strdup ("unlimited")
                                                       : g_strdup_printf ("%llu", (unsigned long long) r->soft);
      g_autofree char *hard = r->hard == RLIM_INFINITY ? g_strdup ("unlimited")
                                                       : g_strdup_printf ("%llu", (unsigned long long) r->hard);

      add_limit (section, why, rlimit_name (r->resource), SBX_LIMIT_UNSET,
                 g_strdup_printf ("%s (soft), %s (hard)", soft, hard));
    }
}

void
sbx_explain_limits (SbxExplainBuilder *b)
{
  SbxExplainSection *section = sbx_explain_section_new (b, "limits", "Resource limits");
  const SbxResources *r = &b->profile->resources;
  const char *why = sbx_explain_why (b, "linux.resources");

  if (r->memory_limit > 0)
    add_limit (section, why, "memory", r->memory_limit, size_text (r->memory_limit));
  if (r->memory_reservation > 0)
    add_limit (section, why, "memory reservation", r->memory_reservation, size_text (r->memory_reservation));
  if (r->memory_swap > 0)
    add_limit (section, why, "memory and swap", r->memory_swap, size_text (r->memory_swap));
  if (r->cpu_quota > 0)
    add_limit (section, why, "cpus", r->cpu_quota, g_strdup_printf ("%.2f CPUs", (double) r->cpu_quota / (r->cpu_period > 0 ? r->cpu_period : 100000)));
  if (r->cpu_shares > 0)
    add_limit (section, why, "cpu shares", r->cpu_shares, g_strdup_printf ("%" G_GINT64_FORMAT, r->cpu_shares));
  if (r->pids_limit > 0)
    add_limit (section, why, "pids", r->pids_limit, g_strdup_printf ("at most %" G_GINT64_FORMAT " processes", r->pids_limit));
  if (r->blkio_weight > 0)
    add_limit (section, why, "disk weight", r->blkio_weight, g_strdup_printf ("%" G_GINT64_FORMAT, r->blkio_weight));
  if (r->cpus != NULL)
    add_limit (section, why, "cpu set", SBX_LIMIT_UNSET, g_strdup (r->cpus));
  if (r->mems != NULL)
    add_limit (section, why, "memory nodes", SBX_LIMIT_UNSET, g_strdup (r->mems));
  explain_rlimits (section, sbx_explain_why (b, "process.rlimits"), b->profile->rlimits);
  if (section->facts->len == 0)
    add_grant (section, NULL, "none", "none: no limits on memory, CPU or processes");
}
