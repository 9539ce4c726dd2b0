/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* explain.c: the explain model (explain.h): its facts and sections, the risky grants, and the
 * files and devices sections.  The other sections are in explain-access.c and
 * explain-seccomp.c. */
#include "explain-private.h"
#include "host-root.h"
#include "json-util.h"

#include <stdarg.h>
#include <string.h>
#include <sys/mount.h>
#include <linux/mount.h>

/* --------------------------------------------------------------------- the model */

static void
fact_free (SbxExplainFact *fact)
{
  g_free (fact->id);
  g_free (fact->text);
  g_free (fact->why);
  json_decref (fact->data);
  g_free (fact);
}

static void
section_free (SbxExplainSection *section)
{
  g_ptr_array_unref (section->facts);
  g_free (section);
}

void
sbx_explanation_free (SbxExplanation *explanation)
{
  if (explanation == NULL)
    return;
  g_free (explanation->profile);
  g_free (explanation->description);
  g_ptr_array_unref (explanation->risky);
  g_ptr_array_unref (explanation->sections);
  g_free (explanation);
}

static SbxExplainFact *fact_new_va (const char *why, const char *format, va_list args) G_GNUC_PRINTF (2, 0);

static SbxExplainFact *
fact_new_va (const char *why, const char *format, va_list args)
{
  SbxExplainFact *fact = g_new0 (SbxExplainFact, 1);

  fact->text = g_strdup_vprintf (format, args);
  fact->why = g_strdup (why);
  fact->data = json_object ();
  return fact;
}

SbxExplainFact *
sbx_explain_add (SbxExplainSection *section, const char *why, const char *format, ...)
{
  va_list args;
  SbxExplainFact *fact;

  va_start (args, format);
  fact = fact_new_va (why, format, args);
  va_end (args);
  g_ptr_array_add (section->facts, fact);
  return fact;
}

SbxExplainFact *
sbx_explain_risk (SbxExplainBuilder *b, const char *id, const char *why, const char *format, ...)
{
  va_list args;
  SbxExplainFact *fact;

  va_start (args, format);
  fact = fact_new_va (why, format, args);
  va_end (args);
  fact->id = g_strdup (id);
  g_ptr_array_add (b->out->risky, fact);
  return fact;
}

SbxExplainSection *
sbx_explain_section_new (SbxExplainBuilder *b, const char *id, const char *title)
{
  SbxExplainSection *section = g_new0 (SbxExplainSection, 1);

  section->id = id;
  section->title = title;
  section->facts = g_ptr_array_new_with_free_func ((GDestroyNotify) fact_free);
  g_ptr_array_add (b->out->sections, section);
  return section;
}

SbxExplainSection *
sbx_explanation_section (const SbxExplanation *explanation, const char *id)
{
  for (guint i = 0; i < explanation->sections->len; i++)
    {
      SbxExplainSection *section = g_ptr_array_index (explanation->sections, i);
      if (g_str_equal (section->id, id))
        return section;
    }
  return NULL;
}

const char *
sbx_explain_why (SbxExplainBuilder *b, const char *key)
{
  const char *line = sbx_json_get_string (b->why, key);

  if (line == NULL)
    return NULL;
  g_hash_table_add (b->used_why, g_strdup (key));
  return line;
}

const char *
sbx_explain_why_printf (SbxExplainBuilder *b, const char *format, ...)
{
  va_list args;
  g_autofree char *key = NULL;

  va_start (args, format);
  key = g_strdup_vprintf (format, args);
  va_end (args);
  return sbx_explain_why (b, key);
}

