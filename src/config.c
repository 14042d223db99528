#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>

typedef enum { T_STRING, T_INT, T_NUMBER } key_type;

typedef struct config_key {
	const char *name;
	key_type type;
	size_t offset;
	const char *def_str; /* NULL for computed defaults */
	double def_num, min, max;
	const char *choices; /* for strings: comma-separated allowed values, or NULL */
} config_key;

#define S(n, d)                                                                                              \
	{                                                                                                    \
#n, T_STRING, offsetof(nx_config, n), d, 0, 0, 0, NULL                                       \
	}
#define SE(n, d, c)                                                                                          \
	{                                                                                                    \
#n, T_STRING, offsetof(nx_config, n), d, 0, 0, 0, c                                          \
	}
#define I(n, d, lo, hi)                                                                                      \
	{                                                                                                    \
#n, T_INT, offsetof(nx_config, n), NULL, d, lo, hi, NULL                                     \
	}
#define N(n, d, lo, hi)                                                                                      \
	{                                                                                                    \
#n, T_NUMBER, offsetof(nx_config, n), NULL, d, lo, hi, NULL                                  \
	}

/* Defaults suit a stock Proxmox VE node: `local` holds templates,
 * `local-lvm` holds container disks, vmbr0 is the bridge. */
static const config_key schema[] = {
    S(pct, "/usr/sbin/pct"),
    S(pvesh, "/usr/bin/pvesh"),
    S(node, NULL),
    S(pve_etc, "/etc/pve"),
    S(pve_lock_dir, "/run/lock/lxc"),
    S(storage, "local-lvm"),
    S(template_storage, "local"),
    S(template_dir, "/var/lib/vz/template/cache"),
    S(bridge, "vmbr0"),
    SE(network, "empty", "empty,bridge"),
    SE(rootfs_mode, "bind", "bind,copy"),
    SE(process_mode, "entrypoint", "entrypoint,raw"),
    S(pve_version, "9.1"),
    I(vmid_min, 100, 100, 999999999),
    I(vmid_max, 999999, 100, 999999999),
    I(rootfs_size, 8, 0, 131072),
    I(memory_default, 0, 0, 1 << 30),
    N(pct_timeout, 300, 1, 86400),
    N(lua_time_limit, 10, 0.01, 3600),
    I(lua_memory_limit, 256, 8, 65536),
};

#define NKEYS (sizeof schema / sizeof schema[0])

static char **str_field(nx_config *cfg, const config_key *k)
{
	return (char **)((char *)cfg + k->offset);
}

static const config_key *schema_find(const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (!strcmp(schema[i].name, name))
			return &schema[i];
	return NULL;
}

static int set_string(nx_config *cfg, const config_key *k, const char *v, nx_err *err)
{
	if (k->choices) {
		size_t vl = strlen(v);
		const char *p = k->choices;
		bool ok = false;
		while (*p) {
			const char *e = strchrnul(p, ',');
			if ((size_t)(e - p) == vl && !strncmp(p, v, vl))
				ok = true;
			p = *e ? e + 1 : e;
		}
		if (!ok)
			return nx_err_set(err, "%s: must be one of %s (got \"%s\")", k->name, k->choices, v);
	}
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20)
			return nx_err_set(err, "%s: contains a control character", k->name);
	char *copy = strdup(v);
	if (!copy)
		return nx_err_sys(err, ENOMEM, "%s", k->name);
	char **f = str_field(cfg, k);
	free(*f);
	*f = copy;
	return 0;
}

static int set_number(nx_config *cfg, const config_key *k, double v, nx_err *err)
{
	if (!(v >= k->min && v <= k->max))
		return nx_err_set(err, "%s: must be between %.15g and %.15g (got %.15g)", k->name, k->min,
				  k->max, v);
	if (k->type == T_INT) {
		if (v != (double)(long)v)
			return nx_err_set(err, "%s: must be an integer (got %.15g)", k->name, v);
		*(long *)((char *)cfg + k->offset) = (long)v;
	} else {
		*(double *)((char *)cfg + k->offset) = v;
	}
	return 0;
}

static char *short_hostname(void)
{
	char host[256] = "";
	if (gethostname(host, sizeof host - 1) < 0 || !host[0])
		snprintf(host, sizeof host, "localhost");
	host[strcspn(host, ".")] = '\0';
	return strdup(host);
}

