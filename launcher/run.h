/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* run.h: `sbx run`: the run pipeline, from a profile and an image name to the command's
 * exit status. */
#pragma once

#include <glib.h>
#include "profile.h"

G_BEGIN_DECLS

typedef struct {
  const char *name;              /* a named sandbox (kept across runs), or NULL */
  gboolean start_existing;       /* `sbx start`: the named sandbox must exist */
  const char *profile;           /* name or file; NULL: the named sandbox's, else "default" */
  SbxProfileOverrides overrides; /* --env, --volume, --cap-add, --security-opt, ... */
  const char *image;             /* NULL: the profile's sbx.image */
  char **command;                /* NULL or empty: the profile's process.args, else the image's Cmd */
  const char *entrypoint;        /* NULL: the image's Entrypoint; "": none */
  const char *user;              /* NULL: the profile's process.user, else the image's User */
  const char *workdir;           /* NULL: the profile's process.cwd, else the image's WorkingDir */
  const char *storage_driver;    /* NULL: $SBX_STORAGE_DRIVER, the profile's, storage.conf's, else auto */
  const char *userns;            /* NULL: the profile's sbx.userns */
  const char *network;           /* NULL: the profile's sbx.network.mode */
  char **publish;                /* -p, after the profile's */
  char **net_allow, **net_deny;  /* --net-allow, --net-deny, after the profile's rules */
  gboolean log_net;              /* --log-net: a line per denied connection or datagram */
  gboolean tls_verify_off;       /* --tls-verify=false: the implicit pull may skip TLS checks */
  gboolean file_forwarding;      /* --file-forwarding: "@@ FILE... @@" / "@@u URI... @@" in the command */
  gboolean tty;                  /* -t, or the profile's process.terminal */
  gboolean interactive;          /* -i: with -t, what is typed goes to the pty (also when stdin is a tty) */
  gboolean log_dbus;             /* --log-dbus (or SBX_LOG_DBUS=1): the D-Bus proxies' traces on stderr */
} SbxRunOptions;

/* Runs one sandbox to its end.  TRUE with *out_status = the command's exit status
 * (128+N when signal N killed it); FALSE with @error when sbx itself failed or the
 * command could not be started (see sbx_error_exit_status for 125/126/127). */
gboolean sbx_run (const SbxRunOptions *options, int *out_status, GError **error);

G_END_DECLS
