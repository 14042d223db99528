/* config.json fixtures, one per rule, each bad one asserting the exact
 * JSON path and message; the good ones must validate. */
#define _GNU_SOURCE
#include <lua.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bundle.h"
#include "harness.h"
#include "test_util.h"

#define GOOD_PROCESS "\"process\": {\"cwd\": \"/\", \"args\": [\"sh\"], \"user\": {\"uid\": 0, \"gid\": 0}}"
#define GOOD_HEAD    "\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"rootfs\"}"

static const char *decode(nx_lua *h, const char *dir, const char *json, nx_err *err)
{
	char rootfs[4096];
	nx_err_clear(err);
	if (bundle_decode(h, json, strlen(json), dir, rootfs, sizeof rootfs, err) < 0)
		return err->msg;
	lua_pop(lua_host_state(h), 1);
	return "";
}

static const struct {
	const char *json;
	const char *message;
} bad[] = {
    {"{" GOOD_PROCESS ", \"root\": {\"path\": \"rootfs\"}}", "config.json: ociVersion: required string"},
    {"{\"ociVersion\": \"2.0.0\", \"root\": {\"path\": \"rootfs\"}}",
     "config.json: ociVersion: must be a SemVer version with major 1 (got \"2.0.0\")"},
    {"{\"ociVersion\": \"1.0\", \"root\": {\"path\": \"rootfs\"}}",
     "config.json: ociVersion: must be a SemVer version with major 1 (got \"1.0\")"},
    {"{\"ociVersion\": \"1.0.0\"}", "config.json: root: required object"},
    {"{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"nope\"}}",
     "config.json: root.path: must be an existing directory (got \"nope\")"},
    {"{" GOOD_HEAD
     ", \"process\": {\"cwd\": \"tmp\", \"args\": [\"sh\"], \"user\": {\"uid\": 0, \"gid\": 0}}}",
     "config.json: process.cwd: must be an absolute path (got \"tmp\")"},
    {"{" GOOD_HEAD ", \"process\": {\"cwd\": \"/\", \"args\": [], \"user\": {\"uid\": 0, \"gid\": 0}}}",
     "config.json: process.args: must be a non-empty array of strings"},
    {"{" GOOD_HEAD
     ", \"process\": {\"cwd\": \"/\", \"args\": [\"sh\", 1], \"user\": {\"uid\": 0, \"gid\": 0}}}",
     "config.json: process.args[1]: must be a string"},
    {"{" GOOD_HEAD ", \"process\": {\"cwd\": \"/\", \"args\": [\"sh\"], \"env\": [\"=x\"], \"user\": "
     "{\"uid\": 0, \"gid\": 0}}}",
     "config.json: process.env[0]: must be a string NAME=value"},
    {"{" GOOD_HEAD ", \"process\": {\"cwd\": \"/\", \"args\": [\"sh\"]}}",
     "config.json: process.user: required object with uid and gid"},
    {"{" GOOD_HEAD ", \"process\": {\"cwd\": \"/\", \"args\": [\"sh\"], \"user\": {\"uid\": 0}}}",
     "config.json: process.user.gid: required"},
    {"{" GOOD_HEAD
     ", \"process\": {\"cwd\": \"/\", \"args\": [\"sh\"], \"user\": {\"uid\": 4294967296, \"gid\": 0}}}",
     "config.json: process.user.uid: must be an integer between 0 and 4294967295"},
    {"{" GOOD_HEAD
     ", \"process\": {\"cwd\": \"/\", \"args\": [\"sh\"], \"user\": {\"uid\": 1.5, \"gid\": 0}}}",
     "config.json: process.user.uid: must be an integer between 0 and 4294967295"},
    {"{" GOOD_HEAD ", \"process\": {\"cwd\": \"/\", \"args\": [\"sh\"], \"user\": {\"uid\": 0, \"gid\": 0},"
     " \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 1}, {\"type\": \"RLIMIT_NOFILE\", "
     "\"soft\": 2, \"hard\": 2}]}}",
     "config.json: process.rlimits[1]: duplicate rlimit type RLIMIT_NOFILE"},
    {"{" GOOD_HEAD ", \"process\": {\"cwd\": \"/\", \"args\": [\"sh\"], \"user\": {\"uid\": 0, \"gid\": 0},"
     " \"rlimits\": [{\"type\": \"NOFILE\", \"soft\": 1, \"hard\": 1}]}}",
     "config.json: process.rlimits[0]: type must be an RLIMIT_* name"},
    {"{" GOOD_HEAD ", \"hooks\": {\"prestart\": [{\"path\": \"hook\"}]}}",
     "config.json: hooks.prestart[0].path: required absolute path"},
    {"{" GOOD_HEAD ", \"hooks\": {\"poststop\": [{\"path\": \"/h\", \"timeout\": 0}]}}",
     "config.json: hooks.poststop[0].timeout: must be an integer > 0"},
    {"{" GOOD_HEAD ", \"mounts\": [{\"type\": \"tmpfs\", \"source\": \"tmpfs\"}]}",
     "config.json: mounts[0].destination: required string"},
    {"{" GOOD_HEAD ", \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"pid\"}]}}",
     "config.json: linux.namespaces[1].type: duplicate namespace type pid"},
    {"{" GOOD_HEAD ", \"linux\": {\"namespaces\": [{\"type\": \"net\"}]}}",
     "config.json: linux.namespaces[0].type: must be one of pid, network, mount, ipc, uts, user, cgroup, "
     "time"},
    {"{" GOOD_HEAD
     ", \"linux\": {\"resources\": {\"hugepageLimits\": [{\"pageSize\": \"3MB\", \"limit\": 1}]}}}",
     "config.json: linux.resources.hugepageLimits[0].pageSize: must be a power-of-two size like 2MB or 1GB "
     "(got \"3MB\")"},
    {"{" GOOD_HEAD ", \"hostname\": 5}", "config.json: hostname: must be a string"},
    {"", "config.json: empty file"},
    {"[1, 2]", "config.json: must be a JSON object"},
    {"{\"a\": ", "config.json: not valid JSON"},
    {"{\"a\": \"\xc3\x28\"}", "config.json: invalid UTF-8 at offset 7"},
};

