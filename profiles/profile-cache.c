/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* profile-cache.c: resolved, compiled profiles kept between runs (see profile-cache.h).
 *
 * An entry is a GVariant (GLib checks its framing when it reads one): the format, the
 * identity of what made it (the binary, the boot, libseccomp), the key it was stored under,
 * the inputs' stat() records, then the profile's texts and the compiled filter. */
#include "profile-cache.h"
#include "fd-util.h"
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ENTRY_FORMAT 1
#define ENTRY_TYPE "(ussa(sbtttxx)sayaybmsuay)"
#define MAX_ENTRY_SIZE (8 * 1024 * 1024)
#define MAX_PROGRAM_INSTRUCTIONS 4096 /* BPF_MAXINSNS */
#define RACY_SECONDS 2                /* an input changed this recently is not cached */
#define KEEP_ENTRIES 64               /* past this many, the oldest go */
#define STALE_TEMP_SECONDS 60         /* a temporary name left by a killed sbx, removed */

/* ------------------------------------------------------------------------ inputs */

typedef struct {
  char *path;
  gboolean exists;
  guint64 dev, ino, size;
  gint64 mtime_ns, ctime_ns;
} Input;

struct _SbxProfileInputs {
  GArray *items; /* Input */
};

static void
input_clear (Input *input)
{
  g_free (input->path);
}

static gint64
timespec_ns (const struct timespec *ts)
{
  return (gint64) ts->tv_sec * G_GINT64_CONSTANT (1000000000) + ts->tv_nsec;
}

/* @path as stat() sees it now (following a symbolic link, as reading it does). */
static void
input_stat (Input *input, const char *path)
{
  struct stat st;

  memset (input, 0, sizeof *input);
  input->path = g_strdup (path);
  if (stat (path, &st) != 0)
    return;
  input->exists = TRUE;
  input->dev = st.st_dev;
  input->ino = st.st_ino;
  input->size = st.st_size;
  input->mtime_ns = timespec_ns (&st.st_mtim);
  input->ctime_ns = timespec_ns (&st.st_ctim);
}

