/* The one way a plan is made, for create, for translate (the dry run)
 * and, through the same rules, for update (lua_bridge.h): pre-translate
 * hooks -> the rules (site edits included) -> the core's validation ->
 * pre-create hooks (tags) -> the options the core owns. A dry run runs the
 * same hooks, but their side effects are listed instead of made. */
#ifndef NX_PLAN_BUILD_H
#define NX_PLAN_BUILD_H

#include <stdbool.h>

#include "core/bundle_load.h"
#include "core/context.h"
#include "util/error.h"
#include "bridge/lua_bridge.h"
#include "plan/plan.h"

typedef struct plan_request {
	const char *id;
	const nx_bundle *bundle;
	bool dry_run;	   /* hooks' nexcage.run/write_file are listed, not made */
	bool skip_core;	   /* stop before the core's options (translate's JSON view) */
} plan_request;

/* What a dry run shows beside the plan. */
typedef struct plan_notes {
	plan_origins origins;
	char *would_call; /* one line per hook call not made; NULL when none */
} plan_notes;

/* notes may be NULL. On failure plan is empty. */
int plan_build(nx_ctx *ctx, const plan_request *rq, nx_plan *plan, plan_notes *notes, nx_err *err);
void plan_notes_free(plan_notes *n);

#endif