gboolean
sbx_explain_in_home (SbxExplainBuilder *b, const char *path)
{
  gsize len = strlen (b->home);

  return strncmp (path, b->home, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

gboolean
sbx_explain_covers_home (SbxExplainBuilder *b, const char *path)
{
  gsize len = strlen (path);

  if (g_str_equal (path, "/"))
    return TRUE;
  return strncmp (b->home, path, len) == 0 && (b->home[len] == '\0' || b->home[len] == '/');
}

/* -------------------------------------------------------------------------- files */

static void
add_host_shown (const char *path, const char *why, gpointer data)
{
  GPtrArray *paths = data;

  g_ptr_array_add (paths, g_strdup (path));
}

static void
explain_host_image (SbxExplainBuilder *b, SbxExplainSection *files)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) etc = g_string_new (NULL);
  g_autoptr(GString) programs = g_string_new (NULL);
  SbxExplainFact *fact;
  json_t *array = json_array ();

  sbx_host_root_foreach_shown (add_host_shown, paths);
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      GString *list = g_str_has_prefix (path, "/etc/") ? etc : programs;
      g_string_append_printf (list, "%s%s", list->len > 0 ? ", " : "",
                              list == etc ? path + strlen ("/etc/") : path);
      sbx_json_append (array, sbx_json_string_new (path));
    }
  fact = sbx_explain_add (files, sbx_explain_why (b, "image"),
                          "reads the host's installed programs (image \"host\"), read-only: %s", programs->str);
  sbx_json_set (fact->data, "kind", sbx_json_string_new ("image"));
  sbx_json_set (fact->data, "image", sbx_json_string_new ("host"));
  sbx_json_set (fact->data, "hostPaths", array);
  sbx_explain_add (files, NULL, "reads only these of the host's /etc, read-only: %s", etc->str);
  sbx_explain_add (files, NULL, "has a private /tmp, /var and /run of its own, gone when it ends");
  sbx_explain_add (files, NULL, "cannot see the rest of the host: its /home, /root, /tmp, /var, /run, and the "
                                "rest of /etc (passwords, SSH and TLS keys)");
}

static void
explain_root (SbxExplainBuilder *b, SbxExplainSection *files)
{
  const SbxProfile *p = b->profile;
  SbxExplainFact *fact;

  if (sbx_host_image_is (p->image))
    explain_host_image (b, files);
  else
    {
      fact = p->image != NULL
             ? sbx_explain_add (files, sbx_explain_why (b, "image"), "reads and runs the image \"%s\"", p->image)
             : sbx_explain_add (files, NULL, "reads and runs the image named on the command line (sbx run IMAGE)");
      sbx_json_set (fact->data, "kind", sbx_json_string_new ("image"));
      if (p->image != NULL)
        sbx_json_set (fact->data, "image", sbx_json_string_new (p->image));
    }
  fact = p->root_readonly
         ? sbx_explain_add (files, sbx_explain_why (b, "root.readonly"), "the root file system is read-only")
         : sbx_explain_add (files, sbx_explain_why (b, "root.readonly"),
                            "the root file system is writable: changes stay in the sandbox, the image is never changed");
  sbx_json_set (fact->data, "kind", sbx_json_string_new ("root"));
  sbx_json_set (fact->data, "access", sbx_json_string_new (p->root_readonly ? "ro" : "rw"));
}

static const char *
home_mode_name (SbxHomeMode mode)
{
  return mode == SBX_HOME_HOST ? "host" : mode == SBX_HOME_PRIVATE ? "private"
                                      : mode == SBX_HOME_TMPFS     ? "tmpfs"
                                                                   : "image";
}

