/* Bundle loading and validation. The fixtures are files:
 * tests/fixtures/config/good/<name>.json must validate; every
 * tests/fixtures/config/bad/<rule>.json fails with exactly the message in
 * <rule>.err (every line). They run in a bundle directory with an empty
 * rootfs/. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <lauxlib.h>
#include <lua-cjson.h>
#include <lua.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/bundle_load.h"
#include "luahost/lua_host_internal.h"
#include "bridge/lua_bridge_internal.h"
#include "util/fsutil.h"
#include "harness.h"
#include "test_util.h"

/* The repository: the test binary is <repo>/build*(/unit-tests). */
static const char *repo(void)
{
	static char root[PATH_MAX];
	if (!root[0]) {
		ssize_t n = readlink("/proc/self/exe", root, sizeof root - 1);
		root[n > 0 ? n : 0] = '\0';
		for (int i = 0; i < 2; i++) {
			char *slash = strrchr(root, '/');
			if (slash)
				*slash = '\0';
		}
		if (!root[0])
			strcpy(root, ".");
	}
	return root;
}

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
	f.h = nxlua_new(&s, &err);
	if (!f.h)
		abort();
	return f;
}

static void fixture_free(fixture *f)
{
	nxlua_free(f->h);
	tu_rmtree(f->dir);
	free(f->rootfs);
	free(f->dir);
}

static char *slurp(const char *path, size_t *len)
{
	char *data = NULL;
	nx_err err = {0};
	if (fs_read_file(path, 8u << 20, &data, len, &err) < 0)
		return NULL;
	return data;
}

/* Decode a text; "" when valid, else the error message. */
static const char *decode(fixture *f, const char *json, size_t len, nx_err *err)
{
	nx_bundle b;
	nx_err_clear(err);
	if (bundle_decode(f->h, json, len, f->dir, &b, NULL, err) < 0)
		return err->msg;
	bundle_free(&b);
	return "";
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

/* Run fn on every .json file of dir; returns how many. */
static int each_json(const char *dir, void (*fn)(fixture *, const char *, bool *), fixture *f, bool *failed)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "  %s: %s\n", dir, strerror(errno));
		*failed = true;
		return 0;
	}
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!has_suffix(e->d_name, ".json"))
			continue;
		char *path;
		if (asprintf(&path, "%s/%s", dir, e->d_name) < 0)
			abort();
		fn(f, path, failed);
		free(path);
		n++;
	}
	closedir(d);
	return n;
}

static void expect_valid(fixture *f, const char *path, bool *failed)
{
	size_t len;
	char *json = slurp(path, &len);
	nx_err err;
	const char *msg = json ? decode(f, json, len, &err) : "unreadable";
	if (*msg) {
		fprintf(stderr, "  %s: expected valid, got:\n%s\n", path, msg);
		*failed = true;
	}
	free(json);
}

static void expect_error(fixture *f, const char *path, bool *failed)
{
	size_t len, elen;
	char *json = slurp(path, &len), *errpath = strdup(path);
	strcpy(errpath + strlen(errpath) - strlen(".json"), ".err");
	char *want = slurp(errpath, &elen);
	if (!json || !want) {
		fprintf(stderr, "  %s: fixture or its .err missing\n", path);
		*failed = true;
	} else {
		while (elen > 0 && want[elen - 1] == '\n')
			want[--elen] = '\0';
		nx_err err;
		const char *got = decode(f, json, len, &err);
		if (strcmp(got, want)) {
			fprintf(stderr, "  %s:\n   expected: %s\n   got:      %s\n", path, want, got);
			*failed = true;
		}
	}
	free(json);
	free(want);
	free(errpath);
}

TEST(bundle_good_fixtures_validate)
{
	fixture f = fixture_new();
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s/tests/fixtures/config/good", repo());
	CHECK(each_json(dir, expect_valid, &f, nx_failed_) >= 10);
	/* the translation specs' configs (an engine's default, a full one) */
	snprintf(dir, sizeof dir, "%s/spec/fixtures", repo());
	each_json(dir, expect_valid, &f, nx_failed_);
	CHECK(lua_gettop(nxlua_state(f.h)) == 0);
	fixture_free(&f);
}

