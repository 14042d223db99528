/* The OCI bundle: config.json decoded into one Lua table (the same table
 * the translation rules receive) and validated by the core. */
#ifndef NX_BUNDLE_H
#define NX_BUNDLE_H

#include <stdbool.h>

#include "context.h"
#include "error.h"

typedef struct nx_bundle {
	char *path;   /* absolute bundle directory */
	char *rootfs; /* absolute root filesystem */
	char *oci_version;
	int spec_ref; /* registry ref of the validated spec table */
} nx_bundle;

/* Decode and validate config.json text; on success the spec table is on
 * top of the Lua stack. rootfs receives root.path resolved against
 * bundle_dir. (The fuzz target calls this directly.) */
int bundle_decode(nx_lua *h, const char *data, size_t len, const char *bundle_dir, char *rootfs, size_t n,
		  nx_err *err);

int bundle_load(nx_ctx *ctx, const char *dir, nx_bundle *b, nx_err *err);
bool bundle_has_process(nx_ctx *ctx, const nx_bundle *b);
void bundle_free(nx_ctx *ctx, nx_bundle *b);

#endif
