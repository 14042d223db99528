#define _GNU_SOURCE
#include "util/clock.h"
#include "luahost/lua_host_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>
#include <lua-cjson.h>
#include <lualib.h>

#include "util/buf.h"
#include "util/cleanup.h"
#include "luahost/embedded.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "luahost/lua_api.h"
#include "luahost/lua_sandbox.h"
#include "site/trust.h"
#include "util/xalloc.h"

#define DEFAULT_MEM_LIMIT  (256u << 20)
#define DEFAULT_TIME_LIMIT 10.0
#define MAX_SOURCE_SIZE	   (1u << 20)

/* Registry keys for the host's tables (addresses are unique). */
static const char KEY_BASE = 'b';   /* read-only view of the safe globals */
static const char KEY_LOADED = 'l'; /* module name -> value */

struct nx_lua {
	lua_State *L;
	nx_lua_settings settings;
	size_t mem_used;
	double deadline; /* CLOCK_MONOTONIC seconds; 0 outside protected calls */
	/* Sticky for the rest of the outermost call: once set, pcall/xpcall
	 * pass the stop on instead of catching it. */
	bool timed_out;
	bool out_of_memory;
	char stop_msg[512]; /* the stop as first raised, with the script's place */
	int dir_state[2];   /* site, installed dir: 0 not looked at, 1 exists, -1 missing */
	/* Set only by nxlua_pcall_in, for the extent of its call. */
	nx_lua_mode mode;
	nx_buf *dry_run_log; /* dry run: what hooks would have done, one per line */
};

static nx_lua *host_of(lua_State *L)
{
	return *(nx_lua **)lua_getextraspace(L);
}

/* Counting allocator: a runaway site script gets "not enough memory"
 * instead of taking the host down. */
static void *host_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	nx_lua *h = ud;
	size_t old = ptr ? osize : 0;
	if (nsize == 0) {
		free(ptr);
		h->mem_used -= old;
		return NULL;
	}
	if (nsize > old && h->mem_used - old + nsize > h->settings.mem_limit)
		return NULL;
	void *p = realloc(ptr, nsize); /* xalloc: exempt (Lua's allocator: NULL is a Lua memory error) */
	if (p)
		h->mem_used = h->mem_used - old + nsize;
	return p;
}

bool nxlua_stopped(lua_State *L)
{
	nx_lua *h = host_of(L);
	if (!h->timed_out && h->deadline > 0 && clock_monotonic() > h->deadline)
		h->timed_out = true;
	return h->timed_out || h->out_of_memory;
}

/* level: where the script is (0 from the hook: the running function). */
static void raise_stop(lua_State *L, int level)
{
	nx_lua *h = host_of(L);
	if (!nxlua_stopped(L))
		return;
	if (h->out_of_memory)
		luaL_error(L, "not enough memory");
	if (!h->stop_msg[0]) {
		luaL_where(L, level);
		snprintf(h->stop_msg, sizeof h->stop_msg, "%sscript ran past its time limit of %.1fs",
			 lua_tostring(L, -1), h->settings.time_limit);
		lua_pop(L, 1);
	}
	lua_pushstring(L, h->stop_msg);
	lua_error(L);
}

void nxlua_raise_if_stopped(lua_State *L)
{
	raise_stop(L, 1);
}

void nxlua_note_out_of_memory(lua_State *L)
{
	host_of(L)->out_of_memory = true;
}

size_t nxlua_memory_limit(lua_State *L)
{
	return host_of(L)->settings.mem_limit;
}

static void time_hook(lua_State *L, lua_Debug *ar)
{
	(void)ar;
	if (host_of(L)->deadline > 0)
		raise_stop(L, 0);
}

/* What a call with side effects would do, for the dry run's log. */
static void describe_effect(lua_State *L, const char *what, nx_buf *b)
{
	buf_puts(b, what);
	if (lua_type(L, 1) == LUA_TTABLE) {
		lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
		for (lua_Integer i = 1; i <= n; i++) {
			if (lua_rawgeti(L, 1, i) == LUA_TSTRING) {
				buf_puts(b, " ");
				buf_puts(b, lua_tostring(L, -1));
			}
			lua_pop(L, 1);
		}
	} else if (lua_type(L, 1) == LUA_TSTRING) {
		buf_puts(b, " ");
		buf_puts(b, lua_tostring(L, 1));
	}
	buf_puts(b, "\n");
}

