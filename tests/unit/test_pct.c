/* pct failures are classified by exit status and an anchored line naming
 * this call's VMID, never by a word found somewhere in the text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "pve/pct_internal.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* A fake pct that prints OUT on stdout, MSG on stderr and exits with CODE. */
static nx_err_kind call_fake(const char *cmd, const char *vmid, const char *out, const char *msg, int code,
			     char *detail, nx_err *err)
{
	char script[] = "/tmp/nexcage-unit-pct-XXXXXX";
	int fd = mkstemp(script);
	FILE *f = fdopen(fd, "w");
	fprintf(f, "#!/bin/sh\nprintf '%%s' \"%s\"\nprintf '%%s\\n' \"%s\" >&2\nexit %d\n", out, msg, code);
	fclose(f);
	chmod(script, 0700);
	nx_pct pct = {.path = script, .timeout = 10};
	const char *args[] = {cmd, vmid, NULL};
	int rc = pct_call(&pct, args, NULL, err);
	unlink(script);
	if (detail)
		snprintf(detail, 32, "%s", err->detail);
	return rc < 0 ? err->kind : (nx_err_kind)-1;
}

static nx_err_kind kind_of(const char *cmd, const char *vmid, const char *msg, int code, char *detail)
{
	nx_err err = {0};
	return call_fake(cmd, vmid, "", msg, code, detail, &err);
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

/* As a node answers (pve-facts.md): a VMID configured on another node
 * exits 2, on this one 255; a lock timeout outside a task exits 4 after
 * "trying to acquire lock..."; the CT's state and a missing template. */
TEST(pct_failures_as_a_node_answers_them)
{
	CHECK(kind_of("create", "100", "CT 100 already exists on node 'other'", 2, NULL) == NX_ERR_VMID_TAKEN);
	CHECK(kind_of("create", "100", "CT 100 already exists on node 'other'", 4, NULL) == NX_ERR_OTHER);
	CHECK(kind_of("set", "100",
		      "trying to acquire lock...\ncan't lock file '/run/lock/lxc/pve-config-100.lock' - got timeout", 4,
		      NULL) == NX_ERR_TIMED_OUT);
	CHECK(kind_of("create", "100",
		      "trying to acquire lock...\nunable to create CT 100 - can't lock file "
		      "'/run/lock/lxc/pve-config-100.lock' - got timeout",
		      4, NULL) == NX_ERR_TIMED_OUT);
	CHECK(kind_of("set", "100", "can't lock file '/run/lock/lxc/pve-config-100.lock' - got timeout", 2, NULL) ==
	      NX_ERR_OTHER);
	CHECK(kind_of("start", "100", "CT 100 already running", 255, NULL) == NX_ERR_CT_RUNNING);
	CHECK(kind_of("start", "100", "CT 1000 already running", 255, NULL) == NX_ERR_OTHER);
	CHECK(kind_of("destroy", "100", "unable to destroy CT 100 - container is running", 255, NULL) ==
	      NX_ERR_CT_RUNNING);
	CHECK(kind_of("stop", "100", "CT 100 not running", 255, NULL) == NX_ERR_CT_STOPPED);
	CHECK(kind_of("exec", "100", "container '100' not running!", 255, NULL) == NX_ERR_CT_STOPPED);
	CHECK(kind_of("create", "100", "unable to create CT 100 - can't find file 'local:vztmpl/x.tar.zst'", 255,
		      NULL) == NX_ERR_NO_TEMPLATE);
	CHECK(kind_of("create", "100", "unable to create CT 100 - can't find file 'local:vztmpl/x' (busy)", 255,
		      NULL) == NX_ERR_OTHER);
}

/* A task's reasons are on its stdout (a failed start: LXC's errors;
 * stderr has "startup for container 'N' failed" only): they are in the
 * error, the last lines of them. */
TEST(a_failed_tasks_output_is_in_the_error)
{
	nx_err err = {0};
	call_fake("start", "100", "run_buffer:322 - Script exited with status 1\nFailed to mount rootfs\n",
		  "startup for container '100' failed", 255, NULL, &err);
	CHECK_STR(err.msg, "pct start 100 failed (exit 255): startup for container '100' failed\n  pct's output:\n"
			   "    run_buffer:322 - Script exited with status 1\n    Failed to mount rootfs");
	nx_err_clear(&err);
	char many[2048] = "";
	for (int i = 1; i <= 30; i++)
		snprintf(many + strlen(many), sizeof many - strlen(many), "line %d\n", i);
	call_fake("start", "100", many, "startup for container '100' failed", 255, NULL, &err);
	CHECK(strstr(err.msg, "    line 19\n    line 20") && !strstr(err.msg, "line 18\n"));
	CHECK(strlen(err.msg) > 10 && !strcmp(err.msg + strlen(err.msg) - 11, "    line 30"));
}

/* A fake pct for the typed calls: prints OUT, exits 0, and writes the
 * arguments it got, one a line, to the file after "--args". */
static char *fake_pct(const char *out, char *args_file)
{
	char *script = xstrdup("/tmp/nexcage-unit-pct-XXXXXX");
	int fd = mkstemp(script);
	FILE *f = fdopen(fd, "w");
	fprintf(f, "#!/bin/sh\nprintf '%%s\\n' \"$@\" > %s\nprintf '%%s' \"%s\"\n", args_file, out);
	fclose(f);
	chmod(script, 0700);
	return script;
}

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
	return buf;
}

/* Each subcommand's argv is built in pct.c: what runs is what the dry run
 * shows, and status reads "status: running" as a line of its own. */
TEST(typed_pct_calls_build_their_argv_and_read_status)
{
	char args[] = "/tmp/nexcage-unit-pct-args-XXXXXX";
	close(mkstemp(args));
	nx_err err = {0};
	char *script = fake_pct("status: running\n", args);
	nx_pct pct = {.path = script, .timeout = 10};
	bool running = false;
	CHECK(pct_status(&pct, 104, &running, &err) == 0 && running);
	CHECK_STR(slurp(args), "status\n104\n");
	free(script);
	script = fake_pct("status: stopped\nnote: status: running later\n", args);
	pct.path = script;
	CHECK(pct_status(&pct, 104, &running, &err) == 0 && !running);
	nx_kv opts[] = {{"hostname", "a b"}, {"memory", "512"}};
	CHECK(pct_create(&pct, 105, "local:vztmpl/x.tar", opts, 2, &err) == 0);
	CHECK_STR(slurp(args), "create\n105\nlocal:vztmpl/x.tar\n--hostname\na b\n--memory\n512\n");
	char **v = pct_create_argv(script, "105", "local:vztmpl/x.tar", opts, 2);
	CHECK_STR(v[0], script);
	CHECK(!strcmp(v[1], "create") && !strcmp(v[2], "105") && !strcmp(v[4], "--hostname") && !v[8]);
	strv_free(v);
	CHECK(pct_set(&pct, 105, opts + 1, 1, &err) == 0);
	CHECK_STR(slurp(args), "set\n105\n--memory\n512\n");
	CHECK(pct_destroy(&pct, 105, &err) == 0);
	CHECK_STR(slurp(args), "destroy\n105\n--force\n1\n--purge\n1\n");
	char **e = NULL;
	size_t n = 0;
	pct_exec_argv(&pct, 105, &e, &n);
	CHECK(n == 4 && !strcmp(e[1], "exec") && !strcmp(e[2], "105") && !strcmp(e[3], "--"));
	strv_free(e);
	unlink(script);
	free(script);
	unlink(args);
}
