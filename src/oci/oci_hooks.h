/* The OCI hooks of config.json (frozen into state.json at create): each an
 * exec of `path` with `args` and exactly `env`, the state JSON on stdin, a
 * timeout, and its output captured into the log. */
#ifndef NX_OCI_HOOKS_H
#define NX_OCI_HOOKS_H

#include <sys/types.h>

#include "util/error.h"

typedef enum {
	HOOK_ON_HOST,	    /* prestart, createRuntime, poststart, poststop */
	HOOK_IN_NAMESPACES, /* createContainer: path resolved on the host */
	HOOK_IN_CONTAINER,  /* startContainer: path resolved in the container */
} hook_place;

/* Run every hook of `kind` in order; the first failure stops and names
 * the hook. No hooks of that kind (or no hooks at all) is success. */
int oci_hooks_run(const char *hooks_json, const char *kind, const char *state_json, pid_t ns_pid,
		  hook_place where, nx_err *err);

#endif
