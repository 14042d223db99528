/* linux.maskedPaths and linux.readonlyPaths as runc applies them, done by
 * LXC mount entries before the seccomp profile and the init (see
 * docs/decisions.md, "Masked and read-only paths"). */
#ifndef NX_MASKS_H
#define NX_MASKS_H

#include "error.h"
#include "plan.h"

/* The directory the core names as lxc.rootfs.mount: LXC mounts the CT's
 * root there before its mount entries, so a read-only path is the CT's own
 * path bound onto itself from below it. */
char *masks_rootfs_mount(const char *state_dir);

/* Append the mount entries for plan->masked_paths and plan->readonly_paths
 * to plan->lxc. Paths in the root filesystem are resolved inside rootfs
 * (symlinks cannot lead out); a missing one is skipped as runc skips it; a
 * target LXC would block on opening (FIFO, device, socket) is an error,
 * for these entries and for every other lxc.mount.entry of the plan. */
int masks_apply(nx_plan *plan, const char *rootfs, const char *rootfs_mount, nx_err *err);

#endif
