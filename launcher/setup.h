/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* setup.h: the sandbox setup child: from fork to a running init.
 *
 * Steps, in order: die with the supervisor; leave the terminal's session; unshare the
 * user, mount, uts, ipc, cgroup and (unless --network=host) net namespaces and wait for
 * the supervisor to write the id maps; with slirp, create tap0 and hand its fd over; make
 * mounts private; mount a private tmpfs for the overlay's scratch space; mount the root
 * filesystem; bring up lo (and wait for slirp's ports); set the hostname; unshare the pid
 * namespace and fork init.  Then it forwards signals to init and exits with init's
 * status.  fuse-overlayfs is its child, outside the sandbox's pid namespace. */
#pragma once

#include <glib.h>
#include "plan.h"

G_BEGIN_DECLS

G_NORETURN void sbx_setup_child_main (const SbxRunPlan *plan, int sync_fd);

G_END_DECLS
