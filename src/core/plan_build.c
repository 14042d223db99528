#define _GNU_SOURCE
#include "core/plan_build.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "bridge/site_hooks.h"
#include "core/translate.h"
#include "util/xalloc.h"

void plan_notes_free(plan_notes *n)
{
	plan_origins_free(&n->origins);
	free(n->would_call);
	n->would_call = NULL;
}

/* What the steps share: the Lua host and the configuration, loaded once
 * by plan_build and handed down as values, and a dry run's list. */
typedef struct build_env {
	nx_ctx *ctx;
	nx_lua *h;
	const nx_config *cfg;
	nx_buf *dry_run_log; /* NULL unless a dry run */
} build_env;

static int run_hooks(const build_env *e, site_hook_ctx *hc, nx_err *err)
{
	hc->dry_run_log = e->dry_run_log;
	return site_hooks_run(e->h, e->cfg, e->ctx->opts->hooks_path, hc, err);
}

/* pre-create hooks see the validated plan and may add tags. */
static int pre_create_hooks(const build_env *e, const plan_request *rq, const bridge_spec *spec,
			    nx_plan *plan, nx_err *err)
{
	char *tags = NULL;
	site_hook_ctx hc = {.phase = "pre-create",
			   .id = rq->id,
			   .vmid = -1,
			   .bundle = rq->bundle->path,
			   .spec = spec,
			   .plan = plan,
			   .tags_out = &tags};
	int rc = run_hooks(e, &hc, err);
	if (rc == 0 && tags && *tags) {
		const char *old = plan_option(plan, "tags");
		char *joined = xasprintf("%s%s%s", old ? old : "", old && *old ? ";" : "", tags);
		if (plan_set_option(plan, "tags", joined, err) < 0)
			rc = nx_err_wrap(err, "pre-create hook tags");
		free(joined);
	}
	free(tags);
	return rc;
}

static int build_steps(const build_env *e, const plan_request *rq, const bridge_spec *spec, nx_plan *plan,
		       plan_notes *notes, nx_err *err)
{
	site_hook_ctx hc = {
	    .phase = "pre-translate", .id = rq->id, .vmid = -1, .bundle = rq->bundle->path, .spec = spec};
	if (run_hooks(e, &hc, err) < 0)
		return -1;
	translate_input in = {rq->id, spec, rq->bundle->path, rq->bundle->rootfs};
	if (bridge_translate(e->h, e->cfg, &in, plan, notes ? &notes->origins : NULL, err) < 0 ||
	    translate_core_checks(&in, plan, err) < 0)
		return -1;
	if (pre_create_hooks(e, rq, spec, plan, err) < 0)
		return -1;
	if (rq->skip_core)
		return 0;
	if (plan_apply_core(plan, e->cfg, e->ctx->opts->root, rq->id, err) < 0)
		return -1;
	return 0;
}

int plan_build(nx_ctx *ctx, const plan_request *rq, nx_plan *plan, plan_notes *notes, nx_err *err)
{
	memset(plan, 0, sizeof *plan);
	if (notes)
		memset(notes, 0, sizeof *notes);
	nx_buf would_call = {0};
	build_env e = {.ctx = ctx, .dry_run_log = rq->dry_run ? &would_call : NULL};
	if (!(e.cfg = ctx_config(ctx, err)) || !(e.h = ctx_lua(ctx, err)))
		return -1;
	/* The hooks and rules work on a copy: a pre-translate hook's edits
	 * reach the rules, and never the validated spec (the core reads its
	 * facts from C copies made at validation anyway). */
	bridge_spec *work;
	if (bridge_spec_copy(rq->bundle->spec, &work, err) < 0)
		return -1;
	int rc = build_steps(&e, rq, work, plan, notes, err);
	if (notes && would_call.len)
		notes->would_call = xstrdup(would_call.data);
	buf_free(&would_call);
	bridge_spec_free(work);
	if (rc < 0) {
		plan_free(plan);
		if (notes)
			plan_notes_free(notes);
	}
	return rc;
}