TEST(bundle_every_bad_fixture_fails_with_its_exact_message)
{
	fixture f = fixture_new();
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s/tests/fixtures/config/bad", repo());
	CHECK(each_json(dir, expect_error, &f, nx_failed_) >= 100);
	CHECK(lua_gettop(nxlua_state(f.h)) == 0);
	fixture_free(&f);
}

TEST(bundle_spec_table_has_integers_no_nulls_absolute_mounts)
{
	fixture f = fixture_new();
	lua_State *L = nxlua_state(f.h);
	nx_err err = {0};
	nx_bundle b;
	const char *json =
	    "{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"rootfs\", \"readonly\": null},"
	    " \"process\": {\"cwd\": \"/\", \"args\": [\"sh\"], \"user\": {\"uid\": 1e3, \"gid\": 0},"
	    " \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 18446744073709551615, \"hard\": "
	    "18446744073709551615}]},"
	    " \"mounts\": [{\"destination\": \"data\", \"type\": \"tmpfs\"}], \"hostname\": null}";
	CHECK(bundle_decode(f.h, json, strlen(json), f.dir, &b, NULL, &err) == 0);
	CHECK_STR(b.rootfs, f.rootfs);
	CHECK_STR(b.path, f.dir);
	CHECK_STR(b.oci_version, "1.3.0");
	bridge_spec_push(L, b.spec);
	lua_getfield(L, -1, "process");
	lua_getfield(L, -1, "user");
	lua_getfield(L, -1, "uid");
	CHECK(lua_isinteger(L, -1) && lua_tointeger(L, -1) == 1000);
	lua_settop(L, 1);
	CHECK(lua_getfield(L, 1, "hostname") == LUA_TNIL);
	lua_getfield(L, 1, "root");
	CHECK(lua_getfield(L, -1, "readonly") == LUA_TNIL);
	lua_settop(L, 1);
	lua_getfield(L, 1, "mounts");
	lua_geti(L, -1, 1);
	lua_getfield(L, -1, "destination");
	CHECK_STR(lua_tostring(L, -1), "/data");
	lua_settop(L, 1);
	/* past int64: stays a float (2^64), which the rules map to unlimited */
	lua_getfield(L, 1, "process");
	lua_getfield(L, -1, "rlimits");
	lua_geti(L, -1, 1);
	lua_getfield(L, -1, "soft");
	CHECK(!lua_isinteger(L, -1) && lua_tonumber(L, -1) == 18446744073709551616.0);
	lua_settop(L, 0);
	bundle_free(&b);
	CHECK(b.spec == NULL && !b.path);
	fixture_free(&f);
}

/* cjson reads numbers through a double; the table has them exact. */
TEST(bundle_integers_past_2_53_arrive_exact)
{
	fixture f = fixture_new();
	lua_State *L = nxlua_state(f.h);
	nx_err err = {0};
	nx_bundle b;
	const char *json =
	    "{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"rootfs\"},"
	    " \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getppid\"],"
	    " \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"op\": \"SCMP_CMP_MASKED_EQ\","
	    " \"value\": 9007199254740993, \"valueTwo\": 9223372036854775807}]}]},"
	    " \"resources\": {\"memory\": {\"limit\": -9007199254740993, \"swap\": 9007199254740993,"
	    " \"swap\": 5}}}}"; /* a repeated key: the last one, as cjson keeps it */
	CHECK(bundle_decode(f.h, json, strlen(json), f.dir, &b, NULL, &err) == 0);
	bridge_spec_push(L, b.spec);
	lua_getfield(L, -1, "linux");
	lua_getfield(L, -1, "seccomp");
	lua_getfield(L, -1, "syscalls");
	lua_geti(L, -1, 1);
	lua_getfield(L, -1, "args");
	lua_geti(L, -1, 1);
	lua_getfield(L, -1, "value");
	CHECK(lua_isinteger(L, -1) && lua_tointeger(L, -1) == 9007199254740993LL);
	lua_getfield(L, -2, "valueTwo");
	CHECK(lua_isinteger(L, -1) && lua_tointeger(L, -1) == LLONG_MAX);
	lua_settop(L, 1);
	lua_getfield(L, 1, "linux");
	lua_getfield(L, -1, "resources");
	lua_getfield(L, -1, "memory");
	lua_getfield(L, -1, "limit");
	CHECK(lua_isinteger(L, -1) && lua_tointeger(L, -1) == -9007199254740993LL);
	lua_getfield(L, -2, "swap");
	CHECK(lua_isinteger(L, -1) && lua_tointeger(L, -1) == 5);
	lua_settop(L, 0);
	bundle_free(&b);
	fixture_free(&f);
}

