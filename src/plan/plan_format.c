/* The values a plan may carry, checked against pve-container's formats
 * (its JSON schema for `pct create` options, its list of raw lxc keys it
 * keeps): whatever the rules or the core put in a plan passes here before
 * it reaches pct or <vmid>.conf. */
#define _GNU_SOURCE
#include "plan/plan_format.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


typedef int (*check_fn)(const char *v, char *why, size_t n);

/* ---- value checks (formats from pve-container's schema) ---------------- */

static int why_set(char *why, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int why_set(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return -1;
}

static int parse_long(const char *v, long *out)
{
	char *end;
	errno = 0;
	long x = strtol(v, &end, 10);
	if (errno || !*v || *end)
		return -1;
	*out = x;
	return 0;
}

static int int_range(const char *v, long lo, long hi, char *why, size_t n)
{
	long x;
	if (parse_long(v, &x) < 0)
		return why_set(why, n, "type check ('integer') failed - got '%s'", v);
	if (x < lo)
		return why_set(why, n, "value must have a minimum value of %ld", lo);
	if (x > hi)
		return why_set(why, n, "value must have a maximum value of %ld", hi);
	return 0;
}

static int check_memory(const char *v, char *why, size_t n)
{
	return int_range(v, 16, 1L << 40, why, n);
}
static int check_swap(const char *v, char *why, size_t n)
{
	return int_range(v, 0, 1L << 40, why, n);
}
static int check_cores(const char *v, char *why, size_t n)
{
	return int_range(v, 1, 8192, why, n);
}
static int check_cpuunits(const char *v, char *why, size_t n)
{
	return int_range(v, 0, 500000, why, n);
}
static int check_tty(const char *v, char *why, size_t n)
{
	return int_range(v, 0, 6, why, n);
}

static int check_cpulimit(const char *v, char *why, size_t n)
{
	char *end;
	double d = strtod(v, &end);
	if (!*v || *end || !isfinite(d))
		return why_set(why, n, "type check ('number') failed - got '%s'", v);
	if (d < 0 || d > 8192)
		return why_set(why, n, "value must be between 0 and 8192");
	return 0;
}

static int check_bool(const char *v, char *why, size_t n)
{
	static const char *const ok[] = {"0", "1", "yes", "no", "on", "off", "true", "false", NULL};
	for (const char *const *o = ok; *o; o++)
		if (!strcasecmp(v, *o))
			return 0;
	return why_set(why, n, "type check ('boolean') failed - got '%s'", v);
}

static int check_enum(const char *v, const char *const *values, const char *list, char *why, size_t n)
{
	for (const char *const *o = values; *o; o++)
		if (!strcmp(v, *o))
			return 0;
	return why_set(why, n, "value '%s' does not have a value in the enumeration '%s'", v, list);
}

static int check_ostype(const char *v, char *why, size_t n)
{
	static const char *const e[] = {"debian",    "devuan", "ubuntu", "centos", "fedora",	"opensuse",
					"archlinux", "alpine", "gentoo", "nixos",  "unmanaged", NULL};
	return check_enum(
	    v, e,
	    "debian, devuan, ubuntu, centos, fedora, opensuse, archlinux, alpine, gentoo, nixos, unmanaged",
	    why, n);
}

static int check_arch(const char *v, char *why, size_t n)
{
	static const char *const e[] = {"amd64", "i386", "arm64", "armhf", "riscv32", "riscv64", NULL};
	return check_enum(v, e, "amd64, i386, arm64, armhf, riscv32, riscv64", why, n);
}

static int check_cmode(const char *v, char *why, size_t n)
{
	static const char *const e[] = {"shell", "console", "tty", NULL};
	return check_enum(v, e, "shell, console, tty", why, n);
}

static bool dns_label_ok(const char *s, size_t len)
{
	if (len == 0 || len > 63 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[len - 1]))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

static int check_hostname(const char *v, char *why, size_t n)
{
	if (strlen(v) > 255)
		return why_set(why, n, "invalid format - value too long (max 255)");
	for (const char *p = v;;) {
		const char *dot = strchrnul(p, '.');
		if (!dns_label_ok(p, (size_t)(dot - p)))
			return why_set(why, n, "invalid format - value does not look like a valid DNS name");
		if (!*dot)
			return 0;
		p = dot + 1;
	}
}

static int check_tags(const char *v, char *why, size_t n)
{
	for (const char *p = v;;) {
		const char *semi = strchrnul(p, ';');
		if (semi == p || !(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_'))
			return why_set(why, n,
				       "invalid format - tag '%.*s' must match [a-z0-9_][a-z0-9_\\-+.]*",
				       (int)(semi - p), p);
		for (const char *c = p; c < semi; c++)
			if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || strchr("_-+.", *c)))
				return why_set(
				    why, n, "invalid format - tag '%.*s' must match [a-z0-9_][a-z0-9_\\-+.]*",
				    (int)(semi - p), p);
		if (!*semi)
			return 0;
		p = semi + 1;
	}
}

static int check_pool(const char *v, char *why, size_t n)
{
	if (!*v)
		return why_set(why, n, "value does not match the regex pattern");
	for (const char *c = v; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr(".-_", *c))
			return why_set(why, n, "value does not match the regex pattern");
	return 0;
}

static int check_description(const char *v, char *why, size_t n)
{
	if (strlen(v) > 8192)
		return why_set(why, n, "value may only be 8192 characters long");
	return 0;
}

static int check_free_string(const char *v, char *why, size_t n)
{
	(void)v, (void)why, (void)n;
	return 0;
}

static int check_env(const char *v, char *why, size_t n)
{
	const char *eq = strchr(v, '=');
	if (!eq || eq == v)
		return why_set(why, n, "invalid format - expected NAME=value");
	return 0;
}

/* Property strings: "[default=]v,key=value,...". keys lists the allowed
 * keys; default_key (if any) may be written first without "key=". */
static int check_property_string(const char *v, const char *const *keys, const char *default_key,
				 const char *required, char *why, size_t n)
{
	bool have_required = required == NULL;
	bool first = true;
	for (const char *p = v;;) {
		const char *comma = strchrnul(p, ',');
		const char *eq = memchr(p, '=', (size_t)(comma - p));
		size_t klen = eq ? (size_t)(eq - p) : 0;
		const char *key = p;
		if (!eq) {
			if (!first || !default_key)
				return why_set(why, n,
					       "invalid format - format error: '%.*s' is not key=value",
					       (int)(comma - p), p);
			key = default_key;
			klen = strlen(default_key);
		}
		bool known = false;
		for (const char *const *k = keys; *k; k++)
			if (strlen(*k) == klen && !strncmp(*k, key, klen))
				known = true;
		if (!known)
			return why_set(why, n, "invalid format - format error: unknown key '%.*s'", (int)klen,
				       key);
		if (required && strlen(required) == klen && !strncmp(required, key, klen))
			have_required = true;
		const char *val = eq ? eq + 1 : p;
		if (val == comma)
			return why_set(why, n, "invalid format - format error: '%.*s' has no value",
				       (int)klen, key);
		first = false;
		if (!*comma)
			break;
		p = comma + 1;
	}
	if (!have_required)
		return why_set(
		    why, n, "invalid format - format error: %s: property is missing and it is not optional",
		    required);
	return 0;
}

static const char *const rootfs_keys[] = {"volume",    "size",	 "ro", "mountoptions", "quota", "acl",
					  "replicate", "shared", NULL};
static const char *const mp_keys[] = {"volume",	   "mp",     "size",   "ro", "mountoptions", "quota", "acl",
				      "replicate", "backup", "shared", NULL};
static const char *const net_keys[] = {"name", "bridge",    "firewall",	    "gw",   "gw6", "hwaddr",
				       "ip",   "ip6",	    "mtu",	    "rate", "tag", "trunks",
				       "type", "link_down", "host-managed", NULL};
static const char *const dev_keys[] = {"path", "mode", "uid", "gid", "deny-write", NULL};
static const char *const feature_keys[] = {"nesting",	   "keyctl", "fuse", "mknod",
					   "force_rw_sys", "mount",  NULL};

static int check_rootfs(const char *v, char *why, size_t n)
{
	return check_property_string(v, rootfs_keys, "volume", "volume", why, n);
}

int plan_check_path_clean(const char *v, const char *key, char *why, size_t n)
{
	/* mp=/x and host paths: pve refuses /./ and /../ components */
	char pat[16];
	snprintf(pat, sizeof pat, "%s=", key);
	const char *p = strstr(v, pat);
	if (!p && strcmp(key, "volume"))
		return 0;
	const char *val = p ? p + strlen(pat) : v;
	size_t len = strcspn(val, ",");
	char buf[4096];
	snprintf(buf, sizeof buf, "%.*s/", (int)len, val);
	if (strstr(buf, "/./") || strstr(buf, "/../"))
		return why_set(why, n, "invalid format - path contains . or .. components");
	return 0;
}

static int check_mp(const char *v, char *why, size_t n)
{
	if (check_property_string(v, mp_keys, "volume", "mp", why, n) < 0)
		return -1;
	if (plan_check_path_clean(v, "mp", why, n) < 0 || plan_check_path_clean(v, "volume", why, n) < 0)
		return -1;
	const char *mp = strstr(v, "mp=");
	if (mp && mp[3] != '/')
		return why_set(why, n, "invalid format - mp must be an absolute path");
	return 0;
}

static int check_net(const char *v, char *why, size_t n)
{
	return check_property_string(v, net_keys, NULL, "name", why, n);
}

static int check_dev(const char *v, char *why, size_t n)
{
	if (check_property_string(v, dev_keys, "path", "path", why, n) < 0)
		return -1;
	const char *path = strncmp(v, "path=", 5) ? v : v + 5;
	if (strncmp(path, "/dev/", 5))
		return why_set(why, n, "invalid format - device path must be under /dev/");
	return 0;
}

static int check_features(const char *v, char *why, size_t n)
{
	return check_property_string(v, feature_keys, NULL, NULL, why, n);
}

typedef struct option_spec {
	const char *name;
	check_fn check;
} option_spec;

/* Options a plan may set on `pct create`. Absent on purpose: `start`
 * (the core starts the CT), `lock`, `template`, `hookscript` (host code,
 * chosen by the admin in Proxmox, not by a bundle). */
static const option_spec option_specs[] = {
    {"arch", check_arch},
    {"cmode", check_cmode},
    {"console", check_bool},
    {"cores", check_cores},
    {"cpulimit", check_cpulimit},
    {"cpuunits", check_cpuunits},
    {"description", check_description},
    {"entrypoint", check_free_string},
    {"env", check_env},
    {"features", check_features},
    {"hostname", check_hostname},
    {"memory", check_memory},
    {"nameserver", check_free_string},
    {"onboot", check_bool},
    {"ostype", check_ostype},
    {"pool", check_pool},
    {"protection", check_bool},
    {"rootfs", check_rootfs},
    {"searchdomain", check_free_string},
    {"startup", check_free_string},
    {"swap", check_swap},
    {"tags", check_tags},
    {"timezone", check_free_string},
    {"tty", check_tty},
    {"unprivileged", check_bool},
};

static check_fn option_checker(const char *name)
{
	for (size_t i = 0; i < sizeof option_specs / sizeof option_specs[0]; i++)
		if (!strcmp(option_specs[i].name, name))
			return option_specs[i].check;
	/* mp0..mp255, net0..net31, dev0..dev255 */
	const char *families[][2] = {{"mp", "255"}, {"net", "31"}, {"dev", "255"}};
	check_fn fns[] = {check_mp, check_net, check_dev};
	for (int i = 0; i < 3; i++) {
		size_t fl = strlen(families[i][0]);
		if (strncmp(name, families[i][0], fl) || !name[fl])
			continue;
		long idx;
		if (parse_long(name + fl, &idx) < 0 || idx < 0 || idx > atol(families[i][1]) ||
		    (name[fl] == '0' && name[fl + 1]))
			return NULL;
		return fns[i];
	}
	return NULL;
}

int plan_check_chars(const char *v, bool allow_newline, char *why, size_t n)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '\n' && allow_newline)
			continue;
		if (*p < 0x20 || *p == 0x7f)
			return why_set(
			    why, n,
			    "contains a control character (0x%02x): refused, it could inject config keys",
			    *p);
	}
	return 0;
}

