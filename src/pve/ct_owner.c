#define _GNU_SOURCE
#include "pve/ct_owner.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/fsutil.h"
#include "pve/pve.h"

#define CONF_MAX (4u << 20)

int ct_owner_marker(const char *root, const char *id, char *buf, size_t n)
{
	if (strchr(root, '\n') || strchr(id, '\n'))
		return -1;
	int len = snprintf(buf, n, "nexcage-id: %s\nnexcage-root: %s", id, root);
	return len < 0 || (size_t)len >= n ? -1 : 0;
}

/* The value of "key: " in the config's main section (before the first
 * [snapshot] section), copied into out. */
static bool conf_value(const char *conf, const char *key, char *out, size_t n)
{
	size_t klen = strlen(key);
	for (const char *line = conf; *line && *line != '[';) {
		const char *nl = strchrnul(line, '\n');
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			const char *v = line + klen + 1;
			v += strspn(v, " ");
			snprintf(out, n, "%.*s", (int)(nl - v), v);
			return true;
		}
		line = *nl ? nl + 1 : nl;
	}
	return false;
}

/* Proxmox separates tags with ';', ',' or spaces. */
static bool has_tag(const char *tags, const char *tag)
{
	size_t tlen = strlen(tag);
	for (const char *t = tags; *t;) {
		t += strspn(t, ";, ");
		size_t len = strcspn(t, ";, ");
		if (len == tlen && !strncmp(t, tag, len))
			return true;
		t += len;
	}
	return false;
}

/* The value of a "key: value" line of the description, or NULL. */
static const char *desc_line(const char *desc, const char *key, size_t *len)
{
	size_t klen = strlen(key);
	for (const char *line = desc; line && *line;) {
		const char *nl = strchrnul(line, '\n');
		if (!strncmp(line, key, klen) && !strncmp(line + klen, ": ", 2)) {
			*len = (size_t)(nl - line - klen - 2);
			return line + klen + 2;
		}
		line = *nl ? nl + 1 : NULL;
	}
	return NULL;
}

static bool line_is(const char *v, size_t len, const char *want)
{
	return v && len == strlen(want) && !strncmp(v, want, len);
}

/* A config that is only pct's own lock: `lock: create` from pct create's
 * first write to its last, `lock: destroyed` once pct destroy has removed
 * the volumes. What a killed pct left; it holds nothing to lose. */
static bool bare_lock(const char *conf)
{
	bool lock = false;
	for (const char *line = conf; *line && *line != '[';) {
		const char *nl = strchrnul(line, '\n');
		size_t len = (size_t)(nl - line);
		if (!lock && (line_is(line, len, "lock: create") || line_is(line, len, "lock: destroyed")))
			lock = true;
		else if (len)
			return false;
		line = *nl ? nl + 1 : nl;
	}
	return lock;
}

int ct_owner_check(const ct_owner_query *q, nx_err *err)
{
	cleanup_free char *path = pve_conf_path(q->pve_etc, q->node, q->vmid);
	cleanup_free char *conf = NULL;
	if (fs_read_file(path, CONF_MAX, &conf, NULL, err) < 0) {
		if (err->errnum == ENOENT)
			return nx_err_kind_set(err, NX_ERR_CT_GONE, "CT %ld: no %s", q->vmid, path);
		return nx_err_wrap(err, "CT %ld: cannot tell whose it is", q->vmid);
	}
	char tags[4096] = "";
	bool tagged = conf_value(conf, "tags", tags, sizeof tags) && has_tag(tags, "nexcage");
	cleanup_free char *desc = pve_conf_description(q->pve_etc, q->node, q->vmid);
	size_t idlen = 0, rootlen = 0;
	const char *id = desc ? desc_line(desc, "nexcage-id", &idlen) : NULL;
	const char *root = desc ? desc_line(desc, "nexcage-root", &rootlen) : NULL;
	if (tagged && line_is(id, idlen, q->id) && (!root || line_is(root, rootlen, q->root)))
		return 0;
	if (!desc && bare_lock(conf))
		return 0;
	if (!tagged || !id)
		return nx_err_kind_set(err, NX_ERR_NOT_OURS,
				       "CT %ld is not a nexcage container (no 'nexcage' tag or 'nexcage-id:' line)",
				       q->vmid);
	if (!line_is(id, idlen, q->id))
		return nx_err_kind_set(err, NX_ERR_NOT_OURS, "CT %ld is nexcage container '%.*s', not '%s'",
				       q->vmid, (int)idlen, id, q->id);
	return nx_err_kind_set(err, NX_ERR_NOT_OURS, "CT %ld is '%s' of another root (%.*s), not of %s",
			       q->vmid, q->id, (int)rootlen, root, q->root);
}