static void
explain_home (SbxExplainBuilder *b, SbxExplainSection *files)
{
  const SbxProfile *p = b->profile;
  SbxHomeMode mode = p->home == SBX_HOME_IMAGE && sbx_host_image_is (p->image) ? SBX_HOME_TMPFS : p->home;
  const char *why = sbx_explain_why (b, "home");
  g_autofree char *where = NULL;
  SbxExplainFact *fact;

  switch (mode)
    {
    case SBX_HOME_HOST:
      sbx_explain_risk (b, "home-host", why, "can read and change your whole home, ~/.ssh and browser profiles "
                                             "included (sbx.home: host)");
      fact = sbx_explain_add (files, why, "home: your real home %s, read and write", b->home);
      break;
    case SBX_HOME_PRIVATE:
      where = g_build_filename (b->data_dir, "sbx", "homes", b->home_key, NULL);
      fact = sbx_explain_add (files, why, "home: a private home of its own, kept between runs, on the host in %s; "
                                          "your real home is invisible",
                              where);
      sbx_json_set (fact->data, "hostPath", sbx_json_string_new (where));
      break;
    case SBX_HOME_TMPFS:
      fact = sbx_explain_add (files, why, "home: an empty home, gone when the sandbox ends; your real home is "
                                          "invisible");
      break;
    case SBX_HOME_IMAGE:
    default:
      fact = sbx_explain_add (files, why, "home: the image's own home directory; your real home is invisible");
      break;
    }
  sbx_json_set (fact->data, "kind", sbx_json_string_new ("home"));
  sbx_json_set (fact->data, "mode", sbx_json_string_new (home_mode_name (mode)));
}

/* A share's folder on the host, as desktop.c finds it (NULL: its XDG directory is not set). */
static char *
share_source (SbxExplainBuilder *b, const SbxShare *share)
{
  const char *base;

  if (share->xdg_name != NULL)
    {
      base = g_get_user_special_dir ((GUserDirectory) sbx_share_user_directory (share->xdg_name));
      if (base == NULL || g_str_equal (base, b->home))
        return NULL;
      return g_build_filename (base, share->path, NULL);
    }
  if (share->path[0] == '~')
    return g_build_filename (b->home, share->path + 1, NULL);
  return g_strdup (share->path);
}

/* The risky side of a host path given to the sandbox: all of the home, or a writable place
 * outside it. */
static void
flag_host_path (SbxExplainBuilder *b, const char *source, gboolean writable, const char *what, const char *why)
{
  if (sbx_explain_is_bus_socket (source))
    sbx_explain_risk (b, "dbus-unfiltered", why, "can talk to any D-Bus service (a bus socket without a filter: %s)",
                      what);
  else if (g_str_equal (source, b->home) && g_str_has_prefix (what, "share"))
    sbx_explain_risk (b, "home-share", why, "can read%s your whole home except dotfiles (%s)",
                      writable ? " and change" : "", what);
  else if (sbx_explain_covers_home (b, source))
    sbx_explain_risk (b, "home-bind", why, "can read%s your whole home (%s)", writable ? " and change" : "", what);
  else if (writable && !sbx_explain_in_home (b, source))
    sbx_explain_risk (b, "host-write", why, "can change host files outside your home: %s (%s)", source, what);
}

static void
explain_share (SbxExplainBuilder *b, SbxExplainSection *files, const char *entry)
{
  g_auto(SbxShare) share = { 0 };
  g_autofree char *source = NULL, *what = g_strdup_printf ("share %s", entry);
  const char *why = sbx_explain_why_printf (b, "share %s", entry);
  SbxExplainFact *fact;

  if (!sbx_share_parse (entry, &share, NULL))
    return;
  if ((source = share_source (b, &share)) == NULL)
    {
      fact = sbx_explain_add (files, why, "%s: %s, but not shared now: that XDG directory is not set", what,
                              share.writable ? "read and write" : "read only");
      sbx_json_set (fact->data, "kind", sbx_json_string_new ("share"));
      sbx_json_set (fact->data, "share", sbx_json_string_new (entry));
      sbx_json_set (fact->data, "access", sbx_json_string_new (share.writable ? "rw" : "ro"));
      return;
    }
  flag_host_path (b, source, share.writable, what, why);
  fact = sbx_explain_add (files, why, "%s (%s): %s", source, what, share.writable ? "read and write" : "read only");
  sbx_json_set (fact->data, "kind", sbx_json_string_new ("share"));
  sbx_json_set (fact->data, "share", sbx_json_string_new (entry));
  sbx_json_set (fact->data, "hostPath", sbx_json_string_new (source));
  sbx_json_set (fact->data, "access", sbx_json_string_new (share.writable ? "rw" : "ro"));
}

