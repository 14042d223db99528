/* Mount destinations resolved inside the container's root filesystem, as
 * runc's securejoin does: a symlink in the image (say /run -> /host/path)
 * is followed within the rootfs, never out of it, before LXC or Proxmox
 * creates the mount point. Otherwise `create=dir`/`create=file` would make
 * directories and files on the host, through the image's symlinks. */
#ifndef NX_MOUNT_DEST_H
#define NX_MOUNT_DEST_H

#include <stddef.h>

#include "util/error.h"
#include "plan/plan.h"

/* dest (absolute, as in the container) resolved under rootfs into out,
 * absolute and free of symlinks that exist in rootfs. */
int mount_dest_resolve(const char *rootfs, const char *dest, char *out, size_t n, nx_err *err);
/* Rewrite the plan's mount points (mpN's mp=) and lxc.mount.entry targets. */
int mount_dest_resolve_plan(nx_plan *plan, const char *rootfs, nx_err *err);

#endif
