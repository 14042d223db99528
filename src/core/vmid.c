#define _GNU_SOURCE
#include "core/vmid.h"
#include "core/state_store.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/fsutil.h"
#include "util/lock.h"
#include "util/log.h"
#include "bridge/lua_bridge.h"
#include "util/json.h"
#include "pve/pve.h"
#include "util/spawn.h"
#include "util/xalloc.h"

static void add_used(long **used, size_t *n, size_t *cap, long v)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		*used = xreallocarray(*used, *cap, sizeof(long));
	}
	(*used)[(*n)++] = v;
}

static bool is_used(const long *used, size_t n, long v)
{
	for (size_t i = 0; i < n; i++)
		if (used[i] == v)
			return true;
	return false;
}

/* pvesh get /cluster/resources --type vm --output-format json:
 * [{"vmid": 100, ...}, ...] */
static int pvesh_vm_ids(const char *pvesh, double timeout, long **ids, size_t *n, nx_err *err)
{
	char *argv[] = {(char *)pvesh, "get", "/cluster/resources", "--type", "vm", "--output-format",
			"json",	       NULL};
	spawn_req sr = {.argv = argv, .timeout = timeout, .max_output = 64u << 20};
	spawn_result res;
	if (spawn_run(&sr, &res, err) < 0)
		return -1;
	int rc = 0;
	json_value *doc = NULL;
	if (res.timed_out || res.exit_code != 0) {
		rc = nx_err_set(err, "pvesh get /cluster/resources failed: %s", res.err);
		goto out;
	}
	if ((doc = json_parse(res.out, res.out_len, err)) && doc->type == JSON_OBJECT && !doc->child)
		goto out; /* an empty list, as a JSON encoder that cannot tell [] from {} writes it */
	if (!doc || doc->type != JSON_ARRAY) {
		rc = doc ? nx_err_set(err, "pvesh get /cluster/resources: not a JSON array") : -1;
		goto out;
	}
	size_t count = 0;
	for (const json_value *c = doc->child; c; c = c->next)
		count++;
	*ids = xcalloc(count + 1, sizeof(long));
	for (const json_value *c = doc->child; c; c = c->next) {
		long long v = json_get_int(c, "vmid", -1);
		if (v > 0)
			(*ids)[(*n)++] = (long)v;
	}
out:
	json_free(doc);
	spawn_result_free(&res);
	return rc;
}

/* Everything that is not free: the cluster's guests, this node's
 * reservations, and what pct already refused. */
static int collect_used(const vmid_request *req, long **used, size_t *n, nx_err *err)
{
	size_t cap = 0;
	*used = NULL;
	*n = 0;
	long *ids = NULL;
	size_t nids = 0;
	if (pve_vmlist_ids(req->cfg->pve_etc, &ids, &nids, err) < 0) {
		/* No readable .vmlist (not a cluster node's /etc/pve?): ask the
		 * API once, at the price of a fork. */
		log_debug("%s; asking pvesh", err->msg);
		nx_err_clear(err);
		if (pvesh_vm_ids(req->cfg->pvesh, req->cfg->pct_timeout, &ids, &nids, err) < 0)
			return nx_err_wrap(err, "reading the cluster's VMIDs");
	}
	for (size_t i = 0; i < nids; i++)
		add_used(used, n, &cap, ids[i]);
	free(ids);
	nx_mapping *maps = NULL;
	size_t nmaps = 0;
	if (mapping_list(req->state_dir, &maps, &nmaps, err) < 0) {
		free(*used);
		*used = NULL;
		*n = 0;
		return -1;
	}
	for (size_t i = 0; i < nmaps; i++)
		add_used(used, n, &cap, maps[i].vmid);
	mapping_list_free(maps, nmaps);
	for (size_t i = 0; i < req->n_exclude; i++)
		add_used(used, n, &cap, req->exclude[i]);
	return 0;
}

static int call_rule(const vmid_request *req, const char *id, const long *used, size_t n, long *out,
		     nx_err *err)
{
	vmid_choice c = {.id = id,
			 .min = req->cfg->vmid_min,
			 .max = req->cfg->vmid_max,
			 .attempt = req->attempt,
			 .used = used,
			 .n_used = n,
			 .annotations = req->annotations,
			 .n_annotations = req->n_annotations};
	return bridge_vmid_choose(req->lua, &c, out, err);
}

int vmid_allocate(const vmid_request *req, nx_mapping *m, nx_err *err)
{
	if (fs_mkdir_p(req->state_dir, 0700, err) < 0)
		return -1;
	cleanup_free char *lockpath = fs_join(req->state_dir, NX_VMID_LOCK);
	int lfd = lock_acquire(lockpath, 120, err);
	if (lfd < 0)
		return nx_err_wrap(err, "vmid allocation");
	long *used = NULL;
	size_t n = 0;
	long vmid = 0;
	int rc = collect_used(req, &used, &n, err);
	if (rc == 0)
		rc = call_rule(req, m->id, used, n, &vmid, err);
	if (rc == 0 && (vmid < req->cfg->vmid_min || vmid > req->cfg->vmid_max))
		rc = nx_err_set(err, "vmid rule: chose %ld, outside the configured range %ld-%ld", vmid,
				req->cfg->vmid_min, req->cfg->vmid_max);
	if (rc == 0 && is_used(used, n, vmid))
		rc = nx_err_set(err, "vmid rule: chose %ld, which is already in use", vmid);
	if (rc == 0) {
		m->vmid = vmid;
		rc = mapping_write(req->state_dir, m, err);
	}
	if (rc == 0)
		log_set_vmid(vmid);
	free(used);
	lock_release(lfd);
	return rc;
}
