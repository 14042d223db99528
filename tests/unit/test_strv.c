/* The shared builders: string vectors (src/util/strv.c) and the sorted *.lua
 * listing (fs_list_lua) the hooks and the site drop-ins run in. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/fsutil.h"
#include "harness.h"
#include "util/strv.h"
#include "test_util.h"

TEST(string_vectors_stay_null_terminated)
{
	char **v = NULL;
	size_t n = 0;
	for (int i = 0; i < 1000; i++)
		strv_pushf(&v, &n, "a%d", i);
	CHECK(n == 1000 && v[1000] == NULL);
	CHECK_STR(v[0], "a0");
	CHECK_STR(v[999], "a999");
	strv_clear(v, &n);
	CHECK(n == 0 && v[0] == NULL);
	strv_push(&v, &n, "b");
	strv_push(&v, &n, "a");
	strv_push(&v, &n, "B");
	strv_sort(v, n);
	CHECK(n == 3 && v[3] == NULL);
	CHECK_STR(v[0], "B");
	CHECK_STR(v[1], "a");
	CHECK_STR(v[2], "b");
	strv_free(v);
	/* a vector built elsewhere (exact size, NULL-terminated) grows too */
	char **w = calloc(2, sizeof *w);
	w[0] = strdup("x");
	size_t m = 1;
	strv_push(&w, &m, "y");
	CHECK(m == 2 && w[2] == NULL);
	CHECK_STR(w[1], "y");
	strv_free(w);
	strv_free(NULL);
}

TEST(lua_listing_is_sorted_and_complete)
{
	char *dir = tu_tmpdir();
	/* more than any old fixed count, in an order readdir does not sort */
	for (int i = 99; i >= 0; i--) {
		char name[32];
		snprintf(name, sizeof name, "%02d-x.lua", i);
		tu_write(dir, name, "return 1", 0644);
	}
	tu_write(dir, ".hidden.lua", "", 0644);
	tu_write(dir, ".lua", "", 0644);
	tu_write(dir, "notes.txt", "", 0644);
	tu_write(dir, "x.lua~", "", 0644);
	char **paths;
	size_t n;
	nx_err err = {0};
	CHECK(fs_list_lua(dir, &paths, &n, &err) == 0);
	CHECK(n == 100 && paths[100] == NULL);
	char want[4096];
	snprintf(want, sizeof want, "%s/00-x.lua", dir);
	CHECK_STR(paths[0], want);
	snprintf(want, sizeof want, "%s/99-x.lua", dir);
	CHECK_STR(paths[99], want);
	for (size_t i = 1; i < n; i++)
		CHECK(strcmp(paths[i - 1], paths[i]) < 0);
	strv_free(paths);
	/* missing: empty; a file where the directory should be: an error */
	char missing[4096], file[4096];
	snprintf(missing, sizeof missing, "%s/none", dir);
	CHECK(fs_list_lua(missing, &paths, &n, &err) == 0);
	CHECK(n == 0 && paths == NULL);
	snprintf(file, sizeof file, "%s/notes.txt", dir);
	CHECK(fs_list_lua(file, &paths, &n, &err) < 0);
	CHECK(err.errnum == ENOTDIR);
	CHECK_CONTAINS(err.msg, "notes.txt: Not a directory");
	tu_rmtree(dir);
	free(dir);
}
