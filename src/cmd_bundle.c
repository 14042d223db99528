/* The bundle commands: spec (a default config.json), features (what this
 * runtime honours, per features.md), validate (parse + check, report all). */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "bundle.h"
#include "cleanup.h"
#include "cli.h"
#include "commands.h"
#include "fsutil.h"
#include "version.h"

static int bundle_flag(const char *cmd, int argc, char **argv, const char **bundle, bool *rootless,
		       nx_err *err)
{
	static const struct option longopts[] = {
	    {"bundle", required_argument, NULL, 'b'},
	    {"rootless", no_argument, NULL, 'r'},
	    {NULL, 0, NULL, 0},
	};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "b:", longopts, NULL)) != -1) {
		if (c == 'b')
			*bundle = optarg;
		else if (c == 'r' && rootless)
			*rootless = true;
		else
			return cli_usage_error(cmd, err, "unknown flag '%s'", argv[optind - 1]);
	}
	if (optind != argc)
		return cli_usage_error(cmd, err, "takes no arguments");
	return 0;
}

int cmd_validate(nx_ctx *ctx, int argc, char **argv, nx_err *err)
{
	const char *dir = ".";
	if (bundle_flag("validate", argc, argv, &dir, NULL, err) < 0)
		return -1;
	nx_bundle b;
	if (bundle_load(ctx, dir, &b, err) < 0)
		return -1;
	printf("%s/config.json: valid (ociVersion %s%s)\n", b.path, b.oci_version,
	       bundle_has_process(ctx, &b) ? "" : "; no process: it cannot be started");
	bundle_free(ctx, &b);
	return 0;
}

/* A bundle for a busybox-style root filesystem: what `nexcage create`
 * accepts as it is, with the namespaces a Proxmox CT has. */
static void default_spec(nx_buf *b, bool rootless)
{
	buf_puts(
	    b, "{\n"
	       "  \"ociVersion\": \"" NX_OCI_VERSION "\",\n"
	       "  \"process\": {\n"
	       "    \"terminal\": false,\n"
	       "    \"user\": { \"uid\": 0, \"gid\": 0 },\n"
	       "    \"args\": [\"sh\"],\n"
	       "    \"env\": [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\", "
	       "\"TERM=xterm\"],\n"
	       "    \"cwd\": \"/\",\n"
	       "    \"capabilities\": {\n"
	       "      \"bounding\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\", "
	       "\"CAP_CHOWN\",\n"
	       "                   \"CAP_DAC_OVERRIDE\", \"CAP_FOWNER\", \"CAP_SETUID\", \"CAP_SETGID\"]\n"
	       "    },\n"
	       "    \"rlimits\": [ { \"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024 } ],\n"
	       "    \"noNewPrivileges\": true\n"
	       "  },\n"
	       "  \"root\": { \"path\": \"rootfs\", \"readonly\": false },\n"
	       "  \"hostname\": \"nexcage\",\n"
	       "  \"mounts\": [\n"
	       "    { \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" },\n"
	       "    { \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": "
	       "[\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"] },\n"
	       "    { \"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\", "
	       "\"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\"] },\n"
	       "    { \"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\", \"options\": "
	       "[\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"] },\n"
	       "    { \"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\", \"options\": "
	       "[\"nosuid\", \"noexec\", \"nodev\", \"ro\"] }\n"
	       "  ],\n"
	       "  \"linux\": {\n");
	if (rootless)
		buf_puts(
		    b,
		    "    \"uidMappings\": [ { \"containerID\": 0, \"hostID\": 100000, \"size\": 65536 } ],\n"
		    "    \"gidMappings\": [ { \"containerID\": 0, \"hostID\": 100000, \"size\": 65536 } "
		    "],\n");
	buf_puts(b, "    \"namespaces\": [\n"
		    "      { \"type\": \"pid\" }, { \"type\": \"network\" }, { \"type\": \"ipc\" },\n"
		    "      { \"type\": \"uts\" }, { \"type\": \"mount\" }");
	buf_puts(b, rootless ? ", { \"type\": \"user\" }\n" : "\n");
	buf_puts(b, "    ]\n  }\n}\n");
}

