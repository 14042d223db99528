/* The operations behind list and exec, called as a library: no CLI. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/container_exec.h"
#include "core/container_list.h"
#include "harness.h"
#include "core/mapping.h"
#include "util/proc.h"
#include "core/state_store.h"
#include "test_util.h"

static void write_state(const char *root, const char *id, pid_t pid, unsigned long long start, long vmid)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/%s", root, id);
	mkdir(dir, 0700);
	nx_state st = {.id = (char *)id,
		       .oci_version = "1.3.0",
		       .bundle = "/b",
		       .rootfs = "/b/rootfs",
		       .created = "2026-01-01T00:00:00Z",
		       .owner = "root",
		       .pid = pid,
		       .pid_start = start,
		       .vmid = vmid,
		       .node = "pve",
		       .pct = "/usr/sbin/pct",
		       .pct_timeout = 30};
	nx_err err = {0};
	if (state_write(root, &st, &err) < 0) {
		fprintf(stderr, "state_write: %s\n", err.msg);
		abort();
	}
}

TEST(list_collects_state_corrupt_and_orphan_rows_sorted)
{
	char *tmp = tu_tmpdir();
	char root[4096], lib[4096];
	snprintf(root, sizeof root, "%s/root", tmp);
	snprintf(lib, sizeof lib, "%s/lib", tmp);
	mkdir(root, 0700);
	mkdir(lib, 0700);
	/* our own pid: running; a start time that cannot be ours: stopped */
	write_state(root, "b-live", getpid(), proc_start_time(getpid()), 101);
	write_state(root, "a-dead", getpid(), proc_start_time(getpid()) + 1, 102);
	tu_write(root, "c-bad/state.json", "{ not json", 0600);
	tu_write(root, NX_LOCK_DIR "/b-live", "", 0600); /* nexcage's own: not a container */
	nx_err err = {0};
	nx_mapping orphan = {.id = "d-orphan", .vmid = 104, .node = "pve", .bundle = "/ob",
			     .created = "2026-01-02T00:00:00Z", .root = root};
	nx_mapping live = {.id = "b-live", .vmid = 101, .node = "pve", .bundle = "/b",
			   .created = "2026-01-01T00:00:00Z", .root = root};
	nx_mapping other = {.id = "e-other-root", .vmid = 105, .node = "pve", .bundle = "/x",
			    .created = "2026-01-01T00:00:00Z", .root = "/elsewhere"};
	CHECK(mapping_write(lib, &orphan, &err) == 0);
	CHECK(mapping_write(lib, &live, &err) == 0);
	CHECK(mapping_write(lib, &other, &err) == 0);

	nx_opts opts = {.root = root, .state_dir = lib};
	nx_ctx ctx = {.opts = &opts};
	list_row *rows = NULL;
	size_t n = 0;
	CHECK(container_list(&ctx, &rows, &n, &err) == 0);
	CHECK(n == 4);
	if (n == 4) {
		CHECK_STR(rows[0].st.id, "a-dead");
		CHECK(rows[0].status == NX_STOPPED && !rows[0].orphaned);
		CHECK_STR(rows[1].st.id, "b-live");
		CHECK(rows[1].status == NX_RUNNING && rows[1].st.vmid == 101);
		CHECK_STR(rows[2].st.id, "c-bad");
		CHECK(rows[2].status == NX_UNKNOWN);
		CHECK_STR(rows[3].st.id, "d-orphan");
		CHECK(rows[3].orphaned && rows[3].status == NX_STOPPED && rows[3].st.vmid == 104);
		CHECK_STR(rows[3].st.bundle, "/ob");
	}
	container_list_free(rows, n);

	/* a root nothing was created in lists nothing, and is no error */
	snprintf(root, sizeof root, "%s/never", tmp);
	CHECK(container_list(&ctx, &rows, &n, &err) == 0);
	CHECK(n == 0);
	container_list_free(rows, n);
	tu_rmtree(tmp);
	free(tmp);
}

TEST(exec_process_file_overlays_the_containers_process)
{
	char *tmp = tu_tmpdir();
	char path[4096];
	snprintf(path, sizeof path, "%s/process.json", tmp);
	tu_write(tmp, "process.json",
		 "{\"args\": [\"sh\", \"-c\", \"id\"], \"env\": [\"A=1\"], \"cwd\": \"/srv\",\n"
		 " \"user\": {\"uid\": 1000}, \"terminal\": true,\n"
		 " \"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]}}",
		 0600);
	nx_process p = {.gid = 7};
	nx_err err = {0};
	CHECK(exec_process_load(path, &p, &err) == 0);
	CHECK(p.nargs == 3 && p.args[3] == NULL);
	CHECK_STR(p.args[2], "id");
	CHECK(p.nenv == 1);
	CHECK_STR(p.env[0], "A=1");
	CHECK_STR(p.cwd, "/srv");
	CHECK(p.uid == 1000 && p.gid == 7); /* gid not given: kept */
	CHECK(p.terminal && p.has_caps);
	CHECK_STR(p.caps[0], "kill net_bind_service");
	CHECK_STR(p.caps[1], "");
	exec_process_free(&p);

	tu_write(tmp, "process.json", "{\"args\": []}", 0600);
	CHECK(exec_process_load(path, &p, &err) < 0);
	CHECK_CONTAINS(err.msg, "args: must be a non-empty array of strings");
	tu_write(tmp, "process.json", "{\"args\": [\"x\"], \"capabilities\": {\"ambient\": [\"kill\"]}}", 0600);
	CHECK(exec_process_load(path, &p, &err) < 0);
	CHECK_CONTAINS(err.msg, "capabilities.ambient: not a capability name");
	exec_process_free(&p);
	tu_rmtree(tmp);
	free(tmp);
}
