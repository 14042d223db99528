#define _GNU_SOURCE
#include "site/config.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct config_key {
	const char *name;
	config_type type;
	size_t offset;
	const char *def_str; /* NULL for computed defaults */
	double def_num, min, max;
	const char *choices; /* for strings: comma-separated allowed values, or NULL */
} config_key;

#define S(n, d)                                                                                              \
	{                                                                                                    \
#n, CONFIG_STRING, offsetof(nx_config, n), d, 0, 0, 0, NULL                                       \
	}
#define SE(n, d, c)                                                                                          \
	{                                                                                                    \
#n, CONFIG_STRING, offsetof(nx_config, n), d, 0, 0, 0, c                                          \
	}
#define I(n, d, lo, hi)                                                                                      \
	{                                                                                                    \
#n, CONFIG_INTEGER, offsetof(nx_config, n), NULL, d, lo, hi, NULL                                     \
	}
#define N(n, d, lo, hi)                                                                                      \
	{                                                                                                    \
#n, CONFIG_NUMBER, offsetof(nx_config, n), NULL, d, lo, hi, NULL                                  \
	}
/* A key whose name is not its field's. */
#define NAMED(key, type, field, d, lo, hi)                                                                   \
	{                                                                                                    \
key, type, offsetof(nx_config, field), NULL, d, lo, hi, NULL                                 \
	}

/* Defaults suit a stock Proxmox VE node: `local` holds templates,
 * `local-lvm` holds container disks, vmbr0 is the bridge. */
static const config_key schema[] = {
    S(pct, "/usr/sbin/pct"),
    S(pvesh, "/usr/bin/pvesh"),
    S(node, NULL),
    S(pve_etc, "/etc/pve"),
    S(pve_lock_dir, "/run/lock/lxc"),
    S(lxc_mount_ns, "/proc/1/ns/mnt"),
    S(storage, "local-lvm"),
    S(template_storage, "local"),
    S(template_dir, "/var/lib/vz/template/cache"),
    S(bridge, "vmbr0"),
    SE(network, "empty", "empty,bridge"),
    SE(rootfs_mode, "bind", "bind,copy"),
    SE(process_mode, "entrypoint", "entrypoint,raw"),
    SE(lxc_seccomp, "none", "none,proxmox"),
    S(pve_version, "9.1"),
    I(vmid_min, 100, 100, 999999999),
    I(vmid_max, 999999, 100, 999999999),
    I(rootfs_size, 8, 0, 131072),
    I(memory_default, 0, 0, 1 << 30),
    N(pct_timeout, 300, 1, 86400),
    NAMED("lua_time_limit", CONFIG_NUMBER, script_time_limit, 10, 0.01, 3600),
    NAMED("lua_memory_limit", CONFIG_INTEGER, script_memory_limit, 256, 8, 65536),
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
	char *copy = xstrdup(v);
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
	if (k->type == CONFIG_INTEGER) {
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
	return xstrdup(host);
}

int config_defaults(nx_config *cfg, nx_err *err)
{
	memset(cfg, 0, sizeof *cfg);
	for (size_t i = 0; i < NKEYS; i++) {
		const config_key *k = &schema[i];
		if (k->type == CONFIG_STRING) {
			if (k->def_str && set_string(cfg, k, k->def_str, err) < 0)
				return -1;
		} else if (set_number(cfg, k, k->def_num, err) < 0) {
			return -1;
		}
	}
	cfg->node = short_hostname();
	return 0;
}

int config_check(const nx_config *cfg, nx_err *err)
{
	if (cfg->vmid_min > cfg->vmid_max)
		return nx_err_kind_set(err, NX_ERR_INVALID, "vmid_min (%ld) is greater than vmid_max (%ld)", cfg->vmid_min,
				  cfg->vmid_max);
	if (cfg->pct[0] != '/' || cfg->pvesh[0] != '/')
		return nx_err_kind_set(err, NX_ERR_INVALID, "pct and pvesh must be absolute paths");
	return 0;
}

static int apply_entry(nx_config *cfg, const config_entry *e, nx_err *err)
{
	if (!e->name)
		return nx_err_set(err, "keys must be strings (got a %s key)", e->type_name);
	const config_key *k = schema_find(e->name);
	config_type type = k ? k->type : CONFIG_UNKNOWN;
	if (type == CONFIG_UNKNOWN)
		return nx_err_set(err, "%s: unknown setting", e->name);
	if (type == CONFIG_STRING && e->type != CONFIG_ENTRY_STRING)
		return nx_err_set(err, "%s: expected a string, got %s", e->name, e->type_name);
	if (type != CONFIG_STRING && e->type != CONFIG_ENTRY_NUMBER)
		return nx_err_set(err, "%s: expected a number, got %s", e->name, e->type_name);
	if (type == CONFIG_STRING)
		return set_string(cfg, k, e->string, err);
	return set_number(cfg, k, e->number, err);
}

int config_apply(nx_config *cfg, const config_entry *e, size_t n, nx_err *err)
{
	for (size_t i = 0; i < n; i++)
		if (apply_entry(cfg, &e[i], err) < 0)
			return nx_err_set_kind(err, NX_ERR_INVALID, NULL);
	return 0;
}

void config_entries_free(config_entry *e, size_t n)
{
	for (size_t i = 0; e && i < n; i++) {
		free(e[i].name);
		free(e[i].string);
	}
	free(e);
}

int config_set_string(nx_config *cfg, const char *name, const char *value, nx_err *err)
{
	const config_key *k = schema_find(name);
	if (!k || k->type != CONFIG_STRING)
		return nx_err_set(err, "%s: not a string setting", name);
	return set_string(cfg, k, value, err);
}

int config_set_number(nx_config *cfg, const char *name, double value, nx_err *err)
{
	const config_key *k = schema_find(name);
	if (!k || k->type == CONFIG_STRING)
		return nx_err_set(err, "%s: not a number setting", name);
	return set_number(cfg, k, value, err);
}

size_t config_key_count(void)
{
	return NKEYS;
}

config_value config_key_at(const nx_config *cfg, size_t i)
{
	const config_key *k = &schema[i];
	const char *base = (const char *)cfg + k->offset;
	config_value v = {.name = k->name, .type = k->type};
	if (k->type == CONFIG_STRING)
		v.string = *(char *const *)base;
	else if (k->type == CONFIG_INTEGER)
		v.integer = *(const long *)base;
	else
		v.number = *(const double *)base;
	return v;
}

int config_find(const char *path, bool explicit_path, const char **out, nx_err *err)
{
	const char *p = path ? path : NX_DEFAULT_CONFIG;
	struct stat st;
	*out = NULL;
	if (stat(p, &st) < 0) {
		if (errno == ENOENT && !explicit_path)
			return 0;
		return nx_err_sys(err, errno, "config %s", p);
	}
	*out = p;
	return 1;
}

void config_free(nx_config *cfg)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (schema[i].type == CONFIG_STRING) {
			char **f = str_field(cfg, &schema[i]);
			free(*f);
			*f = NULL;
		}
}
