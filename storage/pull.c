/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pull.c: pulling an image into a staging OCI layout and importing it (see pull.h).
 *
 * Owns tmp/pull/ (partial and verified downloads, their locks) and the progress display.
 * The layer threads share the client and the Puller; each job is touched by its one
 * thread, the shared counters are atomics, the first error is kept under the mutex. */
#include "pull.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-util.h"
#include "lockfile.h"
#include "import.h"
#include "json-util.h"
#include "registry-client.h"
#include "sbx-error.h"
#include "storage-private.h"

#define MAX_PARALLEL 3
#define MAX_CONFIG (16 * 1024 * 1024)
#define PROGRESS_INTERVAL_US (100 * 1000)

static const char * const layer_types[] = {
  "application/vnd.oci.image.layer.v1.tar",
  "application/vnd.oci.image.layer.v1.tar+gzip",
  "application/vnd.oci.image.layer.v1.tar+zstd",
  "application/vnd.docker.image.rootfs.diff.tar",
  "application/vnd.docker.image.rootfs.diff.tar.gzip",
};

typedef enum { JOB_WAITING,
               JOB_ACTIVE,
               JOB_DONE,
               JOB_PRESENT } JobState;

typedef struct {
  const SbxDescriptor *desc;
  const char *diff_id; /* layers: skip the download when the store has it */
  gint64 progress;     /* bytes in the file (atomic) */
  gint state;          /* JobState (atomic) */
} Job;

struct SbxPull {
  SbxStore *store;
  SbxPullOptions options;
  SbxReference *ref;
  char *name;
  char *error_prefix;
  SbxRegistryClient *client;
  SbxStaging *staging;
  int pull_dir_fd;
  GBytes *manifest;
  char *manifest_type;
  SbxManifest *parsed;
  GPtrArray *fetched; /* hex of the blobs linked into the staging (removed from tmp/pull after the commit) */
  /* the layer threads */
  GMutex lock;
  GCond cond;
  Job *jobs;
  guint n_jobs;
  gint next_job;
  guint finished;
  gint cancel;
  GError *error;
  guint drawn_lines;
};

/* ---------------------------------------------------------------------------
 * tmp/pull: locks, partial and verified blobs
 * ------------------------------------------------------------------------- */

/* flock(LOCK_EX) on tmp/pull/<hex>.lock, a file still linked under its name (a finished
 * pull unlinks it while holding it). */
static int
lock_blob (int dir_fd, const char *hex, GError **error)
{
  g_autofree char *name = g_strconcat (hex, ".lock", NULL);
  g_autofree char *display = g_strconcat ("tmp/pull/", name, NULL);

  return sbx_lock_file_linked (dir_fd, name, LOCK_EX, 10, display, error);
}

