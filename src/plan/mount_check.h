/* LXC opens a mount entry's target O_RDONLY before it mounts over it, which
 * blocks on a FIFO (and may block or act on a device): such a target in the
 * root filesystem is refused at create, before any pct call, instead of a
 * hung `pct start`. Masked and read-only paths are not LXC's: nexcage-init
 * applies them inside the CT without opening them (src/init/setup.c). */
#ifndef NX_MOUNT_CHECK_H
#define NX_MOUNT_CHECK_H

#include "util/error.h"
#include "plan/plan.h"

/* Every lxc.mount.entry of the plan, whichever rule wrote it, against the
 * bundle's root filesystem. */
int mount_targets_check(const nx_plan *plan, const char *rootfs, nx_err *err);

/* Nothing of the plan may hide or replace nexcage-init's directory in the
 * CT's /dev (NX_CTR_MOUNTPOINT): no mount entry on /dev or at or below it,
 * no masked path there, no device there, and LXC's autodev stays on (its
 * tmpfs is where the mount point is made, instead of the image). */
int init_dir_check(const nx_plan *plan, nx_err *err);

#endif