int nxlua_effect(lua_State *L, const char *what)
{
	nx_lua *h = host_of(L);
	if (h->mode == NX_LUA_EFFECTS)
		return 0;
	if (h->mode == NX_LUA_PURE)
		return luaL_error(L, "%s: not allowed here: translation rules and config.lua are pure "
				     "(run programs and write files from a lifecycle hook)", what);
	if (h->dry_run_log)
		describe_effect(L, what, h->dry_run_log);
	if (strcmp(what, "nexcage.run")) {
		lua_pushboolean(L, 1);
		return 1;
	}
	lua_createtable(L, 0, 5);
	lua_pushinteger(L, 0);
	lua_setfield(L, -2, "status");
	lua_pushliteral(L, "");
	lua_setfield(L, -2, "stdout");
	lua_pushliteral(L, "");
	lua_setfield(L, -2, "stderr");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "timed_out");
	lua_pushboolean(L, 1);
	lua_setfield(L, -2, "dry_run");
	return 1;
}

static bool is_helper(const char *name)
{
	return !strncmp(name, "nexcage.", 8);
}

static bool valid_module_name(const char *name)
{
	if (!*name || *name == '.' || strstr(name, ".."))
		return false;
	for (const char *p = name; *p; p++)
		if (!(('a' <= *p && *p <= 'z') || ('A' <= *p && *p <= 'Z') || ('0' <= *p && *p <= '9') ||
		      *p == '_' || *p == '.' || *p == '-'))
			return false;
	return name[strlen(name) - 1] != '.';
}

static void module_path(const char *dir, const char *name, char *out, size_t n)
{
	size_t dl = strlen(dir), nl = strlen(name);
	if (dl + nl + 6 > n) {
		out[0] = '\0';
		return;
	}
	memcpy(out, dir, dl);
	out[dl] = '/';
	for (size_t i = 0; i < nl; i++)
		out[dl + 1 + i] = name[i] == '.' ? '/' : name[i];
	memcpy(out + dl + 1 + nl, ".lua", 5);
}

/* The search directories that exist (looked up once per process: every
 * require would otherwise resolve a missing directory again). */
static void search_dirs(nx_lua *h, const char *dirs[2])
{
	const char *all[2] = {h->settings.site_dir, h->settings.installed_dir};
	for (int i = 0; i < 2; i++) {
		if (all[i] && !h->dir_state[i]) {
			struct stat st;
			h->dir_state[i] = stat(all[i], &st) == 0 ? 1 : -1;
		}
		dirs[i] = all[i] && h->dir_state[i] > 0 ? all[i] : NULL;
	}
}

static bool file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

const char *nxlua_module_origin(nx_lua *h, const char *name, char *buf, size_t n)
{
	if (!valid_module_name(name))
		return NULL;
	const char *dirs[2];
	search_dirs(h, dirs);
	for (int i = 0; i < 2; i++) {
		if (!dirs[i])
			continue;
		module_path(dirs[i], name, buf, n);
		if (file_exists(buf))
			return buf;
	}
	return embedded_find(name) ? "embedded" : NULL;
}

/* Give the chunk on top of the stack a fresh strict _ENV. */
static void set_sandbox_env(lua_State *L)
{
	lua_newtable(L);			      /* chunk env */
	lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_BASE); /* chunk env mt */
	lua_setmetatable(L, -2);		      /* chunk env */
	if (!lua_setupvalue(L, -2, 1))		      /* chunk */
		lua_pop(L, 1);
}

static int load_text(nx_lua *h, const char *src, size_t len, const char *chunkname, nx_err *err)
{
	lua_State *L = h->L;
	int rc = luaL_loadbufferx(L, src, len, chunkname, "t");
	if (rc != LUA_OK) {
		if (rc == LUA_ERRMEM) {
			nx_err_set(err, "lua: out of memory (limit %zu MiB)", h->settings.mem_limit >> 20);
			nx_err_set_kind(err, NX_ERR_LUA_LIMIT, "memory");
		} else {
			nx_err_kind_set(err, NX_ERR_LUA_SYNTAX, "%s", lua_tostring(L, -1));
		}
		lua_pop(L, 1);
		return -1;
	}
	set_sandbox_env(L);
	return 0;
}

/* A file from disk, read from the descriptor its trust was checked on. */
static int load_file(nx_lua *h, const char *path, nx_err *err)
{
	cleanup_free char *src = NULL;
	size_t len = 0;
	if (trust_read_file(path, MAX_SOURCE_SIZE, &src, &len, err) < 0)
		return -1;
	char chunkname[PATH_MAX + 1];
	snprintf(chunkname, sizeof chunkname, "@%s", path);
	return load_text(h, src, len, chunkname, err);
}

int nxlua_load_site_file(nx_lua *h, const char *path, nx_err *err)
{
	return load_file(h, path, err);
}