/* Feeds the first @size bytes of @fd to @checksum. */
static gboolean
hash_existing (int fd, gint64 size, GChecksum *checksum, GError **error)
{
  g_autofree guchar *buf = g_malloc (1 << 16);
  gint64 done = 0;

  while (done < size)
    {
      ssize_t n = pread (fd, buf, MIN ((gint64) (1 << 16), size - done), done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return sbx_set_error_from_errno (error, n < 0 ? errno : EIO, "reading a partial download"), FALSE;
      g_checksum_update (checksum, buf, n);
      done += n;
    }
  return TRUE;
}

/* Downloads (or resumes) <hex>.partial; TRUE when it now holds the verified blob. */
static gboolean
download_partial (SbxPull *pull, Job *job, const char *partial, GError **error)
{
  const SbxDescriptor *desc = job->desc;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  sbx_autofd int fd = openat (pull->pull_dir_fd, partial, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  SbxBlobSink sink = { .fd = fd, .limit = desc->size, .checksum = checksum, .progress = &job->progress, .cancel = &pull->cancel };
  g_autofree char *actual = NULL;
  struct stat st;

  if (fd < 0 || fstat (fd, &st) < 0)
    return sbx_set_error_from_errno (error, errno, "tmp/pull/%s", partial);
  sink.offset = st.st_size <= desc->size ? st.st_size : 0;
  if ((sink.offset == 0 && ftruncate (fd, 0) < 0) || lseek (fd, sink.offset, SEEK_SET) < 0)
    return sbx_set_error_from_errno (error, errno, "tmp/pull/%s", partial);
  if (!hash_existing (fd, sink.offset, checksum, error))
    return FALSE;
  __atomic_store_n (&job->progress, sink.offset, __ATOMIC_RELAXED);
  if (sink.offset < desc->size && !sbx_registry_client_get_blob (pull->client, desc->digest, &sink, error))
    {
      if (g_error_matches (*error, SBX_ERROR, SBX_ERROR_BAD_IMAGE))
        (void) unlinkat (pull->pull_dir_fd, partial, 0);
      return FALSE;
    }
  if (sink.offset != desc->size)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE, "blob %s: truncated: got %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " bytes", desc->digest, sink.offset, desc->size), FALSE;
  actual = g_strconcat ("sha256:", g_checksum_get_string (checksum), NULL);
  if (strcmp (actual, desc->digest) != 0)
    {
      (void) unlinkat (pull->pull_dir_fd, partial, 0);
      return g_set_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE, "blob %s: digest mismatch (got %s)",
                          desc->digest, actual),
             FALSE;
    }
  if (fsync (fd) < 0)
    return sbx_set_error_from_errno (error, errno, "tmp/pull/%s", partial);
  return TRUE;
}

static gboolean
link_into_staging (SbxPull *pull, const char *hex, GError **error)
{
  g_autofree char *dest = g_build_filename (pull->staging->path, "blobs", "sha256", hex, NULL);

  if (linkat (pull->pull_dir_fd, hex, AT_FDCWD, dest, 0) < 0 && errno != EEXIST)
    return sbx_set_error_from_errno (error, errno, "linking tmp/pull/%s into the staging layout", hex);
  return TRUE;
}

static gboolean
layer_in_store (SbxPull *pull, const char *diff_id)
{
  g_autofree char *path = diff_id ? sbx_store_layer_path (pull->store, diff_id) : NULL;
  return path != NULL && g_file_test (path, G_FILE_TEST_IS_DIR);
}

/* Under the lock of a blob that failed: the lock file goes too when nothing is left to resume. */
static void
drop_lock_unless_partial (SbxPull *pull, const char *hex, const char *partial)
{
  g_autofree char *lock_name = g_strconcat (hex, ".lock", NULL);
  struct stat st;

  if (fstatat (pull->pull_dir_fd, partial, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT &&
      fstatat (pull->pull_dir_fd, hex, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT &&
      unlinkat (pull->pull_dir_fd, lock_name, 0) < 0)
    g_debug ("removing tmp/pull/%s: %s", lock_name, g_strerror (errno));
}

/* Makes blob @job available in the staging layout, under its lock. */
static gboolean
fetch_blob (SbxPull *pull, Job *job, GError **error)
{
  const char *hex = sbx_digest_hex (job->desc->digest);
  g_autofree char *partial = g_strconcat (hex, ".partial", NULL);
  sbx_autofd int lock_fd = lock_blob (pull->pull_dir_fd, hex, error);
  struct stat st;

  if (lock_fd < 0)
    return FALSE;
  g_atomic_int_set (&job->state, JOB_ACTIVE);
  if (layer_in_store (pull, job->diff_id))
    return g_atomic_int_set (&job->state, JOB_PRESENT), TRUE;
  if (fstatat (pull->pull_dir_fd, hex, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG (st.st_mode) ||
      st.st_size != job->desc->size)
    {
      if (!download_partial (pull, job, partial, error))
        return drop_lock_unless_partial (pull, hex, partial), FALSE;
      if (renameat (pull->pull_dir_fd, partial, pull->pull_dir_fd, hex) < 0)
        return sbx_set_error_from_errno (error, errno, "renaming tmp/pull/%s", partial);
    }
  __atomic_store_n (&job->progress, job->desc->size, __ATOMIC_RELAXED);
  if (!link_into_staging (pull, hex, error))
    return FALSE;
  g_mutex_lock (&pull->lock);
  g_ptr_array_add (pull->fetched, g_strdup (hex));
  g_mutex_unlock (&pull->lock);
  g_atomic_int_set (&job->state, JOB_DONE);
  return TRUE;
}

/* Removes the verified tmp/pull/<hex> (and its lock) once the image is in the store. */
static void
release_blob (SbxPull *pull, const char *hex)
{
  g_autofree char *lock_name = g_strconcat (hex, ".lock", NULL);
  sbx_autofd int lock_fd = lock_blob (pull->pull_dir_fd, hex, NULL);

  if (lock_fd < 0)
    return;
  if (unlinkat (pull->pull_dir_fd, hex, 0) < 0 && errno != ENOENT)
    g_debug ("removing tmp/pull/%s: %s", hex, g_strerror (errno));
  if (unlinkat (pull->pull_dir_fd, lock_name, 0) < 0)
    g_debug ("removing tmp/pull/%s: %s", lock_name, g_strerror (errno));
}

/* Verified blobs do not outlive the pull that linked them (a killed pull's do: the next reuses them). */
static void
release_fetched (SbxPull *pull)
{
  for (guint i = 0; pull->pull_dir_fd >= 0 && i < pull->fetched->len; i++)
    release_blob (pull, g_ptr_array_index (pull->fetched, i));
  g_ptr_array_set_size (pull->fetched, 0);
}

/* ---------------------------------------------------------------------------
 * Progress
 * ------------------------------------------------------------------------- */

static gboolean
show_progress (SbxPull *pull)
{
  return !pull->options.quiet && pull->options.progress_fd >= 0 && isatty (pull->options.progress_fd);
}

static void
append_job_line (GString *out, Job *job, gint64 *done, gint64 *total)
{
  gint64 bytes = __atomic_load_n (&job->progress, __ATOMIC_RELAXED);
  JobState state = g_atomic_int_get (&job->state);
  g_autofree char *have = g_format_size (bytes);
  g_autofree char *size = g_format_size (job->desc->size);
  const char *what = state == JOB_PRESENT ? "already in the store" : state == JOB_DONE  ? "done"
                                                                 : state == JOB_WAITING ? "waiting"
                                                                                        : NULL;

  *total += job->desc->size;
  *done += state == JOB_PRESENT ? job->desc->size : bytes;
  g_string_append_printf (out, "\r\033[Klayer %.12s  ", sbx_digest_hex (job->desc->digest));
  if (what)
    g_string_append_printf (out, "%-24s %s\n", what, size);
  else
    g_string_append_printf (out, "%10s / %-10s %3d%%\n", have, size,
                            job->desc->size > 0 ? (int) (bytes * 100 / job->desc->size) : 100);
}

static void
draw_progress (SbxPull *pull)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *done_text = NULL;
  g_autofree char *total_text = NULL;
  gint64 done = 0, total = 0;

  if (!show_progress (pull) || pull->n_jobs == 0)
    return;
  if (pull->drawn_lines > 0)
    g_string_append_printf (out, "\033[%uA", pull->drawn_lines);
  for (guint i = 0; i < pull->n_jobs; i++)
    append_job_line (out, &pull->jobs[i], &done, &total);
  done_text = g_format_size (done);
  total_text = g_format_size (total);
  g_string_append_printf (out, "\r\033[Ktotal %s / %s\n", done_text, total_text);
  pull->drawn_lines = pull->n_jobs + 1;
  (void) sbx_write_all (pull->options.progress_fd, out->str, out->len, NULL);
}

/* ---------------------------------------------------------------------------
 * Parallel layer downloads
 * ------------------------------------------------------------------------- */

static gpointer
layer_worker (gpointer data)
{
  SbxPull *pull = data;
  gint i;

  while ((i = g_atomic_int_add (&pull->next_job, 1)) < (gint) pull->n_jobs)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = !g_atomic_int_get (&pull->cancel) && fetch_blob (pull, &pull->jobs[i], &error);

      g_mutex_lock (&pull->lock);
      if (!ok && error && pull->error == NULL)
        {
          pull->error = g_steal_pointer (&error);
          g_atomic_int_set (&pull->cancel, 1);
        }
      pull->finished++;
      g_cond_signal (&pull->cond);
      g_mutex_unlock (&pull->lock);
    }
  return NULL;
}

static gboolean
run_jobs (SbxPull *pull, GError **error)
{
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  g_autoptr(GError) spawn_error = NULL;
  guint n_threads = MIN (MAX_PARALLEL, pull->n_jobs);

  for (guint i = 0; i < n_threads && spawn_error == NULL; i++)
    {
      GThread *thread = g_thread_try_new ("sbx-pull", layer_worker, pull, &spawn_error);
      if (thread != NULL)
        g_ptr_array_add (threads, thread);
    }
  if (spawn_error != NULL)
    g_atomic_int_set (&pull->cancel, 1);
  g_mutex_lock (&pull->lock);
  while (spawn_error == NULL && pull->finished < pull->n_jobs && pull->error == NULL)
    {
      g_cond_wait_until (&pull->cond, &pull->lock, g_get_monotonic_time () + PROGRESS_INTERVAL_US);
      draw_progress (pull);
    }
  g_mutex_unlock (&pull->lock);
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));
  draw_progress (pull);
  if (pull->error != NULL)
    return g_propagate_error (error, g_steal_pointer (&pull->error)), FALSE;
  if (spawn_error != NULL)
    return g_propagate_error (error, g_steal_pointer (&spawn_error)), FALSE;
  return TRUE;
}

