/* The site configuration: one Lua file (default /etc/nexcage/config.lua)
 * returning a table. Every key is declared in one schema (config.c) with
 * its type, default and range; an unknown key or a wrong type is an error
 * that names the key, so a typo never silently falls back to a default.
 * This file knows no Lua: the bridge reads config.lua into config_entry
 * values and context.c applies them here (the data flows one way). */
#ifndef NX_CONFIG_H
#define NX_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

#define NX_DEFAULT_CONFIG "/etc/nexcage/config.lua"

typedef struct nx_config {
	char *pct;		/* path of the pct program */
	char *pvesh;		/* path of the pvesh program */
	char *node;		/* this node's name (default: short hostname) */
	char *pve_etc;		/* the cluster filesystem (/etc/pve) */
	char *pve_lock_dir;	/* Proxmox's per-VMID config locks */
	char *lxc_mount_ns;	/* the mount namespace pct start's CTs are started in (systemd's) */
	char *storage;		/* storage for container root filesystems */
	char *template_storage; /* storage holding vztmpl archives */
	char *template_dir;	/* that storage's template directory on disk */
	char *bridge;		/* default bridge for net0 */
	char *network;		/* a network namespace without path: "empty" (lo only) or "bridge" (net0) */
	char *rootfs_mode;	/* "bind": the bundle's rootfs in place; "copy": onto storage */
	char *process_mode;	/* "entrypoint" (PVE >= 9.1) or "raw" (lxc.init.*) */
	char *lxc_seccomp;	/* "none": LXC loads no profile; "proxmox": its default stays */
	char *pve_version;	/* Proxmox VE version the rules target */
	long vmid_min, vmid_max;
	long rootfs_size;      /* GiB */
	long memory_default;   /* MiB when the bundle sets no limit; 0: none */
	double pct_timeout;    /* seconds before a hung pct is killed */
	double script_time_limit; /* lua_time_limit: seconds per call into Lua */
	long script_memory_limit; /* lua_memory_limit: MiB */
} nx_config;

/* Which file to read: path (NULL: the default path). Returns 1 with *out
 * set when it exists, 0 when the default one is absent (defaults apply),
 * -1 for an explicit path that is missing or any other error. */
int config_find(const char *path, bool explicit_path, const char **out, nx_err *err);
/* Defaults only, with no Lua (for commands that do not start Lua). */
int config_defaults(nx_config *cfg, nx_err *err);
void config_free(nx_config *cfg);

/* One key of config.lua's table as the bridge read it, a C value. */
typedef enum { CONFIG_ENTRY_STRING, CONFIG_ENTRY_NUMBER, CONFIG_ENTRY_OTHER } config_entry_type;
typedef struct config_entry {
	char *name;		/* NULL: the key is not a string (type_name names its type) */
	config_entry_type type; /* the value's */
	const char *type_name;	/* the value's Lua type name (the key's when name is NULL) */
	char *string;		/* CONFIG_ENTRY_STRING */
	double number;		/* CONFIG_ENTRY_NUMBER */
} config_entry;
/* Set each entry through the schema (its range and choices checked), in
 * order; the first problem names its key. */
int config_apply(nx_config *cfg, const config_entry *e, size_t n, nx_err *err);
void config_entries_free(config_entry *e, size_t n);
/* One key by name, with its range and choices checked. */
int config_set_string(nx_config *cfg, const char *name, const char *value, nx_err *err);
int config_set_number(nx_config *cfg, const char *name, double value, nx_err *err);

/* The schema, for the bridge (ctx.config of rules and hooks): every key's
 * effective value. */
typedef enum { CONFIG_UNKNOWN, CONFIG_STRING, CONFIG_INTEGER, CONFIG_NUMBER } config_type;
typedef struct config_value {
	const char *name;
	config_type type;
	const char *string;
	long integer;
	double number;
} config_value;
size_t config_key_count(void);
config_value config_key_at(const nx_config *cfg, size_t i);
/* Checks across keys (vmid_min <= vmid_max, absolute program paths). */
int config_check(const nx_config *cfg, nx_err *err);

#endif