/* A bundle directory with an empty rootfs/, and a Lua host. */
typedef struct fixture {
	char *dir, *rootfs;
	nx_lua *h;
} fixture;

static fixture fixture_new(void)
{
	fixture f = {.dir = tu_tmpdir()};
	if (asprintf(&f.rootfs, "%s/rootfs", f.dir) < 0)
		abort();
	mkdir(f.rootfs, 0755);
	nx_lua_settings s = {0};
	nx_err err = {0};
	f.h = lua_host_new(&s, &err);
	return f;
}

static void fixture_free(fixture *f)
{
	lua_host_free(f->h);
	tu_rmtree(f->dir);
	free(f->rootfs);
	free(f->dir);
}

TEST(bundle_every_rule_has_a_failing_fixture)
{
	fixture f = fixture_new();
	nx_lua *h = f.h;
	const char *dir = f.dir;
	nx_err err = {0};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK_CONTAINS(decode(h, dir, bad[i].json, &err), bad[i].message);
	/* every problem at once, not only the first */
	const char *many = "{\"ociVersion\": \"x\", \"root\": {\"path\": \"nope\"}, \"hostname\": 1}";
	const char *msg = decode(h, dir, many, &err);
	CHECK_CONTAINS(msg, "ociVersion: must be a SemVer");
	CHECK_CONTAINS(msg, "root.path: must be an existing directory");
	CHECK_CONTAINS(msg, "hostname: must be a string");
	/* a NUL byte inside the text */
	nx_err_clear(&err);
	char rfs[4096];
	CHECK(bundle_decode(h, "{\"a\":\0\"b\"}", 10, dir, rfs, sizeof rfs, &err) < 0);
	CHECK_CONTAINS(err.msg, "config.json: contains a NUL byte at offset 5");
	CHECK(lua_gettop(lua_host_state(h)) == 0);
	fixture_free(&f);
}

TEST(bundle_good_fixtures_validate_and_numbers_become_integers)
{
	fixture f = fixture_new();
	nx_lua *h = f.h;
	const char *dir = f.dir, *rootfs = f.rootfs;
	nx_err err = {0};
	CHECK_STR(decode(h, dir, "{" GOOD_HEAD "}", &err), "");
	CHECK_STR(decode(h, dir, "{" GOOD_HEAD ", " GOOD_PROCESS ", \"unknownField\": {\"x\": null}}", &err),
		  "");
	char rfs[4096];
	const char *json =
	    "{" GOOD_HEAD ", " GOOD_PROCESS
	    ", \"linux\": {\"resources\": {\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 4}]}}}";
	CHECK(bundle_decode(h, json, strlen(json), dir, rfs, sizeof rfs, &err) == 0);
	CHECK_STR(rfs, rootfs);
	lua_State *L = lua_host_state(h);
	lua_getfield(L, -1, "process");
	lua_getfield(L, -1, "user");
	lua_getfield(L, -1, "uid");
	CHECK(lua_isinteger(L, -1));
	lua_settop(L, 0);
	fixture_free(&f);
}
