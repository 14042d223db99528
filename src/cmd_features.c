/* nexcage features: the features document (runtime-spec features.md,
 * features-linux.md) of THIS runtime, a translation to Proxmox VE LXC
 * containers. Every list says what the default rules (lua/rules/) and the
 * core carry into the container, not what runc does:
 *   - hooks: all six, run by the core;
 *   - mountOptions: the ones honoured on every kind of mount; bind mounts
 *     become Proxmox mount points, whose mountoptions key takes only
 *     nosuid, nodev, noexec, noatime and lazytime (others are dropped);
 *   - namespaces: those a CT has; "time" is not (Proxmox drops
 *     lxc.time.offset), nor is joining a namespace by path;
 *   - capabilities: the names LXC knows (lua/rules/security.lua);
 *   - cgroup v2 only (Proxmox VE 7+), rdma through lxc.cgroup2.rdma.max;
 *   - no seccomp profile, SELinux label or Intel RDT (Proxmox's own
 *     policies apply), AppArmor through lxc.apparmor.profile;
 *   - no id-mapped mounts, no moved network devices.
 * Decided at build time, as features.md asks; printed by C, no Lua. */
#define _GNU_SOURCE
#include <errno.h>
#include <lua.h>
#include <stdbool.h>
#include <stdio.h>

#include "buf.h"
#include "cli.h"
#include "commands.h"
#include "version.h"

/* An indented JSON writer, two spaces a level (runc's layout). */
typedef struct jw {
	nx_buf b;
	int depth;
	bool empty; /* nothing yet in the innermost container */
} jw;

static void jw_next(jw *w, const char *key)
{
	if (w->depth == 0)
		return;
	buf_puts(&w->b, w->empty ? "\n" : ",\n");
	for (int i = 0; i < w->depth; i++)
		buf_puts(&w->b, "  ");
	w->empty = false;
	if (key) {
		buf_json_string(&w->b, key);
		buf_puts(&w->b, ": ");
	}
}

static void jw_open(jw *w, const char *key, char bracket)
{
	jw_next(w, key);
	buf_append(&w->b, &bracket, 1);
	w->depth++;
	w->empty = true;
}

static void jw_close(jw *w, char bracket)
{
	w->depth--;
	if (!w->empty) {
		buf_puts(&w->b, "\n");
		for (int i = 0; i < w->depth; i++)
			buf_puts(&w->b, "  ");
	}
	buf_append(&w->b, &bracket, 1);
	w->empty = false;
}

static void jw_string(jw *w, const char *key, const char *value)
{
	jw_next(w, key);
	buf_json_string(&w->b, value);
}

static void jw_bool(jw *w, const char *key, bool value)
{
	jw_next(w, key);
	buf_puts(&w->b, value ? "true" : "false");
}

static void jw_strings(jw *w, const char *key, const char *const *list)
{
	jw_open(w, key, '[');
	for (; *list; list++)
		jw_string(w, NULL, *list);
	jw_close(w, ']');
}

/* {"enabled": value} */
static void jw_enabled(jw *w, const char *key, bool value)
{
	jw_open(w, key, '{');
	jw_bool(w, "enabled", value);
	jw_close(w, '}');
}

static const char *const hooks[] = {
    "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop", NULL};

static const char *const mount_options[] = {"bind",  "rbind",  "ro",	  "rw",	      "nosuid",
					    "nodev", "noexec", "noatime", "lazytime", NULL};

static const char *const namespaces[] = {"cgroup", "ipc", "mount", "network", "pid", "user", "uts", NULL};

