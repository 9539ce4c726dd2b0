/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* spec.h: the effective profile and an image's config as an OCI runtime config.json
 * (`sbx spec`), for a bundle whose rootfs is the image flattened (storage/flatten.h).
 *
 * What the config holds, and where from:
 *   process     args: the profile's process.args, else the image's Entrypoint + Cmd;
 *               env: the image's Env, then the profile's (PATH and HOME added when neither
 *               sets them, as sbx run does); cwd: the profile's, else the image's WorkingDir,
 *               else "/"; user: the profile's process.user, else the image's User (a name is
 *               looked up in the rootfs's /etc/passwd and /etc/group, inside the rootfs);
 *               capabilities, rlimits, noNewPrivileges, oomScoreAdj, apparmorProfile as the
 *               profile says; terminal false.
 *   root        "rootfs", read-only as root.readonly says.
 *   hostname    the profile's (default "sbx"), when there is a uts namespace.
 *   mounts      /proc, /dev, /dev/pts, /dev/shm, /dev/mqueue (with an ipc namespace), /sys
 *               (sysfs with a network namespace, else a read-only rbind of the host's), as
 *               `crun spec --rootless` writes them and sbx mounts them; then the profile's
 *               binds and tmpfs mounts (sbx.desktop's sockets included), one for a standard
 *               destination replacing the standard mount.
 *   linux       namespaces: the profile's, plus user, mount and pid (sbx always makes them),
 *               less network with sbx.network.mode "host"; uidMappings and gidMappings (below);
 *               maskedPaths, readonlyPaths, seccomp and resources as the profile has them.
 *   annotations the profile's, plus "org.sbx.image" and "org.sbx.profile".
 * The "sbx" extension object is not OCI and stays out: sbx.network (a runtime gives the
 * network namespace only lo), sbx.userns (keep-id: the bundle always maps as the store does)
 * and sbx.storageDriver have no OCI equivalent.
 *
 * Id mappings: the store's layout (idmap.h, default mode): the caller's uid and gid -> 0,
 * size 1, plus, when /etc/subuid and /etc/subgid give the caller a range, that range ->
 * 1..N.  The flattened rootfs's files belong to exactly those host ids, so a rootless
 * runtime with these maps (it runs newuidmap/newgidmap for the range) sees the image's own
 * owners. */
#pragma once

#include <glib.h>
#include <jansson.h>
#include "idmap.h"
#include "profile.h"
#include "store.h"

G_BEGIN_DECLS

typedef struct {
  const SbxProfile *profile;
  const SbxImage *image;
  int rootfs_fd;              /* the flattened rootfs (for /etc/passwd and /etc/group) */
  const SbxIdLayout *ids;     /* linux.uidMappings / gidMappings */
  gboolean use_apparmor;      /* FALSE: process.apparmorProfile left out (AppArmor absent) */
  const char *apparmor_label; /* process.apparmorProfile as sbx run would exec it
                               * (sbx_apparmor_exec_label; may be a stack), or NULL */
} SbxSpecSource;

/* The config.json for @source; fails (SBX_ERROR_INVALID_ARG) when there is no command or the
 * image's user or group (a name) is not in its /etc/passwd or /etc/group. */
json_t *sbx_spec_build (const SbxSpecSource *source, GError **error);

/* @config as pretty JSON text, newline-terminated.  Unlimited rlimits come out as
 * 18446744073709551615 (jansson has no unsigned 64-bit integers). */
char *sbx_spec_to_data (json_t *config, GError **error);

G_END_DECLS
