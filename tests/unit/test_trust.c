#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "test_util.h"
#include "site/trust.h"

static char *path_in(const char *dir, const char *name)
{
	char *p = NULL;
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		abort();
	return p;
}

static const char *open_error(const char *path, nx_err *err)
{
	nx_err_clear(err);
	int fd = trust_open(path, err);
	if (fd >= 0) {
		close(fd);
		return "";
	}
	return err->msg;
}

TEST(trust_checks_every_directory_from_the_root)
{
	char *dir = tu_tmpdir();
	tu_write(dir, "a/b/ok.lua", "return 1\n", 0644);
	char *a = path_in(dir, "a"), *file = path_in(dir, "a/b/ok.lua");
	nx_err err;
	CHECK_STR(open_error(file, &err), "");
	chmod(a, 0777); /* a parent two levels up, not just the file's directory */
	CHECK_CONTAINS(open_error(file, &err), "/a: refusing site file: writable by group or others (mode 0777)");
	chmod(a, 0775);
	CHECK_CONTAINS(open_error(file, &err), "(mode 0775)");
	chmod(a, 01777); /* sticky, like /tmp: only an entry's owner can replace it */
	CHECK_STR(open_error(file, &err), "");
	chmod(a, 0755);
	CHECK(trust_check_dir(a, &err) == 0);
	CHECK(chown(a, 65534, 65534) == 0);
	CHECK_CONTAINS(open_error(file, &err), "/a: refusing site file: owned by uid 65534, not root");
	CHECK(trust_check_dir(a, &err) < 0);
	CHECK(chown(a, 0, 0) == 0);
	free(a);
	free(file);
	tu_rmtree(dir);
	free(dir);
}

TEST(trust_refuses_links_and_odd_files_and_reports_absence)
{
	char *dir = tu_tmpdir();
	tu_write(dir, "real.lua", "return 1\n", 0644);
	char *real = path_in(dir, "real.lua"), *link = path_in(dir, "link.lua"), *fifo = path_in(dir, "f.lua");
	char *missing = path_in(dir, "none/x.lua");
	CHECK(symlink(real, link) == 0);
	CHECK(mkfifo(fifo, 0644) == 0);
	nx_err err;
	CHECK_CONTAINS(open_error(link, &err), "a symbolic link");
	CHECK_CONTAINS(open_error(fifo, &err), "not a regular file");
	CHECK(*open_error(missing, &err) && err.errnum == ENOENT);
	/* a symlinked directory is followed, and its target checked */
	char *dlink = path_in(dir, "dl"), *via = path_in(dir, "dl/real.lua");
	CHECK(symlink(dir, dlink) == 0);
	CHECK_STR(open_error(via, &err), "");
	char *data = NULL;
	size_t len = 0;
	CHECK(trust_read_file(real, 100, &data, &len, &err) == 0 && len == 9);
	free(data);
	CHECK(trust_read_file(real, 4, &data, &len, &err) < 0);
	free(real);
	free(link);
	free(fifo);
	free(missing);
	free(dlink);
	free(via);
	tu_rmtree(dir);
	free(dir);
}
