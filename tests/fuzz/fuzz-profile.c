/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-profile.c: the profile parser (positions, duplicate keys, limits), the schema check,
 * includes and the merge, the command-line overrides and the conversion to an SbxProfile.
 *
 * The input is one profile, or two separated by a NUL byte: "base" and "top" (a NUL is
 * never valid in a profile, so the split costs the parser nothing).  Both are written to a
 * scratch directory on $SBX_PROFILE_PATH; "top" may include "base".  Invariants checked:
 * every error is one line; a text the parser takes, jansson's parser reads into the same
 * tree; a profile that loads prints as JSON that is itself a valid profile (what
 * `sbx profile show` prints can be fed back). */
#include "json-doc.h"
#include "json-util.h"
#include "profile.h"
#include "profile-private.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char *dir;
static char *base_file;
static char *top_file;

static void
remove_dir (void)
{
  (void) g_unlink (base_file);
  (void) g_unlink (top_file);
  (void) g_rmdir (dir);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  dir = g_dir_make_tmp ("sbx-fuzz-profile-XXXXXX", NULL);
  if (dir == NULL)
    abort ();
  base_file = g_build_filename (dir, "base.json", NULL);
  top_file = g_build_filename (dir, "top.json", NULL);
  atexit (remove_dir);
  g_setenv ("SBX_PROFILE_PATH", dir, TRUE);
  /* The desktop extension looks at the session: keep it out of the picture. */
  g_unsetenv ("WAYLAND_DISPLAY");
  g_unsetenv ("DISPLAY");
  g_unsetenv ("XAUTHORITY");
  return 0;
}

static void
check_message (const GError *error)
{
  if (error == NULL || error->message == NULL || strchr (error->message, '\n') != NULL)
    abort ();
}

static void
write_file (const char *path, const char *data, gsize length)
{
  if (!g_file_set_contents (path, data, (gssize) length, NULL))
    abort ();
}

/* json-doc builds its own tree: what it takes, jansson's parser must take too and read
 * into the same tree, written out alike (an int and a double differ).  Integers past
 * G_MAXINT64 are the exception: json-doc takes them up to G_MAXUINT64 (cast to signed 64
 * bits), jansson refuses them. */
static void
check_same_tree (SbxJsonDoc *doc, const char *data, gsize length)
{
  json_error_t parse_error;
  g_autoptr(json_t) root = json_loadb (data, length, JSON_DECODE_ANY, &parse_error);
  g_autofree char *ours = NULL;
  g_autofree char *theirs = NULL;

  if (root == NULL)
    {
      if (json_error_code (&parse_error) == json_error_numeric_overflow &&
          g_str_has_prefix (parse_error.text, "too big integer"))
        return;
      fprintf (stderr, "json-doc took a text that jansson refuses: %s\n", parse_error.text);
      abort ();
    }
  ours = sbx_json_to_text (sbx_json_doc_get_root (doc), FALSE, NULL);
  theirs = sbx_json_to_text (root, FALSE, NULL);
  if (strcmp (ours, theirs) != 0)
    {
      fprintf (stderr, "json-doc's tree differs from jansson's:\n%s\n%s\n", ours, theirs);
      abort ();
    }
}

/* Parses and checks one document on its own. */
static gboolean
parse_one (const char *data, gsize length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SbxJsonDoc) doc = sbx_json_doc_new_from_data ("fuzz.json", data, length, &error);
  gboolean ok;

  if (doc == NULL)
    {
      check_message (error);
      return FALSE;
    }
  check_same_tree (doc, data, length);
  ok = sbx_profile_schema_check (doc, &error);
  if (!ok)
    check_message (error);
  g_clear_error (&error);
  /* Positions of paths that may or may not exist. */
  (void) sbx_json_doc_error (doc, "process.args[0]", &error, "x");
  check_message (error);
  g_clear_error (&error);
  (void) sbx_json_doc_error (doc, "a.b[1].c[2]", &error, "y");
  check_message (error);
  return ok;
}

/* What a loaded profile prints must load again, as a plain file. */
static void
check_round_trip (const SbxProfile *profile)
{
  g_autofree char *json = sbx_profile_to_json (profile, TRUE, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SbxJsonDoc) doc = sbx_json_doc_new_from_data ("shown.json", json, strlen (json), &error);

  if (doc == NULL || !sbx_profile_schema_check (doc, &error))
    {
      fprintf (stderr, "the effective profile is no valid profile: %s\n%s\n",
               error != NULL ? error->message : "?", json);
      abort ();
    }
}

static void
load (const char *name, const SbxProfileOverrides *overrides)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SbxProfile) profile = sbx_profile_load (name, overrides, &error);

  if (profile == NULL)
    {
      check_message (error);
      return;
    }
  if (profile->json == NULL || profile->rlimits == NULL || profile->mounts == NULL)
    abort ();
  for (guint i = 0; i < profile->mounts->len; i++)
    {
      const SbxMount *m = g_ptr_array_index (profile->mounts, i);
      if (m->destination == NULL || m->destination[0] != '/' ||
          (m->kind == SBX_MOUNT_BIND && m->source == NULL))
        abort ();
    }
  check_round_trip (profile);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *) data;
  const char *nul = memchr (text, '\0', size);
  gsize base_length = nul != NULL ? (gsize) (nul - text) : size;
  const char *top = nul != NULL ? nul + 1 : NULL;
  gsize top_length = nul != NULL ? size - base_length - 1 : 0;
  gboolean base_ok, top_ok = FALSE;
  char *cap_drop[] = { (char *) "ALL", NULL };
  char *cap_add[] = { (char *) "net_raw", (char *) "CAP_KILL", NULL };
  char *env[] = { (char *) "A=1", (char *) "PATH=/x", NULL };
  char *ulimits[] = { (char *) "nofile=10:20", (char *) "core=unlimited", NULL };
  char *security[] = { (char *) "mask=/a:/b", (char *) "unmask=/proc/kcore", (char *) "no-new-privileges",
                       (char *) "seccomp=unconfined", NULL };
  char *tmpfs[] = { (char *) "/t:size=1m", NULL };
  const SbxProfileOverrides overrides = {
    .env = env,
    .tmpfs = tmpfs,
    .cap_add = cap_add,
    .cap_drop = cap_drop,
    .security_opts = security,
    .ulimits = ulimits,
    .hostname = "fuzz",
    .read_only = TRUE,
  };

  base_ok = parse_one (text, base_length);
  if (top != NULL)
    top_ok = parse_one (top, top_length);
  /* Through files and the search path: includes, merge, overrides, conversion.  Only when
   * the documents parse, so that most runs stay in memory. */
  if (!base_ok && !top_ok)
    return 0;
  write_file (base_file, text, base_length);
  if (top != NULL)
    {
      write_file (top_file, top, top_length);
      load ("top", NULL);
      load ("top", &overrides);
    }
  else
    {
      (void) g_unlink (top_file);
      load ("base", NULL);
      load ("base", &overrides);
    }
  return 0;
}
