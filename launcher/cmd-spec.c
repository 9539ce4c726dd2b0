/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-spec.c: `sbx spec NAME|FILE [IMAGE] [-o DIR]`: the effective profile as an OCI runtime
 * bundle, DIR/config.json (spec.h) and DIR/rootfs, the image flattened
 * (storage/flatten.h) by the sbx-import helper in the store's user namespace.
 *
 * DIR defaults to ./bundle.  Everything is written into DIR.tmp-XXXXXX beside it and renamed
 * into place last, so DIR either appears complete or not at all; a DIR that exists and is not
 * an empty directory is refused before anything is done.  The rootfs belongs to subordinate
 * ids like the store's layers: remove a bundle with `podman unshare rm -rf DIR` or
 * `unshare --map-auto --map-root-user rm -rf DIR`. */
#include "cli.h"
#include "log.h"
#include "apparmor.h"
#include "flatten.h"
#include "import-helper.h"
#include "json-util.h"
#include "profile.h"
#include "resolve.h"
#include "sbx-error.h"
#include "spec.h"
#include "store.h"
#include "userns.h"
#include "fd-util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_BUNDLE_DIR "bundle"

typedef struct {
  char *dir;           /* the bundle, absolute */
  gboolean dir_exists; /* as an empty directory, replaced by the rename */
  char *staging;       /* DIR.tmp-XXXXXX, NULL once renamed or removed */
  gboolean has_rootfs; /* the staging holds a rootfs of subordinate ids */
} Bundle;

static void
bundle_clear (Bundle *bundle)
{
  g_clear_pointer (&bundle->dir, g_free);
  g_clear_pointer (&bundle->staging, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Bundle, bundle_clear)

static gboolean
dir_is_empty (const char *path, gboolean *out_empty, GError **error)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, error);

  if (dir == NULL)
    return FALSE;
  *out_empty = g_dir_read_name (dir) == NULL;
  return TRUE;
}

/* DIR may be missing (its parent must be a directory) or an empty directory. */
static gboolean
check_bundle_dir (Bundle *bundle, GError **error)
{
  g_autofree char *parent = g_path_get_dirname (bundle->dir);
  struct stat st;
  gboolean empty = FALSE;

  if (lstat (bundle->dir, &st) == 0)
    {
      if (!S_ISDIR (st.st_mode) || !dir_is_empty (bundle->dir, &empty, error) || !empty)
        {
          g_clear_error (error);
          g_set_error (error, SBX_ERROR, SBX_ERROR_EXISTS,
                       "spec: %s already exists and is not an empty directory", bundle->dir);
          return FALSE;
        }
      bundle->dir_exists = TRUE;
      return TRUE;
    }
  if (errno != ENOENT)
    return sbx_set_error_from_errno (error, errno, "spec: %s", bundle->dir);
  if (stat (parent, &st) < 0 || !S_ISDIR (st.st_mode))
    return sbx_set_error_from_errno (error, errno ? errno : ENOTDIR, "spec: %s", parent);
  return TRUE;
}

static gboolean
create_staging (Bundle *bundle, GError **error)
{
  g_autofree char *template = g_strconcat (bundle->dir, ".tmp-XXXXXX", NULL);

  if (g_mkdtemp_full (template, 0755) == NULL)
    return sbx_set_error_from_errno (error, errno, "spec: create %s", template);
  bundle->staging = g_steal_pointer (&template);
  return TRUE;
}

/* sbx-import --flatten, in the store's user namespace: the rootfs keeps the image's owners. */
static gboolean
flatten_rootfs (Bundle *bundle, const char *image_name, GError **error)
{
  g_autofree char *rootfs = g_build_filename (bundle->staging, "rootfs", NULL);
  const char *args[] = { "--flatten", image_name, rootfs, NULL };

  bundle->has_rootfs = TRUE;
  if (!sbx_import_helper_run (args, NULL, NULL, error))
    return g_prefix_error (error, "spec: "), FALSE;
  return TRUE;
}