/* ---------------------------------------------------------------------------
 * Manifest, config, staging layout
 * ------------------------------------------------------------------------- */

static gboolean
check_digest (GBytes *bytes, const SbxDescriptor *desc, const char *what, GError **error)
{
  g_autofree char *hex = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);

  if (desc->size >= 0 && (gint64) g_bytes_get_size (bytes) != desc->size)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE, "%s %s: size mismatch (expected %" G_GINT64_FORMAT ", got %" G_GSIZE_FORMAT ")", what, desc->digest, desc->size, g_bytes_get_size (bytes)), FALSE;
  if (strcmp (hex, sbx_digest_hex (desc->digest)) != 0)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE, "%s %s: digest mismatch (got sha256:%s)",
                        what, desc->digest, hex),
           FALSE;
  return TRUE;
}

static gboolean
fetch_manifest (SbxPull *pull, const SbxDescriptor *pinned, GError **error)
{
  const char *reference = pinned ? pinned->digest : sbx_reference_manifest_ref (pull->ref);
  g_autofree char *content_type = NULL;

  g_clear_pointer (&pull->manifest, g_bytes_unref);
  g_clear_pointer (&pull->parsed, sbx_manifest_free);
  pull->manifest = sbx_registry_client_get_manifest (pull->client, reference, &content_type, error);
  if (pull->manifest == NULL)
    return FALSE;
  if (pinned && !check_digest (pull->manifest, pinned, "manifest", error))
    return FALSE;
  if (!pinned && pull->ref->digest)
    {
      SbxDescriptor by_digest = { .digest = pull->ref->digest, .size = -1 };
      if (!check_digest (pull->manifest, &by_digest, "manifest", error))
        return FALSE;
    }
  pull->parsed = sbx_manifest_parse (pull->manifest, content_type, NULL, NULL, NULL, error);
  g_free (pull->manifest_type);
  pull->manifest_type = g_steal_pointer (&content_type);
  return pull->parsed != NULL;
}