static gboolean
input_equal (const Input *a, const Input *b)
{
  return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
         a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

SbxProfileInputs *
sbx_profile_inputs_new (void)
{
  SbxProfileInputs *inputs = g_new0 (SbxProfileInputs, 1);

  inputs->items = g_array_new (FALSE, FALSE, sizeof (Input));
  g_array_set_clear_func (inputs->items, (GDestroyNotify) input_clear);
  return inputs;
}

void
sbx_profile_inputs_free (SbxProfileInputs *inputs)
{
  g_array_unref (inputs->items);
  g_free (inputs);
}

void
sbx_profile_inputs_add (SbxProfileInputs *inputs, const char *path)
{
  Input input;

  input_stat (&input, path);
  g_array_append_val (inputs->items, input);
}

/* ------------------------------------------------------------------- the entry */

void
sbx_profile_cache_entry_clear (SbxProfileCacheEntry *entry)
{
  g_clear_pointer (&entry->name, g_free);
  g_clear_pointer (&entry->io_uring_bypass, g_free);
  g_clear_pointer (&entry->json, g_bytes_unref);
  g_clear_pointer (&entry->effective, g_bytes_unref);
  sbx_seccomp_program_clear (&entry->program);
}

/* What made an entry: a rebuilt or reinstalled sbx, a reboot (another kernel may take
 * another filter) or another libseccomp makes every entry a miss. */
static char *
maker_identity (void)
{
  const struct scmp_version *v = seccomp_version ();
  g_autofree char *boot_id = NULL;
  struct stat exe;

  if (stat ("/proc/self/exe", &exe) != 0 ||
      !g_file_get_contents ("/proc/sys/kernel/random/boot_id", &boot_id, NULL, NULL))
    return NULL;
  return g_strdup_printf ("sbx %s, binary %" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT ":%" G_GINT64_FORMAT
                          ":%" G_GINT64_FORMAT ", boot %s, libseccomp %u.%u.%u",
                          SBX_VERSION, (guint64) exe.st_dev, (guint64) exe.st_ino, (gint64) exe.st_size,
                          timespec_ns (&exe.st_mtim), g_strstrip (boot_id), v->major, v->minor, v->micro);
}

static char *
entry_key (const char *name, const char * const *search_path)
{
  g_autofree char *dirs = g_strjoinv ("\n", (char **) search_path);

  return g_strdup_printf ("%s\n%s", name, dirs);
}

/* The 64-bit FNV-1a of the key and the maker: two sbx binaries a user runs in turn (an
 * installed one and a build) keep an entry each instead of replacing each other's; two keys
 * with one name only make each other's entry a miss (an entry holds both whole). */
static char *
entry_file_name (const char *key, const char *identity)
{
  guint64 hash = G_GUINT64_CONSTANT (14695981039346656037);

  for (const guchar *p = (const guchar *) key; *p; p++)
    hash = (hash ^ *p) * G_GUINT64_CONSTANT (1099511628211);
  for (const guchar *p = (const guchar *) (identity != NULL ? identity : ""); *p; p++)
    hash = (hash ^ *p) * G_GUINT64_CONSTANT (1099511628211);
  return g_strdup_printf ("%016" G_GINT64_MODIFIER "x", hash);
}

typedef struct {
  char *identity;
  char *key;
  GArray *inputs; /* Input */
  SbxProfileCacheEntry entry;
} Decoded;

static void
decoded_clear (Decoded *d)
{
  g_free (d->identity);
  g_free (d->key);
  g_clear_pointer (&d->inputs, g_array_unref);
  sbx_profile_cache_entry_clear (&d->entry);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Decoded, decoded_clear)

static gboolean
decode_program (gboolean has_seccomp, GVariant *program, guint flags, SbxSeccompProgram *out, char **why)
{
  gsize size = g_variant_get_size (program);

  if (size % 8 != 0 || size / 8 > MAX_PROGRAM_INSTRUCTIONS || (size > 0 && !has_seccomp))
    return *why = g_strdup ("damaged (its filter is not a BPF program)"), FALSE;
  if (size > 0)
    out->program = g_bytes_new (g_variant_get_data (program), size);
  out->flags = flags;
  return TRUE;
}

/* A JSON object's text: no NUL inside, '{' first. */
static GBytes *
json_text (GVariant *bytes)
{
  gsize size = g_variant_get_size (bytes);
  const char *data = g_variant_get_data (bytes);

  if (size == 0 || data[0] != '{' || memchr (data, '\0', size) != NULL)
    return NULL;
  return g_variant_get_data_as_bytes (bytes); /* the entry's own bytes, not a copy */
}

/* An untrusted GVariant reads as defaults where it is damaged, never out of its bounds. */
static gboolean
decode (GBytes *bytes, Decoded *d, char **why)
{
  g_autoptr(GVariant) v = NULL;
  g_autoptr(GVariantIter) inputs = NULL;
  g_autoptr(GVariant) program = NULL;
  g_autoptr(GVariant) json = NULL;
  g_autoptr(GVariant) effective = NULL;
  const char *path;
  Input input;
  guint format, flags;

  if (g_bytes_get_size (bytes) > MAX_ENTRY_SIZE)
    return *why = g_strdup ("too large"), FALSE;
  v = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE (ENTRY_TYPE), bytes, FALSE));
  g_variant_get (v, "(uss"
                    "a(sbtttxx)"
                    "s@ay@aybmsu@ay)",
                 &format, &d->identity, &d->key, &inputs,
                 &d->entry.name, &json, &effective, &d->entry.has_seccomp, &d->entry.io_uring_bypass, &flags,
                 &program);
  if (format != ENTRY_FORMAT)
    return *why = g_strdup_printf ("format %u, not %u", format, ENTRY_FORMAT), FALSE;
  d->inputs = g_array_new (FALSE, TRUE, sizeof (Input));
  g_array_set_clear_func (d->inputs, (GDestroyNotify) input_clear);
  memset (&input, 0, sizeof input);
  while (g_variant_iter_next (inputs, "(&sbtttxx)", &path, &input.exists, &input.dev, &input.ino, &input.size,
                              &input.mtime_ns, &input.ctime_ns))
    {
      input.path = g_strdup (path);
      g_array_append_val (d->inputs, input);
    }
  d->entry.json = json_text (json);
  d->entry.effective = json_text (effective);
  if (*d->entry.name == '\0' || d->entry.json == NULL || d->entry.effective == NULL)
    return *why = g_strdup ("damaged (not a profile)"), FALSE;
  return decode_program (d->entry.has_seccomp, program, flags, &d->entry.program, why);
}

gboolean
sbx_profile_cache_decode (GBytes *bytes, SbxProfileCacheEntry *out, char **why)
{
  g_auto(Decoded) d = { 0 };

  if (!decode (bytes, &d, why))
    return FALSE;
  *out = d.entry;
  memset (&d.entry, 0, sizeof d.entry);
  return TRUE;
}

/* --------------------------------------------------------------------- the files */

