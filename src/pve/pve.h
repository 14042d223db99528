/* Proxmox's files, read directly where a file says exactly what a pct call
 * would print (no Perl start-up): the cluster's .vmlist and the CT config.
 * Raw lxc.* keys are written into <vmid>.conf the way an admin does,
 * under Proxmox's own per-VMID config lock. */
#ifndef NX_PVE_H
#define NX_PVE_H

#include <stddef.h>

#include "util/error.h"
#include "util/kv.h"

/* VMIDs of every guest in the cluster (.vmlist). */
int pve_vmlist_ids(const char *pve_etc, long **ids, size_t *n, nx_err *err);
char *pve_conf_path(const char *pve_etc, const char *node, long vmid);
/* Insert raw keys at the end of the main section of <vmid>.conf. */
int pve_conf_add_raw(const char *pve_etc, const char *node, const char *lock_dir, long vmid,
		     const nx_kv *keys, size_t n, nx_err *err);
/* The CT's description (the leading '#' lines, URL-decoded), or NULL. */
char *pve_conf_description(const char *pve_etc, const char *node, long vmid);

#endif
