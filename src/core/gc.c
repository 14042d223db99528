/* gc: destroy the Proxmox CTs this root's containers left whose OCI state
 * is gone (after a reboot emptied /run, or a crash), and the files a
 * killed nexcage left. Found two ways: the persistent id <-> VMID mapping
 * of this root, and the nexcage-id marker in the CT description on this
 * node (for when the mapping was lost too). Each id is handled under its
 * lock: a create or delete in flight is skipped, and one failure does not
 * stop the others. */
#define _GNU_SOURCE
#include "core/gc.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/cleanup.h"
#include "site/config.h"
#include "core/container.h"
#include "oci/container_id.h"
#include "util/fsutil.h"
#include "util/lock.h"
#include "util/log.h"
#include "core/mapping.h"
#include "pve/pct.h"
#include "pve/pve.h"
#include "core/state_store.h"
#include "util/strv.h"
#include "core/sweep.h"
#include "util/xalloc.h"

typedef struct gc_run {
	nx_ctx *ctx;
	const nx_config *cfg;
	const gc_opts *o;
	bool dry_run;
	gc_report *rep;
} gc_run;

/* Record the item and tell the caller, before anything is removed. */
static void announce(gc_run *g, const char *id, long vmid)
{
	g->rep->items = xreallocarray(g->rep->items, g->rep->n + 1, sizeof *g->rep->items);
	g->rep->items[g->rep->n++] = (gc_item){.id = xstrdup(id), .vmid = vmid};
	if (g->o->notify)
		g->o->notify(&(gc_item){.id = (char *)id, .vmid = vmid}, g->dry_run, g->o->data);
}

/* Under the id's lock: destroy the CT, then the state dir and mapping. */
static int destroy_orphan(gc_run *g, const char *id, long vmid, nx_err *err)
{
	const char *root = g->ctx->opts->root;
	announce(g, id, vmid);
	if (g->dry_run)
		return 0;
	ct_destroy d = {g->cfg, {g->cfg->pct, g->cfg->pct_timeout}, vmid, root, id, true};
	if (container_destroy_ct(&d, err) < 0)
		return -1;
	/* what a create killed before writing state.json left */
	cleanup_free char *dir = state_dir(root, id);
	if (dir && fs_remove_tree(dir, err) < 0)
		return -1;
	return mapping_remove(g->ctx->opts->state_dir, root, id, err);
}

/* One id: skipped while another nexcage works on it or while its state
 * says it is a live container. vmid < 0: no CT is known (a create killed
 * before it chose one left a directory or a lock file). */
static void collect(gc_run *g, const char *id, long vmid, bool from_mapping)
{
	const char *root = g->ctx->opts->root;
	nx_err err = {0};
	int lock = container_try_lock(root, id, &err);
	if (lock < 0) {
		if (nx_err_is(&err, NX_ERR_BUSY)) {
			log_info("gc: skipping %s (CT %ld): %s", id, vmid, err.msg);
			return;
		}
		log_error("gc: %s (CT %ld): %s", id, vmid, err.msg);
		g->rep->failed++;
		return;
	}
	/* The list was read before the lock: the id may have been deleted
	 * since and its VMID given to another container. */
	nx_mapping m;
	if (from_mapping || vmid < 0) {
		if (mapping_read(g->ctx->opts->state_dir, root, id, &m, &err) == 0) {
			vmid = m.vmid;
			mapping_free(&m);
		} else if (from_mapping) {
			lock_release(lock);
			return;
		}
		nx_err_clear(&err);
	}
	bool removed = false;
	cleanup_free char *dir = state_dir(root, id);
	struct stat sb;
	if (!state_exists(root, id) && vmid < 0) {
		if (lstat(dir, &sb) == 0) {
			announce(g, id, -1);
			if (!g->dry_run && fs_remove_tree(dir, &err) < 0) {
				log_error("gc: %s: %s", id, err.msg);
				g->rep->failed++;
				lock_release(lock);
				return;
			}
		}
		removed = !g->dry_run;
	} else if (!state_exists(root, id)) {
		if (destroy_orphan(g, id, vmid, &err) < 0) {
			log_error("gc: %s (CT %ld): %s", id, vmid, err.msg);
			g->rep->failed++;
		} else {
			removed = !g->dry_run;
		}
	}
	if (removed) {
		cleanup_free char *lp = state_lock_path(root, id);
		lock_release_unlink(lock, lp);
	} else {
		lock_release(lock);
	}
}

/* "nexcage-id: <id>" on a line of its own in the description */
static bool marker_id(const char *desc, char *id, size_t n)
{
	for (const char *line = desc; line && *line;) {
		const char *nl = strchrnul(line, '\n');
		if (!strncmp(line, "nexcage-id: ", 12) && (size_t)(nl - line - 12) < n) {
			snprintf(id, n, "%.*s", (int)(nl - line - 12), line + 12);
			nx_err e = {0};
			return container_id_validate(id, &e) == 0;
		}
		line = *nl ? nl + 1 : NULL;
	}
	return false;
}

