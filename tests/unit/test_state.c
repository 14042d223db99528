#define _GNU_SOURCE
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "util/json.h"
#include "util/proc.h"
#include "core/state_store.h"
#include "test_util.h"

TEST(json_reader_handles_escapes_and_refuses_garbage)
{
	nx_err err = {0};
	const char *doc =
	    "{\"a\": \"x\\u00e9\\ud83d\\ude00\\n\", \"b\": [1, 2.5, true, null], \"c\": {\"d\": -3}}";
	json_value *v = json_parse(doc, strlen(doc), &err);
	CHECK(v != NULL);
	CHECK_STR(json_get_string(v, "a"), "x\xc3\xa9\xf0\x9f\x98\x80\n");
	CHECK(json_get_int(json_get(v, "c"), "d", 0) == -3);
	json_free(v);
	const char *bad[] = {"", "{", "{\"a\" 1}", "[1,]", "\"\\u0000\"", "\"\\ud800\"", "01x", "{} x", NULL};
	for (const char **b = bad; *b; b++) {
		json_value *x = json_parse(*b, strlen(*b), &err);
		CHECK(x == NULL);
		json_free(x);
	}
	char deep[200];
	memset(deep, '[', sizeof deep);
	CHECK(json_parse(deep, sizeof deep, &err) == NULL);
	CHECK_CONTAINS(err.msg, "nested too deeply");
}

TEST(json_reader_keeps_integer_literals_exact_past_2_53)
{
	nx_err err = {0};
	const char *doc = "{\"a\": 9007199254740993, \"b\": -9223372036854775808, \"c\": 9223372036854775807,"
			  " \"d\": 9223372036854775808, \"e\": 18446744073709551616, \"f\": 1e3, \"g\": 1e300}";
	json_value *v = json_parse(doc, strlen(doc), &err);
	CHECK(v != NULL);
	CHECK(json_get_int(v, "a", 0) == 9007199254740993LL);
	CHECK(json_get_int(v, "b", 0) == LLONG_MIN);
	CHECK(json_get_int(v, "c", 0) == LLONG_MAX);
	CHECK(json_get_int(v, "d", 7) == 7); /* past long long: the default */
	const json_value *d = json_get(v, "d");
	CHECK(d->is_int && !d->int_neg && !d->int_over && d->int_mag == 9223372036854775808ULL);
	CHECK(json_get(v, "e")->is_int && json_get(v, "e")->int_over);
	CHECK(json_get_int(v, "f", 0) == 1000 && !json_get(v, "f")->is_int);
	CHECK(json_get_int(v, "g", 7) == 7);
	json_free(v);
}

TEST(state_round_trips_and_derives_status)
{
	char *root = tu_tmpdir();
	char *dir = NULL;
	if (asprintf(&dir, "%s/c1", root) < 0)
		abort();
	mkdir(dir, 0700);
	nx_kv ann[] = {{"a", "1"}, {"b\"q", "x\ny"}};
	nx_state st = {.id = "c1",
		       .oci_version = "1.3.0",
		       .bundle = "/b",
		       .rootfs = "/b/rootfs",
		       .created = "2026-01-01T00:00:00Z",
		       .owner = "root",
		       .pid = getpid(),
		       .pid_start = proc_start_time(getpid()),
		       .vmid = 123,
		       .node = "pve",
		       .pct = "/usr/sbin/pct",
		       .pct_timeout = 30,
		       .annotations = ann,
		       .n_annotations = 2,
		       .hooks_json = "{\"poststop\":[{\"path\":\"/bin/true\"}]}"};
	nx_err err = {0};
	CHECK(state_write(root, &st, &err) == 0);
	nx_state r;
	CHECK(state_read(root, "c1", &r, &err) == 0);
	CHECK(r.vmid == 123 && r.pid == getpid());
	CHECK_STR(r.annotations[1].key, "b\"q");
	CHECK_STR(r.annotations[1].value, "x\ny");
	CHECK_CONTAINS(r.hooks_json, "poststop");
	/* our own pid, no exec fifo: running */
	CHECK(state_status(root, &r) == NX_RUNNING);
	r.pid_start += 1; /* a reused pid: a different start time */
	CHECK(state_status(root, &r) == NX_STOPPED);
	state_free(&r);
	CHECK(state_read(root, "nope", &r, &err) < 0);
	CHECK_STR(err.msg, "container does not exist");
	free(dir);
	tu_rmtree(root);
	free(root);
}
