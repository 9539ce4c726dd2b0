/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* terminal.c: the sandbox's pseudo-terminal and its relay to the caller's (terminal.h). */
#include "terminal.h"
#include "fd-util.h"
#include "log.h"
#include "sbx-error.h"
#include "sync.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <glib-unix.h>

/* ------------------------------------------------------------------ inside */

gboolean
sbx_terminal_setup_inside (const SbxRunPlan *plan, const SbxAccount *user, int sync_fd, GError **error)
{
  sbx_autofd int master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  sbx_autofd int slave = -1;
  struct winsize size = { .ws_row = plan->terminal_rows, .ws_col = plan->terminal_cols };
  int unlock = 0;

  if (master < 0)
    return sbx_set_error_from_errno (error, errno, "open the sandbox's /dev/ptmx");
  if (ioctl (master, TIOCSPTLCK, &unlock) != 0 ||
      (slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
    return sbx_set_error_from_errno (error, errno, "open the pty's slave");
  /* Its user may reopen it by name (ssh, sudo, script): the slave is the user's. */
  if (fchown (slave, user->uid, (gid_t) -1) != 0 && errno != EPERM && errno != EINVAL)
    return sbx_set_error_from_errno (error, errno, "give the pty to uid %u", (guint) user->uid);
  if (setsid () < 0 || ioctl (slave, TIOCSCTTY, 0) != 0)
    return sbx_set_error_from_errno (error, errno, "make the pty the controlling terminal");
  if (size.ws_row > 0 && size.ws_col > 0)
    (void) ioctl (slave, TIOCSWINSZ, &size);
  if (dup2 (slave, STDIN_FILENO) < 0 || dup2 (slave, STDOUT_FILENO) < 0 || dup2 (slave, STDERR_FILENO) < 0)
    return sbx_set_error_from_errno (error, errno, "make the pty stdin, stdout and stderr");
  if (!sbx_sync_send_fd (sync_fd, SBX_SYNC_PTY, master, error))
    return FALSE;
  sbx_debug ("command", "terminal", "a pty of the sandbox's devpts, %ux%u", size.ws_col, size.ws_row);
  return TRUE;
}

/* ------------------------------------------------------------------ outside */

struct _SbxTerminal {
  int master;
  gboolean raw; /* the caller's terminal was put in raw mode: restore it */
  struct termios saved;
  guint output_source; /* master -> stdout */
  guint input_source;  /* stdin -> master; 0 once input ended */
  guint flush_source;  /* master writable again, while input waits in @pending */
  GByteArray *pending; /* input the pty could not take yet */
};

static void
write_out (int fd, const guint8 *data, gsize len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return; /* the caller's stdout went away: drop the rest */
      data += n;
      len -= (gsize) n;
    }
}

static gboolean
on_master_readable (int fd, GIOCondition condition, gpointer user_data)
{
  SbxTerminal *t = user_data;
  guint8 buf[16384];
  ssize_t n = read (fd, buf, sizeof buf);

  if (n > 0)
    {
      write_out (STDOUT_FILENO, buf, (gsize) n);
      return G_SOURCE_CONTINUE;
    }
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return G_SOURCE_CONTINUE;
  t->output_source = 0; /* EIO: every slave fd is closed */
  return G_SOURCE_REMOVE;
}

static void start_input (SbxTerminal *t);

/* Writes what waits in @pending; the rest stays for the next time the pty can take it. */
static gboolean
flush_pending (SbxTerminal *t)
{
  ssize_t n = write (t->master, t->pending->data, t->pending->len);

  if (n > 0)
    g_byte_array_remove_range (t->pending, 0, (guint) n);
  else if (n < 0 && errno != EAGAIN && errno != EINTR)
    g_byte_array_set_size (t->pending, 0); /* the sandbox is gone */
  return t->pending->len == 0;
}

static gboolean
on_master_writable (int fd, GIOCondition condition, gpointer user_data)
{
  SbxTerminal *t = user_data;

  if (!flush_pending (t))
    return G_SOURCE_CONTINUE;
  t->flush_source = 0;
  start_input (t);
  return G_SOURCE_REMOVE;
}

/* End of input: the pty's end-of-file character, as a terminal's ^D. */
static void
send_eof (SbxTerminal *t)
{
  struct termios tio;
  guint8 eof = 4;

  if (tcgetattr (t->master, &tio) == 0 && tio.c_cc[VEOF] != _POSIX_VDISABLE)
    eof = tio.c_cc[VEOF];
  g_byte_array_append (t->pending, &eof, 1);
  (void) flush_pending (t);
}

static gboolean
on_input_readable (int fd, GIOCondition condition, gpointer user_data)
{
  SbxTerminal *t = user_data;
  guint8 buf[4096];
  ssize_t n = read (fd, buf, sizeof buf);

  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      /* End of input, or EIO: sbx is in the background of the caller's terminal. */
      if (n == 0)
        send_eof (t);
      t->input_source = 0;
      return G_SOURCE_REMOVE;
    }
  g_byte_array_append (t->pending, buf, (guint) n);
  if (flush_pending (t))
    return G_SOURCE_CONTINUE;
  t->input_source = 0;
  t->flush_source = g_unix_fd_add (t->master, G_IO_OUT, on_master_writable, t);
  return G_SOURCE_REMOVE;
}

