/* The dry run (translate): the plan create would make for a bundle, and
 * the pct command, raw keys and init settings it leads to, without
 * touching Proxmox. */
#ifndef NX_DRY_RUN_H
#define NX_DRY_RUN_H


#include "util/buf.h"
#include "core/context.h"
#include "util/error.h"

typedef enum dry_run_format {
	DRY_RUN_JSON, /* the rules' and hooks' plan, before the core's options */
	DRY_RUN_PCT,  /* the pct create command line, raw keys and init settings */
} dry_run_format;

/* The whole dry run of the bundle in dir as text, into out. */
int translate_dry_run(nx_ctx *ctx, const char *bundle_dir, const char *id, dry_run_format format, nx_buf *out,
		      nx_err *err);

#endif