TEST(bundle_text_limits_on_buffers_without_a_final_nul)
{
	fixture f = fixture_new();
	nx_err err;
	size_t big = BUNDLE_CONFIG_MAX + 1;
	char *text = malloc(big);
	memset(text, ' ', big);
	CHECK_CONTAINS(decode(&f, text, big, &err),
		       "config.json: file too large (4194305 bytes; the limit is 4194304)");
	/* a config cut short in a string, its buffer not NUL-terminated */
	memcpy(text, "{\"a\": \"\xe2\x82", 9);
	CHECK_STR(decode(&f, text, 9, &err), "config.json: invalid UTF-8 at line 1, column 8");
	memcpy(text, "{\"a\":\0\"b\"}", 10);
	CHECK_STR(decode(&f, text, 10, &err), "config.json: contains a NUL byte at line 1, column 6");
	memcpy(text, "   ", 3);
	CHECK_STR(decode(&f, text, 3, &err), "config.json: empty file");
	CHECK_STR(decode(&f, text, 0, &err), "config.json: empty file");
	free(text);
	CHECK(lua_gettop(nxlua_state(f.h)) == 0);
	fixture_free(&f);
}

TEST(bundle_report_keeps_every_problem_and_the_error_counts_the_rest)
{
	fixture f = fixture_new();
	nx_buf json = {0};
	buf_puts(
	    &json,
	    "{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"rootfs\"}, \"process\": {\"cwd\": \"/\", "
	    "\"args\": [\"sh\"], \"user\": {\"uid\": 0, \"gid\": 0}, \"env\": [");
	for (int i = 0; i < 1500; i++)
		buf_printf(&json, "%s\"NOEQUALS%d\"", i ? ", " : "", i);
	buf_puts(&json, "]}}");
	spec_report r = {0};
	nx_bundle b;
	nx_err err = {0};
	CHECK(bundle_decode(f.h, json.data, json.len, f.dir, &b, &r, &err) < 0);
	CHECK(r.count == 1500);
	CHECK_CONTAINS(r.lines.data, "config.json: process.env[0]: must be NAME=value (got \"NOEQUALS0\")\n");
	CHECK_CONTAINS(r.lines.data,
		       "config.json: process.env[999]: must be NAME=value (got \"NOEQUALS999\")\n");
	CHECK(!strstr(r.lines.data, "env[1000]"));
	CHECK_CONTAINS(err.msg, "config.json: process.env[0]: must be NAME=value (got \"NOEQUALS0\")\n");
	CHECK_CONTAINS(err.msg, "more problems ('nexcage validate' lists the first 1000)");
	CHECK(strlen(err.msg) < NX_ERR_MSG_MAX - 400); /* room for "create: " and the like */
	spec_report_free(&r);
	buf_free(&json);
	fixture_free(&f);
}