/* The cache directory, made if missing: ours alone, or no cache. */
static int
open_dir (const char *dir, char **why)
{
  sbx_autofd int fd = -1;
  struct stat st;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    return *why = g_strdup_printf ("cannot create %s: %s", dir, g_strerror (errno)), -1;
  fd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || fstat (fd, &st) != 0)
    return *why = g_strdup_printf ("cannot open %s: %s", dir, g_strerror (errno)), -1;
  if (st.st_uid != geteuid () || (st.st_mode & 0077) != 0)
    return *why = g_strdup_printf ("%s is not the user's alone", dir), -1;
  return sbx_steal_fd (&fd);
}

typedef struct {
  void *addr;
  size_t size;
} Mapping;

static void
unmap (Mapping *m)
{
  munmap (m->addr, m->size);
  g_free (m);
}

/* The entry file, mapped whole (one call where reading it into fresh memory took a page
 * fault per page).  Only the user's own regular file is taken: not a link, nothing shared. */
static GBytes *
read_entry (int dirfd, const char *file, char **why)
{
  sbx_autofd int fd = openat (dirfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  struct stat st;
  Mapping *m;

  if (fd < 0)
    return *why = g_strdup (errno == ENOENT ? "no entry" : "the entry cannot be opened"), NULL;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || st.st_uid != geteuid () || (st.st_mode & 0022) != 0 ||
      st.st_size > MAX_ENTRY_SIZE || st.st_size == 0)
    return *why = g_strdup ("the entry is not a file of the user's alone"), NULL;
  m = g_new0 (Mapping, 1);
  m->size = st.st_size;
  m->addr = mmap (NULL, m->size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  if (m->addr == MAP_FAILED)
    return g_free (m), *why = g_strdup ("the entry cannot be read"), NULL;
  return g_bytes_new_with_free_func (m->addr, m->size, (GDestroyNotify) unmap, m);
}

static const char *
changed_input (GArray *inputs)
{
  for (guint i = 0; i < inputs->len; i++)
    {
      const Input *then = &g_array_index (inputs, Input, i);
      Input now;
      gboolean same;

      input_stat (&now, then->path);
      same = input_equal (then, &now);
      input_clear (&now);
      if (!same)
        return then->path;
    }
  return NULL;
}

gboolean
sbx_profile_cache_lookup (const char *dir, const char *name, const char * const *search_path,
                          SbxProfileCacheEntry *out, char **why)
{
  g_autofree char *key = entry_key (name, search_path);
  g_autofree char *identity = maker_identity ();
  g_autofree char *file = entry_file_name (key, identity);
  sbx_autofd int dirfd = open_dir (dir, why);
  g_autoptr(GBytes) bytes = NULL;
  g_auto(Decoded) d = { 0 };
  const char *changed;

  if (dirfd < 0)
    return FALSE;
  if ((bytes = read_entry (dirfd, file, why)) == NULL || !decode (bytes, &d, why))
    return FALSE;
  if (identity == NULL || !g_str_equal (d.identity, identity))
    return *why = g_strdup ("made by another sbx, boot or libseccomp"), FALSE;
  if (!g_str_equal (d.key, key))
    return *why = g_strdup ("made for another profile"), FALSE;
  if ((changed = changed_input (d.inputs)) != NULL)
    return *why = g_strdup_printf ("%s changed", changed), FALSE;
  *out = d.entry;
  memset (&d.entry, 0, sizeof d.entry);
  return TRUE;
}

static GVariant *
bytes_variant (gconstpointer data, gsize size)
{
  return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, data != NULL ? data : "", size, 1);
}

static GVariant *
encode (const char *identity, const char *key, const SbxProfileInputs *inputs, const SbxProfileCacheEntry *entry)
{
  GVariantBuilder builder;
  gconstpointer program = NULL;
  gsize program_size = 0;
  gsize json_size, effective_size;
  gconstpointer json = g_bytes_get_data (entry->json, &json_size);
  gconstpointer effective = g_bytes_get_data (entry->effective, &effective_size);

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(sbtttxx)"));
  for (guint i = 0; i < inputs->items->len; i++)
    {
      const Input *in = &g_array_index (inputs->items, Input, i);
      g_variant_builder_add (&builder, "(sbtttxx)", in->path, in->exists, in->dev, in->ino, in->size, in->mtime_ns,
                             in->ctime_ns);
    }
  if (entry->program.program != NULL)
    program = g_bytes_get_data (entry->program.program, &program_size);
  return g_variant_ref_sink (g_variant_new ("(ussa(sbtttxx)s@ay@aybmsu@ay)", ENTRY_FORMAT, identity, key, &builder,
                                            entry->name, bytes_variant (json, json_size),
                                            bytes_variant (effective, effective_size), entry->has_seccomp,
                                            entry->io_uring_bypass, entry->program.flags,
                                            bytes_variant (program, program_size)));
}

