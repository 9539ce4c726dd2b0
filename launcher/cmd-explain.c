/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-explain.c: `sbx explain PROFILE|NAME [--format json]`: what an app can and cannot do
 * under a profile (a name, a file, or a named sandbox's recorded profile), risky grants
 * first, in plain words or as JSON.  The facts come from explain.h; this file finds the
 * profile and prints them, escaping whatever came from the profile. */
#include "cli.h"
#include "escape.h"
#include "explain.h"
#include "json-util.h"
#include "sandbox.h"
#include "sbx-error.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

typedef struct {
  char *format;
  gboolean sandbox;
} ExplainOptions;

static void
explain_options_clear (ExplainOptions *options)
{
  g_clear_pointer (&options->format, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ExplainOptions, explain_options_clear)

static gboolean
profile_exists (const char *name, gboolean *exists, GError **error)
{
  g_autoptr(GPtrArray) profiles = sbx_profile_list (error);

  *exists = FALSE;
  if (profiles == NULL)
    return FALSE;
  for (guint i = 0; i < profiles->len; i++)
    *exists |= g_str_equal (((SbxProfileInfo *) g_ptr_array_index (profiles, i))->name, name);
  return TRUE;
}

/* The recorded profile of sandbox @name; NULL with SBX_ERROR_NOT_FOUND when there is none
 * (the store is not created for asking). */
static SbxProfile *
load_sandbox_profile (const char *name, GError **error)
{
  g_autofree char *root = g_build_filename (g_get_user_data_dir (), "sbx", NULL);
  g_autoptr(SbxStore) store = NULL;
  g_autofree char *path = NULL;

  if (sbx_sandbox_check_name (name, NULL) && g_file_test (root, G_FILE_TEST_IS_DIR))
    {
      if ((store = sbx_store_open (NULL, error)) == NULL)
        return NULL;
      path = sbx_sandbox_profile_path (store, name);
    }
  if (path == NULL)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_NOT_FOUND, "explain: no profile or sandbox named '%s' (see 'sbx "
                                                          "profile ls' and 'sbx ls')",
                   name);
      return NULL;
    }
  return sbx_profile_load (path, NULL, error);
}

/* A file, a profile name, else a named sandbox (first with --sandbox). */
static SbxProfile *
load_target (const char *arg, const ExplainOptions *options, gboolean *is_sandbox, GError **error)
{
  gboolean exists = FALSE;

  *is_sandbox = FALSE;
  if (!options->sandbox && (strchr (arg, '/') != NULL || g_str_has_suffix (arg, ".json")))
    return sbx_profile_load (arg, NULL, error);
  if (!options->sandbox && !profile_exists (arg, &exists, error))
    return NULL;
  if (exists)
    return sbx_profile_load (arg, NULL, error);
  *is_sandbox = TRUE;
  return load_sandbox_profile (arg, error);
}

/* ------------------------------------------------------------------------ text */

static void
print_fact (const SbxExplainFact *fact, const char *mark)
{
  g_autofree char *text = sbx_escape (fact->text);
  g_autofree char *why = fact->why != NULL ? sbx_escape (fact->why) : NULL;

  printf ("  %s%s%s%s%s\n", mark, text, why != NULL ? "  (why: " : "", why != NULL ? why : "",
          why != NULL ? ")" : "");
}

static void
print_text (const SbxExplanation *e, const char *subject)
{
  g_autofree char *name = sbx_escape (subject);
  g_autofree char *description = e->description != NULL ? sbx_escape (e->description) : NULL;

  printf ("%s%s%s\n\n", name, description != NULL ? ": " : "", description != NULL ? description : "");
  printf ("Risky grants:\n");
  for (guint i = 0; i < e->risky->len; i++)
    print_fact (g_ptr_array_index (e->risky, i), "! ");
  if (e->risky->len == 0)
    printf ("  none\n");
  for (guint i = 0; i < e->sections->len; i++)
    {
      const SbxExplainSection *section = g_ptr_array_index (e->sections, i);

      if (section->facts->len == 0)
        continue;
      printf ("\n%s:\n", section->title);
      for (guint j = 0; j < section->facts->len; j++)
        print_fact (g_ptr_array_index (section->facts, j), "");
    }
}

/* ------------------------------------------------------------------------ JSON */

static json_t *
fact_json (const SbxExplainFact *fact)
{
  json_t *object = json_object ();
  const char *key;
  json_t *value;

  if (fact->id != NULL)
    sbx_json_add_string (object, "id", fact->id);
  sbx_json_add_string (object, "text", fact->text);
  if (fact->why != NULL)
    sbx_json_add_string (object, "why", fact->why);
  json_object_foreach (fact->data, key, value)
    sbx_json_set (object, key, json_deep_copy (value));
  return object;
}

static json_t *
facts_json (GPtrArray *facts)
{
  json_t *array = json_array ();

  for (guint i = 0; i < facts->len; i++)
    sbx_json_append (array, fact_json (g_ptr_array_index (facts, i)));
  return array;
}

static void
print_json (const SbxExplanation *e, const char *subject, gboolean is_sandbox)
{
  g_autoptr(json_t) object = json_object ();

  sbx_json_add_string (object, is_sandbox ? "sandbox" : "profile", subject);
  if (e->description != NULL)
    sbx_json_add_string (object, "description", e->description);
  sbx_json_set (object, "risky", facts_json (e->risky));
  for (guint i = 0; i < e->sections->len; i++)
    {
      const SbxExplainSection *section = g_ptr_array_index (e->sections, i);
      sbx_json_set (object, section->id, facts_json (section->facts));
    }
  sbx_cli_print_json (object);
}

int
sbx_cmd_explain (int argc, char **argv, GError **error)
{
  g_auto(ExplainOptions) options = { 0 };
  const GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &options.format, "Output format: text (default) or json", "FORMAT" },
    { "sandbox", 0, 0, G_OPTION_ARG_NONE, &options.sandbox, "NAME is a named sandbox, even if a profile has that name",
      NULL },
    { NULL }
  };
  g_autoptr(SbxProfile) profile = NULL;
  g_autoptr(SbxExplanation) explanation = NULL;
  SbxExplainContext context = { 0 };
  gboolean is_sandbox = FALSE;

  if (!sbx_cli_parse ("explain", "PROFILE|NAME", "What an app can and cannot do under a profile (a profile name or "
                                                 "file, or a named sandbox's recorded profile), risky grants first.",
                      entries, FALSE, &argc, &argv, error))
    return SBX_EXIT_SBX_ERROR;
  if (options.format != NULL && !g_str_equal (options.format, "text") && !g_str_equal (options.format, "json"))
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "explain: unknown format '%s' (text or json)",
                        options.format),
           SBX_EXIT_SBX_ERROR;
  if (argc != 2)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "explain: expected PROFILE or NAME (see 'sbx "
                                                                 "explain --help')"),
           SBX_EXIT_SBX_ERROR;
  if ((profile = load_target (argv[1], &options, &is_sandbox, error)) == NULL)
    return SBX_EXIT_SBX_ERROR;
  context.home_key = is_sandbox ? argv[1] : NULL;
  explanation = sbx_explain_profile (profile, &context);
  if (g_strcmp0 (options.format, "json") == 0)
    print_json (explanation, argv[1], is_sandbox);
  else
    {
      g_autofree char *subject = g_strdup_printf (is_sandbox ? "sandbox %s" : "profile %s", argv[1]);
      print_text (explanation, subject);
    }
  return 0;
}