static int load_bytecode(nx_lua *h, const nx_embedded_file *f, const char *name)
{
	lua_State *L = h->L;
	char chunkname[512];
	snprintf(chunkname, sizeof chunkname, "=%s", f->path);
	if (luaL_loadbufferx(L, f->bin, f->bin_len, chunkname, "b") != LUA_OK) {
		/* a luac of another Lua release: use the source */
		log_debug("embedded %s: bytecode not loadable (%s), using the source", name,
			  lua_tostring(L, -1));
		lua_pop(L, 1);
		return -1;
	}
	set_sandbox_env(L);
	return 0;
}

/* Push the loader chunk for a module, from the first place that has it. */
static int find_module(nx_lua *h, const char *name, nx_err *err)
{
	char path[PATH_MAX];
	const char *dirs[2];
	search_dirs(h, dirs);
	for (int i = 0; i < 2; i++) {
		if (!dirs[i])
			continue;
		/* nexcage's own helpers, which every rule uses, are not the
		 * site's to replace: a file shadowing one is an error, not a
		 * silent change. */
		if (i == 0 && is_helper(name)) {
			module_path(dirs[i], name, path, sizeof path);
			if (file_exists(path))
				return nx_err_set(err,
						  "%s: module '%s' is one of nexcage's helpers and cannot be "
						  "replaced (edit rules through site.lua or site.d/)",
						  path, name);
			continue;
		}
		module_path(dirs[i], name, path, sizeof path);
		if (load_file(h, path, err) == 0)
			return 0;
		if (err->errnum != ENOENT && err->errnum != ENOTDIR)
			return -1;
		nx_err_clear(err);
	}
	const nx_embedded_file *f = embedded_find(name);
	if (!f)
		return nx_err_set(err, "module '%s' not found", name);
	/* The binary's own chunks may be bytecode (luac at build time); only
	 * these, never a file from disk, are loaded in binary mode. */
	if (f->bin_len && load_bytecode(h, f, name) == 0)
		return 0;
	char chunkname[512];
	snprintf(chunkname, sizeof chunkname, "@<embedded>/%s", f->path);
	return load_text(h, f->src, f->len, chunkname, err);
}

/* The site's drop-ins, the .lua files of <site>/site.d in name order, as a list of
 * {file = path, value = what the file returned}. */
