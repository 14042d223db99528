#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "mount_check.h"
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
