/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* scope.c: the systemd user scope that carries a sandbox's resource limits (scope.h). */
#include "scope.h"
#include "fd-util.h"
#include "log.h"
#include "sbx-error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib-unix.h>

#define SYSTEMD_BUS_NAME "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"
#define CGROUP_ROOT "/sys/fs/cgroup"
#define CALL_TIMEOUT_MS 30000
#define JOB_TIMEOUT_S 30
#define DEFAULT_CPU_PERIOD 100000

struct SbxScope {
  GDBusConnection *bus;
  char *unit;
  char *cgroup_dir; /* /sys/fs/cgroup/user.slice/.../sbx-x-1.scope */
  char *memory_limit_text;
  int events_fd; /* memory.events, -1 until watched */
  guint events_source;
  guint64 oom_kills;
};

/* ------------------------------------------------------------------ properties */

static void
add_property (GVariantBuilder *b, const char *name, GVariant *value)
{
  g_variant_builder_add (b, "(sv)", name, value);
}

/* "0-3,5" -> the bitmask systemd's AllowedCPUs takes (bit N of byte N/8). */
static GVariant *
cpu_list_to_mask (const char *what, const char *list, GError **error)
{
  g_auto(GStrv) ranges = g_strsplit (list, ",", -1);
  g_autoptr(GByteArray) mask = g_byte_array_new ();

  for (guint i = 0; ranges[i] != NULL; i++)
    {
      guint64 first, last;
      char *end;

      if (!g_ascii_isdigit (ranges[i][0]))
        goto bad;
      first = g_ascii_strtoull (ranges[i], &end, 10);
      last = first;
      if (*end == '-')
        {
          if (!g_ascii_isdigit (end[1]))
            goto bad;
          last = g_ascii_strtoull (end + 1, &end, 10);
        }
      if (*end != '\0' || last < first || last >= 8192)
        goto bad;
      for (guint64 n = first; n <= last; n++)
        {
          while (mask->len <= n / 8)
            g_byte_array_append (mask, (const guint8 *) "", 1);
          mask->data[n / 8] |= (guint8) (1u << (n % 8));
        }
    }
  return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, mask->data, mask->len, 1);
bad:
  g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
               "linux.resources.cpu.%s: '%s' is not a list like 0-3,5", what, list);
  return NULL;
}

static gboolean
add_memory_properties (GVariantBuilder *b, const SbxResources *r, GError **error)
{
  if (r->memory_limit > 0)
    add_property (b, "MemoryMax", g_variant_new_uint64 ((guint64) r->memory_limit));
  if (r->memory_reservation > 0)
    add_property (b, "MemoryLow", g_variant_new_uint64 ((guint64) r->memory_reservation));
  if (r->memory_swap == -1)
    add_property (b, "MemorySwapMax", g_variant_new_uint64 (G_MAXUINT64));
  else if (r->memory_swap > 0)
    {
      if (r->memory_limit <= 0 || r->memory_swap < r->memory_limit)
        {
          g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                       "memory swap (%" G_GINT64_FORMAT " bytes) counts memory plus swap: it needs a memory "
                       "limit at most as large (--memory with --memory-swap)",
                       r->memory_swap);
          return FALSE;
        }
      add_property (b, "MemorySwapMax", g_variant_new_uint64 ((guint64) (r->memory_swap - r->memory_limit)));
    }
  return TRUE;
}

static gboolean
add_cpu_properties (GVariantBuilder *b, const SbxResources *r, GError **error)
{
  GVariant *mask;

  if (r->cpu_quota > 0)
    {
      gint64 period = r->cpu_period > 0 ? r->cpu_period : DEFAULT_CPU_PERIOD;
      add_property (b, "CPUQuotaPerSecUSec",
                    g_variant_new_uint64 ((guint64) MAX (r->cpu_quota * 1000000 / period, 1000)));
    }
  if (r->cpu_shares > 0) /* 2..262144 -> 1..10000, as crun converts */
    add_property (b, "CPUWeight", g_variant_new_uint64 ((guint64) (1 + ((r->cpu_shares - 2) * 9999) / 262142)));
  if (r->cpus != NULL)
    {
      if ((mask = cpu_list_to_mask ("cpus", r->cpus, error)) == NULL)
        return FALSE;
      add_property (b, "AllowedCPUs", mask);
    }
  if (r->mems != NULL)
    {
      if ((mask = cpu_list_to_mask ("mems", r->mems, error)) == NULL)
        return FALSE;
      add_property (b, "AllowedMemoryNodes", mask);
    }
  return TRUE;
}

