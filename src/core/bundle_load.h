/* The OCI bundle: <bundle>/config.json read with a size cap, checked as
 * text (UTF-8, no NUL byte, nesting) here, then decoded, normalised and
 * validated against runtime-spec v1.3.0 for Linux by the bridge
 * (lua_bridge_spec.c). The core gets C values: the facts it needs, copied
 * right after validation, and a handle to the spec the rules receive. */
#ifndef NX_BUNDLE_LOAD_H
#define NX_BUNDLE_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"
#include "bridge/lua_bridge.h"
#include "luahost/lua_host.h"
#include "oci/spec_report.h"
#include "oci/bundle.h"

/* Read, decode and validate <dir>/config.json. On failure err holds every
 * problem, one line each ("config.json: <path>: <rule>"), as many as fit
 * (then a line that counts the rest). */
int bundle_load(nx_lua *h, const char *dir, nx_bundle *b, nx_err *err);
/* The same, with the complete report of problems (up to SPEC_REPORT_MAX
 * lines) in *report, which the caller frees with spec_report_free. */
int bundle_load_report(nx_lua *h, const char *dir, nx_bundle *b, spec_report *report, nx_err *err);

/* The core of bundle_load on config.json text in memory (the fuzz target
 * and the tests call it): bundle_dir must be
 * absolute; root.path is resolved against it. report may be NULL. */
int bundle_decode(nx_lua *h, const char *data, size_t len, const char *bundle_dir, nx_bundle *b,
		  spec_report *report, nx_err *err);

void bundle_free(nx_bundle *b);

#endif