/* The manifest (through at most one index). */
static gboolean
resolve_manifest (SbxPull *pull, GError **error)
{
  SbxDescriptor chosen = { NULL };
  gboolean ok;

  if (!fetch_manifest (pull, NULL, error))
    return FALSE;
  if (!pull->parsed->is_index)
    return TRUE;
  chosen = pull->parsed->chosen;
  pull->parsed->chosen = (SbxDescriptor) { NULL };
  ok = fetch_manifest (pull, &chosen, error);
  if (ok && pull->parsed->is_index)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE, "manifest %s: an index inside an index", chosen.digest);
      ok = FALSE;
    }
  sbx_descriptor_clear (&chosen);
  return ok;
}

static gboolean
check_layer_types (SbxPull *pull, GError **error)
{
  for (guint i = 0; i < pull->parsed->layers->len; i++)
    {
      const SbxDescriptor *layer = &g_array_index (pull->parsed->layers, SbxDescriptor, i);
      gboolean known = FALSE;

      for (guint t = 0; t < G_N_ELEMENTS (layer_types); t++)
        known = known || g_strcmp0 (layer->media_type, layer_types[t]) == 0;
      if (!known)
        return g_set_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE, "layer %s has unsupported media type '%s'",
                            layer->digest, layer->media_type ? layer->media_type : "(none)"),
               FALSE;
    }
  return TRUE;
}

