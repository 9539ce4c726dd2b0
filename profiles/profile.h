/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* profile.h: sbx profiles: JSON files in the shape of the OCI runtime config (same keys,
 * same meaning), plus one extension object "sbx" for what OCI has no key for.
 *
 * Loading a profile reads it and every profile it includes from the search path, checks
 * each file on its own (so errors carry that file's line:col), merges them (merge rules:
 * README "Profiles"), applies the command line's overrides and turns the result into an
 * SbxProfile, which is never changed afterwards. */
#pragma once

#include <glib.h>
#include <jansson.h>
#include <sys/resource.h>
#include "desktop-grants.h"
#include <sys/types.h>
#include "json-doc.h"
#include "seccomp-filter.h"

G_BEGIN_DECLS

typedef enum {
  SBX_CAPSET_BOUNDING,
  SBX_CAPSET_EFFECTIVE,
  SBX_CAPSET_INHERITABLE,
  SBX_CAPSET_PERMITTED,
  SBX_CAPSET_AMBIENT,
  SBX_N_CAPSETS
} SbxCapSet;

typedef struct {
  int resource; /* RLIMIT_* */
  rlim_t soft, hard;
} SbxRlimit;

typedef enum {
  SBX_MOUNT_BIND,
  SBX_MOUNT_TMPFS,
} SbxMountKind;

typedef struct {
  SbxMountKind kind;
  char *destination;      /* absolute, inside the sandbox (resolved in its root) */
  char *source;           /* bind: absolute host path ("~" expanded) */
  gboolean recursive;     /* rbind */
  unsigned long attr_set; /* MOUNT_ATTR_RDONLY | NOSUID | NODEV | NOEXEC | NOATIME ... */
  unsigned long attr_clr; /* what "rw", "suid", "dev", "exec" ask to be cleared */
  char *data;             /* tmpfs: "size=..,mode=.." */
} SbxMount;

void sbx_mount_free (SbxMount *mount);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxMount, sbx_mount_free)

typedef enum {
  SBX_APPARMOR_WARN,   /* no AppArmor on this host: warn, run unconfined by it */
  SBX_APPARMOR_FAIL,   /* no AppArmor on this host: refuse to start */
  SBX_APPARMOR_IGNORE, /* no AppArmor on this host: run without it, quietly (the shipped
                              default profile: AppArmor is a layer on hosts that have it) */
} SbxAppArmorPolicy;

/* What to do when resource limits cannot be set up (no systemd user manager reachable, or
 * no cgroup v2): sbx.limits.ifUnavailable. */
typedef enum {
  SBX_LIMITS_FAIL,   /* refuse to start (the default: a limit asked for is a limit kept) */
  SBX_LIMITS_WARN,   /* start without them, and say so */
  SBX_LIMITS_IGNORE, /* start without them */
} SbxLimitsPolicy;

/* linux.resources as sbx applies them (through a systemd scope): SBX_LIMIT_UNSET where the
 * profile says nothing, -1 for "unlimited" as in OCI. */
#define SBX_LIMIT_UNSET G_MININT64
typedef struct {
  gint64 memory_limit;       /* bytes */
  gint64 memory_reservation; /* bytes */
  gint64 memory_swap;        /* bytes of memory plus swap, as OCI (and Podman's --memory-swap) */
  gint64 cpu_shares;         /* 2..262144 */
  gint64 cpu_quota;          /* microseconds per period */
  gint64 cpu_period;         /* microseconds */
  gint64 pids_limit;
  gint64 blkio_weight; /* 10..1000 */
  char *cpus;          /* "0-3,5" */
  char *mems;
} SbxResources;

/* sbx.dbus.session / sbx.dbus.system: what the sandbox may do on that bus, as
 * xdg-dbus-proxy's filter options (syntax: dbus-policy.h).  Every array is NULL-terminated,
 * possibly empty (then the sandbox may talk to the bus itself only). */
typedef struct {
  char **talk; /* bus names, optionally ending in ".*" */
  char **own;
  char **see;
  char **call;      /* "NAME=RULE" */
  char **broadcast; /* "NAME=RULE" */
} SbxDbusPolicy;

void sbx_dbus_policy_free (SbxDbusPolicy *policy);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxDbusPolicy, sbx_dbus_policy_free)

/* The OCI runtime config's hooks, by stage, in the order a run meets them (README, "Hooks";
 * launcher/hooks.h runs them).  prestart is OCI's deprecated name for what runs where
 * createRuntime does, just before it. */