static void
explain_mount (SbxExplainBuilder *b, SbxExplainSection *files, const SbxMount *m)
{
  const char *why = sbx_explain_why_printf (b, "mounts %s", m->destination);
  gboolean writable = !(m->attr_set & MOUNT_ATTR_RDONLY);
  g_autofree char *what = NULL;
  SbxExplainFact *fact;

  if (m->kind == SBX_MOUNT_TMPFS)
    {
      fact = sbx_explain_add (files, why, "%s: an empty temporary file system of its own%s%s%s",
                              m->destination, m->data != NULL ? " (" : "", m->data != NULL ? m->data : "",
                              m->data != NULL ? ")" : "");
      sbx_json_set (fact->data, "kind", sbx_json_string_new ("tmpfs"));
      sbx_json_set (fact->data, "destination", sbx_json_string_new (m->destination));
      return;
    }
  what = g_strdup_printf ("bind mount on %s", m->destination);
  flag_host_path (b, m->source, writable, what, why);
  fact = sbx_explain_add (files, why, "%s -> %s: %s", m->source, m->destination,
                          writable ? "read and write" : "read only");
  sbx_json_set (fact->data, "kind", sbx_json_string_new ("bind"));
  sbx_json_set (fact->data, "source", sbx_json_string_new (m->source));
  sbx_json_set (fact->data, "destination", sbx_json_string_new (m->destination));
  sbx_json_set (fact->data, "access", sbx_json_string_new (writable ? "rw" : "ro"));
}

static void
explain_path_list (SbxExplainSection *files, const char *why, char **paths, const char *kind, const char *words)
{
  g_autofree char *joined = NULL;
  SbxExplainFact *fact;

  if (paths == NULL || paths[0] == NULL)
    return;
  joined = g_strjoinv (", ", paths);
  fact = sbx_explain_add (files, why, "%s: %s", words, joined);
  sbx_json_set (fact->data, "kind", sbx_json_string_new (kind));
  sbx_json_set (fact->data, "paths", sbx_json_strv_new (paths));
}

static void
explain_files (SbxExplainBuilder *b)
{
  SbxExplainSection *files = sbx_explain_section_new (b, "files", "Files");
  const SbxProfile *p = b->profile;

  explain_root (b, files);
  explain_home (b, files);
  for (guint i = 0; p->share != NULL && p->share[i] != NULL; i++)
    explain_share (b, files, p->share[i]);
  for (guint i = 0; i < p->mounts->len; i++)
    {
      const SbxMount *m = g_ptr_array_index (p->mounts, i);
      if (m->kind == SBX_MOUNT_TMPFS || !g_str_has_prefix (m->source, "/dev/"))
        explain_mount (b, files, m);
    }
  explain_path_list (files, sbx_explain_why (b, "linux.maskedPaths"), p->masked_paths, "masked", "hidden");
  explain_path_list (files, sbx_explain_why (b, "linux.readonlyPaths"), p->readonly_paths, "readonly",
                     "read-only");
}

/* ------------------------------------------------------------------------ devices */

