/* VMID allocation: under one node-wide lock, the used set is the cluster's
 * .vmlist (read, not forked for) plus this node's reservations; the choice
 * itself is the Lua rule `vmid.choose`, which a site can replace; the core
 * re-checks the answer and records the reservation before pct create. */
#ifndef NX_VMID_H
#define NX_VMID_H

#include <stddef.h>

#include "site/config.h"
#include "util/error.h"
#include "luahost/lua_host.h"
#include "core/mapping.h"
#include "core/state_store.h"

typedef struct vmid_request {
	const nx_config *cfg;
	const char *state_dir;
	nx_lua *lua;
	const nx_kv *annotations; /* the validated spec's (for the rule) */
	size_t n_annotations;
	const long *exclude; /* VMIDs pct refused on earlier attempts */
	size_t n_exclude;
	int attempt; /* 1, 2, ... */
} vmid_request;

/* Choose a VMID for m->id and write m (with the VMID) as the reservation. */
int vmid_allocate(const vmid_request *req, nx_mapping *m, nx_err *err);

#endif
