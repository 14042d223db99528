/* The OCI bundle as the core keeps it once the bridge has validated
 * config.json (core/bundle_load.h reads and checks it): the facts the core
 * needs, copied right after validation, and a handle to the spec the rules
 * receive. */
#ifndef NX_OCI_BUNDLE_H
#define NX_OCI_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/kv.h"

typedef struct bridge_spec bridge_spec;

/* config.json larger than this is refused before it is read: real ones
 * are a few KiB (a big seccomp profile is ~30 KiB), and the decoded table
 * costs ~10x the text in Lua memory. */
#define BUNDLE_CONFIG_MAX (4u << 20)
/* Nesting deeper than this is refused (runtime-spec's deepest path is 6). */
#define BUNDLE_MAX_DEPTH 64

typedef struct nx_bundle {
	char *path;	   /* absolute bundle directory */
	char *rootfs;	   /* absolute root filesystem (root.path resolved) */
	char *oci_version; /* the config's ociVersion */
	bool has_process;
	nx_kv *annotations; /* as validated */
	size_t n_annotations;
	char *hooks_json;  /* the OCI hooks as validated (JSON text), NULL when none */
	bridge_spec *spec; /* the table the rules and hooks get; NULL when none */
} nx_bundle;

#endif