/* pct status: a CT no mapping knows may still be another root's live one. */
static bool ct_running(const nx_config *cfg, long vmid)
{
	nx_pct pct = {.path = cfg->pct, .timeout = cfg->pct_timeout};
	bool running;
	nx_err e = {0};
	if (pct_status(&pct, vmid, &running, &e) < 0)
		return !nx_err_is(&e, NX_ERR_CT_GONE);
	return running;
}

/* CTs on this node marked as ours that no mapping of any root knows. */
static void collect_marked(gc_run *g, const nx_mapping *maps, size_t n)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/nodes/%s/lxc", g->cfg->pve_etc, g->cfg->node);
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		char *end;
		long vmid = strtol(de->d_name, &end, 10);
		if (vmid < 100 || strcmp(end, ".conf"))
			continue;
		bool known = false;
		for (size_t i = 0; i < n; i++)
			known |= maps[i].vmid == vmid;
		cleanup_free char *desc = known ? NULL : pve_conf_description(g->cfg->pve_etc, g->cfg->node, vmid);
		char id[256];
		if (!desc || !marker_id(desc, id, sizeof id) || state_exists(g->ctx->opts->root, id))
			continue;
		if (ct_running(g->cfg, vmid)) {
			log_info("gc: leaving CT %ld (nexcage id %s) alone: it runs and no mapping says whose it is",
				 vmid, id);
			continue;
		}
		collect(g, id, vmid, false);
	}
	if (d)
		closedir(d);
}

static bool have_id(char **ids, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ids[i], id))
			return true;
	return false;
}

/* Ids of this root that have a directory or a lock file but no mapping. */
static void collect_unmapped(gc_run *g, const nx_mapping *maps, size_t n)
{
	const char *root = g->ctx->opts->root;
	cleanup_free char *lockdir = fs_join(root, NX_LOCK_DIR);
	const char *dirs[] = {root, lockdir};
	char **seen = NULL;
	size_t nseen = 0;
	for (int k = 0; k < 2; k++) {
		DIR *d = opendir(dirs[k]);
		struct dirent *de;
		while (d && (de = readdir(d))) {
			nx_err e = {0};
			if (container_id_validate(de->d_name, &e) < 0 || have_id(seen, nseen, de->d_name))
				continue;
			bool mapped = false;
			for (size_t i = 0; i < n; i++)
				mapped |= !strcmp(maps[i].root, root) && !strcmp(maps[i].id, de->d_name);
			if (k == 0) {
				/* temp files of a state.json writer that died */
				cleanup_free char *sub = fs_join(root, de->d_name);
				sweep_dir(sub, NULL, g->dry_run, g->o->file_notify, g->o->data);
			}
			if (mapped)
				continue;
			strv_push(&seen, &nseen, de->d_name);
		}
		if (d)
			closedir(d);
	}
	for (size_t i = 0; i < nseen; i++)
		collect(g, seen[i], -1, false);
	strv_free(seen);
}

int gc_collect(nx_ctx *ctx, const gc_opts *o, gc_report *rep, nx_err *err)
{
	*rep = (gc_report){0};
	gc_run g = {.ctx = ctx, .o = o, .dry_run = o->dry_run, .rep = rep};
	if (!(g.cfg = ctx_config(ctx, err)))
		return -1;
	nx_mapping *maps;
	size_t n;
	if (mapping_list(ctx->opts->state_dir, &maps, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(maps[i].root, ctx->opts->root))
			collect(&g, maps[i].id, maps[i].vmid, true);
	collect_marked(&g, maps, n);
	collect_unmapped(&g, maps, n);
	mapping_list_free(maps, n);
	/* files of writers killed midway: mapping temps, template archives */
	cleanup_free char *mapdir = mapping_root_dir(ctx->opts->state_dir, ctx->opts->root);
	if (mapdir)
		sweep_dir(mapdir, NULL, o->dry_run, o->file_notify, o->data);
	char prefix[256];
	snprintf(prefix, sizeof prefix, "nexcage-%s-", g.cfg->node);
	sweep_dir(g.cfg->template_dir, prefix, o->dry_run, o->file_notify, o->data);
	if (rep->failed)
		return nx_err_set(err, "gc: %d container(s) could not be collected (see above)", rep->failed);
	return 0;
}

void gc_report_free(gc_report *rep)
{
	for (size_t i = 0; i < rep->n; i++)
		free(rep->items[i].id);
	free(rep->items);
	*rep = (gc_report){0};
}
