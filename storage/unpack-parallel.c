/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* unpack-parallel.c: an image's layers unpacked at once, one thread per core.
 *
 * Layers are independent until the commit (each goes to its own staging directory), so
 * they are unpacked side by side, largest blob first (the longest job starts first and
 * the small ones fill the other cores).  The first layer to fail stops the others at
 * their next entry; the error reported is the first real failure in the image's order. */
#include "unpack-parallel.h"

#include <sys/stat.h>
#include <gio/gio.h>

#include "sbx-error.h"

typedef struct {
  const SbxUnpackJob *jobs;
  guint *order; /* indexes into jobs, largest first */
  guint n_jobs;
  gint next;   /* the next position in order to take (atomic) */
  gint failed; /* set on the first failure: the cancel flag of every job (atomic) */
  guint64 *sizes;
  GError **errors;
} Batch;

static goffset
job_cost (const SbxUnpackJob *job)
{
  struct stat st;

  if (job->length >= 0)
    return job->length;
  return fstat (job->blob_fd, &st) == 0 ? st.st_size - job->offset : 0;
}

static void
sort_largest_first (Batch *batch)
{
  g_autofree goffset *cost = g_new (goffset, batch->n_jobs);

  for (guint i = 0; i < batch->n_jobs; i++)
    {
      cost[i] = job_cost (&batch->jobs[i]);
      batch->order[i] = i;
    }
  /* Insertion sort: an image has tens of layers at most. */
  for (guint i = 1; i < batch->n_jobs; i++)
    for (guint j = i; j > 0 && cost[batch->order[j]] > cost[batch->order[j - 1]]; j--)
      {
        guint t = batch->order[j];
        batch->order[j] = batch->order[j - 1];
        batch->order[j - 1] = t;
      }
}

static gpointer
worker (gpointer data)
{
  Batch *batch = data;
  gint position;

  while ((position = g_atomic_int_add (&batch->next, 1)) < (gint) batch->n_jobs)
    {
      guint i = batch->order[position];
      SbxUnpackJob job = batch->jobs[i];

      job.cancel = &batch->failed;
      if (!sbx_unpack_blob (&job, &batch->sizes[i], &batch->errors[i]))
        g_atomic_int_set (&batch->failed, 1);
    }
  return NULL;
}

/* The first error in the image's order that is not another layer's "cancelled". */
static gboolean
take_error (Batch *batch, GError **error)
{
  gint first = -1;

  for (guint i = 0; i < batch->n_jobs; i++)
    {
      if (batch->errors[i] == NULL)
        continue;
      if (first < 0)
        first = (gint) i;
      if (!g_error_matches (batch->errors[i], SBX_ERROR, SBX_ERROR_FAILED) ||
          !g_str_has_suffix (batch->errors[i]->message, ": cancelled"))
        {
          first = (gint) i;
          break;
        }
    }
  if (first < 0)
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&batch->errors[first]));
  return FALSE;
}

gboolean
sbx_unpack_parallel (const SbxUnpackJob *jobs, guint n_jobs, guint64 *out_sizes, GError **error)
{
  g_autofree guint *order = g_new0 (guint, MAX (n_jobs, 1));
  g_autofree GError **errors = g_new0 (GError *, MAX (n_jobs, 1));
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  Batch batch = { .jobs = jobs, .order = order, .n_jobs = n_jobs, .sizes = out_sizes, .errors = errors };
  guint n_threads = MIN (n_jobs, (guint) MAX (g_get_num_processors (), 1));
  gboolean ok;

  sort_largest_first (&batch);
  /* This thread is one of the workers. */
  for (guint i = 1; i < n_threads; i++)
    {
      g_autoptr(GError) local_error = NULL;
      GThread *thread = g_thread_try_new ("sbx-unpack", worker, &batch, &local_error);

      if (thread == NULL)
        {
          g_debug ("unpacking with %u threads: %s", i, local_error->message);
          break;
        }
      g_ptr_array_add (threads, thread);
    }
  worker (&batch);
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));
  ok = take_error (&batch, error);
  for (guint i = 0; i < n_jobs; i++)
    g_clear_error (&errors[i]);
  return ok;
}