typedef enum {
  SBX_HOOK_PRESTART,
  SBX_HOOK_CREATE_RUNTIME,
  SBX_HOOK_CREATE_CONTAINER,
  SBX_HOOK_START_CONTAINER,
  SBX_HOOK_POSTSTART,
  SBX_HOOK_POSTSTOP,
  SBX_N_HOOK_STAGES
} SbxHookStage;

/* One entry of a hook list: what execve gets, and how long it may take. */
typedef struct {
  char *path;  /* absolute */
  char **args; /* argv, args[0] included; never empty (path when the profile has none) */
  char **env;  /* "NAME=VALUE": the hook's whole environment, possibly empty */
  int timeout; /* seconds, > 0; 0: none */
} SbxHook;

void sbx_hook_free (SbxHook *hook);
/* "createRuntime", "poststop", ...: the stage's key in the profile. */
const char *sbx_hook_stage_name (SbxHookStage stage);

typedef struct _SbxProfile SbxProfile;
struct _SbxProfile {
  char *name;
  json_t *json;           /* the effective (merged, overridden) profile but linux.seccomp (below) */
  GBytes *effective_json; /* all of it as one line of JSON text when the cache gave it or it was
                           * made for the cache; NULL: sbx_profile_to_json makes it */

  /* process */
  char **args;       /* NULL: the image's Entrypoint + Cmd */
  char **env;        /* "K=V", applied over the image's */
  char *cwd;         /* NULL: the image's WorkingDir */
  gboolean terminal; /* process.terminal: run with a pty, as -t does */
  gboolean have_user;
  uid_t uid;
  gid_t gid;
  GArray *additional_gids;     /* gid_t */
  char *username;              /* process.user.username, NULL if none */
  guint64 caps[SBX_N_CAPSETS]; /* bit N = capability N */
  GArray *rlimits;             /* SbxRlimit */
  gboolean no_new_privileges;
  char *apparmor_profile; /* NULL: none */
  SbxAppArmorPolicy apparmor_policy;
  gboolean apparmor_userns; /* sbx.apparmor.userns: the command may create user namespaces
                             * where sbx's AppArmor policy is loaded (else it runs stacked
                             * with sbx-nouserns, which denies them) */
  gboolean have_oom_score_adj;
  int oom_score_adj;
  gboolean have_umask;
  mode_t umask;

  /* filesystem */
  char *hostname;   /* NULL: "sbx" */
  char *domainname; /* NULL: leave alone */
  gboolean root_readonly;
  GPtrArray *mounts; /* SbxMount*, in order */
  char **masked_paths;
  char **readonly_paths;

  /* linux */
  int unshare_flags; /* CLONE_NEW* the profile asks for (user, mount, pid always added) */
  /* linux.seccomp, the command's syscall filter.  A profile read from its files has the rules
   * (seccomp_rules); one from the cache (sbx_profile_load_cached) has only what they
   * compiled to (seccomp_program), which one read for the cache has as well. */
  gboolean has_seccomp;              /* FALSE: unconfined */
  json_t *seccomp_rules;             /* NULL: unconfined, or the profile came from the cache */
  SbxSeccompProgram seccomp_program; /* .program NULL: not compiled (or a filter allowing all) */
  gboolean seccomp_compiled;         /* seccomp_program is the rules' (seccomp_rules may be NULL) */
  char *seccomp_io_uring_bypass;     /* from the cache: sbx_seccomp_io_uring_bypass of the rules */
  gboolean has_resource_limits;      /* linux.resources asks for memory/cpu/pids/io limits */
  SbxResources resources;
  SbxLimitsPolicy limits_policy;

  /* the extension object */
  char *image;   /* sbx.image, NULL if none */
  char *network; /* sbx.network.mode; NULL: the default */
  gboolean allow_host_loopback;
  gboolean host_network_warning; /* sbx.network.hostWarning (default TRUE) */
  char **publish;                /* sbx.network.publish: "-p" syntax */
  char **net_allow;              /* sbx.network.allow: rules (common/netrule.h), checked */
  char **net_deny;               /* sbx.network.deny */
  gboolean lan;                  /* sbx.network.lan (default TRUE) */
  char *userns;                  /* sbx.userns */
  char *storage_driver;          /* sbx.storageDriver */
  SbxDesktopGrants desktop;      /* sbx.desktop: display, sound, GPU (launcher/desktop.c binds them) */
  SbxHomeMode home;              /* sbx.home */
  char **share;                  /* sbx.share entries, checked (desktop-grants.h) */
  char *app_id;                  /* sbx.appId: the application id portals and D-Bus know the app by */
  SbxDbusPolicy *dbus_session;   /* sbx.dbus.session; NULL: no session bus in the sandbox */
  SbxDbusPolicy *dbus_system;    /* sbx.dbus.system; NULL: no system bus in the sandbox */
  char *desktop_entry;           /* sbx.desktopEntry: the app's desktop file id, NULL if none */

