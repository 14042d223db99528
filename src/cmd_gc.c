/* gc: destroy the Proxmox CTs nexcage made whose OCI state is gone (after a
 * reboot emptied /run, or a crash). Found two ways: the persistent
 * id <-> VMID mapping, and the nexcage-id marker in the CT description on
 * this node (for when the mapping was lost too). */
#define _GNU_SOURCE
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cli.h"
#include "commands.h"
#include "container.h"
#include "container_id.h"
#include "fsutil.h"
#include "log.h"
#include "mapping.h"
#include "pct.h"
#include "pve.h"

static bool state_gone(nx_ctx *ctx, const nx_mapping *m)
{
	const char *root = m->root && m->root[0] ? m->root : ctx->opts->root;
	return !state_exists(root, m->id);
}

static int destroy_orphan(nx_ctx *ctx, const nx_config *cfg, const char *id, const char *root, long vmid,
			  bool dry_run, nx_err *err)
{
	printf("%s %s (CT %ld)\n", dry_run ? "would remove" : "removing", id, vmid);
	if (dry_run)
		return 0;
	nx_pct pct = {.path = cfg->pct, .timeout = cfg->pct_timeout};
	char v[32];
	snprintf(v, sizeof v, "%ld", vmid);
	const char *args[] = {"destroy", v, "--force", "1", "--purge", "1", NULL};
	if (pct_call(&pct, args, NULL, err) < 0 && !nx_err_is(err, NX_ERR_CT_GONE))
		return -1;
	nx_err_clear(err);
	/* what a create killed before writing state.json left */
	cleanup_free char *dir = state_dir(root, id);
	if (dir && fs_remove_tree(dir, err) < 0)
		return -1;
	return mapping_remove(ctx->opts->state_dir, id, err);
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

int cmd_gc(nx_ctx *ctx, int argc, char **argv, nx_err *err)
{
	bool dry_run;
	if (cli_bool_flag("gc", argc, argv, "dry-run", 'n', &dry_run, err) < 0)
		return -1;
	if (optind != argc)
		return cli_usage_error("gc", err, "takes no arguments");
	const nx_config *cfg = ctx_config(ctx, err);
	if (!cfg)
		return -1;
	nx_mapping *maps;
	size_t n;
	if (mapping_list(ctx->opts->state_dir, &maps, &n, err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		if (state_gone(ctx, &maps[i]))
			rc = destroy_orphan(ctx, cfg, maps[i].id,
					    maps[i].root[0] ? maps[i].root : ctx->opts->root, maps[i].vmid,
					    dry_run, err);
	/* CTs marked as ours that no mapping knows */
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/nodes/%s/lxc", cfg->pve_etc, cfg->node);
	DIR *d = rc == 0 ? opendir(dir) : NULL;
	struct dirent *de;
	while (d && rc == 0 && (de = readdir(d))) {
		char *end;
		long vmid = strtol(de->d_name, &end, 10);
		if (vmid < 100 || strcmp(end, ".conf"))
			continue;
		bool known = false;
		for (size_t i = 0; i < n; i++)
			known |= maps[i].vmid == vmid;
		cleanup_free char *desc = known ? NULL : pve_conf_description(cfg->pve_etc, cfg->node, vmid);
		char id[256];
		if (desc && marker_id(desc, id, sizeof id) && !state_exists(ctx->opts->root, id))
			rc = destroy_orphan(ctx, cfg, id, ctx->opts->root, vmid, dry_run, err);
	}
	if (d)
		closedir(d);
	mapping_list_free(maps, n);
	return rc;
}
