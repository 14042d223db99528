#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "oci/container_id.h"
#include "util/error.h"
#include "util/fsutil.h"
#include "harness.h"
#include "test_util.h"

TEST(container_ids_follow_runc)
{
	nx_err err = {0};
	CHECK(container_id_validate("web-1_a.b+c", &err) == 0);
	CHECK(container_id_validate("", &err) < 0);
	CHECK(container_id_validate("..", &err) < 0);
	CHECK(container_id_validate("a/b", &err) < 0);
	CHECK_STR(err.msg, "invalid container ID format");
	CHECK(container_id_validate("a b", &err) < 0);
	CHECK(container_id_validate("a\nb", &err) < 0);
	char longid[NX_ID_MAX + 2];
	memset(longid, 'a', sizeof longid - 1);
	longid[sizeof longid - 1] = '\0';
	CHECK(container_id_validate(longid, &err) < 0);
}

TEST(errors_carry_context)
{
	nx_err err = {0};
	CHECK(nx_err_set(&err, "bad %s", "thing") == -1);
	nx_err_wrap(&err, "create %s", "x");
	CHECK_STR(err.msg, "create x: bad thing");
}

TEST(json_strings_are_escaped_and_valid_utf8)
{
	nx_buf b = {0};
	buf_json_string(&b, "a\"b\\c\n\x01\xc3\xa9\xff");
	CHECK_STR(b.data, "\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\\ufffd\"");
	buf_free(&b);
}

TEST(atomic_write_and_bounded_read)
{
	char *dir = tu_tmpdir();
	char *path = fs_join(dir, "f");
	nx_err err = {0};
	CHECK(fs_write_atomic(path, "hello", 5, 0600, &err) == 0);
	char *data = NULL;
	size_t len = 0;
	CHECK(fs_read_file(path, 100, &data, &len, &err) == 0);
	CHECK_STR(data, "hello");
	CHECK(len == 5);
	free(data);
	CHECK(fs_read_file(path, 4, &data, &len, &err) < 0);
	CHECK_CONTAINS(err.msg, "file too large");
	free(path);
	tu_rmtree(dir);
	free(dir);
}