/* The same list as lua/rules/security.lua (an e2e test compares them). */
static const char *const capabilities[] = {"CAP_CHOWN",
					   "CAP_DAC_OVERRIDE",
					   "CAP_DAC_READ_SEARCH",
					   "CAP_FOWNER",
					   "CAP_FSETID",
					   "CAP_KILL",
					   "CAP_SETGID",
					   "CAP_SETUID",
					   "CAP_SETPCAP",
					   "CAP_LINUX_IMMUTABLE",
					   "CAP_NET_BIND_SERVICE",
					   "CAP_NET_BROADCAST",
					   "CAP_NET_ADMIN",
					   "CAP_NET_RAW",
					   "CAP_IPC_LOCK",
					   "CAP_IPC_OWNER",
					   "CAP_SYS_MODULE",
					   "CAP_SYS_RAWIO",
					   "CAP_SYS_CHROOT",
					   "CAP_SYS_PTRACE",
					   "CAP_SYS_PACCT",
					   "CAP_SYS_ADMIN",
					   "CAP_SYS_BOOT",
					   "CAP_SYS_NICE",
					   "CAP_SYS_RESOURCE",
					   "CAP_SYS_TIME",
					   "CAP_SYS_TTY_CONFIG",
					   "CAP_MKNOD",
					   "CAP_LEASE",
					   "CAP_AUDIT_WRITE",
					   "CAP_AUDIT_CONTROL",
					   "CAP_SETFCAP",
					   "CAP_MAC_OVERRIDE",
					   "CAP_MAC_ADMIN",
					   "CAP_SYSLOG",
					   "CAP_WAKE_ALARM",
					   "CAP_BLOCK_SUSPEND",
					   "CAP_AUDIT_READ",
					   "CAP_PERFMON",
					   "CAP_BPF",
					   "CAP_CHECKPOINT_RESTORE",
					   NULL};

/* org.nexcage.* annotations choose storage, network, VMID... of the CT. */
static const char *const unsafe_annotations[] = {"org.nexcage.", NULL};

static void features(jw *w)
{
	jw_open(w, NULL, '{');
	jw_string(w, "ociVersionMin", NX_OCI_VERSION_MIN);
	jw_string(w, "ociVersionMax", NX_OCI_VERSION);
	jw_strings(w, "hooks", hooks);
	jw_strings(w, "mountOptions", mount_options);
	jw_open(w, "linux", '{');
	jw_strings(w, "namespaces", namespaces);
	jw_strings(w, "capabilities", capabilities);
	jw_open(w, "cgroup", '{');
	jw_bool(w, "v1", false);
	jw_bool(w, "v2", true);
	jw_bool(w, "systemd", false);
	jw_bool(w, "systemdUser", false);
	jw_bool(w, "rdma", true);
	jw_close(w, '}');
	jw_enabled(w, "seccomp", false);
	jw_enabled(w, "apparmor", true);
	jw_enabled(w, "selinux", false);
	jw_enabled(w, "intelRdt", false);
	jw_open(w, "mountExtensions", '{');
	jw_enabled(w, "idmap", false);
	jw_close(w, '}');
	jw_enabled(w, "netDevices", false);
	jw_close(w, '}');
	jw_open(w, "annotations", '{');
	jw_string(w, "org.nexcage.version", NX_VERSION);
	jw_string(w, "org.nexcage.lua.version", LUA_RELEASE);
	jw_string(w, "org.nexcage.platform", "Proxmox VE: LXC containers through pct");
	jw_close(w, '}');
	jw_strings(w, "potentiallyUnsafeConfigAnnotations", unsafe_annotations);
	jw_close(w, '}');
	buf_puts(&w->b, "\n");
}

int cmd_features(nx_ctx *ctx, int argc, char **argv, nx_err *err)
{
	(void)ctx;
	(void)argv;
	if (argc > 1)
		return cli_usage_error("features", err, "takes no arguments");
	jw w = {0};
	features(&w);
	int rc = 0;
	if (w.b.oom)
		rc = nx_err_sys(err, ENOMEM, "features");
	else if (fwrite(w.b.data, 1, w.b.len, stdout) != w.b.len || fflush(stdout) != 0)
		rc = nx_err_sys(err, errno, "features: write");
	buf_free(&w.b);
	return rc;
}
