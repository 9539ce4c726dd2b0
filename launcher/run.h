/* run.h: `sbx run`: the run pipeline, from an image name to the command's exit status. */
#pragma once

#include <glib.h>
#include "idmap.h"
#include "netopts.h"

G_BEGIN_DECLS

typedef struct {
  const char *image;
  char **command;          /* NULL or empty: the image's Cmd */
  const char *entrypoint;  /* NULL: the image's Entrypoint; "": none */
  char **env;              /* extra "KEY=VALUE" entries, after the image's */
  const char *user;        /* NULL: the image's User (keep-id: the caller's ids) */
  const char *workdir;     /* NULL: the image's WorkingDir */
  const char *hostname;    /* NULL: the default */
  const char *storage_driver; /* NULL: fuse-overlayfs, or $SBX_STORAGE_DRIVER */
  SbxUsernsMode userns;
  const SbxNetOptions *net;   /* never NULL */
} SbxRunOptions;

/* Runs one sandbox to its end.  TRUE with *out_status = the command's exit status
 * (128+N when signal N killed it); FALSE with @error when sbx itself failed or the
 * command could not be started (see sbx_error_exit_status for 125/126/127). */
gboolean sbx_run (const SbxRunOptions *options, int *out_status, GError **error);

G_END_DECLS