int cmd_spec(nx_ctx *ctx, int argc, char **argv, nx_err *err)
{
	(void)ctx;
	const char *dir = ".";
	bool rootless = false;
	if (bundle_flag("spec", argc, argv, &dir, &rootless, err) < 0)
		return -1;
	cleanup_free char *path = fs_join(dir, "config.json");
	struct stat st;
	if (lstat(path, &st) == 0)
		return nx_err_set(err, "File %s exists. Remove it first", path);
	nx_buf b = {0};
	default_spec(&b, rootless);
	int rc = b.oom ? nx_err_sys(err, ENOMEM, "spec") : fs_write_atomic(path, b.data, b.len, 0644, err);
	buf_free(&b);
	return rc;
}

int cmd_features(nx_ctx *ctx, int argc, char **argv, nx_err *err)
{
	(void)ctx;
	if (argc > 1)
		return cli_usage_error("features", err, "takes no arguments");
	/* What the translation honours (lua/rules) and the core runs: the
	 * namespaces a Proxmox CT can have, capabilities through lxc.cap.keep,
	 * bind/tmpfs mount options, the hooks; no seccomp profile, SELinux or
	 * Intel RDT (Proxmox's own policies apply). */
	fputs(
	    "{\n"
	    "  \"ociVersionMin\": \"" NX_OCI_VERSION_MIN "\",\n"
	    "  \"ociVersionMax\": \"" NX_OCI_VERSION "\",\n"
	    "  \"hooks\": [\"prestart\", \"createRuntime\", \"createContainer\", \"startContainer\", "
	    "\"poststart\", \"poststop\"],\n"
	    "  \"mountOptions\": [\"bind\", \"rbind\", \"ro\", \"rw\", \"nosuid\", \"nodev\", \"noexec\", "
	    "\"relatime\",\n"
	    "                   \"strictatime\", \"mode\", \"size\", \"uid\", \"gid\"],\n"
	    "  \"linux\": {\n"
	    "    \"namespaces\": [\"pid\", \"network\", \"ipc\", \"uts\", \"mount\", \"user\", \"cgroup\"],\n"
	    "    \"capabilities\": [\"CAP_CHOWN\", \"CAP_DAC_OVERRIDE\", \"CAP_DAC_READ_SEARCH\", "
	    "\"CAP_FOWNER\", \"CAP_FSETID\",\n"
	    "      \"CAP_KILL\", \"CAP_SETGID\", \"CAP_SETUID\", \"CAP_SETPCAP\", \"CAP_LINUX_IMMUTABLE\",\n"
	    "      \"CAP_NET_BIND_SERVICE\", \"CAP_NET_BROADCAST\", \"CAP_NET_ADMIN\", \"CAP_NET_RAW\", "
	    "\"CAP_IPC_LOCK\",\n"
	    "      \"CAP_IPC_OWNER\", \"CAP_SYS_CHROOT\", \"CAP_SYS_PTRACE\", \"CAP_SYS_ADMIN\", "
	    "\"CAP_SYS_BOOT\",\n"
	    "      \"CAP_SYS_NICE\", \"CAP_SYS_RESOURCE\", \"CAP_SYS_TTY_CONFIG\", \"CAP_MKNOD\", "
	    "\"CAP_LEASE\",\n"
	    "      \"CAP_AUDIT_WRITE\", \"CAP_AUDIT_CONTROL\", \"CAP_SETFCAP\", \"CAP_SYSLOG\", "
	    "\"CAP_WAKE_ALARM\",\n"
	    "      \"CAP_BLOCK_SUSPEND\", \"CAP_AUDIT_READ\"],\n"
	    "    \"cgroup\": { \"v1\": false, \"v2\": true, \"systemd\": false, \"systemdUser\": false, "
	    "\"rdma\": false },\n"
	    "    \"seccomp\": { \"enabled\": false },\n"
	    "    \"apparmor\": { \"enabled\": true },\n"
	    "    \"selinux\": { \"enabled\": false },\n"
	    "    \"intelRdt\": { \"enabled\": false },\n"
	    "    \"mountExtensions\": { \"idmap\": { \"enabled\": false } }\n"
	    "  },\n"
	    "  \"annotations\": {\n"
	    "    \"org.nexcage.runtime\": \"nexcage " NX_VERSION " (Proxmox VE LXC through pct)\",\n"
	    "    \"org.nexcage.annotations\": \"org.nexcage.storage org.nexcage.rootfs-size org.nexcage.net0 "
	    "org.nexcage.onboot org.nexcage.cores org.nexcage.tags\"\n"
	    "  }\n"
	    "}\n",
	    stdout);
	return 0;
}