  /* hooks: SbxHook* by stage, each array possibly empty, never NULL */
  GPtrArray *hooks[SBX_N_HOOK_STAGES];
};

void sbx_profile_free (SbxProfile *profile);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxProfile, sbx_profile_free)

/* What the command line says over a profile (Podman's option names).  Every field may be
 * NULL / 0 for "not given". */
typedef struct {
  char **env;           /* --env K=V or K (the caller's value) */
  char **volumes;       /* --volume SRC:DST[:OPTS] */
  char **tmpfs;         /* --tmpfs DST[:OPTS] */
  char **cap_add;       /* --cap-add CAP / ALL */
  char **cap_drop;      /* --cap-drop CAP / ALL */
  char **security_opts; /* --security-opt seccomp=FILE|unconfined, apparmor=NAME|unconfined,
                              no-new-privileges[=true|false], mask=PATHS, unmask=PATHS|ALL */
  char **ulimits;       /* --ulimit NAME=SOFT[:HARD] */
  const char *hostname;
  gboolean read_only;             /* --read-only */
  const char *memory;             /* --memory SIZE (b, k, m, g suffixes, as Podman) */
  const char *memory_reservation; /* --memory-reservation SIZE */
  const char *memory_swap;        /* --memory-swap SIZE|-1: memory plus swap */
  const char *cpus;               /* --cpus N (a decimal: CPU time per second) */
  gint64 cpu_shares;              /* --cpu-shares, 0: not given */
  gint64 pids_limit;              /* --pids-limit N (-1: unlimited), 0: not given */
  gint64 blkio_weight;            /* --blkio-weight, 0: not given */
  gboolean limits_optional;       /* --limits-optional: sbx.limits.ifUnavailable = warn */
} SbxProfileOverrides;

/* The profile directories, lowest priority first: the built-in (compiled-in) profiles,
 * $SBX_DATADIR/profiles, /etc/sbx/profiles, $XDG_CONFIG_HOME/sbx/profiles.
 * $SBX_PROFILE_PATH (colon-separated) replaces the three directories, for tests. */
char **sbx_profile_search_path (void);

/* Loads profile @name_or_path: a name is looked up on the search path (the last directory
 * holding NAME.json wins); anything with a '/' or ending in .json is a file.  @overrides
 * may be NULL. */
SbxProfile *sbx_profile_load (const char *name_or_path, const SbxProfileOverrides *overrides,
                              GError **error);

/* sbx_profile_load through the cache in @cache_dir (profile-cache.h; NULL: none): a profile
 * named on the search path, with no overrides, comes from the cache while its files are as
 * they were, and is kept there (its seccomp filter compiled) when it is read.  *@source says
 * which, in a few words for the debug log. */
SbxProfile *sbx_profile_load_cached (const char *name_or_path, const SbxProfileOverrides *overrides,
                                     const char *cache_dir, char **source, GError **error);

/* The profile of an effective profile's JSON (what a registration saved), named @name. */
SbxProfile *sbx_profile_from_effective_json (const char *name, json_t *json, GError **error);
/* One warning line when the profile's seccomp filter lets io_uring through while denying
 * syscalls io_uring's own operations do instead (a custom filter: the default denies
 * io_uring).  Quiet under -q. */
void sbx_profile_warn_io_uring (const SbxProfile *profile);

/* Checks one file on its own (includes resolved and checked too). */
gboolean sbx_profile_validate_file (const char *path, GError **error);

/* The effective profile as JSON, pretty (what `sbx profile show` prints) or on one line (what
 * a registration saves). */
char *sbx_profile_to_json (const SbxProfile *profile, gboolean pretty, GError **error);

typedef struct {
  char *name;
  char *path;        /* NULL for a built-in profile not shadowed by a file */
  char *description; /* sbx.description, may be NULL */
} SbxProfileInfo;
/* Every profile name on the search path, sorted, with the file that wins. */
GPtrArray *sbx_profile_list (GError **error); /* SbxProfileInfo*, free with the array */

/* Capability names: "CAP_NET_RAW" (and, for the CLI, "net_raw").  -1 if unknown. */
int sbx_capability_from_name (const char *name);

G_END_DECLS
