/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* idmap.c: reading subordinate id ranges and laying out a user namespace's id maps. */
#include "idmap.h"
#include "sbx-error.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static gboolean
parse_u32 (const char *s, guint32 *out)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (s, 10, 0, G_MAXUINT32, &v, NULL))
    return FALSE;
  *out = (guint32) v;
  return TRUE;
}

gboolean
sbx_subid_find (const char *file_contents, const char *user_name, guint32 id,
                guint32 *out_start, guint32 *out_count)
{
  g_auto(GStrv) lines = g_strsplit (file_contents != NULL ? file_contents : "", "\n", -1);
  g_autofree char *id_str = g_strdup_printf ("%u", id);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (g_strstrip (lines[i]), ":", -1);
      guint32 start, count;

      if (g_strv_length (fields) != 3 || fields[0][0] == '#')
        continue;
      if (!(g_strcmp0 (fields[0], user_name) == 0 || g_str_equal (fields[0], id_str)))
        continue;
      if (!parse_u32 (fields[1], &start) || !parse_u32 (fields[2], &count) || count == 0)
        continue;
      if ((guint64) start + count > G_MAXUINT32)
        continue;
      *out_start = start;
      *out_count = count;
      return TRUE;
    }
  return FALSE;
}

static void
id_map_add (SbxIdMap *map, guint32 inside, guint32 outside, guint32 count)
{
  if (count == 0 || map->n_ranges >= SBX_IDMAP_MAX_RANGES)
    return;
  map->ranges[map->n_ranges++] = (SbxIdRange) { inside, outside, count };
}

/* caller -> @own_inside, the subordinate range fills 0.. around it (keep-id) or 1.. (default). */
static void
layout_one_map (SbxIdMap *map, SbxUsernsMode mode, guint32 caller,
                guint32 sub_start, guint32 sub_count)
{
  memset (map, 0, sizeof *map);
  if (mode == SBX_USERNS_DEFAULT || sub_count == 0)
    {
      id_map_add (map, 0, caller, 1);
      id_map_add (map, 1, sub_start, sub_count);
      return;
    }
  /* keep-id: 0..caller-1 and caller+1.. come from the subordinate range. */
  guint32 below = MIN (caller, sub_count);
  id_map_add (map, 0, sub_start, below);
  id_map_add (map, caller, caller, 1);
  id_map_add (map, caller + 1, sub_start + below, sub_count - below);
}

void
sbx_id_layout_build (SbxUsernsMode mode, uid_t uid, gid_t gid,
                     guint32 subuid_start, guint32 subuid_count,
                     guint32 subgid_start, guint32 subgid_count,
                     SbxIdLayout *out)
{
  memset (out, 0, sizeof *out);
  out->caller_uid = uid;
  out->caller_gid = gid;
  out->mode = mode;
  out->single = (subuid_count == 0 || subgid_count == 0);
  if (out->single)
    subuid_count = subgid_count = 0;
  layout_one_map (&out->uid_map, mode, uid, subuid_start, subuid_count);
  layout_one_map (&out->gid_map, mode, gid, subgid_start, subgid_count);
}

void
sbx_id_layout_own_ids (uid_t uid, gid_t gid, SbxIdLayout *out)
{
  memset (out, 0, sizeof *out);
  out->caller_uid = uid;
  out->caller_gid = gid;
  out->mode = SBX_USERNS_KEEP_ID;
  out->single = TRUE;
  id_map_add (&out->uid_map, uid, uid, 1);
  id_map_add (&out->gid_map, gid, gid, 1);
}

static gboolean
read_subid_file (const char *path, const char *user_name, guint32 id,
                 guint32 *out_start, guint32 *out_count, GError **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;

  *out_start = *out_count = 0;
  if (!g_file_get_contents (path, &contents, NULL, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "read %s: ", path);
      return FALSE;
    }
  (void) sbx_subid_find (contents, user_name, id, out_start, out_count);
  return TRUE;
}

gboolean
sbx_id_layout_for_caller (SbxUsernsMode mode, const char *subuid_path,
                          const char *subgid_path, SbxIdLayout *out, GError **error)
{
  uid_t uid = getuid ();
  gid_t gid = getgid ();
  struct passwd *pw = getpwuid (uid);
  const char *user_name = pw != NULL ? pw->pw_name : NULL;
  guint32 us, uc, gs, gc;

  if (!read_subid_file (subuid_path, user_name, uid, &us, &uc, error) ||
      !read_subid_file (subgid_path, user_name, uid, &gs, &gc, error))
    return FALSE;
  sbx_id_layout_build (mode, uid, gid, us, uc, gs, gc, out);
  return TRUE;
}

gboolean
sbx_id_map_to_host (const SbxIdMap *map, guint32 inside, guint32 *out_host)
{
  for (guint i = 0; i < map->n_ranges; i++)
    {
      const SbxIdRange *r = &map->ranges[i];
      if (inside >= r->inside && inside - r->inside < r->count)
        {
          if (out_host != NULL)
            *out_host = r->outside + (inside - r->inside);
          return TRUE;
        }
    }
  return FALSE;
}

char *
sbx_id_map_to_string (const SbxIdMap *map)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < map->n_ranges; i++)
    g_string_append_printf (s, "%u %u %u\n", map->ranges[i].inside,
                            map->ranges[i].outside, map->ranges[i].count);
  return g_string_free (s, FALSE);
}
