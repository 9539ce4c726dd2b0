/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* doc-portal.c: finding the document portal's directory for one app (doc-portal.h). */
#include "doc-portal.h"
#include "fd-util.h"
#include "process.h"
#include "sbx-error.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gio/gio.h>

#define DOCUMENTS_NAME "org.freedesktop.portal.Documents"
#define DOCUMENTS_PATH "/org/freedesktop/portal/documents"
#define CALL_TIMEOUT_MS 15000

/* The mount point GetMountPoint answers (a bytestring path), or NULL with @error. */
static char *
get_mount_point (const char *address, GError **error)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) path = NULL;

  bus = g_dbus_connection_new_for_address_sync (address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, error);
  if (bus == NULL)
    return NULL;
  reply = g_dbus_connection_call_sync (bus, DOCUMENTS_NAME, DOCUMENTS_PATH, DOCUMENTS_NAME, "GetMountPoint",
                                       NULL, G_VARIANT_TYPE ("(ay)"), G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS,
                                       NULL, error);
  (void) g_dbus_connection_close_sync (bus, NULL, NULL);
  if (reply == NULL)
    return NULL;
  path = g_variant_get_child_value (reply, 0);
  return g_variant_dup_bytestring (path, NULL);
}

/* The child of ask_in_child: its answer on @fd, "+PATH" or "!MESSAGE", then it ends. */
static G_NORETURN void
answer_from_child (const char *address, int fd)
{
  GError *error = NULL;
  char *mount = get_mount_point (address, &error);
  char *answer;

  if (mount == NULL)
    g_dbus_error_strip_remote_error (error);
  answer = mount != NULL ? g_strconcat ("+", mount, NULL) : g_strconcat ("!", error->message, NULL);
  (void) sbx_write_all (fd, answer, strlen (answer), NULL);
  _exit (0);
}

/* get_mount_point in a child process.  GDBus starts a worker thread that outlives every
 * connection, and the supervisor must still be a single thread when it forks the sandbox's
 * processes (process.h): the child's threads end with it. */
static char *
ask_in_child (const char *address, GError **error)
{
  g_autoptr(GString) answer = g_string_new (NULL);
  int fds[2], status;
  char buf[4096];
  ssize_t n;
  pid_t pid;

  if (pipe2 (fds, O_CLOEXEC) != 0)
    return sbx_set_error_from_errno (error, errno, "pipe"), NULL;
  pid = fork ();
  if (pid == 0)
    {
      close (fds[0]);
      sbx_die_with_parent (getppid ());
      answer_from_child (address, fds[1]);
    }
  close (fds[1]);
  while (pid > 0 && ((n = read (fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)))
    if (n > 0)
      g_string_append_len (answer, buf, n);
  close (fds[0]);
  if (pid < 0)
    return sbx_set_error_from_errno (error, errno, "fork"), NULL;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (answer->str[0] == '+')
    return g_strdup (answer->str + 1);
  return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "%s",
                      answer->str[0] == '!' ? answer->str + 1 : "the lookup ended without an answer"),
         NULL;
}

char *
sbx_doc_portal_app_dir (const char *address, const char *app_id, char **mount_point, char **reason)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *mount = NULL;
  g_autofree char *dir = NULL;

  *reason = NULL;
  if (address == NULL)
    return *reason = g_strdup ("no session bus"), NULL;
  if ((mount = ask_in_child (address, &error)) == NULL)
    {
      *reason = g_strdup_printf ("the document portal did not answer: %s", error->message);
      return NULL;
    }
  if (!g_path_is_absolute (mount))
    return *reason = g_strdup_printf ("the document portal's mount point '%s' is not absolute", mount), NULL;
  /* Looking the app's directory up makes the portal create it. */
  dir = g_build_filename (mount, "by-app", app_id, NULL);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    return *reason = g_strdup_printf ("the document portal's %s is not a directory", dir), NULL;
  if (mount_point != NULL)
    *mount_point = g_steal_pointer (&mount);
  return g_steal_pointer (&dir);
}
