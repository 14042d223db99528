#define _GNU_SOURCE
#include "core/mapping.h"
#include "core/state_store.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/cleanup.h"
#include "oci/container_id.h"
#include "util/fsutil.h"
#include "util/json.h"
#include "util/log.h"
#include "util/xalloc.h"

static char *map_dir(const char *state_dir)
{
	return fs_join(state_dir, NX_MAP_DIR);
}

/* A root path as one file name: kept readable where it can be
 * ('/' -> '%2F', anything outside [A-Za-z0-9_.-] percent-encoded), a hash
 * when that would be too long for a name. */
static void root_key(const char *root, char *out, size_t n)
{
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)root; *p && o + 4 < n; p++) {
		bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			     *p == '_' || *p == '-' || (*p == '.' && o > 0);
		o += (size_t)snprintf(out + o, n - o, plain ? "%c" : "%%%02X", *p);
	}
	out[o] = '\0';
	if (strlen(root) * 3 >= n - 4 || o > 200) {
		unsigned long long h = 1469598103934665603ULL;
		for (const unsigned char *p = (const unsigned char *)root; *p; p++)
			h = (h ^ *p) * 1099511628211ULL;
		snprintf(out, n, "hash-%016llx", h);
	}
}

char *mapping_root_dir(const char *state_dir, const char *root)
{
	char key[256];
	root_key(root, key, sizeof key);
	return xasprintf("%s/map/%s", state_dir, key);
}

static char *map_file(const char *state_dir, const char *root, const char *id)
{
	cleanup_free char *dir = mapping_root_dir(state_dir, root);
	return fs_join(dir, id);
}

int mapping_write(const char *state_dir, const nx_mapping *m, nx_err *err)
{
	cleanup_free char *dir = mapping_root_dir(state_dir, m->root);
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
	cleanup_free char *base = map_file(state_dir, m->root, m->id);
	cleanup_free char *path = xasprintf("%s.json", base);
	int rc = -1;
	/* mapping_remove drops a root's directory once empty: make it again
	 * when that happened between our mkdir and our write. */
	for (int attempt = 0; rc < 0 && attempt < 5; attempt++) {
		rc = fs_mkdir_p(dir, 0700, err);
		if (rc == 0)
			rc = fs_write_atomic(path, b.data, b.len, 0600, err);
		if (rc < 0 && err && err->errnum != ENOENT)
			break;
	}
	buf_free(&b);
	return rc;
}

static char *dup_str(const json_value *doc, const char *key)
{
	const char *s = json_get_string(doc, key);
	return xstrdup(s ? s : "");
}

static int read_path(const char *path, nx_mapping *m, nx_err *err)
{
	memset(m, 0, sizeof *m);
	cleanup_free char *data = NULL;
	size_t len;
	if (fs_read_own_file(path, 1 << 20, &data, &len, err) < 0)
		return nx_err_set_kind(err, err && err->errnum == ENOENT ? NX_ERR_NOT_FOUND : NX_ERR_CORRUPT, NULL);
	json_value *doc = json_parse(data, len, err);
	if (!doc) {
		nx_err_wrap(err, "%s", path);
		return nx_err_set_kind(err, NX_ERR_CORRUPT, NULL);
	}
	m->vmid = (long)json_get_int(doc, "vmid", -1);
	const char *id = json_get_string(doc, "id");
	int rc = 0;
	if (!id || m->vmid < 100) {
		rc = nx_err_kind_set(err, NX_ERR_CORRUPT, "%s: not a mapping record", path);
	} else {
		m->id = xstrdup(id);
		m->node = dup_str(doc, "node");
		m->bundle = dup_str(doc, "bundle");
		m->created = dup_str(doc, "created");
		m->root = dup_str(doc, "root");
	}
	json_free(doc);
	return rc;
}

static char *record_path(const char *state_dir, const char *root, const char *id)
{
	cleanup_free char *base = map_file(state_dir, root, id);
	return xasprintf("%s.json", base);
}

int mapping_read(const char *state_dir, const char *root, const char *id, nx_mapping *m, nx_err *err)
{
	cleanup_free char *path = record_path(state_dir, root, id);
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		memset(m, 0, sizeof *m);
		return nx_err_kind_set(err, NX_ERR_NOT_FOUND, "container does not exist");
	}
	return read_path(path, m, err);
}

int mapping_remove(const char *state_dir, const char *root, const char *id, nx_err *err)
{
	cleanup_free char *path = record_path(state_dir, root, id);
	if (unlink(path) < 0 && errno != ENOENT)
		return nx_err_sys(err, errno, "remove %s", path);
	cleanup_free char *dir = mapping_root_dir(state_dir, root);
	rmdir(dir); /* the root's last record: nothing of it stays */
	return 0;
}

static int list_root_dir(const char *dir, nx_mapping **list, size_t *n, size_t *cap, nx_err *err)
{
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? 0 : nx_err_sys(err, errno, "open %s", dir);
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 6 || strcmp(de->d_name + l - 5, ".json"))
			continue;
		char id[256];
		snprintf(id, sizeof id, "%.*s", (int)(l - 5), de->d_name);
		nx_err e = {0};
		if (container_id_validate(id, &e) < 0)
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		nx_mapping m;
		if (read_path(path, &m, &e) < 0) {
			log_warn("skipping mapping record: %s", e.msg);
			continue;
		}
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			*list = xreallocarray(*list, *cap, sizeof **list);
		}
		(*list)[(*n)++] = m;
	}
	closedir(d);
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
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		cleanup_free char *sub = fs_join(dir, de->d_name);
		rc = list_root_dir(sub, list, n, &cap, err);
	}
	closedir(d);
	return rc;
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