int plan_check_option(const char *name, const char *value, char *why, size_t n)
{
	check_fn fn = option_checker(name);
	if (!fn)
		return why_set(why, n, "not a pct create option nexcage accepts");
	if (strlen(value) > PLAN_MAX_VALUE)
		return why_set(why, n, "value too long");
	if (plan_check_chars(value, !strcmp(name, "description"), why, n) < 0)
		return -1;
	return fn(value, why, n);
}

/* pve-container's $valid_lxc_conf_keys: Proxmox drops every other raw key
 * from the config with only a warning, so accepting one here would
 * misconfigure silently. */
static bool pve_keeps_lxc_key(const char *key)
{
	static const char *const valid[] = {
	    "lxc.apparmor.profile",
	    "lxc.apparmor.allow_incomplete",
	    "lxc.apparmor.allow_nesting",
	    "lxc.apparmor.raw",
	    "lxc.selinux.context",
	    "lxc.arch",
	    "lxc.uts.name",
	    "lxc.signal.halt",
	    "lxc.signal.reboot",
	    "lxc.signal.stop",
	    "lxc.init.cmd",
	    "lxc.init.cwd",
	    "lxc.init.uid",
	    "lxc.init.gid",
	    "lxc.init.groups",
	    "lxc.pty.max",
	    "lxc.console.path",
	    "lxc.tty.max",
	    "lxc.devtty.dir",
	    "lxc.autodev",
	    "lxc.kmsg",
	    "lxc.mount.fstab",
	    "lxc.mount.entry",
	    "lxc.mount.auto",
	    "lxc.rootfs.mount",
	    "lxc.cap.drop",
	    "lxc.cap.keep",
	    "lxc.seccomp.profile",
	    "lxc.idmap",
	    "lxc.start.auto",
	    "lxc.start.delay",
	    "lxc.start.order",
	    "lxc.group",
	    "lxc.environment",
	    "lxc.environment.runtime",
	    "lxc.sysctl.fs.mqueue",
	    "lxc.sysctl.kernel.msgmax",
	    "lxc.sysctl.kernel.msgmnb",
	    "lxc.sysctl.kernel.msgmni",
	    "lxc.sysctl.kernel.sem",
	    "lxc.sysctl.kernel.shmall",
	    "lxc.sysctl.kernel.shmmax",
	    "lxc.sysctl.kernel.shmmni",
	    "lxc.sysctl.kernel.shm_rmid_forced",
	    NULL,
	};
	for (const char *const *v = valid; *v; v++)
		if (!strcmp(key, *v))
			return true;
	return !strncmp(key, "lxc.cgroup.", 11) || !strncmp(key, "lxc.cgroup2.", 12) ||
	       !strncmp(key, "lxc.prlimit.", 12) || !strncmp(key, "lxc.net.", 8);
}

