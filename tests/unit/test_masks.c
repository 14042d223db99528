#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "masks.h"
#include "test_util.h"

/* A root filesystem with a file, a directory, a FIFO, a device-like
 * socket stand-in and symlinks that try to leave it. */
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

static char *values(const nx_plan *p)
{
	size_t n = 1;
	for (size_t i = 0; i < p->n_lxc; i++)
		n += strlen(p->lxc[i].value) + 1;
	char *out = calloc(1, n);
	for (size_t i = 0; i < p->n_lxc; i++) {
		strcat(out, p->lxc[i].value);
		strcat(out, "\n");
	}
	return out;
}

static void set_paths(nx_plan *p, char **masked, size_t nm, char **ro, size_t nr)
{
	memset(p, 0, sizeof *p);
	p->masked_paths = calloc(nm + 1, sizeof(char *));
	for (size_t i = 0; i < nm; i++)
		p->masked_paths[p->n_masked_paths++] = strdup(masked[i]);
	p->readonly_paths = calloc(nr + 1, sizeof(char *));
	for (size_t i = 0; i < nr; i++)
		p->readonly_paths[p->n_readonly_paths++] = strdup(ro[i]);
}

TEST(masks_resolve_inside_the_root_and_fit_the_file_type)
{
	char *root = make_root();
	nx_plan p;
	nx_err err = {0};
	char *masked[] = {"/proc/kcore", "/etc/secret", "/escape", "/abs", "/not/there"};
	char *ro[] = {"/proc/sys", "/srv/private", "/missing"};
	set_paths(&p, masked, 5, ro, 3);
	CHECK(masks_apply(&p, root, "/run/st/rootfs-mount", &err) == 0);
	char *got = values(&p);
	CHECK_STR(got, "/dev/null proc/kcore none bind,optional 0 0\n"
		       "tmpfs proc/kcore tmpfs ro,nosuid,nodev,noexec,optional 0 0\n"
		       "/dev/null etc/secret none bind 0 0\n"
		       "tmpfs srv/private tmpfs ro,nosuid,nodev,noexec 0 0\n"
		       "/dev/null etc/secret none bind 0 0\n"
		       "/run/st/rootfs-mount/proc/sys proc/sys none bind,ro,optional 0 0\n"
		       "/run/st/rootfs-mount/srv/private srv/private none bind,ro 0 0\n");
	free(got);
	plan_free(&p);
	tu_rmtree(root);
	free(root);
}

TEST(masks_refuse_targets_lxc_would_block_on_or_cannot_name)
{
	char *root = make_root();
	nx_plan p;
	nx_err err = {0};
	char *fifo[] = {"/fifo"};
	set_paths(&p, fifo, 1, NULL, 0);
	CHECK(masks_apply(&p, root, "/st/rootfs-mount", &err) < 0);
	CHECK_CONTAINS(err.msg, "linux.maskedPaths[0]: /fifo is a FIFO in the root filesystem");
	plan_free(&p);
	set_paths(&p, NULL, 0, fifo, 1);
	CHECK(masks_apply(&p, root, "/st/rootfs-mount", &err) < 0);
	CHECK_CONTAINS(err.msg, "linux.readonlyPaths[0]: /fifo is a FIFO in the root filesystem");
	plan_free(&p);
	char *top[] = {"/top"};
	set_paths(&p, top, 1, NULL, 0);
	CHECK(masks_apply(&p, root, "/st/rootfs-mount", &err) < 0);
	CHECK_CONTAINS(err.msg,
		       "linux.maskedPaths[0]: /top resolves to /, which an LXC mount entry cannot name");
	plan_free(&p);
	char *dev[] = {"/dev/sda"};
	set_paths(&p, dev, 1, NULL, 0);
	CHECK(masks_apply(&p, root, "/st/rootfs-mount", &err) < 0);
	CHECK_CONTAINS(err.msg, "paths under /dev are device nodes");
	plan_free(&p);
	tu_rmtree(root);
	free(root);
}

TEST(mount_entries_of_any_rule_may_not_target_a_fifo)
{
	char *root = make_root();
	nx_plan p;
	nx_err err = {0};
	set_paths(&p, NULL, 0, NULL, 0);
	p.lxc = calloc(3, sizeof(nx_kv));
	p.lxc[p.n_lxc++] = (nx_kv){strdup("lxc.mount.entry"), strdup("tmpfs srv tmpfs rw 0 0")};
	p.lxc[p.n_lxc++] = (nx_kv){strdup("lxc.mount.entry"), strdup("tmpfs fifo tmpfs rw,create=dir 0 0")};
	CHECK(masks_apply(&p, root, "/st/rootfs-mount", &err) < 0);
	CHECK_STR(err.msg,
		  "lxc.mount.entry tmpfs fifo tmpfs rw,create=dir 0 0: the target /fifo is a FIFO in the "
		  "root filesystem: LXC opens a mount target to mount over it and would block or fail; "
		  "remove it from the image or mount elsewhere");
	free(p.lxc[1].value);
	p.lxc[1].value = strdup("tmpfs dev/fifo tmpfs rw 0 0"); /* LXC's autodev, not the image */
	CHECK(masks_apply(&p, root, "/st/rootfs-mount", &err) == 0);
	plan_free(&p);
	tu_rmtree(root);
	free(root);
}
