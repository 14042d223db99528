/* gc: destroy the Proxmox CTs this root's containers left whose OCI state
 * is gone, and the files a killed nexcage left. */
#ifndef NX_GC_H
#define NX_GC_H

#include <stdbool.h>
#include <stddef.h>

#include "core/context.h"
#include "util/error.h"
#include "core/sweep.h"

typedef struct gc_item {
	char *id;
	long vmid; /* -1: no CT, only files */
} gc_item;

/* Called before an item is removed (or, in a dry run, instead), so that
 * a caller can say what is about to happen before a slow pct destroy. */
typedef void (*gc_notify_fn)(const gc_item *item, bool dry_run, void *data);

typedef struct gc_opts {
	bool dry_run; /* only list what would be removed */
	gc_notify_fn notify;
	sweep_notify_fn file_notify; /* each leftover file removed */
	void *data;
} gc_opts;

typedef struct gc_report {
	gc_item *items; /* removed, or would be */
	size_t n;
	int failed; /* ids that could not be collected (each logged) */
} gc_report;

/* Every id is tried, one failure does not stop the others; then -1 with
 * err saying how many failed. The report is filled either way. */
int gc_collect(nx_ctx *ctx, const gc_opts *o, gc_report *rep, nx_err *err);
void gc_report_free(gc_report *rep);

#endif