static int l_site_dropins(lua_State *L)
{
	nx_lua *h = host_of(L);
	lua_newtable(L);
	if (!h->settings.site_dir)
		return 1;
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s/site.d", h->settings.site_dir);
	char **paths;
	size_t n;
	nx_err lerr = {0};
	if (fs_list_lua(dir, &paths, &n, &lerr) < 0) {
		if (lerr.errnum == ENOTDIR) /* the site directory is a file: no drop-ins */
			return 1;
		return luaL_error(L, "%s", lerr.msg);
	}
	/* Paths first, as Lua strings: a raise below then leaks nothing. */
	for (size_t i = 0; i < n; i++) {
		lua_pushstring(L, paths[i]);
		free(paths[i]);
		paths[i] = NULL;
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	free(paths);
	lua_newtable(L); /* paths list */
	for (size_t i = 0; i < n; i++) {
		lua_rawgeti(L, -2, (lua_Integer)i + 1);
		const char *path = lua_tostring(L, -1);
		nx_err err = {0};
		if (load_file(h, path, &err) < 0)
			return luaL_error(L, "%s", err.msg);
		lua_call(L, 0, 1);	  /* paths list path value */
		lua_createtable(L, 0, 2); /* paths list path value entry */
		lua_insert(L, -3);	  /* paths list entry path value */
		lua_setfield(L, -3, "value");
		lua_setfield(L, -2, "file");
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

/* Where module `name` comes from, for the origins `translate` shows. */
static int l_module_origin(lua_State *L)
{
	char buf[PATH_MAX];
	const char *o = nxlua_module_origin(host_of(L), luaL_checkstring(L, 1), buf,
					       sizeof buf);
	lua_pushstring(L, !o ? "?" : strcmp(o, "embedded") ? o : "built in");
	return 1;
}

static int open_site_files(lua_State *L)
{
	lua_createtable(L, 0, 2);
	lua_pushcfunction(L, l_site_dropins);
	lua_setfield(L, -2, "dropins");
	lua_pushcfunction(L, l_module_origin);
	lua_setfield(L, -2, "origin");
	return 1;
}

/* require(name) inside the sandbox: the host's own search order, no
 * package library, no C modules but the two linked in. */
static int l_require(lua_State *L)
{
	nx_lua *h = *(nx_lua **)lua_getextraspace(L);
	luaL_checkstring(L, 1);
	lua_settop(L, 1);
	const char *name = lua_tostring(L, 1);
	lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_LOADED); /* name loaded */
	lua_getfield(L, 2, name);			/* name loaded value */
	if (!lua_isnil(L, -1))
		return 1;
	lua_pop(L, 1);
	if (!valid_module_name(name))
		return luaL_error(L, "invalid module name '%s'", name);
	if (!strcmp(name, "cjson")) {
		lua_pushcfunction(L, luaopen_cjson);
	} else if (!strcmp(name, "nexcage")) {
		lua_pushcfunction(L, luaopen_nexcage);
	} else if (!strcmp(name, "nexcage.site_files")) {
		lua_pushcfunction(L, open_site_files);
	} else {
		nx_err err = {0};
		if (find_module(h, name, &err) < 0)
			return luaL_error(L, "%s", err.msg);
	}
	/* Mark as loading so a cycle fails instead of recursing forever. */
	lua_pushboolean(L, 0);
	lua_setfield(L, 2, name);
	lua_pushstring(L, name); /* name loaded chunk name */
	lua_call(L, 1, 1);	 /* name loaded value */
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		lua_pushboolean(L, 1);
	}
	lua_pushvalue(L, -1);
	lua_setfield(L, 2, name);
	return 1;
}

static int l_strict_index(lua_State *L)
{
	/* env key */
	lua_pushvalue(L, 2);
	lua_rawget(L, lua_upvalueindex(1));
	if (!lua_isnil(L, -1))
		return 1;
	return luaL_error(L, "undefined global '%s'", lua_tostring(L, 2));
}

static int l_strict_newindex(lua_State *L)
{
	return luaL_error(L, "assignment to undeclared global '%s' (use local)", lua_tostring(L, 2));
}

/* Build the read-only base every sandboxed chunk sees through its _ENV's
 * metatable: only the libraries and functions a rule or hook needs. */
static void build_base(lua_State *L)
{
	static const char *const base_names[] = {
	    "assert",	"error",    "ipairs", "next",	  "pairs",  "pcall",	    "xpcall",
	    "rawequal", "rawget",   "rawlen", "rawset",	  "select", "setmetatable", "getmetatable",
	    "tonumber", "tostring", "type",   "_VERSION", NULL,
	};
	luaL_requiref(L, "_G", luaopen_base, 1);
	lua_pop(L, 1);
	luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 0);
	luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 0);
	luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 0);
	luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 0); /* string table math utf8 */
	lua_pop(L, 4);
	sandbox_guard_libraries(L);
	lua_newtable(L); /* safe */
	lua_pushglobaltable(L);
	for (const char *const *n = base_names; *n; n++) {
		lua_getfield(L, -1, *n);
		lua_setfield(L, -3, *n);
	}
	lua_pop(L, 1);
	static const char *const libs[] = {LUA_STRLIBNAME, LUA_TABLIBNAME, LUA_MATHLIBNAME, LUA_UTF8LIBNAME,
					   NULL};
	lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	for (const char *const *n = libs; *n; n++) {
		lua_getfield(L, -1, *n);
		sandbox_push_readonly(L, -1);
		lua_setfield(L, -4, *n);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	sandbox_set_base_functions(L, -1);
	lua_pushcfunction(L, l_require);
	lua_setfield(L, -2, "require");
	/* metatable for every env: { __index = strict(safe), __newindex = refuse } */
	lua_newtable(L); /* safe mt */
	lua_pushvalue(L, -2);
	lua_pushcclosure(L, l_strict_index, 1);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, l_strict_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushliteral(L, "sandbox");
	lua_setfield(L, -2, "__metatable");
	lua_rawsetp(L, LUA_REGISTRYINDEX, &KEY_BASE); /* safe */
	lua_pop(L, 1);
	lua_newtable(L);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &KEY_LOADED);
	/* The global table itself is not reachable from sandboxed chunks. */
}

nx_lua *nxlua_new(const nx_lua_settings *settings, nx_err *err)
{
	nx_lua *h = xcalloc(1, sizeof *h);
	h->settings = *settings;
	if (!h->settings.mem_limit)
		h->settings.mem_limit = DEFAULT_MEM_LIMIT;
	if (h->settings.time_limit <= 0)
		h->settings.time_limit = DEFAULT_TIME_LIMIT;
	h->L = lua_newstate(host_alloc, h);
	if (!h->L) {
		free(h);
		/* host_alloc refused the state itself: Lua's allocator returns
		 * NULL rather than ending the process (xalloc.h), so say so */
		nx_err_sys(err, ENOMEM, "lua: cannot create interpreter");
		return NULL;
	}
	*(nx_lua **)lua_getextraspace(h->L) = h;
	lua_sethook(h->L, time_hook, LUA_MASKCOUNT, 1000);
	build_base(h->L);
	return h;
}