int config_defaults(nx_config *cfg, nx_err *err)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->lua_ref = LUA_NOREF;
	for (size_t i = 0; i < NKEYS; i++) {
		const config_key *k = &schema[i];
		if (k->type == T_STRING) {
			if (k->def_str && set_string(cfg, k, k->def_str, err) < 0)
				return -1;
		} else if (set_number(cfg, k, k->def_num, err) < 0) {
			return -1;
		}
	}
	cfg->node = short_hostname();
	if (!cfg->node)
		return nx_err_sys(err, ENOMEM, "config");
	return 0;
}

static int check_cross_fields(const nx_config *cfg, nx_err *err)
{
	if (cfg->vmid_min > cfg->vmid_max)
		return nx_err_set(err, "vmid_min (%ld) is greater than vmid_max (%ld)", cfg->vmid_min,
				  cfg->vmid_max);
	if (cfg->pct[0] != '/' || cfg->pvesh[0] != '/')
		return nx_err_set(err, "pct and pvesh must be absolute paths");
	return 0;
}

/* Table on top of the stack: check every key against the schema. */
static int apply_table(lua_State *L, nx_config *cfg, nx_err *err)
{
	lua_pushnil(L);
	while (lua_next(L, -2)) { /* tbl key value */
		if (lua_type(L, -2) != LUA_TSTRING) {
			nx_err_set(err, "keys must be strings (got a %s key)", luaL_typename(L, -2));
			lua_pop(L, 2);
			return -1;
		}
		const char *name = lua_tostring(L, -2);
		const config_key *k = schema_find(name);
		int rc = 0;
		if (!k) {
			rc = nx_err_set(err, "%s: unknown setting", name);
		} else if (k->type == T_STRING) {
			if (lua_type(L, -1) != LUA_TSTRING)
				rc = nx_err_set(err, "%s: expected a string, got %s", name,
						luaL_typename(L, -1));
			else
				rc = set_string(cfg, k, lua_tostring(L, -1), err);
		} else {
			if (lua_type(L, -1) != LUA_TNUMBER)
				rc = nx_err_set(err, "%s: expected a number, got %s", name,
						luaL_typename(L, -1));
			else
				rc = set_number(cfg, k, lua_tonumber(L, -1), err);
		}
		lua_pop(L, 1); /* tbl key */
		if (rc < 0) {
			lua_pop(L, 1);
			return -1;
		}
	}
	return 0;
}

/* Push the effective configuration (defaults included) as a fresh table. */
static void push_effective(lua_State *L, const nx_config *cfg)
{
	lua_createtable(L, 0, (int)NKEYS);
	for (size_t i = 0; i < NKEYS; i++) {
		const config_key *k = &schema[i];
		const char *base = (const char *)cfg + k->offset;
		if (k->type == T_STRING)
			lua_pushstring(L, *(char *const *)base);
		else if (k->type == T_INT)
			lua_pushinteger(L, *(const long *)base);
		else
			lua_pushnumber(L, *(const double *)base);
		lua_setfield(L, -2, k->name);
	}
}

int config_load(nx_lua *h, const char *path, bool explicit_path, nx_config *cfg, nx_err *err)
{
	if (config_defaults(cfg, err) < 0)
		return -1;
	lua_State *L = nxlua_state(h);
	const char *p = path ? path : NX_DEFAULT_CONFIG;
	struct stat st;
	if (stat(p, &st) < 0) {
		if (errno == ENOENT && !explicit_path)
			goto effective;
		return nx_err_sys(err, errno, "config %s", p);
	}
	if (nxlua_load_site_file(h, p, err) < 0)
		return nx_err_wrap(err, "config");
	if (nxlua_pcall(h, 0, 1, err) < 0)
		return nx_err_wrap(err, "config %s", p);
	if (!lua_istable(L, -1)) {
		const char *t = luaL_typename(L, -1);
		lua_pop(L, 1);
		return nx_err_set(err, "config %s: must return a table (got %s)", p, t);
	}
	int rc = apply_table(L, cfg, err);
	lua_pop(L, 1);
	if (rc < 0)
		return nx_err_wrap(err, "config %s", p);
	if (check_cross_fields(cfg, err) < 0)
		return nx_err_wrap(err, "config %s", p);
effective:
	push_effective(L, cfg);
	cfg->lua_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	return 0;
}

void config_free(nx_config *cfg)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (schema[i].type == T_STRING) {
			char **f = str_field(cfg, &schema[i]);
			free(*f);
			*f = NULL;
		}
}
