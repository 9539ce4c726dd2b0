/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-root.c: the root filesystem of the built-in image "host" (host-root.h). */
#include "host-root.h"
#include "caller-account.h"
#include "fd-util.h"
#include "log.h"
#include "mounts.h"
#include "run-dir.h"
#include "sbx-error.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <grp.h>
#include <string.h>
#include <unistd.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

typedef enum {
  HOST_BIND,         /* the host's path, read-only; skipped when the host lacks it */
  HOST_LINK_OR_BIND, /* a symlink where the host has one (merged /usr), else a read-only bind */
  HOST_DIR,          /* an empty directory of the sandbox's own */
  HOST_TMPFS,        /* a private tmpfs (mode in data) */
} HostEntryKind;

typedef struct {
  const char *path; /* inside, relative to the root */
  HostEntryKind kind;
  const char *data; /* HOST_TMPFS: mount options */
  const char *why;
} HostEntry;

/* What a sandbox on "host" sees of the host.  Never: /home, /root, /etc/shadow, gshadow,
 * sudoers, ssh, ssl/private, machine-id, NetworkManager, the host's /tmp, /run, /var. */
static const HostEntry host_table[] = {
  { "usr", HOST_BIND, NULL, "the installed programs, libraries and their data" },
  { "bin", HOST_LINK_OR_BIND, NULL, "merged /usr: a link to usr/bin (or the host's own /bin)" },
  { "sbin", HOST_LINK_OR_BIND, NULL, "merged /usr" },
  { "lib", HOST_LINK_OR_BIND, NULL, "merged /usr: the dynamic loader's path" },
  { "lib32", HOST_LINK_OR_BIND, NULL, "merged /usr, multilib hosts" },
  { "lib64", HOST_LINK_OR_BIND, NULL, "merged /usr: the x86-64 loader's path" },
  { "libx32", HOST_LINK_OR_BIND, NULL, "merged /usr, x32 hosts" },
  { "opt", HOST_BIND, NULL, "apps installed outside the package manager (Chrome, Zoom...)" },
  { "etc", HOST_DIR, NULL, "filled from the entries below only" },
  { "etc/alternatives", HOST_BIND, NULL, "Debian's alternatives: x-www-browser, editor... resolve through it" },
  { "etc/fonts", HOST_BIND, NULL, "fontconfig's configuration" },
  { "etc/ssl/certs", HOST_BIND, NULL, "CA certificates for TLS (never ssl/private)" },
  { "etc/ssl/openssl.cnf", HOST_BIND, NULL, "OpenSSL's configuration" },
  { "etc/ca-certificates", HOST_BIND, NULL, "local CA certificates" },
  { "etc/pki", HOST_BIND, NULL, "CA certificates on hosts that keep them here" },
  { "etc/ld.so.cache", HOST_BIND, NULL, "the dynamic loader's cache" },
  { "etc/ld.so.conf", HOST_BIND, NULL, "the dynamic loader's configuration" },
  { "etc/ld.so.conf.d", HOST_BIND, NULL, "the dynamic loader's configuration" },
  { "etc/localtime", HOST_BIND, NULL, "the time zone" },
  { "etc/timezone", HOST_BIND, NULL, "the time zone's name" },
  { "etc/locale.alias", HOST_BIND, NULL, "locale names" },
  { "etc/default/locale", HOST_BIND, NULL, "the default locale" },
  { "etc/nsswitch.conf", HOST_BIND, NULL, "how names are looked up (files for passwd below)" },
  { "etc/host.conf", HOST_BIND, NULL, "resolver options" },
  { "etc/gai.conf", HOST_BIND, NULL, "address selection" },
  { "etc/protocols", HOST_BIND, NULL, "protocol names" },
  { "etc/services", HOST_BIND, NULL, "port names" },
  { "etc/mime.types", HOST_BIND, NULL, "file types" },
  { "etc/mailcap", HOST_BIND, NULL, "file type handlers" },
  { "etc/os-release", HOST_LINK_OR_BIND, NULL, "what system this is (apps show it in about boxes)" },
  { "etc/debian_version", HOST_BIND, NULL, "what system this is" },
  { "etc/lsb-release", HOST_BIND, NULL, "what system this is" },
  { "etc/xdg", HOST_BIND, NULL, "system-wide XDG configuration (autostart excluded by nothing: read-only)" },
  { "etc/gtk-2.0", HOST_BIND, NULL, "GTK 2 settings" },
  { "etc/gtk-3.0", HOST_BIND, NULL, "GTK 3 settings" },
  { "etc/dconf", HOST_BIND, NULL, "dconf's system defaults (read-only)" },
  { "etc/pulse", HOST_BIND, NULL, "PulseAudio's client configuration" },
  { "etc/alsa", HOST_BIND, NULL, "ALSA's configuration" },
  { "etc/asound.conf", HOST_BIND, NULL, "ALSA's configuration" },
  { "etc/X11", HOST_BIND, NULL, "X11 client configuration (Xresources, Xsession.d read-only)" },
  { "etc/mime", HOST_BIND, NULL, "MIME database configuration" },
  { "etc/profile", HOST_BIND, NULL, "login shells' environment" },
  { "etc/profile.d", HOST_BIND, NULL, "login shells' environment" },
  { "etc/bash.bashrc", HOST_BIND, NULL, "interactive bash" },
  { "etc/inputrc", HOST_BIND, NULL, "readline" },
  { "etc/shells", HOST_BIND, NULL, "valid login shells" },
  { "etc/vim", HOST_BIND, NULL, "vim's system vimrc" },
  { "etc/firefox-esr", HOST_BIND, NULL, "Firefox ESR's system preferences" },
  { "etc/chromium", HOST_BIND, NULL, "Chromium's system policies" },
  { "etc/chromium.d", HOST_BIND, NULL, "Chromium's launcher defaults" },
  { "etc/thunderbird", HOST_BIND, NULL, "Thunderbird's system preferences" },
  { "etc/libreoffice", HOST_BIND, NULL, "LibreOffice's system configuration" },
  { "etc/gimp", HOST_BIND, NULL, "GIMP's system configuration" },
  { "etc/vlc", HOST_BIND, NULL, "VLC's system configuration" },
  { "tmp", HOST_TMPFS, "mode=1777", "a private /tmp" },
  { "var", HOST_TMPFS, "mode=0755", "a private /var" },
  { "var/tmp", HOST_DIR, NULL, "a private /var/tmp (on /var's tmpfs)" },
  { "var/cache/fontconfig", HOST_BIND, NULL, "the host's font cache: fonts load without a rebuild" },
  { "run", HOST_TMPFS, "mode=0755", "a private /run (XDG_RUNTIME_DIR is made below it)" },
  { "home", HOST_DIR, NULL, "the user's home goes below it (the profile's sbx.home)" },
  { "root", HOST_DIR, NULL, "root's home, empty" },
  { "proc", HOST_DIR, NULL, "the sandbox's own /proc is mounted here" },
  { "sys", HOST_DIR, NULL, "the sandbox's /sys is mounted here" },
  { "dev", HOST_DIR, NULL, "a minimal /dev is mounted here" },
  { "mnt", HOST_DIR, NULL, "an empty mount point" },
  { "srv", HOST_DIR, NULL, "an empty mount point" },
};