/* Reads the verified config blob from the staging layout; its rootfs.diff_ids. */
static char **
read_diff_ids (SbxPull *pull, GError **error)
{
  g_autofree char *path = g_build_filename (pull->staging->path, "blobs", "sha256",
                                            sbx_digest_hex (pull->parsed->config.digest), NULL);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;
  char **diff_ids = NULL;
  g_autoptr(json_t) root = NULL;
  json_t *rootfs;

  if (!g_file_get_contents (path, &data, &len, &local_error) ||
      (root = sbx_json_parse_checked (data, len, &local_error)) == NULL)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE, "config %s: %s", pull->parsed->config.digest,
                        local_error->message),
           NULL;
  rootfs = sbx_json_get_object (json_is_object (root) ? root : NULL, "rootfs");
  if (rootfs == NULL || !sbx_json_object_get_strv (rootfs, "diff_ids", &diff_ids) || diff_ids == NULL)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE, "config %s: no rootfs.diff_ids",
                        pull->parsed->config.digest),
           NULL;
  if (g_strv_length (diff_ids) != pull->parsed->layers->len)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE, "the manifest has %u layers but its config %u diff_ids",
                   pull->parsed->layers->len, g_strv_length (diff_ids));
      return g_strfreev (diff_ids), NULL;
    }
  return diff_ids;
}

static gboolean
fetch_config_and_layers (SbxPull *pull, GError **error)
{
  g_autofree Job *jobs = g_new0 (Job, pull->parsed->layers->len + 1);
  Job config = { .desc = &pull->parsed->config };
  g_auto(GStrv) diff_ids = NULL;

  if (pull->parsed->config.size > MAX_CONFIG)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE, "config %s is larger than 16 MiB",
                        pull->parsed->config.digest),
           FALSE;
  if (!fetch_blob (pull, &config, error) || (diff_ids = read_diff_ids (pull, error)) == NULL)
    return FALSE;
  pull->jobs = jobs;
  pull->n_jobs = pull->parsed->layers->len;
  for (guint i = 0; i < pull->n_jobs; i++)
    {
      jobs[i].desc = &g_array_index (pull->parsed->layers, SbxDescriptor, i);
      jobs[i].diff_id = sbx_digest_is_valid (diff_ids[i]) ? diff_ids[i] : NULL;
    }
  draw_progress (pull);
  if (!run_jobs (pull, error))
    return FALSE;
  pull->jobs = NULL;
  pull->n_jobs = 0;
  return TRUE;
}

static const char *
manifest_media_type (SbxPull *pull)
{
  if (g_strcmp0 (pull->manifest_type, "application/vnd.docker.distribution.manifest.v2+json") == 0)
    return pull->manifest_type;
  return "application/vnd.oci.image.manifest.v1+json";
}

static gboolean
write_layout (SbxPull *pull, GError **error)
{
  g_autofree char *hex = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, pull->manifest);
  g_autofree char *index = g_strdup_printf ("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\","
                                            "\"digest\":\"sha256:%s\",\"size\":%" G_GSIZE_FORMAT "}]}",
                                            manifest_media_type (pull), hex, g_bytes_get_size (pull->manifest));
  g_autofree char *blob = g_strconcat ("blobs/sha256/", hex, NULL);
  sbx_autofd int dir_fd = open (pull->staging->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  g_autofree char *data = g_strndup (g_bytes_get_data (pull->manifest, NULL), g_bytes_get_size (pull->manifest));

  if (dir_fd < 0)
    return sbx_set_error_from_errno (error, errno, "%s", pull->staging->path);
  if (memchr (g_bytes_get_data (pull->manifest, NULL), '\0', g_bytes_get_size (pull->manifest)) != NULL)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE, "the manifest contains a NUL byte"), FALSE;
  return sbx_write_string_at (dir_fd, blob, O_CREAT | O_EXCL, 0644, data, error) &&
         sbx_write_string_at (dir_fd, "index.json", O_CREAT | O_EXCL, 0644, index, error) &&
         sbx_write_string_at (dir_fd, "oci-layout", O_CREAT | O_EXCL, 0644,
                              "{\"imageLayoutVersion\":\"1.0.0\"}", error);
}

static gboolean
prepare_dirs (SbxPull *pull, GError **error)
{
  g_autofree char *dir = g_build_filename (sbx_store_get_root (pull->store), "tmp", "pull", NULL);
  g_autofree char *blobs = NULL;

  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    return sbx_set_error_from_errno (error, errno, "creating %s", dir);
  pull->pull_dir_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (pull->pull_dir_fd < 0)
    return sbx_set_error_from_errno (error, errno, "opening %s", dir);
  if ((pull->staging = sbx_store_staging_new (pull->store, error)) == NULL)
    return FALSE;
  if (strchr (pull->staging->path, ':') != NULL)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "the store's path %s contains a ':'",
                        sbx_store_get_root (pull->store)),
           FALSE;
  blobs = g_build_filename (pull->staging->path, "blobs", "sha256", NULL);
  return sbx_mkdir_p (blobs, 0700, error);
}

