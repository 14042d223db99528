/* Whether a Proxmox CT is the one nexcage made for an id of a root, read
 * on the CT itself (its <vmid>.conf) right before anything destroys it. A
 * mapping can outlive its CT (a reboot, an admin's `pct destroy`), and
 * Proxmox hands the freed VMID to the next guest: the mapping alone never
 * licenses a destroy. Every destroy goes through container_destroy_ct,
 * which asks this first. */
#ifndef NX_CT_OWNER_H
#define NX_CT_OWNER_H

#include <stdbool.h>

#include "util/error.h"

typedef struct ct_owner_query {
	const char *pve_etc, *node;
	long vmid;
	const char *root, *id;
} ct_owner_query;

/* 0: the CT carries the `nexcage` tag, the line `nexcage-id: <id>` and (if
 * it has one) `nexcage-root: <root>`; or it is nothing but the lock a
 * killed pct create or destroy left (`lock: create`, `lock: destroyed`). -1 with NX_ERR_CT_GONE: no config on this node; with
 * NX_ERR_NOT_OURS: someone else's, err says why. */
int ct_owner_check(const ct_owner_query *q, nx_err *err);

/* The description lines the core adds to mark a CT as id's of root. */
int ct_owner_marker(const char *root, const char *id, char *buf, size_t n);

#endif
