/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* run-state.h: the registrations of running sandboxes, for `sbx ps`, `stop`, `kill` and
 * `inspect`.
 *
 * Every run, named or not, writes $XDG_RUNTIME_DIR/sbx/state/ID.json (0600 in a 0700
 * directory; written to a temporary file and renamed) once its setup process is forked, and
 * removes it when the run ends.  ID is 12 random hex characters, like Podman's short ids.
 *
 * A registration is live while its supervisor runs: the process with its pid exists, in
 * the same boot, and started at the same time (/proc/PID/stat field 22, clock ticks since
 * boot), so neither a killed run (kill -9: the file stays) nor a pid reused by another
 * process passes for a running sandbox.  Listing removes the stale ones.  A registration
 * made in another pid namespace cannot be checked from here: it is neither listed nor
 * removed. */
#pragma once

#include <glib.h>
#include <jansson.h>
#include <sys/types.h>

G_BEGIN_DECLS

#define SBX_RUN_ID_LENGTH 12
/* The shortest id prefix that `stop`, `kill` and `inspect` accept, as Podman. */
#define SBX_RUN_ID_MIN_PREFIX 3

typedef struct {
  char *id;   /* 12 hex characters */
  char *name; /* --name, or NULL */
  char *image;
  char *profile;            /* the profile asked for: a name or a file */
  char *profile_path;       /* a named sandbox's effective profile file, or NULL */
  json_t *profile_json;     /* read from a registration: the effective profile (overrides applied), or NULL */
  char *profile_text;       /* to register: the same as one line of JSON (saved as it is), or NULL */
  json_t *exec;             /* what `sbx exec` needs of the run's plan (plan.h), or NULL */
  char **command;           /* the command as run (argv) */
  pid_t supervisor_pid;     /* the `sbx run` process */
  guint64 supervisor_start; /* its start time: /proc/PID/stat field 22 */
  pid_t setup_pid;          /* the setup process: the parent of the sandbox's pid 1 */
  gint64 created;           /* unix time */
  char *network;            /* "slirp", "none", "host" */
  char **ports;             /* -p specs, as given */
  char *scope;              /* the systemd scope unit, or NULL */
  char *run_dir;            /* the run directory, or NULL */
  char *boot_id;            /* /proc/sys/kernel/random/boot_id */
  char *pid_namespace;      /* "pid:[INODE]" of the supervisor */
  char *path;               /* the state file */
} SbxRunState;

void sbx_run_state_free (SbxRunState *state);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxRunState, sbx_run_state_free)

/* Gives @state a fresh id, the caller's pid, start time, boot and pid namespace and the
 * current time, and writes it.  FALSE with @error naming the file. */
gboolean sbx_run_state_register (SbxRunState *state, GError **error);

/* Removes @state's file and frees it (the run's cleanup). */
void sbx_run_state_unregister (SbxRunState *state);

/* The start time (/proc/PID/stat field 22) and parent of @pid; FALSE when it is gone. */
gboolean sbx_proc_stat (pid_t pid, guint64 *out_start, pid_t *out_ppid);

/* The live registrations, oldest first; stale ones are removed on the way. */
GPtrArray *sbx_run_state_list (GError **error);

/* TRUE while @state's supervisor runs (same boot, pid namespace, pid and start time). */
gboolean sbx_run_state_is_live (const SbxRunState *state);

/* In @live (from sbx_run_state_list): the registration with id @key, else name @key, else
 * the one whose id starts with @key (at least SBX_RUN_ID_MIN_PREFIX characters).  NULL
 * when none: @error unset; or when several ids start with @key: @error names them. */
SbxRunState *sbx_run_state_find (GPtrArray *live, const char *key, GError **error);

/* The live registration of @key (as sbx_run_state_find); NULL with @error: "no running
 * sandbox 'KEY'" (SBX_ERROR_NOT_FOUND), or an ambiguous prefix. */
SbxRunState *sbx_run_state_find_running (const char *key, GError **error);

/* The sandbox's pid 1 as seen from here (the setup process's child), else its setup pid. */
pid_t sbx_run_state_init_pid (const SbxRunState *state);

G_END_DECLS
