/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* idmap.h: which host ids a sandbox's user namespace maps, and how.
 *
 * Reads the caller's ranges from /etc/subuid and /etc/subgid (by name or by number, as
 * shadow's newuidmap does) and lays out the namespace:
 *   default  caller -> 0, subordinate range -> 1..N
 *   keep-id  caller -> caller's own id, subordinate range -> 0..caller-1 and caller+1..N
 *   single   caller -> 0 only (no subordinate range: a warning, other owners show as overflow)
 * The layout is data only; userns.c writes it with newuidmap/newgidmap. */
#pragma once

#include <glib.h>
#include <sys/types.h>
#include "userns-mode.h"

G_BEGIN_DECLS

typedef struct {
  guint32 inside;  /* first id inside the namespace */
  guint32 outside; /* first id in the parent namespace */
  guint32 count;
} SbxIdRange;

#define SBX_IDMAP_MAX_RANGES 8

typedef struct {
  SbxIdRange ranges[SBX_IDMAP_MAX_RANGES];
  guint n_ranges;
} SbxIdMap;

typedef struct {
  SbxIdMap uid_map;
  SbxIdMap gid_map;
  uid_t caller_uid;
  gid_t caller_gid;
  gboolean single; /* TRUE when no subordinate range was found */
  SbxUsernsMode mode;
} SbxIdLayout;

/* Finds the first range of @user_name or @id in the contents of a subuid/subgid file.
 * Malformed lines are skipped. Returns FALSE when there is none. */
gboolean sbx_subid_find (const char *file_contents, const char *user_name, guint32 id,
                         guint32 *out_start, guint32 *out_count);

/* Builds the layout for the calling user from @subuid_path and @subgid_path. */
gboolean sbx_id_layout_for_caller (SbxUsernsMode mode, const char *subuid_path,
                                   const char *subgid_path, SbxIdLayout *out, GError **error);

/* Builds a layout from explicit values (what sbx_id_layout_for_caller computes). */
void sbx_id_layout_build (SbxUsernsMode mode, uid_t uid, gid_t gid,
                          guint32 subuid_start, guint32 subuid_count,
                          guint32 subgid_start, guint32 subgid_count,
                          SbxIdLayout *out);

/* The caller's own uid and gid mapped to themselves and nothing else (what bwrap does): no
 * setuid helper to run, and the caller's supplementary groups (video, render) keep working
 * inside.  For the host image, whose files the host's own ids already own. */
void sbx_id_layout_own_ids (uid_t uid, gid_t gid, SbxIdLayout *out);

/* Maps a namespace id back to its host id; returns FALSE when unmapped. */
gboolean sbx_id_map_to_host (const SbxIdMap *map, guint32 inside, guint32 *out_host);

/* "0 1000 1\n1 100000 65536\n" as the kernel's uid_map shows it. */
char *sbx_id_map_to_string (const SbxIdMap *map);

G_END_DECLS