GVariant *
sbx_scope_properties (const SbxResources *r, const char *description, pid_t pid, GError **error)
{
  g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a(sv)"));
  guint32 pid32 = (guint32) pid;

  add_property (&b, "Description", g_variant_new_string (description));
  add_property (&b, "PIDs", g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32, &pid32, 1, sizeof pid32));
  add_property (&b, "Delegate", g_variant_new_boolean (TRUE));
  add_property (&b, "CollectMode", g_variant_new_string ("inactive-or-failed"));
  add_property (&b, "OOMPolicy", g_variant_new_string ("continue"));
  if (!add_memory_properties (&b, r, error) || !add_cpu_properties (&b, r, error))
    return NULL;
  if (r->pids_limit > 0)
    add_property (&b, "TasksMax", g_variant_new_uint64 ((guint64) r->pids_limit));
  if (r->blkio_weight > 0) /* 10..1000 -> 1..10000, as crun converts */
    add_property (&b, "IOWeight", g_variant_new_uint64 ((guint64) (1 + ((r->blkio_weight - 10) * 9999) / 990)));
  return g_variant_builder_end (&b);
}

/* ------------------------------------------------------------------ the bus */

static GDBusConnection *
connect_user_manager (GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &local_error);
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) version = NULL;

  if (address != NULL)
    bus = g_dbus_connection_new_for_address_sync (address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                  NULL, NULL, &local_error);
  if (bus == NULL)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "no session bus to reach the systemd user manager (%s; a desktop or `systemd --user` "
                                                       "session has one, `loginctl enable-linger` keeps one running)",
                   local_error->message);
      return NULL;
    }
  version = g_dbus_connection_call_sync (bus, SYSTEMD_BUS_NAME, SYSTEMD_PATH, "org.freedesktop.DBus.Properties",
                                         "Get", g_variant_new ("(ss)", SYSTEMD_MANAGER, "Version"),
                                         G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
                                         CALL_TIMEOUT_MS, NULL, &local_error);
  if (version == NULL)
    {
      g_dbus_error_strip_remote_error (local_error);
      g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "no systemd user manager on the session bus (%s; a desktop or `systemd --user` "
                                                       "session has one, `loginctl enable-linger` keeps one running)",
                   local_error->message);
      return NULL;
    }
  return g_steal_pointer (&bus);
}

SbxScope *
sbx_scope_connect (GError **error)
{
  g_autoptr(SbxScope) scope = NULL;

  if (!g_file_test (CGROUP_ROOT "/cgroup.controllers", G_FILE_TEST_EXISTS))
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED,
                   "cgroup v2 is not mounted at " CGROUP_ROOT " (this host has a v1 or hybrid layout)");
      return NULL;
    }
  scope = g_new0 (SbxScope, 1);
  scope->events_fd = -1;
  if ((scope->bus = connect_user_manager (error)) == NULL)
    return NULL;
  return g_steal_pointer (&scope);
}

SbxScope *
sbx_scope_connect_if_available (void)
{
  const char *runtime_dir = g_get_user_runtime_dir ();
  g_autofree char *manager = g_build_filename (runtime_dir, "systemd", "private", NULL);
  g_autofree char *bus = g_build_filename (runtime_dir, "bus", NULL);
  g_autoptr(GError) error = NULL;
  SbxScope *scope;

  if (!g_file_test (manager, G_FILE_TEST_EXISTS) ||
      (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL && !g_file_test (bus, G_FILE_TEST_EXISTS)))
    {
      sbx_debug ("supervisor", "settle-scope", "none: no systemd user manager (%s is not there)", manager);
      return NULL;
    }
  if ((scope = sbx_scope_connect (&error)) == NULL)
    sbx_debug ("supervisor", "settle-scope", "none: %s", error->message);
  return scope;
}

