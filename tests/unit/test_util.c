#define _GNU_SOURCE
#include "test_util.h"

#include <string.h>

#include "util/fsutil.h"

char *tu_tmpdir(void)
{
	char *d = strdup("/tmp/nexcage-unit-XXXXXX");
	if (!d || !mkdtemp(d)) {
		perror("mkdtemp");
		abort();
	}
	chmod(d, 0755);
	return d;
}

void tu_rmtree(const char *dir)
{
	nx_err err = {0};
	fs_remove_tree(dir, &err);
}

void tu_write(const char *dir, const char *name, const char *text, mode_t mode)
{
	char *path = fs_join(dir, name);
	char *slash = strrchr(path, '/');
	*slash = '\0';
	nx_err err = {0};
	if (fs_mkdir_p(path, 0755, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		abort();
	}
	*slash = '/';
	if (fs_write_atomic(path, text, strlen(text), mode, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		abort();
	}
	free(path);
}
