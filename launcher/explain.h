/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* explain.h: what an app can and cannot do under a profile, in plain words (`sbx explain`).
 *
 * The model is a list of facts, one line each, grouped in sections (files, devices, network,
 * D-Bus, display and sound, privileges, system calls, limits, notes); the risky grants come
 * first, as facts of their own.  Each fact carries the profile's sbx.why line for it when the
 * profile has one, and machine-readable fields for `--format json`.  Texts hold profile
 * values as they are: whoever prints them escapes them (escape.h). */
#pragma once

#include <glib.h>
#include <jansson.h>
#include "profile.h"

G_BEGIN_DECLS

typedef struct {
  char *id;     /* risky facts: a stable name ("home-host"); else NULL */
  char *text;   /* plain words, one line */
  char *why;    /* the profile's sbx.why line for it, or NULL */
  json_t *data; /* machine-readable fields ("path", "access"...), never NULL */
} SbxExplainFact;

typedef struct {
  const char *id;    /* the JSON member: "files", "network"... */
  const char *title; /* the heading: "Files" */
  GPtrArray *facts;  /* SbxExplainFact* */
} SbxExplainSection;

typedef struct {
  char *profile;       /* the profile's name */
  char *description;   /* sbx.description, or NULL */
  GPtrArray *risky;    /* SbxExplainFact*, the order they are printed in */
  GPtrArray *sections; /* SbxExplainSection*, in order */
} SbxExplanation;

void sbx_explanation_free (SbxExplanation *explanation);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxExplanation, sbx_explanation_free)

/* Where things of the host are, for the facts that name them (tests pass their own). */
typedef struct {
  const char *home;     /* the caller's home; NULL: g_get_home_dir () */
  const char *data_dir; /* $XDG_DATA_HOME; NULL: g_get_user_data_dir () */
  const char *home_key; /* a named sandbox's name (its private home); NULL: the profile's */
} SbxExplainContext;

SbxExplanation *sbx_explain_profile (const SbxProfile *profile, const SbxExplainContext *context);

/* The section with @id, or NULL. */
SbxExplainSection *sbx_explanation_section (const SbxExplanation *explanation, const char *id);

/* Used by explain-seccomp.c: adds a fact to @section, with a printf-style text. */
SbxExplainFact *sbx_explain_add (SbxExplainSection *section, const char *why, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

/* explain-seccomp.c: the system calls section from linux.seccomp (NULL: no filter). */
void sbx_explain_seccomp (SbxExplainSection *section, json_t *seccomp, const char *why);

/* explain-seccomp.c: TRUE when the filter keeps the sandbox from making user namespaces
 * (unshare and clone with CLONE_NEWUSER refused, or never allowed). */
gboolean sbx_explain_seccomp_blocks_userns (json_t *seccomp);

G_END_DECLS