gboolean
sbx_host_image_is (const char *name)
{
  return g_strcmp0 (name, SBX_HOST_IMAGE_NAME) == 0;
}

void
sbx_host_root_foreach_shown (SbxHostShownFunc func, gpointer data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (host_table); i++)
    if (host_table[i].kind == HOST_BIND || host_table[i].kind == HOST_LINK_OR_BIND)
      {
        g_autofree char *path = g_strconcat ("/", host_table[i].path, NULL);
        func (path, host_table[i].why, data);
      }
}

SbxImage *
sbx_host_image_new (void)
{
  SbxImage *image = g_new0 (SbxImage, 1);

  image->name = g_strdup (SBX_HOST_IMAGE_NAME);
  image->layers = g_new0 (char *, 1);
  image->env = g_new0 (char *, 2);
  image->env[0] = g_strdup ("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  return image;
}

char *
sbx_host_root_mount_point (GError **error)
{
  g_autofree char *base = sbx_run_dir_base (error);
  g_autofree char *path = NULL;
  struct stat st;

  if (base == NULL)
    return NULL;
  path = g_build_filename (base, "mnt", NULL);
  if (mkdir (path, 0700) != 0 && errno != EEXIST)
    return sbx_set_error_from_errno (error, errno, "create %s", path), NULL;
  if (lstat (path, &st) != 0)
    return sbx_set_error_from_errno (error, errno, "%s", path), NULL;
  if (!S_ISDIR (st.st_mode) || st.st_uid != getuid ())
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "%s: not a directory of this user's own (remove it)", path);
      return NULL;
    }
  return g_steal_pointer (&path);
}

