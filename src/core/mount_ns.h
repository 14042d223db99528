/* The bundle's rootfs where LXC will look for it. `pct start` has the
 * node's service manager start the CT (systemd on Proxmox: its mount
 * namespace is the node's), while an engine may call nexcage from a mount
 * namespace of its own: buildah mounts each build container's rootfs in
 * its private one, where the node sees only an empty directory. Such a
 * rootfs is cloned (open_tree) and attached in the node's namespace at a
 * path of the state directory, which the CT then uses. */
#ifndef NX_MOUNT_NS_H
#define NX_MOUNT_NS_H

#include <stdbool.h>

#include "util/error.h"

/* ns_path names the node's mount namespace (config lxc_mount_ns; one that
 * cannot be opened, or is ours, means there is nothing to do). When rootfs
 * is not the same directory there, attach a clone of it at attach_at (an
 * existing empty directory, reachable in both namespaces) and set
 * *attached. */
int rootfs_reach(const char *ns_path, const char *rootfs, const char *attach_at, bool *attached, nx_err *err);

/* Undo rootfs_reach: detach what is mounted at attach_at in the node's
 * namespace (nothing there is no error). */
int rootfs_release(const char *ns_path, const char *attach_at, nx_err *err);

#endif