TEST(bundle_hostile_values_are_cut_and_escaped_in_messages)
{
	fixture f = fixture_new();
	nx_buf json = {0};
	buf_puts(&json, "{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"rootfs\"}, \"hostname\": [], "
			"\"annotations\": {\"");
	for (int i = 0; i < 5000; i++)
		buf_puts(&json, "k");
	buf_puts(&json,
		 "\": 1}, \"process\": {\"cwd\": \"a\\nconfig.json: fake\\u001b[31m\", \"args\": [\"sh\"], "
		 "\"user\": {\"uid\": 0, \"gid\": 0}}}");
	nx_err err;
	const char *msg = decode(&f, json.data, json.len, &err);
	CHECK_CONTAINS(
	    msg,
	    "config.json: annotations[\"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\"...]: "
	    "must be a string (got 1)");
	CHECK_CONTAINS(msg, "config.json: process.cwd: must be an absolute path (got \"a\\nconfig.json: "
			    "fake\\u001b[31m\")");
	CHECK_CONTAINS(msg, "config.json: hostname: must be a string (got an empty object or array)");
	CHECK(!strstr(msg, "\nconfig.json: fake"));
	buf_free(&json);
	fixture_free(&f);
}

/* What the core reads of a spec are C copies made at validation, and Lua
 * works on copies of the table: an edit there reaches neither. */
TEST(bundle_facts_are_c_copies_and_lua_edits_a_copy)
{
	fixture f = fixture_new();
	lua_State *L = nxlua_state(f.h);
	nx_err err = {0};
	nx_bundle b;
	const char *json = "{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"rootfs\"},"
			   " \"process\": {\"cwd\": \"/\", \"args\": [\"sh\"], \"user\": {\"uid\": 0, \"gid\": 0}},"
			   " \"annotations\": {\"a\": \"1\", \"b\": \"2\"},"
			   " \"hooks\": {\"prestart\": [{\"path\": \"/bin/true\", \"timeout\": 5}]}}";
	CHECK(bundle_decode(f.h, json, strlen(json), f.dir, &b, NULL, &err) == 0);
	CHECK(b.has_process);
	CHECK(b.n_annotations == 2);
	for (size_t i = 0; i < b.n_annotations; i++)
		CHECK_STR(b.annotations[i].value, !strcmp(b.annotations[i].key, "a") ? "1" : "2");
	CHECK(b.hooks_json != NULL);
	CHECK_CONTAINS(b.hooks_json, "\"path\":\"\\/bin\\/true\""); /* cjson escapes / */
	CHECK_CONTAINS(b.hooks_json, "\"timeout\":5");
	bridge_spec *copy = NULL;
	CHECK(bridge_spec_copy(b.spec, &copy, &err) == 0);
	bridge_spec_push(L, copy);
	lua_getfield(L, 1, "annotations");
	lua_pushliteral(L, "changed");
	lua_setfield(L, -2, "a");
	lua_pushnil(L);
	lua_setfield(L, 1, "hooks");
	lua_settop(L, 0);
	bridge_spec_push(L, b.spec);
	lua_getfield(L, 1, "annotations");
	lua_getfield(L, -1, "a");
	CHECK_STR(lua_tostring(L, -1), "1");
	CHECK(lua_getfield(L, 1, "hooks") == LUA_TTABLE);
	lua_settop(L, 0);
	bridge_spec_free(copy);
	CHECK_STR(b.annotations[0].key[0] == 'a' ? b.annotations[0].value : b.annotations[1].value, "1");
	bundle_free(&b);
	CHECK(!b.spec && !b.annotations && !b.hooks_json);
	fixture_free(&f);
}