static gboolean
write_config (Bundle *bundle, const SbxSpecSource *source_template, GError **error)
{
  g_autofree char *rootfs = g_build_filename (bundle->staging, "rootfs", NULL);
  sbx_autofd int rootfs_fd = open (rootfs, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  sbx_autofd int staging_fd = open (bundle->staging, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  SbxSpecSource source = *source_template;
  g_autoptr(json_t) config = NULL;
  g_autofree char *text = NULL;

  if (rootfs_fd < 0 || staging_fd < 0)
    return sbx_set_error_from_errno (error, errno, "spec: open %s", rootfs_fd < 0 ? rootfs : bundle->staging);
  source.rootfs_fd = rootfs_fd;
  if ((config = sbx_spec_build (&source, error)) == NULL ||
      (text = sbx_spec_to_data (config, error)) == NULL)
    return FALSE;
  return sbx_write_string_at (staging_fd, "config.json", O_CREAT | O_EXCL, 0644, text, error);
}

/* DIR appears complete or not at all; one made meanwhile is not replaced unless empty. */
static gboolean
publish_bundle (Bundle *bundle, GError **error)
{
  int r = bundle->dir_exists ? rename (bundle->staging, bundle->dir)
                             : renameat2 (AT_FDCWD, bundle->staging, AT_FDCWD, bundle->dir, RENAME_NOREPLACE);

  if (r < 0)
    {
      if (errno == EEXIST || errno == ENOTEMPTY || errno == ENOTDIR || errno == EISDIR)
        {
          g_set_error (error, SBX_ERROR, SBX_ERROR_EXISTS,
                       "spec: %s already exists and is not an empty directory", bundle->dir);
          return FALSE;
        }
      return sbx_set_error_from_errno (error, errno, "spec: rename %s to %s", bundle->staging, bundle->dir);
    }
  g_clear_pointer (&bundle->staging, g_free);
  return TRUE;
}

/* After a failure: the staging goes.  A rootfs of subordinate ids needs the store's user
 * namespace; entering it is the last thing this process does. */
static void
remove_staging (Bundle *bundle)
{
  g_autoptr(GError) error = NULL;
  gboolean single;

  if (bundle->staging == NULL)
    return;
  if (!sbx_flatten_remove (bundle->staging, &error) && bundle->has_rootfs)
    {
      g_clear_error (&error);
      if (sbx_userns_enter_store_namespace (&single, &error))
        sbx_flatten_remove (bundle->staging, &error);
    }
  if (error != NULL)
    sbx_warning ("could not remove %s: %s", bundle->staging, error->message);
}

static const char *
settle_image (const SbxProfile *profile, int argc, char **argv)
{
  if (argc == 3)
    return argv[2];
  return profile->image != NULL ? profile->image : SBX_DEFAULT_IMAGE_NAME;
}

/* Writes the bundle once the profile, its AppArmor need and the image are settled. */
static gboolean
make_bundle (Bundle *bundle, const SbxSpecSource *source, GError **error)
{
  gboolean ok = create_staging (bundle, error) &&
                flatten_rootfs (bundle, source->image->name, error) &&
                write_config (bundle, source, error) &&
                publish_bundle (bundle, error);

  if (!ok)
    remove_staging (bundle);
  return ok;
}

int
sbx_cmd_spec (int argc, char **argv, GError **error)
{
  g_autofree char *output = NULL;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      "Write the bundle to DIR (default: ./" DEFAULT_BUNDLE_DIR ")", "DIR" },
    { NULL }
  };
  g_auto(Bundle) bundle = { 0 };
  g_autoptr(SbxProfile) profile = NULL;
  g_autoptr(SbxStore) store = NULL;
  g_autoptr(SbxImage) image = NULL;
  SbxSpecSource source = { .rootfs_fd = -1 };
  SbxIdLayout ids;
  gboolean use_apparmor = FALSE;
  g_autofree char *apparmor_label = NULL;

  if (!sbx_cli_parse ("spec", "NAME|FILE [IMAGE]",
                      "Write a profile and an image as an OCI runtime bundle: DIR/config.json and\n"
                      "DIR/rootfs.  IMAGE defaults to the profile's sbx.image, else the embedded\n"
                      "\"default\" image.",
                      entries, FALSE, &argc, &argv, error))
    return SBX_EXIT_SBX_ERROR;
  if (argc < 2 || argc > 3)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                   "spec: expected NAME|FILE [IMAGE] (see 'sbx spec --help')");
      return SBX_EXIT_SBX_ERROR;
    }
  bundle.dir = g_canonicalize_filename (output != NULL && *output ? output : DEFAULT_BUNDLE_DIR, NULL);
  if (!check_bundle_dir (&bundle, error) ||
      (profile = sbx_profile_load (argv[1], NULL, error)) == NULL ||
      !sbx_apparmor_settle (profile->apparmor_profile, profile->apparmor_policy, profile->apparmor_userns, &use_apparmor,
                            &apparmor_label, error) ||
      !sbx_id_layout_for_caller (SBX_USERNS_DEFAULT, sbx_subuid_path (), sbx_subgid_path (), &ids, error) ||
      (store = sbx_store_open (NULL, error)) == NULL ||
      (image = sbx_image_resolve (store, settle_image (profile, argc, argv), NULL, error)) == NULL)
    return SBX_EXIT_SBX_ERROR;
  source = (SbxSpecSource) { .profile = profile, .image = image, .rootfs_fd = -1, .ids = &ids, .use_apparmor = use_apparmor, .apparmor_label = apparmor_label };
  if (!make_bundle (&bundle, &source, error))
    return SBX_EXIT_SBX_ERROR;
  return 0;
}