static void
explain_devices (SbxExplainBuilder *b)
{
  SbxExplainSection *devices = sbx_explain_section_new (b, "devices", "Devices");
  const char *why = sbx_explain_why (b, "desktop.gpu");
  SbxExplainFact *fact;

  fact = sbx_explain_add (devices, NULL, "a minimal /dev of its own: null, zero, full, random, urandom, tty, "
                                         "its own pts and shm");
  sbx_json_set (fact->data, "kind", sbx_json_string_new ("minimal"));
  if (b->profile->desktop.gpu)
    {
      sbx_explain_risk (b, "gpu", why, "can use the GPU directly (/dev/dri, /dev/nvidia*): a large kernel driver "
                                       "reachable from the app");
      fact = sbx_explain_add (devices, why, "the GPU: /dev/dri and NVIDIA's /dev/nvidia* nodes, where the host has them");
      sbx_json_set (fact->data, "kind", sbx_json_string_new ("gpu"));
    }
  for (guint i = 0; i < b->profile->mounts->len; i++)
    {
      const SbxMount *m = g_ptr_array_index (b->profile->mounts, i);
      const char *mwhy;

      if (m->kind != SBX_MOUNT_BIND || !g_str_has_prefix (m->source, "/dev/"))
        continue;
      mwhy = sbx_explain_why_printf (b, "mounts %s", m->destination);
      sbx_explain_risk (b, "device", mwhy, "can use the host's device %s", m->source);
      fact = sbx_explain_add (devices, mwhy, "the host's device %s (on %s)", m->source, m->destination);
      sbx_json_set (fact->data, "kind", sbx_json_string_new ("device"));
      sbx_json_set (fact->data, "source", sbx_json_string_new (m->source));
    }
}

/* --------------------------------------------------------------- syscalls, notes */

static void
explain_syscalls (SbxExplainBuilder *b)
{
  SbxExplainSection *section = sbx_explain_section_new (b, "syscalls", "System calls");
  const char *why = sbx_explain_why (b, "linux.seccomp");

  if (b->profile->seccomp_rules == NULL)
    sbx_explain_risk (b, "no-seccomp", why, "no seccomp filter: every system call of the kernel is reachable");
  if (!sbx_explain_seccomp_blocks_userns (b->profile->seccomp_rules))
    sbx_explain_risk (b, "nested-userns", why, "can make user namespaces (browser sandbox): kernel code that "
                                               "otherwise needs privilege is reachable");
  sbx_explain_seccomp (section, b->profile->seccomp_rules, why);
}

/* The sbx.why lines no fact above has shown, each with its key. */
static void
explain_notes (SbxExplainBuilder *b)
{
  SbxExplainSection *notes = sbx_explain_section_new (b, "notes", "Other reasons the profile gives");
  g_autoptr(GList) keys = NULL;
  const char *key;
  json_t *node;

  json_object_foreach (b->why, key, node)
    keys = g_list_prepend (keys, (gpointer) key);
  keys = g_list_sort (keys, (GCompareFunc) strcmp);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      const char *line = sbx_json_get_string (b->why, l->data);
      SbxExplainFact *fact;

      if (g_hash_table_contains (b->used_why, l->data) || line == NULL)
        continue;
      fact = sbx_explain_add (notes, line, "%s", (const char *) l->data);
      sbx_json_set (fact->data, "key", sbx_json_string_new (l->data));
    }
}

SbxExplanation *
sbx_explain_profile (const SbxProfile *profile, const SbxExplainContext *context)
{
  json_t *ext = sbx_json_get_object (profile->json, "sbx");
  g_autoptr(GHashTable) used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  SbxExplainBuilder b = {
    .profile = profile,
    .home = context != NULL && context->home != NULL ? context->home : g_get_home_dir (),
    .data_dir = context != NULL && context->data_dir != NULL ? context->data_dir : g_get_user_data_dir (),
    .home_key = context != NULL && context->home_key != NULL ? context->home_key : profile->name,
    .why = sbx_json_get_object (ext, "why"),
    .used_why = used,
  };

  b.out = g_new0 (SbxExplanation, 1);
  b.out->profile = g_strdup (profile->name);
  b.out->description = g_strdup (sbx_json_get_string (ext, "description"));
  b.out->risky = g_ptr_array_new_with_free_func ((GDestroyNotify) fact_free);
  b.out->sections = g_ptr_array_new_with_free_func ((GDestroyNotify) section_free);
  explain_files (&b);
  explain_devices (&b);
  sbx_explain_network (&b);
  sbx_explain_dbus (&b);
  sbx_explain_display (&b);
  sbx_explain_privileges (&b);
  explain_syscalls (&b);
  sbx_explain_limits (&b);
  explain_notes (&b);
  return b.out;
}
