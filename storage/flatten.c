/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* flatten.c: an image's layers, merged lowest first, into one directory (see flatten.h).
 *
 * Each layer is walked without recursion (its depth is the image's to choose): a stack of
 * directory paths relative to the layer root, each directory opened afresh from the layer's
 * root and from the destination's with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), so a
 * walk holds four descriptors however deep it goes.  Directory modes and times are applied
 * last, deepest first, once nothing more is written into them; the topmost layer holding a
 * directory decides them. */
#include "flatten.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fd-util.h"
#include "sbx-error.h"
#include "storage-private.h"

#define COPY_CHUNK (1 << 30)
#define READ_BUFFER_SIZE (128 * 1024)

typedef struct {
  char *path; /* relative to the destination, "." for its root */
  guint depth;
  mode_t mode;
  struct timespec times[2];
} DirMeta;

static void
dir_meta_free (DirMeta *meta)
{
  g_free (meta->path);
  g_free (meta);
}

typedef struct {
  int dest_fd;       /* the destination root, O_RDONLY | O_DIRECTORY */
  int layer_fd;      /* the current layer's root */
  const char *label; /* the current layer's directory */
  SbxFlattenFlags flags;
  GHashTable *dirs;  /* path -> DirMeta */
  GHashTable *links; /* "dev:ino" of a multiply linked file in this layer -> its path */
} Flattener;

/* ------------------------------------------------------------------ small helpers */

static gboolean
entry_errno (Flattener *f, const char *path, const char *op, GError **error)
{
  int errsv = errno;
  g_autofree char *escaped = g_strescape (path, NULL);
  return sbx_set_error_from_errno (error, errsv, "flatten %s: '%s': %s", f->label, escaped, op);
}

static char *
child_path (const char *dir, const char *name)
{
  return g_str_equal (dir, ".") ? g_strdup (name) : g_strconcat (dir, "/", name, NULL);
}

static guint
path_depth (const char *path)
{
  guint depth = g_str_equal (path, ".") ? 0 : 1;

  for (const char *p = path; *p; p++)
    depth += *p == '/';
  return depth;
}

static gboolean
is_whiteout (const struct stat *st)
{
  return S_ISCHR (st->st_mode) && st->st_rdev == 0;
}

static gboolean
xattr_is_overlay_control (const char *name)
{
  return g_str_has_prefix (name, "user.overlay.") || g_str_has_prefix (name, "trusted.overlay.") ||
         g_str_has_prefix (name, "user.fuseoverlayfs.");
}

/* Privileged namespaces (and filesystems without xattrs) whose refusal is not the image's
 * fault.  A file capability is never dropped quietly. */
static gboolean
xattr_may_be_skipped (const char *name, int errsv)
{
  if (g_str_equal (name, "security.capability"))
    return FALSE;
  if (errsv == ENOTSUP)
    return TRUE;
  return errsv == EPERM && (g_str_has_prefix (name, "trusted.") || g_str_has_prefix (name, "security.") ||
                            g_str_has_prefix (name, "system."));
}

static gboolean
check_chown (Flattener *f, int result, const char *path, GError **error)
{
  if (result == 0)
    return TRUE;
  if ((f->flags & SBX_FLATTEN_IGNORE_CHOWN_ERRORS) && (errno == EPERM || errno == EINVAL))
    return TRUE;
  return entry_errno (f, path, "chown", error);
}

static gboolean
is_opaque (int dir_fd)
{
  static const char * const names[] = { "user.overlay.opaque", "user.fuseoverlayfs.opaque",
                                        "trusted.overlay.opaque" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      char value[2];
      ssize_t n = fgetxattr (dir_fd, names[i], value, sizeof value);
      if (n == 1 && value[0] == 'y')
        return TRUE;
    }
  return FALSE;
}

/* The xattr names of @fd, as one NUL-separated list; NULL with errno on failure. */
static char *
list_xattrs (int fd, ssize_t *out_len)
{
  for (guint attempt = 0; attempt < 8; attempt++)
    {
      g_autofree char *names = NULL;
      ssize_t len = flistxattr (fd, NULL, 0);

      if (len < 0)
        return NULL;
      names = g_malloc (len + 1);
      *out_len = flistxattr (fd, names, len);
      if (*out_len >= 0)
        return g_steal_pointer (&names);
      if (errno != ERANGE)
        return NULL;
    }
  errno = ERANGE;
  return NULL;
}

static gboolean
copy_one_xattr (Flattener *f, int src_fd, int dst_fd, const char *name, const char *path, GError **error)
{
  g_autofree char *value = NULL;
  ssize_t len = fgetxattr (src_fd, name, NULL, 0);

  if (len >= 0)
    {
      value = g_malloc (len + 1);
      len = fgetxattr (src_fd, name, value, len);
    }
  if (len < 0)
    return errno == ENODATA ? TRUE : entry_errno (f, path, name, error);
  if (fsetxattr (dst_fd, name, value, len, 0) == 0)
    return TRUE;
  if (xattr_may_be_skipped (name, errno))
    {
      g_debug ("flatten %s: '%s': cannot set %s: %s", f->label, path, name, g_strerror (errno));
      return TRUE;
    }
  return entry_errno (f, path, name, error);
}

static gboolean
name_in_list (const char *list, ssize_t len, const char *name)
{
  for (const char *p = list; p < list + len; p += strlen (p) + 1)
    if (g_str_equal (p, name))
      return TRUE;
  return FALSE;
}

/* Gives @dst_fd the xattrs of @src_fd (overlay control ones excepted); with @replace, also
 * removes what @dst_fd has and @src_fd has not (a directory a lower layer made). */
static gboolean
copy_xattrs (Flattener *f, int src_fd, int dst_fd, const char *path, gboolean replace, GError **error)
{
  ssize_t src_len = 0, dst_len = 0;
  g_autofree char *src_names = list_xattrs (src_fd, &src_len);
  g_autofree char *dst_names = NULL;

  if (src_names == NULL && errno != ENOTSUP)
    return entry_errno (f, path, "listxattr", error);
  if (replace && (dst_names = list_xattrs (dst_fd, &dst_len)) != NULL)
    for (const char *p = dst_names; p < dst_names + dst_len; p += strlen (p) + 1)
      if ((src_names == NULL || !name_in_list (src_names, src_len, p)) &&
          fremovexattr (dst_fd, p) < 0 && !xattr_may_be_skipped (p, errno) && errno != ENODATA)
        return entry_errno (f, path, "removexattr", error);
  for (const char *p = src_names; p != NULL && p < src_names + src_len; p += strlen (p) + 1)
    if (!xattr_is_overlay_control (p) && !copy_one_xattr (f, src_fd, dst_fd, p, path, error))
      return FALSE;
  return TRUE;
}

/* Owner, xattrs, mode (after chown, which clears setuid bits and file capabilities), times. */
static gboolean
copy_file_metadata (Flattener *f, int src_fd, int dst_fd, const struct stat *st, const char *path,
                    GError **error)
{
  const struct timespec times[2] = { st->st_atim, st->st_mtim };

  if (!check_chown (f, fchown (dst_fd, st->st_uid, st->st_gid), path, error) ||
      !copy_xattrs (f, src_fd, dst_fd, path, FALSE, error))
    return FALSE;
  if (fchmod (dst_fd, st->st_mode & 07777) < 0)
    return entry_errno (f, path, "chmod", error);
  if (futimens (dst_fd, times) < 0)
    return entry_errno (f, path, "utimens", error);
  return TRUE;
}

/* Removes whatever the destination has at @name (a whole tree for a directory). */
static gboolean
clear_slot (Flattener *f, int dst_dir_fd, const char *name, const char *path, GError **error)
{
  if (!sbx_rm_rf_at (dst_dir_fd, name, error))
    return g_prefix_error (error, "flatten %s: '%s': ", f->label, path), FALSE;
  return TRUE;
}

/* ------------------------------------------------------------------ entries */

static gboolean
copy_data (Flattener *f, int src_fd, int dst_fd, const char *path, GError **error)
{
  g_autofree guint8 *buffer = NULL;

  for (;;)
    {
      ssize_t n = copy_file_range (src_fd, NULL, dst_fd, NULL, COPY_CHUNK, 0);
      if (n > 0)
        continue;
      if (n == 0)
        return TRUE;
      if (errno == EINTR)
        continue;
      if (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)
        break; /* another filesystem or no support: plain reads and writes */
      return entry_errno (f, path, "copy", error);
    }
  buffer = g_malloc (READ_BUFFER_SIZE);
  for (;;)
    {
      ssize_t n = read (src_fd, buffer, READ_BUFFER_SIZE);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return entry_errno (f, path, "read", error);
      if (n == 0)
        return TRUE;
      if (!sbx_write_all (dst_fd, buffer, n, error))
        return g_prefix_error (error, "flatten %s: '%s': ", f->label, path), FALSE;
    }
}

/* A second name of a file this layer already gave us: a hardlink to our copy.  FALSE (and
 * no error) when it cannot be linked: the caller copies instead. */
static gboolean
link_to_copy (Flattener *f, const char *key, int dst_dir_fd, const char *name)
{
  const char *target = g_hash_table_lookup (f->links, key);
  g_autofree char *parent = NULL;
  const char *slash;
  sbx_autofd int parent_fd = -1;

  if (target == NULL)
    return FALSE;
  slash = strrchr (target, '/');
  parent = slash != NULL ? g_strndup (target, slash - target) : g_strdup (".");
  parent_fd = sbx_openat_beneath (f->dest_fd, parent, O_PATH | O_DIRECTORY, TRUE);
  return parent_fd >= 0 && linkat (parent_fd, slash != NULL ? slash + 1 : target, dst_dir_fd, name, 0) == 0;
}

static gboolean
copy_regular (Flattener *f, int src_dir_fd, int dst_dir_fd, const char *name, const char *path,
              const struct stat *st, GError **error)
{
  g_autofree char *key = st->st_nlink > 1 ? g_strdup_printf ("%ju:%ju", (uintmax_t) st->st_dev,
                                                             (uintmax_t) st->st_ino)
                                          : NULL;
  sbx_autofd int src_fd = -1;
  sbx_autofd int dst_fd = -1;

  if (!clear_slot (f, dst_dir_fd, name, path, error))
    return FALSE;
  if (key != NULL && link_to_copy (f, key, dst_dir_fd, name))
    return TRUE;
  src_fd = openat (src_dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
  if (src_fd < 0)
    return entry_errno (f, path, "open", error);
  dst_fd = openat (dst_dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (dst_fd < 0)
    return entry_errno (f, path, "create", error);
  if (!copy_data (f, src_fd, dst_fd, path, error) ||
      !copy_file_metadata (f, src_fd, dst_fd, st, path, error))
    return FALSE;
  if (key != NULL)
    g_hash_table_insert (f->links, g_steal_pointer (&key), g_strdup (path));
  return TRUE;
}

/* Owner and times of an entry we cannot open (a symlink, a fifo), set by name. */
static gboolean
set_metadata_at (Flattener *f, int dst_dir_fd, const char *name, const char *path,
                 const struct stat *st, GError **error)
{
  const struct timespec times[2] = { st->st_atim, st->st_mtim };

  if (!check_chown (f, fchownat (dst_dir_fd, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW), path, error))
    return FALSE;
  if (utimensat (dst_dir_fd, name, times, AT_SYMLINK_NOFOLLOW) < 0)
    return entry_errno (f, path, "utimens", error);
  return TRUE;
}

/* Symlinks are copied as they are: their targets mean something only inside the rootfs. */
static gboolean
copy_symlink (Flattener *f, int src_dir_fd, int dst_dir_fd, const char *name, const char *path,
              const struct stat *st, GError **error)
{
  g_autofree char *target = g_malloc (PATH_MAX + 1);
  ssize_t len = readlinkat (src_dir_fd, name, target, PATH_MAX);

  if (len < 0)
    return entry_errno (f, path, "readlink", error);
  target[len] = '\0';
  if (!clear_slot (f, dst_dir_fd, name, path, error))
    return FALSE;
  if (symlinkat (target, dst_dir_fd, name) < 0)
    return entry_errno (f, path, "symlink", error);
  return set_metadata_at (f, dst_dir_fd, name, path, st, error);
}

static gboolean
copy_fifo (Flattener *f, int dst_dir_fd, const char *name, const char *path, const struct stat *st,
           GError **error)
{
  if (!clear_slot (f, dst_dir_fd, name, path, error))
    return FALSE;
  if (mkfifoat (dst_dir_fd, name, 0600) < 0)
    return entry_errno (f, path, "mkfifo", error);
  if (!set_metadata_at (f, dst_dir_fd, name, path, st, error))
    return FALSE;
  /* Just made by us in a directory only we write: not a symlink. */
  if (fchmodat (dst_dir_fd, name, st->st_mode & 07777, 0) < 0)
    return entry_errno (f, path, "chmod", error);
  return TRUE;
}

static void
remember_dir (Flattener *f, const char *path, const struct stat *st)
{
  DirMeta *meta = g_new0 (DirMeta, 1);

  meta->path = g_strdup (path);
  meta->depth = path_depth (path);
  meta->mode = st->st_mode & 07777;
  meta->times[0] = st->st_atim;
  meta->times[1] = st->st_mtim;
  g_hash_table_replace (f->dirs, meta->path, meta);
}

/* Empties directory @dir_fd of the destination (under an opaque directory). */
static gboolean
clear_dir (Flattener *f, int dir_fd, const char *path, GError **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  int copy = fcntl (dir_fd, F_DUPFD_CLOEXEC, 3);
  DIR *dir = copy >= 0 ? fdopendir (copy) : NULL;
  struct dirent *dent;

  if (dir == NULL)
    {
      if (copy >= 0)
        close (copy);
      return entry_errno (f, path, "opendir", error);
    }
  while ((dent = readdir (dir)) != NULL)
    if (!g_str_equal (dent->d_name, ".") && !g_str_equal (dent->d_name, ".."))
      g_ptr_array_add (names, g_strdup (dent->d_name));
  closedir (dir);
  for (guint i = 0; i < names->len; i++)
    if (!clear_slot (f, dir_fd, g_ptr_array_index (names, i), path, error))
      return FALSE;
  return TRUE;
}

/* Merges the layer's directory into the destination's (@dst_fd, open): its owner and xattrs
 * now, its mode and times at the end; an opaque one first loses what lower layers put there. */
static gboolean
merge_dir_metadata (Flattener *f, int src_fd, int dst_fd, const char *path, const struct stat *st,
                    GError **error)
{
  if (is_opaque (src_fd) && !clear_dir (f, dst_fd, path, error))
    return FALSE;
  if (!check_chown (f, fchown (dst_fd, st->st_uid, st->st_gid), path, error) ||
      !copy_xattrs (f, src_fd, dst_fd, path, TRUE, error))
    return FALSE;
  remember_dir (f, path, st);
  return TRUE;
}

static gboolean
merge_dir (Flattener *f, int src_dir_fd, int dst_dir_fd, const char *name, const char *path,
           const struct stat *st, GError **error)
{
  sbx_autofd int src_fd = openat (src_dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  sbx_autofd int dst_fd = -1;
  struct stat dst_st;

  if (src_fd < 0)
    return entry_errno (f, path, "open", error);
  if (fstatat (dst_dir_fd, name, &dst_st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR (dst_st.st_mode) &&
      !clear_slot (f, dst_dir_fd, name, path, error))
    return FALSE;
  if (mkdirat (dst_dir_fd, name, 0700) < 0 && errno != EEXIST)
    return entry_errno (f, path, "mkdir", error);
  dst_fd = openat (dst_dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dst_fd < 0)
    return entry_errno (f, path, "open", error);
  return merge_dir_metadata (f, src_fd, dst_fd, path, st, error);
}

static gboolean
apply_entry (Flattener *f, int src_dir_fd, int dst_dir_fd, const char *name, const char *path,
             GPtrArray *pending, GError **error)
{
  struct stat st;

  if (fstatat (src_dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return entry_errno (f, path, "stat", error);
  if (is_whiteout (&st))
    return clear_slot (f, dst_dir_fd, name, path, error);
  switch (st.st_mode & S_IFMT)
    {
    case S_IFDIR:
      if (!merge_dir (f, src_dir_fd, dst_dir_fd, name, path, &st, error))
        return FALSE;
      g_ptr_array_add (pending, g_strdup (path));
      return TRUE;
    case S_IFREG:
      return copy_regular (f, src_dir_fd, dst_dir_fd, name, path, &st, error);
    case S_IFLNK:
      return copy_symlink (f, src_dir_fd, dst_dir_fd, name, path, &st, error);
    case S_IFIFO:
      return copy_fifo (f, dst_dir_fd, name, path, &st, error);
    default:
      /* unpack.c keeps no devices or sockets but whiteouts: nothing else to carry over. */
      g_debug ("flatten %s: '%s': skipping a special file", f->label, path);
      return TRUE;
    }
}

/* Opens directory @path beneath @root_fd for reading, never through a symlink. */
static int
open_dir_beneath (Flattener *f, int root_fd, const char *path, GError **error)
{
  int fd = sbx_openat_beneath (root_fd, path, O_RDONLY | O_DIRECTORY, TRUE);

  if (fd < 0)
    entry_errno (f, path, "open", error);
  return fd;
}

/* Applies every entry of the layer's directory @path; its subdirectories go on @pending. */
static gboolean
apply_dir (Flattener *f, const char *path, GPtrArray *pending, GError **error)
{
  sbx_autofd int src_fd = open_dir_beneath (f, f->layer_fd, path, error);
  sbx_autofd int dst_fd = -1;
  int copy;
  DIR *dir;
  struct dirent *dent;
  gboolean ok = TRUE;

  if (src_fd < 0 || (dst_fd = open_dir_beneath (f, f->dest_fd, path, error)) < 0)
    return FALSE;
  copy = fcntl (src_fd, F_DUPFD_CLOEXEC, 3);
  if (copy < 0 || (dir = fdopendir (copy)) == NULL)
    {
      if (copy >= 0)
        close (copy);
      return entry_errno (f, path, "opendir", error);
    }
  while (ok && (errno = 0, dent = readdir (dir)) != NULL)
    {
      g_autofree char *child = NULL;

      if (g_str_equal (dent->d_name, ".") || g_str_equal (dent->d_name, ".."))
        continue;
      child = child_path (path, dent->d_name);
      ok = apply_entry (f, src_fd, dst_fd, dent->d_name, child, pending, error);
    }
  if (ok && errno != 0)
    ok = entry_errno (f, path, "readdir", error);
  closedir (dir);
  return ok;
}

static gboolean
apply_layer (Flattener *f, const char *layer_dir, GError **error)
{
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func (g_free);
  sbx_autofd int layer_fd = open (layer_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;

  f->label = layer_dir;
  if (layer_fd < 0 || fstat (layer_fd, &st) < 0)
    return sbx_set_error_from_errno (error, errno, "flatten: open %s", layer_dir);
  f->layer_fd = layer_fd;
  g_hash_table_remove_all (f->links);
  if (!merge_dir_metadata (f, layer_fd, f->dest_fd, ".", &st, error))
    return FALSE;
  g_ptr_array_add (pending, g_strdup ("."));
  while (pending->len > 0)
    {
      g_autofree char *path = g_ptr_array_steal_index (pending, pending->len - 1);
      if (!apply_dir (f, path, pending, error))
        return FALSE;
    }
  f->layer_fd = -1;
  return TRUE;
}

static gint
compare_deeper_first (gconstpointer a, gconstpointer b)
{
  const DirMeta *meta_a = *(DirMeta * const *) a;
  const DirMeta *meta_b = *(DirMeta * const *) b;

  return (gint) meta_b->depth - (gint) meta_a->depth;
}

/* Directory modes and times, deepest first, now that nothing more goes into them.  A
 * directory a higher layer deleted or replaced is skipped. */
static gboolean
apply_dir_modes (Flattener *f, GError **error)
{
  g_autoptr(GPtrArray) dirs = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, f->dirs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (dirs, value);
  g_ptr_array_sort (dirs, compare_deeper_first);
  for (guint i = 0; i < dirs->len; i++)
    {
      DirMeta *meta = g_ptr_array_index (dirs, i);
      sbx_autofd int fd = sbx_openat_beneath (f->dest_fd, meta->path, O_RDONLY | O_DIRECTORY, TRUE);

      if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP))
        continue;
      if (fd < 0)
        return entry_errno (f, meta->path, "open", error);
      if (fchmod (fd, meta->mode) < 0)
        return entry_errno (f, meta->path, "chmod", error);
      if (futimens (fd, meta->times) < 0)
        return entry_errno (f, meta->path, "utimens", error);
    }
  return TRUE;
}

/* ------------------------------------------------------------------ the API */

static gboolean
flatten_into (const char * const *layer_dirs, int dest_fd, SbxFlattenFlags flags, GError **error)
{
  g_autoptr(GHashTable) dirs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                       (GDestroyNotify) dir_meta_free);
  g_autoptr(GHashTable) links = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  Flattener f = { .dest_fd = dest_fd, .layer_fd = -1, .label = "", .flags = flags, .dirs = dirs, .links = links };

  for (guint i = 0; layer_dirs[i] != NULL; i++)
    if (!apply_layer (&f, layer_dirs[i], error))
      return FALSE;
  f.label = "rootfs";
  return apply_dir_modes (&f, error);
}

gboolean
sbx_flatten_layers (const char * const *layer_dirs, const char *dest, SbxFlattenFlags flags,
                    GError **error)
{
  sbx_autofd int dest_fd = -1;
  g_autoptr(GError) cleanup_error = NULL;

  if (mkdir (dest, 0700) < 0)
    return sbx_set_error_from_errno (error, errno, "flatten: create %s", dest);
  dest_fd = open (dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dest_fd >= 0 && flatten_into (layer_dirs, dest_fd, flags, error))
    return TRUE;
  if (dest_fd < 0)
    sbx_set_error_from_errno (error, errno, "flatten: open %s", dest);
  if (!sbx_flatten_remove (dest, &cleanup_error))
    g_debug ("flatten: leaving %s: %s", dest, cleanup_error->message);
  return FALSE;
}

gboolean
sbx_flatten_remove (const char *path, GError **error)
{
  if (!sbx_rm_rf_at (AT_FDCWD, path, error))
    return g_prefix_error (error, "remove %s: ", path), FALSE;
  return TRUE;
}
