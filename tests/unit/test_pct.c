/* pct failures are classified by exit status and an anchored line naming
 * this call's VMID, never by a word found somewhere in the text. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "pct.h"

/* A fake pct that prints MSG on stderr and exits with CODE. */
static nx_err_kind kind_of(const char *cmd, const char *vmid, const char *msg, int code, char *detail)
{
	char script[] = "/tmp/nexcage-unit-pct-XXXXXX";
	int fd = mkstemp(script);
	FILE *f = fdopen(fd, "w");
	fprintf(f, "#!/bin/sh\nprintf '%%s\\n' \"%s\" >&2\nexit %d\n", msg, code);
	fclose(f);
	chmod(script, 0700);
	nx_pct pct = {.path = script, .timeout = 10};
	const char *args[] = {cmd, vmid, NULL};
	nx_err err = {0};
	int rc = pct_call(&pct, args, NULL, &err);
	unlink(script);
	if (detail)
		snprintf(detail, 32, "%s", err.detail);
	return rc < 0 ? err.kind : (nx_err_kind)-1;
}

TEST(pct_failures_are_classified_by_status_and_anchored_line)
{
	char d[32];
	CHECK(kind_of("destroy", "100", "Configuration file 'nodes/pve/lxc/100.conf' does not exist", 2, NULL) ==
	      NX_ERR_CT_GONE);
	/* the same words about something else, or another VMID, or another status */
	CHECK(kind_of("destroy", "100", "storage 'x' does not exist", 255, NULL) == NX_ERR_OTHER);
	CHECK(kind_of("destroy", "100", "storage 'x' does not exist", 2, NULL) == NX_ERR_OTHER);
	CHECK(kind_of("destroy", "100", "Configuration file 'nodes/pve/lxc/1000.conf' does not exist", 2, NULL) ==
	      NX_ERR_OTHER);
	CHECK(kind_of("destroy", "100", "Configuration file 'nodes/pve/lxc/100.conf' does not exist", 255, NULL) ==
	      NX_ERR_OTHER);
	CHECK(kind_of("create", "100", "unable to create CT 100 - CT 100 already exists on node 'b'", 255, NULL) ==
	      NX_ERR_VMID_TAKEN);
	CHECK(kind_of("create", "100", "CT 100 already exists on node 'b'", 255, NULL) == NX_ERR_VMID_TAKEN);
	CHECK(kind_of("create", "100", "unable to create CT 100 - volume 'local:x' already exists", 255, NULL) ==
	      NX_ERR_OTHER);
	CHECK(kind_of("destroy", "100", "CT 100 already exists on node 'b'", 255, NULL) == NX_ERR_OTHER);
	CHECK(kind_of("destroy", "100", "CT is locked (create)", 255, d) == NX_ERR_LOCKED);
	CHECK_STR(d, "create");
	CHECK(kind_of("start", "100", "CT is locked (destroyed)", 255, d) == NX_ERR_LOCKED);
	CHECK_STR(d, "destroyed");
	CHECK(kind_of("destroy", "100", "can't lock file '/run/lock/lxc/pve-config-100.lock' - got timeout", 255,
		      NULL) == NX_ERR_TIMED_OUT);
	CHECK(kind_of("destroy", "100", "warning: x\nunable to remove volume: rm -rf failed: Device or resource busy",
		      255, NULL) == NX_ERR_OTHER);
}
