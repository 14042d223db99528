/* nexcage's own files: temp files nobody else can plant, sweeps of what a
 * dead writer left. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fsutil.h"
#include "harness.h"
#include "plan/mount_dest.h"
#include "core/sweep.h"

TEST(atomic_write_never_uses_a_planted_temp_file)
{
	/* a sticky world-writable directory where another user planted the
	 * temp names a writer would use */
	char dir[] = "/tmp/nexcage-unit-sticky-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	chmod(dir, 01777);
	char path[256], planted[300];
	snprintf(path, sizeof path, "%s/pid", dir);
	snprintf(planted, sizeof planted, "%s.tmp.%d", path, (int)getpid());
	int fd = open(planted, O_WRONLY | O_CREAT | O_EXCL, 0666);
	CHECK(fd >= 0);
	close(fd);
	CHECK(chown(planted, 65534, 65534) == 0);
	nx_err err = {0};
	CHECK(fs_write_atomic(path, "42", 2, 0644, &err) == 0);
	struct stat st;
	CHECK(stat(path, &st) == 0);
	CHECK(st.st_uid == geteuid());
	CHECK((st.st_mode & 07777) == 0644);
	CHECK(st.st_nlink == 1);
	unlink(planted);
	unlink(path);
	rmdir(dir);
}

TEST(sweep_reads_the_writer_pid_from_temp_and_archive_names)
{
	CHECK(sweep_name_pid("web.json.tmp.1234.AbC123") == 1234);
	CHECK(sweep_name_pid("state.json.tmp.77.zzzzzz") == 77);
	CHECK(sweep_name_pid("nexcage-pve-web.99.tar.zst") == 99);
	CHECK(sweep_name_pid("nexcage-pve-a.b.99.tar.zst.tmp.5.q1w2e3") == 5);
	CHECK(sweep_name_pid("nexcage-pve-web.tar.zst") == 0);
	CHECK(sweep_name_pid("web.json") == 0);
	CHECK(sweep_name_pid("x.tmp.12") == 0);
}

TEST(mount_destinations_resolve_inside_the_rootfs)
{
	char root[] = "/tmp/nexcage-unit-rootfs-XXXXXX";
	CHECK(mkdtemp(root) != NULL);
	char p[512];
	snprintf(p, sizeof p, "%s/etc", root);
	CHECK(symlink("/host/etc", p) == 0); /* absolute: means <rootfs>/host/etc */
	snprintf(p, sizeof p, "%s/run", root);
	CHECK(symlink("../../../../outside", p) == 0); /* cannot climb out */
	snprintf(p, sizeof p, "%s/var", root);
	CHECK(mkdir(p, 0755) == 0);
	snprintf(p, sizeof p, "%s/var/tmp", root);
	CHECK(symlink("../tmp", p) == 0);
	snprintf(p, sizeof p, "%s/loop", root);
	CHECK(symlink("/loop", p) == 0);
	char out[512];
	nx_err err = {0};
	CHECK(mount_dest_resolve(root, "/etc/hosts", out, sizeof out, &err) == 0);
	CHECK_STR(out, "/host/etc/hosts");
	CHECK(mount_dest_resolve(root, "/run/x", out, sizeof out, &err) == 0);
	CHECK_STR(out, "/outside/x");
	CHECK(mount_dest_resolve(root, "/var/tmp/a/../b", out, sizeof out, &err) == 0);
	CHECK_STR(out, "/tmp/b");
	CHECK(mount_dest_resolve(root, "/data", out, sizeof out, &err) == 0);
	CHECK_STR(out, "/data");
	CHECK(mount_dest_resolve(root, "/loop/x", out, sizeof out, &err) < 0);
	CHECK_CONTAINS(err.msg, "too many levels of symbolic links");
	const char *names[] = {"etc", "run", "var/tmp", "var", "loop"};
	for (size_t i = 0; i < 5; i++) {
		snprintf(p, sizeof p, "%s/%s", root, names[i]);
		if (unlink(p) < 0)
			rmdir(p);
	}
	rmdir(root);
}
