#define _GNU_SOURCE
#include "pve/pve.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/buf.h"
#include "util/cleanup.h"
#include "util/fsutil.h"
#include "util/json.h"
#include "util/lock.h"
#include "util/xalloc.h"

#define VMLIST_MAX (64u << 20)
#define CONF_MAX   (4u << 20)

int pve_vmlist_ids(const char *pve_etc, long **ids, size_t *n, nx_err *err)
{
	*ids = NULL;
	*n = 0;
	cleanup_free char *path = fs_join(pve_etc, ".vmlist");
	cleanup_free char *data = NULL;
	size_t len;
	if (fs_read_file(path, VMLIST_MAX, &data, &len, err) < 0)
		return -1;
	json_value *doc = json_parse(data, len, err);
	if (!doc)
		return nx_err_wrap(err, "%s", path);
	const json_value *list = json_get(doc, "ids");
	int rc = 0;
	/* pmxcfs writes {"version": N} alone for a cluster without guests */
	if (doc->type != JSON_OBJECT || (list && list->type != JSON_OBJECT)) {
		rc = nx_err_set(err, "%s: not a .vmlist (an object with an \"ids\" object)", path);
		goto out;
	}
	if (!list)
		goto out;
	size_t count = 0;
	for (const json_value *c = list->child; c; c = c->next)
		count++;
	*ids = xcalloc(count + 1, sizeof(long));
	for (const json_value *c = list->child; c; c = c->next) {
		char *end;
		long v = strtol(c->key, &end, 10);
		if (*end || v <= 0)
			continue; /* not a VMID: never ours to worry about */
		(*ids)[(*n)++] = v;
	}
out:
	json_free(doc);
	return rc;
}

char *pve_conf_path(const char *pve_etc, const char *node, long vmid)
{
	return xasprintf("%s/nodes/%s/lxc/%ld.conf", pve_etc, node, vmid);
}

int pve_conf_add_raw(const char *pve_etc, const char *node, const char *lock_dir, long vmid,
		     const nx_kv *keys, size_t n, nx_err *err)
{
	if (n == 0)
		return 0;
	cleanup_free char *path = pve_conf_path(pve_etc, node, vmid);
	char lockpath[4096];
	snprintf(lockpath, sizeof lockpath, "%s/pve-config-%ld.lock", lock_dir, vmid);
	if (fs_mkdir_p(lock_dir, 0755, err) < 0)
		return -1;
	int lfd = lock_acquire(lockpath, 10, err);
	if (lfd < 0)
		return -1;
	int rc = -1;
	char *data = NULL;
	size_t len;
	nx_buf b = {0};
	if (fs_read_file(path, CONF_MAX, &data, &len, err) < 0)
		goto out;
	/* The main section ends at the first "[pending]"/"[snapshot]" header. */
	char *section = data[0] == '[' ? data : strstr(data, "\n[");
	size_t main_len = section ? (size_t)(section - data) + (section == data ? 0 : 1) : len;
	buf_append(&b, data, main_len);
	if (b.len && b.data[b.len - 1] != '\n')
		buf_puts(&b, "\n");
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s: %s\n", keys[i].key, keys[i].value);
	buf_append(&b, data + main_len, len - main_len);
	struct stat st;
	mode_t mode = stat(path, &st) == 0 ? (st.st_mode & 0777) : 0640;
	rc = fs_write_atomic(path, b.data, b.len, mode, err);
out:
	free(data);
	buf_free(&b);
	lock_release(lfd);
	return rc;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *pve_conf_description(const char *pve_etc, const char *node, long vmid)
{
	cleanup_free char *path = pve_conf_path(pve_etc, node, vmid);
	cleanup_free char *data = NULL;
	nx_err err = {0};
	if (fs_read_file(path, CONF_MAX, &data, NULL, &err) < 0)
		return NULL;
	nx_buf b = {0};
	for (char *line = data; *line == '#';) {
		char *nl = strchrnul(line, '\n');
		if (b.len)
			buf_puts(&b, "\n");
		for (char *p = line + 1; p < nl; p++) {
			int h, l;
			if (*p == '%' && p + 2 < nl + 0 + 1 && (h = hexval(p[1])) >= 0 &&
			    (l = hexval(p[2])) >= 0) {
				char c = (char)(h * 16 + l);
				buf_append(&b, &c, 1);
				p += 2;
			} else {
				buf_append(&b, p, 1);
			}
		}
		line = *nl ? nl + 1 : nl;
	}
	return b.data;
}