void
sbx_host_root_accounts (SbxRunPlan *plan)
{
  sbx_caller_account_plan (plan);
  plan->etc_passwd = g_strconcat ("root:x:0:0:root:/root:/bin/sh\n", plan->caller_passwd,
                                  "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n", NULL);
  plan->etc_group = g_strconcat ("root:x:0:\n", plan->caller_group, "nogroup:x:65534:\n", NULL);
  g_clear_pointer (&plan->caller_passwd, g_free); /* written whole, not added to */
  g_clear_pointer (&plan->caller_group, g_free);
}

/* A read-only bind of the host's @path on @root_fd/@path, the way every bind of a sandbox is
 * made (mounts.h); nothing when the host has no such path. */
static gboolean
bind_host_path (int root_fd, const char *path, GError **error)
{
  g_autofree char *host_path = g_strconcat ("/", path, NULL);
  SbxMount m = {
    .kind = SBX_MOUNT_BIND,
    .source = host_path,
    .destination = host_path,
    .recursive = TRUE,
    .attr_set = MOUNT_ATTR_RDONLY,
  };
  struct stat st;

  if (stat (host_path, &st) != 0)
    return TRUE;
  if (!sbx_mounts_apply (root_fd, &m, error))
    return g_prefix_error (error, "host image: "), FALSE;
  return TRUE;
}

/* Where the host has a symlink at /@path (merged /usr), the same symlink; else a bind. */
static gboolean
link_or_bind (int root_fd, const char *path, GError **error)
{
  g_autofree char *host_path = g_strconcat ("/", path, NULL);
  g_autofree char *target = g_file_read_link (host_path, NULL);

  if (target == NULL)
    return bind_host_path (root_fd, path, error);
  if (symlinkat (target, root_fd, path) != 0)
    return sbx_set_error_from_errno (error, errno, "host image: link /%s", path);
  return TRUE;
}

static gboolean
add_entry (int root_fd, const HostEntry *e, GError **error)
{
  g_autofree char *where = NULL;

  switch (e->kind)
    {
    case HOST_BIND:
      return bind_host_path (root_fd, e->path, error);
    case HOST_LINK_OR_BIND:
      return link_or_bind (root_fd, e->path, error);
    case HOST_DIR:
      if (mkdirat (root_fd, e->path, 0755) != 0 && errno != EEXIST)
        return sbx_set_error_from_errno (error, errno, "host image: mkdir /%s", e->path);
      return TRUE;
    case HOST_TMPFS:
    default:
      where = g_strdup_printf ("/proc/self/fd/%d/%s", root_fd, e->path);
      if ((mkdirat (root_fd, e->path, 0755) != 0 && errno != EEXIST) ||
          mount ("tmpfs", where, "tmpfs", MS_NOSUID | MS_NODEV, e->data) != 0)
        return sbx_set_error_from_errno (error, errno, "host image: tmpfs on /%s", e->path);
      return TRUE;
    }
}

/* Parent directories the table's nested entries need (etc/ssl, etc/default, var/cache). */
static gboolean
make_parents (int root_fd, const char *path, GError **error)
{
  g_autofree char *parent = g_path_get_dirname (path);

  if (g_str_equal (parent, "."))
    return TRUE;
  if (!make_parents (root_fd, parent, error))
    return FALSE;
  if (mkdirat (root_fd, parent, 0755) != 0 && errno != EEXIST)
    return sbx_set_error_from_errno (error, errno, "host image: mkdir /%s", parent);
  return TRUE;
}

gboolean
sbx_host_root_mount (const SbxRunPlan *plan, const char *target, GError **error)
{
  sbx_autofd int root_fd = -1;

  if (mount ("sbx-host-root", target, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0)
    return sbx_set_error_from_errno (error, errno, "host image: mount the root tmpfs");
  if ((root_fd = open (target, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
    return sbx_set_error_from_errno (error, errno, "host image: open the root");
  for (gsize i = 0; i < G_N_ELEMENTS (host_table); i++)
    if (!make_parents (root_fd, host_table[i].path, error) || !add_entry (root_fd, &host_table[i], error))
      return FALSE;
  if (!sbx_write_string_at (root_fd, "etc/passwd", O_CREAT | O_EXCL | O_NOFOLLOW, 0644, plan->etc_passwd, error) ||
      !sbx_write_string_at (root_fd, "etc/group", O_CREAT | O_EXCL | O_NOFOLLOW, 0644, plan->etc_group, error))
    return g_prefix_error (error, "host image: "), FALSE;
  sbx_debug ("setup", "mount-rootfs", "host image: %" G_GSIZE_FORMAT " table entries on a tmpfs",
             G_N_ELEMENTS (host_table));
  return TRUE;
}
