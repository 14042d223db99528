#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "plan/mount_check.h"
#include "test_util.h"

/* A root filesystem with a file, a directory, a FIFO and symlinks. */
static char *make_root(void)
{
	char *dir = tu_tmpdir();
	char p[4096];
	tu_write(dir, "etc/secret", "s3cret\n", 0644);
	tu_write(dir, "srv/private/key", "k\n", 0600);
	snprintf(p, sizeof p, "%s/fifo", dir);
	mkfifo(p, 0600);
	snprintf(p, sizeof p, "%s/escape", dir);
	if (symlink("../../../../../srv/private", p) < 0)
		abort();
	snprintf(p, sizeof p, "%s/abs", dir);
	if (symlink("/etc/secret", p) < 0)
		abort();
	snprintf(p, sizeof p, "%s/top", dir);
	if (symlink("/", p) < 0)
		abort();
	return dir;
}

static void no_paths(nx_plan *p)
{
	memset(p, 0, sizeof *p);
}

TEST(mount_entries_of_any_rule_may_not_target_a_fifo)
{
	char *root = make_root();
	nx_plan p;
	nx_err err = {0};
	no_paths(&p);
	p.lxc = calloc(3, sizeof(nx_kv));
	p.lxc[p.n_lxc++] = (nx_kv){strdup("lxc.mount.entry"), strdup("tmpfs srv tmpfs rw 0 0")};
	p.lxc[p.n_lxc++] = (nx_kv){strdup("lxc.mount.entry"), strdup("tmpfs fifo tmpfs rw,create=dir 0 0")};
	CHECK(mount_targets_check(&p, root, &err) < 0);
	CHECK_STR(err.msg,
		  "lxc.mount.entry tmpfs fifo tmpfs rw,create=dir 0 0: the target /fifo is a FIFO in the "
		  "root filesystem: LXC opens a mount target to mount over it and would block or fail; "
		  "remove it from the image or mount elsewhere");
	free(p.lxc[1].value);
	p.lxc[1].value = strdup("tmpfs dev/fifo tmpfs rw 0 0"); /* LXC's autodev, not the image */
	CHECK(mount_targets_check(&p, root, &err) == 0);
	plan_free(&p);
	tu_rmtree(root);
	free(root);
}

/* The init's directory in the CT's /dev: no mount entry on /dev or at or
 * below it (however the path is spelled), no mask or device there, and
 * autodev stays on. */
TEST(nothing_of_the_plan_may_hide_the_init_directory)
{
	static const char *const hiding[] = {
	    "tmpfs dev tmpfs rw 0 0",
	    "tmpfs dev/ tmpfs rw 0 0",
	    "/srv dev/.nexcage none bind,create=dir 0 0",
	    "/srv //dev/./.nexcage/ none bind,create=dir 0 0",
	    "/srv dev/.nexcage/init none bind,create=file 0 0",
	    NULL,
	};
	nx_err err = {0};
	for (const char *const *v = hiding; *v; v++) {
		nx_plan p;
		no_paths(&p);
		p.lxc = calloc(1, sizeof(nx_kv));
		p.lxc[p.n_lxc++] = (nx_kv){strdup("lxc.mount.entry"), strdup(*v)};
		CHECK(init_dir_check(&p, &err) < 0);
		CHECK_CONTAINS(err.msg, "would hide nexcage-init's directory");
		plan_free(&p);
	}
	nx_plan p;
	no_paths(&p);
	p.lxc = calloc(3, sizeof(nx_kv));
	p.lxc[p.n_lxc++] =
	    (nx_kv){strdup("lxc.mount.entry"), strdup("tmpfs dev/shm tmpfs rw,create=dir 0 0")};
	p.lxc[p.n_lxc++] =
	    (nx_kv){strdup("lxc.mount.entry"), strdup("tmpfs dev/.nexcage2 tmpfs rw,create=dir 0 0")};
	p.lxc[p.n_lxc++] = (nx_kv){strdup("lxc.autodev"), strdup("1")};
	CHECK(init_dir_check(&p, &err) == 0);
	free(p.lxc[2].value);
	p.lxc[2].value = strdup("0");
	CHECK(init_dir_check(&p, &err) < 0);
	CHECK_CONTAINS(err.msg,
		       "raw key lxc.autodev = 0: nexcage-init's directory is mounted at /dev/.nexcage");
	plan_free(&p);
	no_paths(&p);
	p.masked_paths = calloc(1, sizeof(char *));
	p.masked_paths[p.n_masked_paths++] = strdup("/dev/.nexcage");
	CHECK(init_dir_check(&p, &err) < 0);
	CHECK_CONTAINS(err.msg, "linux.maskedPaths: /dev/.nexcage would hide");
	plan_free(&p);
	no_paths(&p);
	p.has_process = true;
	p.process.devices = calloc(1, sizeof *p.process.devices);
	p.process.devices[0].path = strdup("/dev/.nexcage/null");
	p.process.ndevices = 1;
	CHECK(init_dir_check(&p, &err) < 0);
	CHECK_CONTAINS(err.msg, "linux.devices: /dev/.nexcage/null is nexcage-init's directory");
	plan_free(&p);
}