static GVariant *
call_manager (GDBusConnection *bus, const char *method, GVariant *parameters, const GVariantType *reply,
              GError **error)
{
  GVariant *result = g_dbus_connection_call_sync (bus, SYSTEMD_BUS_NAME, SYSTEMD_PATH, SYSTEMD_MANAGER, method,
                                                  parameters, reply, G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS,
                                                  NULL, error);
  if (result == NULL && error != NULL && *error != NULL)
    {
      g_dbus_error_strip_remote_error (*error);
      g_prefix_error (error, "systemd %s: ", method);
    }
  return result;
}

/* ------------------------------------------------------------------ starting a scope */

typedef struct {
  GHashTable *results; /* job path -> result, for every JobRemoved seen */
} JobWait;

static void
on_job_removed (GDBusConnection *bus, const char *sender, const char *path, const char *interface,
                const char *signal, GVariant *parameters, gpointer user_data)
{
  JobWait *wait = user_data;
  const char *job, *unit, *result;
  guint32 id;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(uoss)")))
    return;
  g_variant_get (parameters, "(u&o&s&s)", &id, &job, &unit, &result);
  g_hash_table_insert (wait->results, g_strdup (job), g_strdup (result));
}

static gboolean
on_job_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs @context until JobRemoved names @job, or the timeout.  Returns the job's result. */
static const char *
wait_for_job (GMainContext *context, JobWait *wait, const char *job)
{
  gboolean timed_out = FALSE;
  g_autoptr(GSource) timeout = g_timeout_source_new_seconds (JOB_TIMEOUT_S);

  g_source_set_callback (timeout, on_job_timeout, &timed_out, NULL);
  g_source_attach (timeout, context);
  while (!timed_out && !g_hash_table_contains (wait->results, job))
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
  return g_hash_table_lookup (wait->results, job);
}

gboolean
sbx_scope_attach (const char *unit, pid_t pid, GError **error)
{
  g_autoptr(GDBusConnection) bus = connect_user_manager (error);
  g_autoptr(GVariant) reply = NULL;
  GVariantBuilder pids;

  if (bus == NULL)
    return FALSE;
  g_variant_builder_init (&pids, G_VARIANT_TYPE ("au"));
  g_variant_builder_add (&pids, "u", (guint32) pid);
  reply = call_manager (bus, "AttachProcessesToUnit", g_variant_new ("(ssau)", unit, "", &pids), NULL, error);
  return reply != NULL;
}

static char *
cgroup_of (pid_t pid, GError **error)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cgroup", (int) pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "0::/"))
      return g_build_filename (CGROUP_ROOT, lines[i] + 3, NULL);
  g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "%s names no cgroup v2 path", path);
  return NULL;
}

static gboolean
start_unit (SbxScope *scope, GVariant *properties, GError **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GHashTable) results = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GVariant) subscribed = NULL;
  g_autoptr(GVariant) reply = NULL;
  JobWait wait = { results };
  const char *job, *result = NULL;
  guint subscription;

  g_main_context_push_thread_default (context);
  subscription = g_dbus_connection_signal_subscribe (scope->bus, SYSTEMD_BUS_NAME, SYSTEMD_MANAGER, "JobRemoved",
                                                     SYSTEMD_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                     on_job_removed, &wait, NULL);
  subscribed = call_manager (scope->bus, "Subscribe", NULL, NULL, NULL);
  reply = call_manager (scope->bus, "StartTransientUnit",
                        g_variant_new ("(ss@a(sv)@a(sa(sv)))", scope->unit, "fail", properties,
                                       g_variant_new_array (G_VARIANT_TYPE ("(sa(sv))"), NULL, 0)),
                        G_VARIANT_TYPE ("(o)"), error);
  if (reply != NULL)
    {
      g_variant_get (reply, "(&o)", &job);
      result = wait_for_job (context, &wait, job);
    }
  g_dbus_connection_signal_unsubscribe (scope->bus, subscription);
  g_main_context_pop_thread_default (context);
  if (reply == NULL)
    return FALSE;
  if (g_strcmp0 (result, "done") != 0)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "systemd could not start %s: %s", scope->unit,
                   result != NULL ? result : "no answer within 30 s");
      return FALSE;
    }
  return TRUE;
}

