#define _GNU_SOURCE
#include "mapping.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cleanup.h"
#include "container_id.h"
#include "fsutil.h"
#include "json.h"
#include "log.h"

static char *map_dir(const char *state_dir)
{
	return fs_join(state_dir, "map");
}

static char *map_file(const char *state_dir, const char *id)
{
	char *p = NULL;
	if (asprintf(&p, "%s/map/%s.json", state_dir, id) < 0)
		return NULL;
	return p;
}

int mapping_write(const char *state_dir, const nx_mapping *m, nx_err *err)
{
	cleanup_free char *dir = map_dir(state_dir);
	if (fs_mkdir_p(dir, 0700, err) < 0)
		return -1;
	nx_buf b = {0};
	buf_puts(&b, "{\"id\":");
	buf_json_string(&b, m->id);
	buf_printf(&b, ",\"vmid\":%ld,\"node\":", m->vmid);
	buf_json_string(&b, m->node ? m->node : "");
	buf_puts(&b, ",\"bundle\":");
	buf_json_string(&b, m->bundle ? m->bundle : "");
	buf_puts(&b, ",\"created\":");
	buf_json_string(&b, m->created ? m->created : "");
	buf_puts(&b, ",\"root\":");
	buf_json_string(&b, m->root ? m->root : "");
	buf_puts(&b, "}\n");
	cleanup_free char *path = map_file(state_dir, m->id);
	int rc = b.oom ? nx_err_sys(err, ENOMEM, "mapping") : fs_write_atomic(path, b.data, b.len, 0600, err);
	buf_free(&b);
	return rc;
}

static char *dup_str(const json_value *doc, const char *key)
{
	const char *s = json_get_string(doc, key);
	return strdup(s ? s : "");
}

static int read_path(const char *path, nx_mapping *m, nx_err *err)
{
	memset(m, 0, sizeof *m);
	cleanup_free char *data = NULL;
	size_t len;
	if (fs_read_file(path, 1 << 20, &data, &len, err) < 0)
		return -1;
	json_value *doc = json_parse(data, len, err);
	if (!doc)
		return nx_err_wrap(err, "%s", path);
	m->vmid = (long)json_get_int(doc, "vmid", -1);
	const char *id = json_get_string(doc, "id");
	int rc = 0;
	if (!id || m->vmid < 100) {
		rc = nx_err_set(err, "%s: not a mapping record", path);
	} else {
		m->id = strdup(id);
		m->node = dup_str(doc, "node");
		m->bundle = dup_str(doc, "bundle");
		m->created = dup_str(doc, "created");
		m->root = dup_str(doc, "root");
	}
	json_free(doc);
	return rc;
}

int mapping_read(const char *state_dir, const char *id, nx_mapping *m, nx_err *err)
{
	cleanup_free char *path = map_file(state_dir, id);
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		memset(m, 0, sizeof *m);
		return nx_err_kind_set(err, NX_ERR_NOT_FOUND, "container does not exist");
	}
	return read_path(path, m, err);
}

int mapping_remove(const char *state_dir, const char *id, nx_err *err)
{
	cleanup_free char *path = map_file(state_dir, id);
	if (unlink(path) < 0 && errno != ENOENT)
		return nx_err_sys(err, errno, "remove %s", path);
	return 0;
}

int mapping_list(const char *state_dir, nx_mapping **list, size_t *n, nx_err *err)
{
	*list = NULL;
	*n = 0;
	cleanup_free char *dir = map_dir(state_dir);
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : nx_err_sys(err, errno, "open %s", dir);
	size_t cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '.' || l < 6 || strcmp(de->d_name + l - 5, ".json"))
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		nx_mapping m;
		nx_err e = {0};
		if (read_path(path, &m, &e) < 0) {
			log_warn("skipping mapping record: %s", e.msg);
			continue;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			nx_mapping *nl = realloc(*list, cap * sizeof **list);
			if (!nl) {
				mapping_free(&m);
				closedir(d);
				return nx_err_sys(err, ENOMEM, "mapping");
			}
			*list = nl;
		}
		(*list)[(*n)++] = m;
	}
	closedir(d);
	return 0;
}

void mapping_free(nx_mapping *m)
{
	free(m->id);
	free(m->node);
	free(m->bundle);
	free(m->created);
	free(m->root);
	memset(m, 0, sizeof *m);
}

void mapping_list_free(nx_mapping *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mapping_free(&list[i]);
	free(list);
}
