/* The dry run (translate): the plan create would make for a bundle, and
 * the pct command, raw keys and init settings it leads to, without
 * touching Proxmox. */
#ifndef NX_DRY_RUN_H
#define NX_DRY_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "context.h"
#include "error.h"
#include "plan.h"
#include "plan_build.h"

typedef enum dry_run_format {
	DRY_RUN_JSON, /* the rules' and hooks' plan, before the core's options */
	DRY_RUN_PCT,  /* the pct create command line, raw keys and init settings */
} dry_run_format;

typedef struct dry_run {
	nx_plan plan;
	plan_notes notes;
} dry_run;

/* Load the bundle and build the plan as create would, hooks included
 * (their side effects listed, not made). with_core: with the options the
 * core adds (tags, description...), as create passes them. */
int dry_run_plan(nx_ctx *ctx, const char *bundle_dir, const char *id, bool with_core, dry_run *out,
		 nx_err *err);
void dry_run_free(dry_run *d);

/* A NULL-terminated vector of strings. */
typedef struct dry_run_argv {
	char **v;
	size_t n;
} dry_run_argv;
void dry_run_argv_free(dry_run_argv *a);

/* The pct create command of a plan: pct, "create", "<vmid>" (chosen only
 * at create), the template volume, then "--option", value pairs. */
int dry_run_pct_argv(nx_ctx *ctx, const nx_plan *p, const char *id, dry_run_argv *out, nx_err *err);

/* The plan as JSON (origins and hooks' calls included). */
void dry_run_render_json(const dry_run *d, nx_buf *b);
/* The pct command (shell-quoted, one option a line), the raw keys, and
 * as comments what nexcage-init applies, the warnings, the hooks' calls. */
int dry_run_render_pct(nx_ctx *ctx, const dry_run *d, const char *id, nx_buf *b, nx_err *err);

/* The whole dry run of the bundle in dir as text, into out. */
int translate_dry_run(nx_ctx *ctx, const char *bundle_dir, const char *id, dry_run_format format, nx_buf *out,
		      nx_err *err);

#endif