static char *
memory_limit_text (GVariant *properties)
{
  guint64 max = 0;
  const char *name;
  GVariant *value;
  GVariantIter iter;

  g_variant_iter_init (&iter, properties);
  while (g_variant_iter_loop (&iter, "(&sv)", &name, &value))
    if (g_str_equal (name, "MemoryMax"))
      max = g_variant_get_uint64 (value);
  {
    if (max >= 1 << 30)
      return g_strdup_printf ("MemoryMax=%.1f GiB", max / (double) (1 << 30));
    if (max > 0)
      return g_strdup_printf ("MemoryMax=%.1f MiB", max / (double) (1 << 20));
    return g_strdup ("MemorySwapMax or the host's memory");
  }
}

gboolean
sbx_scope_start (SbxScope *scope, const char *label, pid_t pid, GVariant *properties, GError **error)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (properties);

  scope->unit = g_strdup_printf ("sbx-%s-%d.scope", label, (int) pid);
  scope->memory_limit_text = memory_limit_text (owned);
  if (!start_unit (scope, owned, error))
    return g_prefix_error (error, "resource limits: "), FALSE;
  return (scope->cgroup_dir = cgroup_of (pid, error)) != NULL;
}

/* ------------------------------------------------------------------ watching it */

/* A cgroup file's "KEY VALUE" lines: the value of @key, or 0. */
static guint64
read_keyed (int fd, const char *key)
{
  char buf[1024];
  ssize_t n = pread (fd, buf, sizeof buf - 1, 0);
  g_auto(GStrv) lines = NULL;
  gsize key_len = strlen (key);

  if (n <= 0)
    return 0;
  buf[n] = '\0';
  lines = g_strsplit (buf, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strncmp (lines[i], key, key_len) == 0 && lines[i][key_len] == ' ')
      return g_ascii_strtoull (lines[i] + key_len + 1, NULL, 10);
  return 0;
}

static gboolean
on_memory_events (int fd, GIOCondition condition, gpointer user_data)
{
  SbxScope *scope = user_data;

  scope->oom_kills = MAX (scope->oom_kills, read_keyed (fd, "oom_kill"));
  return G_SOURCE_CONTINUE;
}

void
sbx_scope_watch (SbxScope *scope)
{
  g_autofree char *path = g_build_filename (scope->cgroup_dir, "memory.events", NULL);

  scope->events_fd = open (path, O_RDONLY | O_CLOEXEC);
  if (scope->events_fd < 0)
    {
      g_debug ("cannot watch %s: %s", path, g_strerror (errno));
      return;
    }
  scope->events_source = g_unix_fd_add (scope->events_fd, G_IO_PRI | G_IO_ERR, on_memory_events, scope);
}

guint64
sbx_scope_oom_kills (SbxScope *scope)
{
  if (scope->events_fd >= 0)
    scope->oom_kills = MAX (scope->oom_kills, read_keyed (scope->events_fd, "oom_kill"));
  return scope->oom_kills;
}

const char *
sbx_scope_memory_limit_text (SbxScope *scope)
{
  return scope->memory_limit_text;
}

const char *
sbx_scope_unit (SbxScope *scope)
{
  return scope->unit;
}

void
sbx_scope_free (SbxScope *scope)
{
  if (scope == NULL)
    return;
  g_clear_handle_id (&scope->events_source, g_source_remove);
  if (scope->events_fd >= 0)
    close (scope->events_fd);
  if (scope->bus != NULL)
    g_dbus_connection_close_sync (scope->bus, NULL, NULL);
  g_clear_object (&scope->bus);
  g_free (scope->unit);
  g_free (scope->cgroup_dir);
  g_free (scope->memory_limit_text);
  g_free (scope);
}

