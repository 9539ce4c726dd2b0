/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* doc-portal.c: finding the document portal's directory for one app (doc-portal.h). */
#include "doc-portal.h"

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

char *
sbx_doc_portal_app_dir (const char *address, const char *app_id, char **mount_point, char **reason)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *mount = NULL;
  g_autofree char *dir = NULL;

  *reason = NULL;
  if (address == NULL)
    return *reason = g_strdup ("no session bus"), NULL;
  if ((mount = get_mount_point (address, &error)) == NULL)
    {
      g_dbus_error_strip_remote_error (error);
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