int plan_check_lxc(const char *key, const char *value, char *why, size_t n)
{
	if (strncmp(key, "lxc.", 4) || !key[4])
		return why_set(why, n, "raw key must start with 'lxc.'");
	/* cgroup file names are the kernel's own and may hold capitals
	 * (hugetlb.1GB.max); every other LXC key is lower case. */
	bool cgroup = !strncmp(key, "lxc.cgroup.", 11) || !strncmp(key, "lxc.cgroup2.", 12);
	for (const char *c = key; *c; c++)
		if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) && !strchr("._-", *c) &&
		    !(cgroup && isupper((unsigned char)*c)))
			return why_set(why, n,
				       cgroup ? "raw key may only contain [A-Za-z0-9._-]"
					      : "raw key may only contain [a-z0-9._-]");
	/* A profile LXC loads would run under nexcage-init: whether there is
	 * one is the core's call (config.lua's lxc_seccomp). */
	if (!strncmp(key, "lxc.seccomp.", 12))
		return why_set(
		    why, n,
		    "raw key %s is reserved to the core: linux.seccomp is compiled by nexcage and "
		    "loaded by nexcage-init, and config.lua's lxc_seccomp decides whether LXC keeps "
		    "Proxmox's profile",
		    key);
	/* Keys that run host programs, include host files or move the root
	 * would let a bundle (through a rule) escape onto the host. */
	static const char *const denied[] = {"lxc.hook.",	    "lxc.include", "lxc.rootfs.",
					     "lxc.console.logfile", "lxc.log.",	   NULL};
	for (const char *const *d = denied; *d; d++)
		if (!strncmp(key, *d, strlen(*d)))
			return why_set(why, n, "raw key %s is reserved to the core", key);
	if (!pve_keeps_lxc_key(key))
		return why_set(
		    why, n,
		    "Proxmox drops raw key %s from the CT config (not one of pve-container's valid lxc keys)",
		    key);
	if (strlen(value) > PLAN_MAX_VALUE)
		return why_set(why, n, "value too long");
	return plan_check_chars(value, false, why, n);
}

