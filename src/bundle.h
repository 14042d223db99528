/* TEMPORARY stand-in (lifecycle worktree only) until the bundle issue lands. */
#ifndef NX_BUNDLE_H
#define NX_BUNDLE_H

#include <stdbool.h>

#include "context.h"
#include "error.h"

typedef struct nx_bundle {
	char *path;
	char *rootfs;
	char *oci_version;
	int spec_ref;
} nx_bundle;

int bundle_load(nx_ctx *ctx, const char *dir, nx_bundle *b, nx_err *err);
bool bundle_has_process(nx_ctx *ctx, const nx_bundle *b);
void bundle_free(nx_ctx *ctx, nx_bundle *b);

#endif