/* An input changed less than RACY_SECONDS ago: a second change within the same tick of the
 * filesystem's clock would leave its times as they are. */
static const char *
racy_input (const SbxProfileInputs *inputs)
{
  gint64 now_ns = g_get_real_time () * 1000;

  for (guint i = 0; i < inputs->items->len; i++)
    {
      const Input *in = &g_array_index (inputs->items, Input, i);
      if (in->exists && (in->mtime_ns > now_ns - RACY_SECONDS * G_GINT64_CONSTANT (1000000000) ||
                         in->ctime_ns > now_ns - RACY_SECONDS * G_GINT64_CONSTANT (1000000000)))
        return in->path;
    }
  return NULL;
}

typedef struct {
  char *name;
  gint64 mtime_ns;
} Kept;

static gint
by_age (gconstpointer a, gconstpointer b)
{
  const Kept *x = a, *y = b;

  return x->mtime_ns < y->mtime_ns ? -1 : x->mtime_ns > y->mtime_ns;
}

static void
kept_clear (Kept *kept)
{
  g_free (kept->name);
}

/* The oldest entries past KEEP_ENTRIES (the one about to be stored counted), and a temporary name a killed sbx left where the
 * filesystem has no O_TMPFILE (fd-util.h). */
static void
tidy (int dirfd)
{
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (Kept));
  gint64 now_ns = g_get_real_time () * 1000;
  sbx_autofd int fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir (sbx_steal_fd (&fd)) : NULL;
  struct dirent *de;

  g_array_set_clear_func (entries, (GDestroyNotify) kept_clear);
  if (d == NULL)
    return;
  while ((de = readdir (d)) != NULL)
    {
      struct stat st;

      if (g_str_equal (de->d_name, ".") || g_str_equal (de->d_name, "..") ||
          fstatat (dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        continue;
      if (de->d_name[0] == '.')
        {
          if (timespec_ns (&st.st_mtim) < now_ns - STALE_TEMP_SECONDS * G_GINT64_CONSTANT (1000000000))
            (void) unlinkat (dirfd, de->d_name, 0);
          continue;
        }
      g_array_append_val (entries, ((Kept) { g_strdup (de->d_name), timespec_ns (&st.st_mtim) }));
    }
  closedir (d);
  if (entries->len < KEEP_ENTRIES)
    return;
  g_array_sort (entries, by_age);
  for (guint i = 0; i + KEEP_ENTRIES - 1 < entries->len; i++) /* room for the one being stored */
    (void) unlinkat (dirfd, g_array_index (entries, Kept, i).name, 0);
}

gboolean
sbx_profile_cache_store (const char *dir, const char *name, const char * const *search_path,
                         const SbxProfileInputs *inputs, const SbxProfileCacheEntry *entry, char **why)
{
  g_autofree char *key = entry_key (name, search_path);
  g_autofree char *identity = maker_identity ();
  g_autofree char *file = entry_file_name (key, identity);
  g_autoptr(GVariant) v = NULL;
  g_autoptr(GError) error = NULL;
  const char *racy = racy_input (inputs);
  sbx_autofd int dirfd = -1;

  if (racy != NULL)
    return *why = g_strdup_printf ("%s changed in the last %d seconds", racy, RACY_SECONDS), FALSE;
  if (identity == NULL)
    return *why = g_strdup ("no /proc/self/exe or boot id"), FALSE;
  if ((dirfd = open_dir (dir, why)) < 0)
    return FALSE;
  tidy (dirfd);
  v = encode (identity, key, inputs, entry);
  /* The old entry goes first, then the new one is linked in whole (an unnamed file until then):
   * a kill in between leaves no entry, never a part of one nor a temporary name.  A run
   * that linked its own in the meantime wins. */
  if (unlinkat (dirfd, file, 0) != 0 && errno != ENOENT)
    return *why = g_strdup_printf ("cannot remove the old entry: %s", g_strerror (errno)), FALSE;
  if (!sbx_write_new_file_at (dirfd, file, 0600, g_variant_get_data (v), g_variant_get_size (v), &error) &&
      !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_EXIST))
    return *why = g_strdup (error->message), FALSE;
  return TRUE;
}
