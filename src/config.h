/* The site configuration: one Lua file (default /etc/nexcage/config.lua)
 * returning a table. Every key is declared in one schema (config.c) with
 * its type, default and range; an unknown key or a wrong type is an error
 * that names the key, so a typo never silently falls back to a default. */
#ifndef NX_CONFIG_H
#define NX_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "lua_host.h"

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

/* Load path (NULL: the default path, which may be absent): defaults, then
 * what config.lua returns (read by the bridge, lua_bridge_config.c, key by
 * key through config_set_*), then the checks across keys. */
int config_load(nx_lua *h, const char *path, bool explicit_path, nx_config *cfg, nx_err *err);
/* Defaults only, with no Lua (for commands that do not start Lua). */
int config_defaults(nx_config *cfg, nx_err *err);
void config_free(nx_config *cfg);

/* The schema, for the bridge: a key's type, setting a key by name (with
 * its range and choices checked), and every key's effective value. */
typedef enum { CONFIG_UNKNOWN, CONFIG_STRING, CONFIG_INTEGER, CONFIG_NUMBER } config_type;
typedef struct config_value {
	const char *name;
	config_type type;
	const char *string;
	long integer;
	double number;
} config_value;
config_type config_key_type(const char *name);
int config_set_string(nx_config *cfg, const char *name, const char *value, nx_err *err);
int config_set_number(nx_config *cfg, const char *name, double value, nx_err *err);
size_t config_key_count(void);
config_value config_key_at(const nx_config *cfg, size_t i);
/* Checks across keys (vmid_min <= vmid_max, absolute program paths). */
int config_check(const nx_config *cfg, nx_err *err);

#endif
