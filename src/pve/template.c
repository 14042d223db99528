#define _GNU_SOURCE
#include "pve/template.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fsutil.h"
#include "util/spawn.h"

int template_build(const char *rootfs, const char *extra_dir, const char *dir, const char *name,
		   double timeout, nx_err *err)
{
	if (fs_mkdir_p(dir, 0755, err) < 0)
		return -1;
	cleanup_free char *final = fs_join(dir, name);
	char tmp[4200];
	int tfd = fs_create_temp(final, tmp, sizeof tmp, err);
	if (tfd < 0)
		return nx_err_wrap(err, "archive the root filesystem");
	close(tfd); /* tar writes it by name; the directory is root's */
	/* zstd: fast enough that archiving is not the slow step, and every
	 * Proxmox since 7 accepts .tar.zst templates. Numeric owners: the
	 * bundle's uids are the container's, not names on this host. */
	char *argv[] = {"tar",
			"--create",
			"--zstd",
			"--numeric-owner",
			"--xattrs",
			"--acls",
			"--file",
			tmp,
			"--directory",
			(char *)rootfs,
			".",
			extra_dir ? "--directory" : NULL,
			(char *)extra_dir,
			".",
			NULL};
	spawn_req req = {.argv = argv, .timeout = timeout};
	spawn_result res;
	if (spawn_run(&req, &res, err) < 0) {
		unlink(tmp);
		return nx_err_wrap(err, "archive the root filesystem");
	}
	int rc = 0;
	if (res.timed_out || res.exit_code != 0) {
		size_t n = strlen(res.err);
		while (n && res.err[n - 1] == '\n')
			res.err[--n] = '\0';
		rc = nx_err_set(err, "archive the root filesystem %s: tar %s: %s", rootfs,
				res.timed_out ? "timed out" : "failed", res.err);
		unlink(tmp);
	} else if (rename(tmp, final) < 0) {
		rc = nx_err_sys(err, errno, "rename %s", tmp);
		unlink(tmp);
	}
	spawn_result_free(&res);
	return rc;
}

/* An empty tar archive (end-of-archive blocks only): what pct create
 * restores into a rootfs used in place, changing no file of it. Written
 * once under the state directory and shared by every create. */
char *template_empty_path(const char *state_dir)
{
	return fs_join(state_dir, "empty.tar");
}

char *template_empty(const char *state_dir, nx_err *err)
{
	char *path = template_empty_path(state_dir);
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 10240)
		return path;
	static const char zeros[10240];
	if (fs_mkdir_p(state_dir, 0755, err) < 0 ||
	    fs_write_atomic(path, zeros, sizeof zeros, 0644, err) < 0) {
		free(path);
		return NULL;
	}
	return path;
}