TEST(bundle_load_reads_a_bundle_directory)
{
	fixture f = fixture_new();
	nx_err err = {0};
	nx_bundle b;
	CHECK(bundle_load(f.h, f.dir, &b, &err) < 0);
	CHECK_CONTAINS(err.msg, "/config.json: No such file or directory");
	tu_write(f.dir, "config.json", "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}}", 0644);
	CHECK(bundle_load(f.h, f.dir, &b, &err) == 0);
	CHECK_STR(b.oci_version, "1.0.2");
	CHECK_STR(b.rootfs, f.rootfs);
	CHECK(!b.has_process);
	bundle_free(&b);
	/* relative to the working directory, resolved to an absolute path */
	char cwd[PATH_MAX];
	CHECK(getcwd(cwd, sizeof cwd) != NULL);
	CHECK(chdir(f.rootfs) == 0);
	CHECK(bundle_load(f.h, "..", &b, &err) == 0);
	CHECK_STR(b.path, f.dir);
	bundle_free(&b);
	CHECK(chdir(cwd) == 0);
	/* a FIFO is refused before it can block the read */
	char fifo[PATH_MAX];
	snprintf(fifo, sizeof fifo, "%s/config.json", f.dir);
	unlink(fifo);
	CHECK(mkfifo(fifo, 0644) == 0);
	CHECK(bundle_load(f.h, f.dir, &b, &err) < 0);
	CHECK_CONTAINS(err.msg, "config.json: not a regular file");
	unlink(fifo);
	CHECK(bundle_load(f.h, "/nonexistent/bundle", &b, &err) < 0);
	CHECK_STR(err.msg, "bundle /nonexistent/bundle: No such file or directory");
	fixture_free(&f);
}

/* cjson's own verdict on text, in the bundle's words: what the product
 * said before it stopped taking cjson's message apart. Only this test
 * reads the message, to check the structured walk (bundle.c) against the
 * decoder it describes. */
static void cjson_says(nx_lua *h, const char *text, char *out, size_t n)
{
	lua_State *L = nxlua_state(h);
	luaL_requiref(L, "cjson.test", luaopen_cjson, 0);
	lua_getfield(L, -1, "decode_invalid_numbers");
	lua_pushboolean(L, 0);
	lua_call(L, 1, 0);
	lua_getfield(L, -1, "decode");
	lua_pushstring(L, text);
	if (lua_pcall(L, 1, 1, 0) == LUA_OK) {
		snprintf(out, n, "valid");
	} else {
		const char *m = lua_tostring(L, -1);
		const char *at = strstr(m, " at character ");
		unsigned long ch = at ? strtoul(at + 14, NULL, 10) : 0;
		unsigned long line = 1, col = 1;
		for (unsigned long i = 0; ch && i + 1 < ch; i++) {
			if (text[i] == '\n') {
				line++;
				col = 1;
			} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
				col++;
			}
		}
		static const char *const tok[][2] = {
		    {"T_OBJ_BEGIN", "'{'"},	{"T_OBJ_END", "'}'"},	  {"T_ARR_BEGIN", "'['"}, {"T_ARR_END", "']'"},
		    {"T_STRING", "a string"}, {"T_NUMBER", "a number"}, {"T_BOOLEAN", "a boolean"},
		    {"T_NULL", "null"},	{"T_COLON", "':'"},	  {"T_COMMA", "','"},	  {"T_END", "the end"},
		};
		char what[256];
		snprintf(what, sizeof what, "%.*s", at ? (int)(at - m) : (int)strlen(m), m);
		for (size_t i = 0; i < sizeof tok / sizeof tok[0]; i++) {
			char *p = strstr(what, tok[i][0]);
			if (p) {
				char rest[256];
				snprintf(rest, sizeof rest, "%s", p + strlen(tok[i][0]));
				snprintf(p, sizeof what - (size_t)(p - what), "%s%s", tok[i][1], rest);
			}
		}
		what[0] = (char)(what[0] - 'A' + 'a');
		snprintf(out, n, "config.json: not valid JSON at line %lu, column %lu: %s", line, col, what);
	}
	lua_pop(L, 2);
}