static void
start_input (SbxTerminal *t)
{
  t->input_source = g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, on_input_readable, t);
}

static void
enter_raw_mode (SbxTerminal *t)
{
  struct termios raw;

  if (!isatty (STDIN_FILENO) || tcgetattr (STDIN_FILENO, &t->saved) != 0)
    return;
  raw = t->saved;
  cfmakeraw (&raw);
  if (tcsetattr (STDIN_FILENO, TCSADRAIN, &raw) == 0)
    t->raw = TRUE;
}

SbxTerminal *
sbx_terminal_attach (int master_fd, gboolean relay_input, GError **error)
{
  SbxTerminal *t = g_new0 (SbxTerminal, 1);

  t->master = master_fd;
  t->pending = g_byte_array_new ();
  if (!g_unix_set_fd_nonblocking (master_fd, TRUE, error))
    return sbx_terminal_free (t), NULL;
  enter_raw_mode (t);
  sbx_terminal_resize (t);
  t->output_source = g_unix_fd_add (master_fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_master_readable, t);
  if (relay_input)
    start_input (t);
  sbx_debug ("supervisor", "terminal", "relaying the sandbox's pty%s%s", t->raw ? ", your terminal in raw mode" : "",
             relay_input ? "" : ", no input");
  return t;
}

void
sbx_terminal_resize (SbxTerminal *terminal)
{
  struct winsize size;

  if (ioctl (STDIN_FILENO, TIOCGWINSZ, &size) == 0 || ioctl (STDOUT_FILENO, TIOCGWINSZ, &size) == 0)
    (void) ioctl (terminal->master, TIOCSWINSZ, &size);
}

/* What the command wrote just before it ended is still in the pty: out with it. */
static void
drain (SbxTerminal *t)
{
  guint8 buf[16384];
  ssize_t n;

  while ((n = read (t->master, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      write_out (STDOUT_FILENO, buf, (gsize) n);
}

void
sbx_terminal_free (SbxTerminal *terminal)
{
  g_clear_handle_id (&terminal->output_source, g_source_remove);
  g_clear_handle_id (&terminal->input_source, g_source_remove);
  g_clear_handle_id (&terminal->flush_source, g_source_remove);
  if (terminal->master >= 0)
    drain (terminal);
  if (terminal->raw)
    (void) tcsetattr (STDIN_FILENO, TCSADRAIN, &terminal->saved);
  sbx_close_fdp (&terminal->master);
  g_byte_array_unref (terminal->pending);
  g_free (terminal);
}
