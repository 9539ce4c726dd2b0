/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* profile-cache.h: a profile kept between runs, resolved and compiled, so that a run whose
 * profile files have not changed skips reading, checking and merging them (most of it the
 * default profile's seccomp rules) and compiling its seccomp filter.
 *
 * One file per profile name and search path, in a directory of the caller's (sbx run: under
 * $XDG_RUNTIME_DIR, which nothing in a sandbox reaches).  An entry is used only when
 * everything it was made from is as it was: the sbx binary, the boot (the running kernel
 * decides parts of the filter), libseccomp's version, and every directory of the search path
 * and every file read, as stat() saw them before they were read.  Anything else (no entry,
 * another owner, a symbolic link, a damaged or foreign file) is a miss, never an error. */
#pragma once

#include <glib.h>
#include "seccomp-filter.h"

G_BEGIN_DECLS

/* What a load looked at: each path's stat() from before it was read (or that it was not
 * there). */
typedef struct _SbxProfileInputs SbxProfileInputs;

SbxProfileInputs *sbx_profile_inputs_new (void);
void sbx_profile_inputs_free (SbxProfileInputs *inputs);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxProfileInputs, sbx_profile_inputs_free)
/* Records @path as it is now; call it before reading the file (or searching the directory),
 * so that a change made while it is read shows as a change next time. */
void sbx_profile_inputs_add (SbxProfileInputs *inputs, const char *path);

/* A cached profile: what sbx_profile_load made, as text, and the compiled filter. */
typedef struct {
  char *name;                /* the profile's name */
  GBytes *json;              /* the effective profile without linux.seccomp, as JSON text */
  GBytes *effective;         /* the whole effective profile, one line of JSON text */
  gboolean has_seccomp;      /* the effective profile has linux.seccomp */
  char *io_uring_bypass;     /* what sbx_seccomp_io_uring_bypass said of it (NULL: nothing) */
  SbxSeccompProgram program; /* what it compiled to (possibly no program: a filter allowing all) */
} SbxProfileCacheEntry;

void sbx_profile_cache_entry_clear (SbxProfileCacheEntry *entry);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SbxProfileCacheEntry, sbx_profile_cache_entry_clear)

/* The entry for profile @name with search path @search_path, in @dir, when it is still
 * true.  FALSE otherwise, with *@why (a few words for the debug log). */
gboolean sbx_profile_cache_lookup (const char *dir, const char *name, const char * const *search_path,
                                   SbxProfileCacheEntry *out, char **why);

/* Keeps @entry for @name and @search_path, made from @inputs.  Nothing is kept when an input
 * changed within the last two seconds (a change in the same clock tick could go unseen) or
 * when writing fails; *@why says which. */
gboolean sbx_profile_cache_store (const char *dir, const char *name, const char * const *search_path,
                                  const SbxProfileInputs *inputs, const SbxProfileCacheEntry *entry, char **why);

/* Decodes an entry file's contents (for the fuzz harness: what lookup does before it looks
 * at the inputs); FALSE for anything that is not a whole, well-formed entry. */
gboolean sbx_profile_cache_decode (GBytes *bytes, SbxProfileCacheEntry *out, char **why);

G_END_DECLS
