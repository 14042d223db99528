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
 *   - seccomp: what libseccomp compiles and the kernel applies, less the
 *     notify action and flag (no agent takes a listener);
 *     AppArmor as this host has it (runc's test); no SELinux, Intel RDT;
 *   - maskedPaths/readonlyPaths applied by nexcage-init, in annotations;
 *   - no id-mapped mounts, no moved network devices.
 * Decided at build time, as features.md asks, but for AppArmor and what
 * the kernel's seccomp has (libseccomp's API level); printed by C, no Lua. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include "plan/apparmor.h"
#include "util/buf.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "luahost/lua_host.h"
#include "plan/seccomp_bpf.h"
#include "util/version.h"

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

/* runtime-spec's names, in runc's (sorted) order; what is printed is what
 * this libseccomp and kernel apply (src/plan/seccomp_bpf.c), the lists of
 * lua/rules/seccomp.lua (an e2e test compares them). */
static const char *const seccomp_actions[] = {
    "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO",	 "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
    "SCMP_ACT_LOG",   "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP",	    NULL};
static const char *const seccomp_operators[] = {"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
						"SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ",
						"SCMP_CMP_NE", NULL};
static const char *const seccomp_archs[] = {
    "SCMP_ARCH_AARCH64",  "SCMP_ARCH_ARM",	   "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",
    "SCMP_ARCH_MIPS",	  "SCMP_ARCH_MIPS64",	   "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL",
    "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PARISC",	    "SCMP_ARCH_PARISC64",
    "SCMP_ARCH_PPC",	  "SCMP_ARCH_PPC64",	   "SCMP_ARCH_PPC64LE",	    "SCMP_ARCH_RISCV64",
    "SCMP_ARCH_S390",	  "SCMP_ARCH_S390X",	   "SCMP_ARCH_SH",	    "SCMP_ARCH_SHEB",
    "SCMP_ARCH_X32",	  "SCMP_ARCH_X86",	   "SCMP_ARCH_X86_64",	    NULL};
static const char *const seccomp_known_flags[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
						  "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
						  "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL};

static void jw_strings_if(jw *w, const char *key, const char *const *list, bool (*keep)(const char *))
{
	jw_open(w, key, '[');
	for (; *list; list++)
		if (keep(*list))
			jw_string(w, NULL, *list);
	jw_close(w, ']');
}

static void seccomp(jw *w)
{
	jw_open(w, "seccomp", '{');
	jw_bool(w, "enabled", true);
	jw_strings_if(w, "actions", seccomp_actions, seccomp_oci_action_supported);
	jw_strings(w, "operators", seccomp_operators);
	jw_strings_if(w, "archs", seccomp_archs, seccomp_oci_arch_supported);
	jw_strings(w, "knownFlags", seccomp_known_flags);
	jw_strings_if(w, "supportedFlags", seccomp_known_flags, seccomp_oci_flag_supported);
	jw_close(w, '}');
}

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
	seccomp(w);
	jw_enabled(w, "apparmor", apparmor_host_enabled());
	jw_enabled(w, "selinux", false);
	jw_enabled(w, "intelRdt", false);
	jw_open(w, "mountExtensions", '{');
	jw_enabled(w, "idmap", false);
	jw_close(w, '}');
	jw_enabled(w, "netDevices", false);
	jw_close(w, '}');
	jw_open(w, "annotations", '{');
	char libseccomp[32];
	seccomp_library_version(libseccomp, sizeof libseccomp);
	jw_string(w, "io.github.seccomp.libseccomp.version", libseccomp);
	jw_string(w, "org.nexcage.version", NX_VERSION);
	jw_string(w, "org.nexcage.lua.version", nxlua_release());
	jw_string(w, "org.nexcage.platform", "Proxmox VE: LXC containers through pct");
	jw_string(w, "org.nexcage.linux.maskedPaths",
		  "applied: /dev/null over a file, an empty read-only tmpfs over a directory");
	jw_string(w, "org.nexcage.linux.readonlyPaths", "applied: bound onto itself read-only");
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
	if (fwrite(w.b.data, 1, w.b.len, stdout) != w.b.len || fflush(stdout) != 0)
		rc = nx_err_sys(err, errno, "features: write");
	buf_free(&w.b);
	return rc;
}
