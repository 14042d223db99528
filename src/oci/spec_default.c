/* nexcage spec [--bundle DIR] [--rootless]: a default config.json that
 * nexcage accepts as it is and that suits a Proxmox container: a
 * busybox-friendly sh, the namespaces a CT has, the kernel filesystems
 * LXC mounts anyway. --rootless: an unprivileged CT, with Proxmox's
 * default id map (0 -> 100000, 65536 ids). An existing config.json is
 * never replaced: the file appears whole or not at all. */
#define _GNU_SOURCE
#include "oci/spec_default.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fsutil.h"
#include "util/version.h"

/* runc's message, word for word: callers and people know it. */
#define EXISTS "File config.json exists. Remove it first"

/* The config.json `spec` writes (runc's, or its --rootless one). */
static void spec_default_render(nx_buf *b, bool rootless)
{
	buf_puts(b, "{\n"
		    "  \"ociVersion\": \"" NX_OCI_VERSION "\",\n"
		    "  \"process\": {\n"
		    "    \"terminal\": false,\n"
		    "    \"user\": { \"uid\": 0, \"gid\": 0 },\n"
		    "    \"args\": [\"sh\"],\n"
		    "    \"env\": [\n"
		    "      \"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"
		    "      \"TERM=xterm\"\n"
		    "    ],\n"
		    "    \"cwd\": \"/\",\n");
	/* The set container engines grant by default; Proxmox's own default
	 * (no capabilities object) keeps more. */
	static const char caps[] =
	    "[\n"
	    "        \"CAP_AUDIT_WRITE\", \"CAP_CHOWN\", \"CAP_DAC_OVERRIDE\", \"CAP_FOWNER\",\n"
	    "        \"CAP_FSETID\", \"CAP_KILL\", \"CAP_MKNOD\", \"CAP_NET_BIND_SERVICE\",\n"
	    "        \"CAP_NET_RAW\", \"CAP_SETFCAP\", \"CAP_SETGID\", \"CAP_SETPCAP\",\n"
	    "        \"CAP_SETUID\", \"CAP_SYS_CHROOT\"\n"
	    "      ]";
	buf_printf(b,
		   "    \"capabilities\": {\n"
		   "      \"bounding\": %s,\n"
		   "      \"effective\": %s,\n"
		   "      \"permitted\": %s\n"
		   "    },\n",
		   caps, caps, caps);
	buf_puts(b,
		 "    \"rlimits\": [ { \"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024 } ],\n"
		 "    \"noNewPrivileges\": true\n"
		 "  },\n"
		 "  \"root\": { \"path\": \"rootfs\", \"readonly\": false },\n"
		 "  \"hostname\": \"nexcage\",\n"
		 /* proc, sysfs, devpts, cgroup and /dev are LXC's own in every
		  * CT; /dev/shm and /dev/mqueue become mount entries. */
		 "  \"mounts\": [\n"
		 "    { \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" },\n"
		 "    { \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n"
		 "      \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"] },\n"
		 "    { \"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\",\n"
		 "      \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", "
		 "\"mode=0620\"] },\n"
		 "    { \"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\",\n"
		 "      \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"] },\n"
		 "    { \"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\",\n"
		 "      \"options\": [\"nosuid\", \"noexec\", \"nodev\"] },\n"
		 "    { \"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\",\n"
		 "      \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"] },\n"
		 "    { \"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\",\n"
		 "      \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"] }\n"
		 "  ],\n"
		 "  \"linux\": {\n");
	if (rootless)
		buf_puts(
		    b,
		    "    \"uidMappings\": [ { \"containerID\": 0, \"hostID\": 100000, \"size\": 65536 } ],\n"
		    "    \"gidMappings\": [ { \"containerID\": 0, \"hostID\": 100000, \"size\": 65536 } "
		    "],\n");
	buf_printf(b,
		   "    \"namespaces\": [\n"
		   "      { \"type\": \"pid\" }, { \"type\": \"network\" }, { \"type\": \"ipc\" },\n"
		   "      { \"type\": \"uts\" }, { \"type\": \"mount\" }, { \"type\": \"cgroup\" }%s\n"
		   "    ]\n"
		   "  }\n"
		   "}\n",
		   rootless ? ", { \"type\": \"user\" }" : "");
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Write a temporary file beside it, then link(2) it into place: link
 * fails if config.json appeared meanwhile (rename would replace it). */
static int write_new(const char *dir, const nx_buf *b, nx_err *err)
{
	cleanup_free char *path = fs_join(dir, "config.json");
	cleanup_free char *tmp = fs_join(dir, ".config.json.XXXXXX");
	struct stat st;
	if (lstat(path, &st) == 0)
		return nx_err_set(err, EXISTS);
	cleanup_close int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return nx_err_sys(err, errno, "bundle %s", dir);
	int rc = 0;
	if (fchmod(fd, 0644) < 0 || write_all(fd, b->data, b->len) < 0 || fsync(fd) < 0)
		rc = nx_err_sys(err, errno, "write %s", tmp);
	else if (link(tmp, path) < 0)
		rc = errno == EEXIST ? nx_err_set(err, EXISTS) : nx_err_sys(err, errno, "link %s", path);
	unlink(tmp);
	if (rc == 0) {
		cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0)
			(void)fsync(dfd);
	}
	return rc;
}

int spec_default_write(const char *dir, bool rootless, nx_err *err)
{
	nx_buf b = {0};
	spec_default_render(&b, rootless);
	int rc = write_new(dir, &b, err);
	buf_free(&b);
	return rc;
}