/* ---------------------------------------------------------------------------
 * The pull
 * ------------------------------------------------------------------------- */

void
sbx_pull_free (SbxPull *pull)
{
  if (pull == NULL)
    return;
  release_fetched (pull);
  sbx_reference_free (pull->ref);
  g_free (pull->name);
  g_free (pull->error_prefix);
  sbx_registry_client_free (pull->client);
  g_clear_pointer (&pull->staging, sbx_staging_free);
  if (pull->pull_dir_fd >= 0)
    close (pull->pull_dir_fd);
  g_clear_pointer (&pull->manifest, g_bytes_unref);
  g_free (pull->manifest_type);
  sbx_manifest_free (pull->parsed);
  g_ptr_array_unref (pull->fetched);
  g_clear_error (&pull->error);
  g_mutex_clear (&pull->lock);
  g_cond_clear (&pull->cond);
  g_free (pull);
}

const char *
sbx_pull_get_name (SbxPull *pull)
{
  return pull->name;
}

static SbxPull *
pull_new (SbxStore *store, SbxReference *ref, const SbxPullOptions *options)
{
  SbxPull *pull = g_new0 (SbxPull, 1);

  pull->store = store;
  pull->options = *options;
  pull->ref = ref;
  pull->name = sbx_reference_to_string (ref);
  pull->error_prefix = g_strdup_printf ("pull %s from %s: ", pull->name, ref->registry);
  pull->pull_dir_fd = -1;
  pull->fetched = g_ptr_array_new_with_free_func (g_free);
  g_mutex_init (&pull->lock);
  g_cond_init (&pull->cond);
  return pull;
}

/* Manifest of one candidate reference. */
static SbxPull *
try_candidate (SbxStore *store, SbxReference *ref, const SbxPullOptions *options,
               const SbxRegistriesConf *conf, GError **error)
{
  g_autoptr(SbxPull) pull = pull_new (store, ref, options);
  gboolean tls_verify = options->tls_verify && !sbx_registries_conf_is_insecure (conf, ref->registry);

  if ((pull->client = sbx_registry_client_new (ref, tls_verify, error)) == NULL ||
      !resolve_manifest (pull, error))
    return g_prefix_error (error, "%s", pull->error_prefix), NULL;
  return g_steal_pointer (&pull);
}

SbxPull *
sbx_pull_fetch (SbxStore *store, const char *text, const SbxPullOptions *options, GError **error)
{
  g_autoptr(SbxRegistriesConf) conf = sbx_registries_conf_load (error);
  g_autoptr(GPtrArray) candidates = conf ? sbx_registry_resolve (conf, text, error) : NULL;
  g_autoptr(SbxPull) pull = NULL;

  if (candidates == NULL || !sbx_registry_client_global_init (error))
    return NULL;
  while (pull == NULL)
    {
      g_autoptr(GError) local_error = NULL;
      SbxReference *ref = g_ptr_array_steal_index (candidates, 0);

      pull = try_candidate (store, ref, options, conf, &local_error);
      if (pull == NULL && (candidates->len == 0 || !g_error_matches (local_error, SBX_ERROR, SBX_ERROR_NOT_FOUND)))
        return g_propagate_error (error, g_steal_pointer (&local_error)), NULL;
    }
  if (!check_layer_types (pull, error) || !prepare_dirs (pull, error) ||
      !fetch_config_and_layers (pull, error) || !write_layout (pull, error))
    return g_prefix_error (error, "%s", pull->error_prefix), NULL;
  return g_steal_pointer (&pull);
}

/* "oci:/.../tmp/staging-x: layer ...: message" -> "layer ...: message". */
static void
strip_source_prefix (GError *error, const char *source)
{
  g_autofree char *prefix = g_strconcat (source, ": ", NULL);

  if (error && g_str_has_prefix (error->message, prefix))
    {
      char *rest = g_strdup (error->message + strlen (prefix));
      g_free (error->message);
      error->message = rest;
    }
}

SbxImage *
sbx_pull_commit (SbxPull *pull, SbxUnpackFlags flags, GError **error)
{
  g_autofree char *source = g_strconcat ("oci:", pull->staging->path, NULL);
  SbxImage *image = sbx_store_import (pull->store, source, pull->name, flags, error);

  if (image == NULL)
    {
      strip_source_prefix (*error, source);
      return g_prefix_error (error, "%s", pull->error_prefix), NULL;
    }
  release_fetched (pull);
  return image;
}
