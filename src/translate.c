#define _GNU_SOURCE
#include "translate.h"

#include <lauxlib.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apparmor.h"
#include "cleanup.h"
#include "init_spec.h"
#include "masks.h"
#include "state.h"
#include "log.h"

int translate_push_raw(nx_ctx *ctx, const translate_input *in, nx_err *err)
{
	const nx_config *cfg = ctx_config(ctx, err);
	if (!cfg)
		return -1;
	nx_lua *h = ctx->lua;
	lua_State *L = lua_host_state(h);
	if (lua_host_require(h, "translate", err) < 0)
		return nx_err_wrap(err, "translate");
	lua_getfield(L, -1, "translate"); /* mod fn */
	lua_remove(L, -2);		  /* fn */
	if (!lua_isfunction(L, -1)) {
		lua_pop(L, 1);
		return nx_err_set(err, "translate: module 'translate' has no function translate");
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, in->spec_ref); /* fn spec */
	lua_createtable(L, 0, 6);			 /* fn spec ctx */
	lua_pushstring(L, in->id ? in->id : "");
	lua_setfield(L, -2, "id");
	lua_pushstring(L, in->bundle);
	lua_setfield(L, -2, "bundle");
	lua_pushstring(L, in->rootfs);
	lua_setfield(L, -2, "rootfs");
	lua_rawgeti(L, LUA_REGISTRYINDEX, cfg->lua_ref);
	lua_setfield(L, -2, "config");
	lua_getfield(L, -2, "annotations");
	if (!lua_istable(L, -1)) {
		lua_pop(L, 1);
		lua_newtable(L);
	}
	lua_setfield(L, -2, "annotations");
	if (lua_host_pcall(h, 2, 1, err) < 0) /* plan */
		return nx_err_wrap(err, "translate");
	return 0;
}

/* maskedPaths/readonlyPaths need the root filesystem's file types. */
static int masks_for(nx_ctx *ctx, const translate_input *in, nx_plan *plan, nx_err *err)
{
	cleanup_free char *sdir = state_dir(ctx->opts->root, in->id && *in->id ? in->id : "dry-run");
	cleanup_free char *mount = sdir ? masks_rootfs_mount(sdir) : NULL;
	if (!mount)
		return nx_err_sys(err, ENOMEM, "translate");
	return masks_apply(plan, in->rootfs, mount, err);
}

int translate_plan(nx_ctx *ctx, const translate_input *in, nx_plan *plan, nx_err *err)
{
	if (translate_push_raw(ctx, in, err) < 0)
		return -1;
	lua_State *L = lua_host_state(ctx->lua);
	int rc = plan_from_lua(L, -1, plan, err);
	lua_pop(L, 1);
	if (rc < 0)
		return nx_err_wrap(err, "translate");
	if (masks_for(ctx, in, plan, err) < 0 || apparmor_check_plan(plan, err) < 0) {
		plan_free(plan);
		return -1;
	}
	for (size_t i = 0; i < plan->n_warnings; i++)
		log_warn("translate: %s", plan->warnings[i]);
	return 0;
}

/* The CT is marked as nexcage's (tag + a description line with the OCI id,
 * so `list` and `gc` find it even when all local state is gone), gets a
 * root disk if the rules named none, and its init is the held
 * nexcage-init, which execs plan.process at start. */
int plan_apply_core(nx_plan *p, const nx_config *cfg, const char *id, nx_err *err)
{
	const char *tags = plan_option(p, "tags");
	char buf[9000];
	if (!tags || !*tags)
		snprintf(buf, sizeof buf, "nexcage");
	else
		snprintf(buf, sizeof buf, "%s;nexcage", tags);
	if (plan_set_option(p, "tags", buf, err) < 0)
		return -1;
	const char *desc = plan_option(p, "description");
	snprintf(buf, sizeof buf, "%s%snexcage-id: %s", desc ? desc : "", desc && *desc ? "\n" : "", id);
	if (plan_set_option(p, "description", buf, err) < 0)
		return -1;
	if (!plan_option(p, "rootfs")) {
		snprintf(buf, sizeof buf, "%s:%ld", cfg->storage, cfg->rootfs_size);
		if (plan_set_option(p, "rootfs", buf, err) < 0)
			return -1;
	}
	/* pct create would make the CT unprivileged by default; the rules
	 * decide from the user namespace, and say so explicitly. */
	if (!plan_option(p, "unprivileged") && plan_set_option(p, "unprivileged", "0", err) < 0)
		return -1;
	plan_drop_option(p, "env");
	if (!strcmp(cfg->process_mode, "entrypoint")) {
		if (plan_set_option(p, "entrypoint", NX_CTR_INIT, err) < 0)
			return -1;
	} else {
		plan_drop_option(p, "entrypoint");
	}
	/* The init applies cmd/uid/gid/cwd/env itself: LXC applying them
	 * first would leave it unable to reach its socket. */
	size_t w = 0;
	for (size_t i = 0; i < p->n_lxc; i++) {
		const char *k = p->lxc[i].key;
		if (!strncmp(k, "lxc.init.", 9) || !strncmp(k, "lxc.environment", 15)) {
			free(p->lxc[i].key);
			free(p->lxc[i].value);
			continue;
		}
		p->lxc[w++] = p->lxc[i];
	}
	p->n_lxc = w;
	return 0;
}

int core_raw_keys(const nx_plan *plan, const nx_config *cfg, const char *state_dir, const char *ctr_dir,
		  core_raw *out, nx_err *err)
{
	memset(out, 0, sizeof *out);
	if (strpbrk(ctr_dir, " \t\n\\"))
		return nx_err_set(err,
				  "state root %s: whitespace or backslash in the path cannot be bind-mounted",
				  ctr_dir);
	out->all = calloc(plan->n_lxc + 5, sizeof(nx_kv));
	if (!out->all)
		return nx_err_sys(err, ENOMEM, "raw keys");
	snprintf(out->mount, sizeof out->mount, "%s %s none bind,ro,create=dir 0 0", ctr_dir,
		 &NX_CTR_MOUNTPOINT[1]);
	out->all[out->n++] = (nx_kv){"lxc.mount.entry", out->mount};
	snprintf(out->logfile, sizeof out->logfile, "%s/console.log", state_dir);
	out->all[out->n++] = (nx_kv){"lxc.console.logfile", out->logfile};
	if (strcmp(cfg->process_mode, "entrypoint"))
		out->all[out->n++] = (nx_kv){"lxc.init.cmd", NX_CTR_INIT};
	if (plan->seccomp) {
		snprintf(out->seccomp, sizeof out->seccomp, "%s/seccomp", state_dir);
		out->all[out->n++] = (nx_kv){"lxc.seccomp.profile", out->seccomp};
	}
	if (plan->n_readonly_paths) {
		/* the read-only paths' mount entries bind from below it */
		snprintf(out->rootfs_mount, sizeof out->rootfs_mount, "%s/rootfs-mount", state_dir);
		out->all[out->n++] = (nx_kv){"lxc.rootfs.mount", out->rootfs_mount};
	}
	for (size_t i = 0; i < plan->n_lxc; i++)
		out->all[out->n++] = plan->lxc[i];
	return 0;
}

char *core_seccomp_path(const char *state_dir)
{
	char *p = NULL;
	return asprintf(&p, "%s/seccomp", state_dir) < 0 ? NULL : p;
}

void core_raw_free(core_raw *raw)
{
	free(raw->all);
	raw->all = NULL;
	raw->n = 0;
}
