#define _GNU_SOURCE
#include "plan_build.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua_hooks.h"
#include "translate.h"

void plan_notes_free(plan_notes *n)
{
	plan_origins_free(&n->origins);
	free(n->would_call);
	n->would_call = NULL;
}

/* pre-create hooks see the validated plan and may add tags. */
static int pre_create_hooks(nx_ctx *ctx, const plan_request *rq, int spec_ref, nx_plan *plan, nx_err *err)
{
	char *tags = NULL;
	site_hook_ctx hc = {.phase = "pre-create",
			   .id = rq->id,
			   .vmid = -1,
			   .bundle = rq->bundle->path,
			   .spec_ref = spec_ref,
			   .plan = plan,
			   .tags_out = &tags};
	int rc = site_hooks_run(ctx, &hc, err);
	if (rc == 0 && tags && *tags) {
		const char *old = plan_option(plan, "tags");
		char *joined = NULL;
		if (asprintf(&joined, "%s%s%s", old ? old : "", old && *old ? ";" : "", tags) < 0)
			rc = nx_err_sys(err, ENOMEM, "tags");
		else if (plan_set_option(plan, "tags", joined, err) < 0)
			rc = nx_err_wrap(err, "pre-create hook tags");
		free(joined);
	}
	free(tags);
	return rc;
}

static int build_steps(nx_ctx *ctx, const plan_request *rq, int spec_ref, nx_plan *plan, plan_notes *notes,
		       nx_err *err)
{
	site_hook_ctx hc = {
	    .phase = "pre-translate", .id = rq->id, .vmid = -1, .bundle = rq->bundle->path, .spec_ref = spec_ref};
	if (site_hooks_run(ctx, &hc, err) < 0)
		return -1;
	translate_input in = {rq->id, spec_ref, rq->bundle->path, rq->bundle->rootfs};
	if (bridge_translate(ctx, &in, plan, notes ? &notes->origins : NULL, err) < 0 ||
	    translate_core_checks(ctx, &in, plan, err) < 0)
		return -1;
	if (pre_create_hooks(ctx, rq, spec_ref, plan, err) < 0)
		return -1;
	if (rq->skip_core)
		return 0;
	const nx_config *cfg = ctx_config(ctx, err);
	if (!cfg || plan_apply_core(plan, cfg, rq->id, err) < 0)
		return -1;
	return 0;
}

int plan_build(nx_ctx *ctx, const plan_request *rq, nx_plan *plan, plan_notes *notes, nx_err *err)
{
	memset(plan, 0, sizeof *plan);
	if (notes)
		memset(notes, 0, sizeof *notes);
	if (!ctx_config(ctx, err))
		return -1;
	/* Hooks may edit the spec for the rules (pre-translate); what the core
	 * itself takes from it afterwards (the OCI hooks it runs, the
	 * annotations it records) stays as validated. */
	int spec_ref = rq->bundle->spec_ref, frozen;
	if (bridge_spec_freeze(ctx, spec_ref, &frozen, err) < 0)
		return -1;
	nx_lua_mode mode = nxlua_mode(ctx->lua);
	if (rq->dry_run) {
		nxlua_dry_run_reset(ctx->lua);
		nxlua_set_mode(ctx->lua, NX_LUA_DRY_RUN);
	}
	int rc = build_steps(ctx, rq, spec_ref, plan, notes, err);
	if (rq->dry_run && notes) {
		const char *log = nxlua_dry_run_log(ctx->lua);
		notes->would_call = *log ? strdup(log) : NULL;
	}
	nxlua_set_mode(ctx->lua, mode);
	nx_err thaw_err = {0};
	if (bridge_spec_thaw(ctx, spec_ref, frozen, &thaw_err) < 0 && rc == 0) {
		*err = thaw_err;
		rc = -1;
	}
	bridge_unref(ctx, frozen);
	if (rc < 0) {
		plan_free(plan);
		if (notes)
			plan_notes_free(notes);
	}
	return rc;
}