void nxlua_free(nx_lua *h)
{
	if (!h)
		return;
	/* No finalizer can be set from the sandbox; should one exist anyway,
	 * it runs under a time limit like any other call. */
	h->deadline = clock_monotonic() + h->settings.time_limit;
	h->timed_out = h->out_of_memory = false;
	lua_close(h->L);
	free(h);
}

void nxlua_exit(nx_lua *h)
{
#if defined(__SANITIZE_ADDRESS__)
	nxlua_free(h); /* leak reports must stay meaningful */
#else
	(void)h;
#endif
}

void nxlua_set_limits(nx_lua *h, size_t mem_limit, double time_limit)
{
	if (mem_limit)
		h->settings.mem_limit = mem_limit;
	if (time_limit > 0)
		h->settings.time_limit = time_limit;
}

lua_State *nxlua_state(nx_lua *h)
{
	return h->L;
}

/* Message handler: turn whatever was raised into one string; a table
 * error {rule=, msg=} from the translation rules names the rule. */
static int msg_handler(lua_State *L)
{
	nx_lua *h = *(nx_lua **)lua_getextraspace(L);
	const char *msg;
	if (lua_istable(L, 1)) {
		lua_getfield(L, 1, "msg");
		lua_getfield(L, 1, "rule");
		if (lua_isstring(L, -1))
			msg = lua_pushfstring(L, "rule '%s': %s", lua_tostring(L, -1),
					      lua_isstring(L, -2) ? lua_tostring(L, -2) : "(no message)");
		else
			msg = lua_isstring(L, -2) ? lua_tostring(L, -2) : "(error object is a table)";
	} else if (lua_isstring(L, 1)) {
		msg = lua_tostring(L, 1);
	} else {
		msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
	}
	if (h->settings.debug)
		luaL_traceback(L, L, msg, 1);
	else
		lua_pushstring(L, msg);
	return 1;
}

int nxlua_pcall(nx_lua *h, int nargs, int nresults, nx_err *err)
{
	lua_State *L = h->L;
	int base = lua_gettop(L) - nargs; /* base = function index */
	lua_pushcfunction(L, msg_handler);
	lua_insert(L, base); /* handler f args */
	bool outer = h->deadline == 0;
	if (outer) {
		h->deadline = clock_monotonic() + h->settings.time_limit;
		h->timed_out = h->out_of_memory = false;
		h->stop_msg[0] = '\0';
	}
	int rc = lua_pcall(L, nargs, nresults, base);
	bool out_of_memory = h->out_of_memory, timed_out = h->timed_out;
	if (outer) {
		h->deadline = 0;
		h->timed_out = h->out_of_memory = false;
	}
	if (rc != LUA_OK) {
		const char *msg = lua_tostring(L, -1);
		if (rc == LUA_ERRMEM || out_of_memory) {
			nx_err_set(err, "lua: out of memory (limit %zu MiB)", h->settings.mem_limit >> 20);
			nx_err_set_kind(err, NX_ERR_LUA_LIMIT, "memory");
		} else {
			nx_err_set(err, "%s", msg ? msg : "lua error");
			/* the stop is sticky for the outermost call: a script that
			 * caught it cannot make it look like its own error */
			if (timed_out)
				nx_err_set_kind(err, NX_ERR_LUA_LIMIT, "time");
			else
				nx_err_set_kind(err, NX_ERR_LUA_RUNTIME, NULL);
		}
		lua_pop(L, 1);
		lua_remove(L, base);
		return -1;
	}
	lua_remove(L, base);
	return 0;
}

int nxlua_pcall_in(nx_lua *h, nx_lua_mode mode, nx_buf *dry_run_log, int nargs, int nresults,
		   nx_err *err)
{
	nx_lua_mode outer_mode = h->mode;
	nx_buf *outer_log = h->dry_run_log;
	h->mode = mode;
	h->dry_run_log = dry_run_log;
	/* protected: no error jumps past the restore */
	int rc = nxlua_pcall(h, nargs, nresults, err);
	h->mode = outer_mode;
	h->dry_run_log = outer_log;
	return rc;
}

int nxlua_require(nx_lua *h, const char *name, nx_err *err)
{
	lua_State *L = h->L;
	lua_pushcfunction(L, l_require);
	lua_pushstring(L, name);
	return nxlua_pcall(h, 1, 1, err);
}

const char *nxlua_release(void)
{
	return LUA_RELEASE;
}
