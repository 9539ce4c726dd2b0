/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* profile-private.h: what the profile modules (schema.c, profile.c, overrides.c) share. */
#pragma once

#include "profile.h"

#include <gio/gio.h>

G_BEGIN_DECLS

/* The one object a profile may hold beyond the OCI runtime config's keys. */
#define SBX_PROFILE_EXTENSION_KEY "sbx"

/* Checks a whole profile document: keys, types, values (schema.c). */
gboolean sbx_profile_schema_check (SbxJsonDoc *doc, GError **error);

/* CLONE_NEW* for an OCI namespace type, 0 if unknown. */
int sbx_namespace_flag_from_name (const char *name);
/* RLIMIT_* for "RLIMIT_NOFILE", -1 if unknown. */
int sbx_rlimit_from_name (const char *name);
/* An rlimit's soft/hard value (-1, the way a signed 64-bit reader takes 2^64-1: unlimited). */
rlim_t sbx_rlimit_value (json_t *node);

/* Applies one OCI / Podman mount option ("ro", "nosuid", "rbind", "size=64m", ...) to
 * @mount.  Unknown options are errors. */
gboolean sbx_mount_apply_option (SbxMount *mount, const char *option, GError **error);
/* /proc, /dev, /dev/pts, /dev/shm, /dev/mqueue, /sys, /sys/fs/cgroup: sbx mounts those itself. */
gboolean sbx_mount_is_standard (const char *destination, const char *type);
gboolean sbx_mount_destination_is_root (const char *destination);
/* Why a bind or tmpfs on @destination is refused (sbx's own /proc, /dev/pts, /dev, /sys,
 * /sys/fs/cgroup), or NULL: see sbx_mount_is_standard for what a profile may list there. */
const char *sbx_mount_destination_refused (const char *destination);

/* Letters, digits, '-', '_', '.', not starting with '.'; at most 64 bytes. */
gboolean sbx_profile_name_is_valid (const char *name);

/* Whether @overrides (may be NULL) gives nothing: every field zero (overrides.c). */
gboolean sbx_profile_overrides_are_empty (const SbxProfileOverrides *overrides);

/* Applies the command line's overrides to the merged profile @root (overrides.c). */
gboolean sbx_profile_apply_overrides (json_t *root, const SbxProfileOverrides *overrides,
                                      GError **error);

/* The SbxProfile of the merged, checked profile @json (profile-read.c); its linux.seccomp
 * is taken out of the JSON it keeps, into seccomp_rules.  @json is not changed. */
SbxProfile *sbx_profile_from_json (const char *name, json_t *json);
/* A copy of the object @json with @member of its member @parent left out (@value NULL) or
 * set to @value, in its place or last; the rest is shared, nothing of @json is changed. */
json_t *sbx_profile_json_with_member (json_t *json, const char *parent, const char *member, json_t *value);

/* JSON tree helpers (profile.c). */
json_t *sbx_json_object_ensure_object (json_t *object, const char *member);
json_t *sbx_json_object_ensure_array (json_t *object, const char *member);

/* The shipped profiles compiled into the program (data/meson.build), registered on first
 * use; NULL in a program built without them. */
GResource *sbx_profile_builtin_resource (void);

G_END_DECLS