/* ------------------------------------------------------------------ `sbx stats` */

void
sbx_scope_stats_free (SbxScopeStats *stats)
{
  if (stats == NULL)
    return;
  g_free (stats->unit);
  g_free (stats->description);
  g_free (stats);
}

/* A cgroup file holding one number or "max" (G_MAXUINT64). */
static guint64
read_number (const char *dir, const char *file)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  if (g_str_has_prefix (contents, "max"))
    return G_MAXUINT64;
  return g_ascii_strtoull (contents, NULL, 10);
}

static SbxScopeStats *
stats_of_unit (GDBusConnection *bus, const char *unit, const char *description, const char *object_path)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *cpu_stat = NULL;
  SbxScopeStats *stats;
  sbx_autofd int cpu_fd = -1;

  reply = g_dbus_connection_call_sync (bus, SYSTEMD_BUS_NAME, object_path, "org.freedesktop.DBus.Properties",
                                       "Get", g_variant_new ("(ss)", "org.freedesktop.systemd1.Scope", "ControlGroup"),
                                       G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS, NULL, NULL);
  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(v)", &value);
  if (!g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) || *g_variant_get_string (value, NULL) != '/')
    return NULL;
  dir = g_build_filename (CGROUP_ROOT, g_variant_get_string (value, NULL), NULL);
  stats = g_new0 (SbxScopeStats, 1);
  stats->unit = g_strdup (unit);
  stats->description = g_strdup (description);
  stats->memory_current = read_number (dir, "memory.current");
  stats->memory_max = read_number (dir, "memory.max");
  stats->pids_current = read_number (dir, "pids.current");
  stats->pids_max = read_number (dir, "pids.max");
  cpu_stat = g_build_filename (dir, "cpu.stat", NULL);
  if ((cpu_fd = open (cpu_stat, O_RDONLY | O_CLOEXEC)) >= 0)
    stats->cpu_usage_usec = read_keyed (cpu_fd, "usage_usec");
  return stats;
}

/* "sbx-NAME-PID.scope" for @sandbox_name (not "sbx-NAME-2-PID.scope"). */
static gboolean
unit_is_sandbox (const char *unit, const char *sandbox_name)
{
  g_autofree char *prefix = g_strdup_printf ("sbx-%s-", sandbox_name);
  const char *rest;

  if (!g_str_has_prefix (unit, prefix))
    return FALSE;
  for (rest = unit + strlen (prefix); g_ascii_isdigit (*rest); rest++)
    ;
  return rest > unit + strlen (prefix) && g_str_equal (rest, ".scope");
}

GPtrArray *
sbx_scope_list_stats (const char *sandbox_name, GError **error)
{
  g_autoptr(GDBusConnection) bus = connect_user_manager (error);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) sbx_scope_stats_free);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariantIter) units = NULL;
  const char *states[] = { "active", NULL };
  const char *patterns[] = { "sbx-*.scope", NULL };
  const char *name, *description, *object_path;

  if (bus == NULL)
    return NULL;
  reply = call_manager (bus, "ListUnitsByPatterns", g_variant_new ("(^as^as)", states, patterns),
                        G_VARIANT_TYPE ("(a(ssssssouso))"), error);
  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(a(ssssssouso))", &units);
  while (g_variant_iter_loop (units, "(&s&s&s&s&s&s&ou&s&o)", &name, &description, NULL, NULL, NULL, NULL,
                              &object_path, NULL, NULL, NULL))
    {
      SbxScopeStats *stats;
      if (sandbox_name != NULL && !unit_is_sandbox (name, sandbox_name))
        continue;
      if ((stats = stats_of_unit (bus, name, description, object_path)) != NULL)
        g_ptr_array_add (list, stats);
    }
  return g_steal_pointer (&list);
}