TEST(bundle_not_json_is_a_kind_and_its_place_is_found_as_cjson_finds_it)
{
	fixture f = fixture_new();
	static const char *const bad[] = {
	    "{\"a\": }",
	    "{\"a\": 1,}",
	    "{\"a\" 1}",
	    "{\"a\": 1 \"b\": 2}",
	    "[1, 2",
	    "[1 2]",
	    "[1,]",
	    "{1: 2}",
	    "{\"a\": NaN}",
	    "{\"a\": nan}",
	    "{\"a\": -Infinity}",
	    "{\"a\": 0x10}",
	    "{\"a\": 012}",
	    "{\"a\": -}",
	    "{\"a\": +1}",
	    "{\"a\": 1.5e}",
	    "{\"a\": 1x}",
	    "{\"a\": tru}",
	    "{\"a\": truex}",
	    "{\"a\": nul}",
	    "{\"a\": \"x\\q\"}",
	    "{\"a\": \"x\\u12G4\"}",
	    "{\"a\": \"x\\ud800\"}",
	    "{\"a\": \"x\\udc00\\u0041\"}",
	    "{\"a\": \"x\\ud800\\u0041\"}",
	    "{\"a\": \"unterminated}",
	    "{\"a\": 1}}",
	    "{\"a\": 1} x",
	    "\n\n  {\"ü\": [true, false, null,\n ]}",
	    "{\"a\": [1, {\"b\": [}]}",
	    "'a'",
	    "{\"a\": 1} {}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char want[512];
		cjson_says(f.h, bad[i], want, sizeof want);
		nx_err err = {0};
		nx_bundle b;
		int rc = bundle_decode(f.h, bad[i], strlen(bad[i]), f.dir, &b, NULL, &err);
		if (rc == 0)
			bundle_free(&b);
		CHECK(rc < 0);
		CHECK(err.kind == NX_ERR_NOT_JSON);
		CHECK_STR(err.msg, want);
	}
	/* the decoder's verdict crosses as a kind, its message only for people */
	nx_err err = {0};
	nx_bundle b = {.path = strdup(f.dir)};
	spec_report r = {0};
	CHECK(bridge_spec_decode(f.h, "[1,]", 4, &b, &r, &err) < 0);
	CHECK(err.kind == NX_ERR_NOT_JSON);
	bundle_free(&b);
	spec_report_free(&r);
	/* a spec that is JSON but invalid is a validation error */
	const char *invalid = "{\"ociVersion\": 1, \"root\": {\"path\": \"rootfs\"}}";
	CHECK(bundle_decode(f.h, invalid, strlen(invalid), f.dir, &b, NULL, &err) < 0);
	CHECK(err.kind == NX_ERR_INVALID);
	fixture_free(&f);
}

/* The same, on texts one edit away from a real config (fixed seed). */
TEST(bundle_not_json_place_matches_cjson_on_mutated_configs)
{
	fixture f = fixture_new();
	const char *base = "{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"rootfs\", \"readonly\": true},\n"
			   " \"process\": {\"args\": [\"/bin/sh\", \"-c\", \"x\\n\\u00e9\"], \"cwd\": \"/\",\n"
			   "  \"user\": {\"uid\": 0, \"gid\": -1.5e3}, \"terminal\": false}, \"x\": null}";
	static const char alphabet[] = "{}[]:,\" \\-+.0123456789eExtfnulr\n";
	unsigned seed = 21;
	size_t compared = 0;
	for (int i = 0; i < 600; i++) {
		char text[512];
		size_t len = strlen(base), at = (seed = seed * 1103515245 + 12345) % len;
		char c = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
		switch ((seed >> 8) % 3) {
		case 0: /* delete */
			snprintf(text, sizeof text, "%.*s%s", (int)at, base, base + at + 1);
			break;
		case 1: /* insert */
			snprintf(text, sizeof text, "%.*s%c%s", (int)at, base, c, base + at);
			break;
		default: /* replace */
			snprintf(text, sizeof text, "%.*s%c%s", (int)at, base, c, base + at + 1);
		}
		char want[512];
		cjson_says(f.h, text, want, sizeof want);
		if (!strcmp(want, "valid"))
			continue;
		nx_err err = {0};
		nx_bundle b;
		CHECK(bundle_decode(f.h, text, strlen(text), f.dir, &b, NULL, &err) < 0);
		CHECK(err.kind == NX_ERR_NOT_JSON);
		CHECK_STR(err.msg, want);
		compared++;
	}
	CHECK(compared > 200);
	fixture_free(&f);
}
