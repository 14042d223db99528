/* list and ps: read-only views from the state files, /proc and cgroupfs;
 * no pct call and no Lua. */
#define _GNU_SOURCE
#include "core/container_list.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/cleanup.h"
#include "core/container.h"
#include "oci/container_id.h"
#include "util/fsutil.h"
#include "core/mapping.h"
#include "util/proc.h"
#include "util/xalloc.h"

typedef struct row_list {
	list_row *v;
	size_t n, cap;
} row_list;

static int cmp_rows(const void *a, const void *b)
{
	return strcmp(((const list_row *)a)->st.id, ((const list_row *)b)->st.id);
}

/* Takes r over. */
static void add_row(row_list *l, list_row r)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n++] = r;
}

static bool have_row(const row_list *l, const char *id)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].st.id, id))
			return true;
	return false;
}

/* The containers with a directory in the root. */
static int collect_state(const char *root, row_list *l, nx_err *err)
{
	DIR *d = opendir(root);
	if (!d) /* no root yet: nothing was ever created; else say why (ENOMEM) */
		return errno == ENOENT ? 0 : nx_err_sys(err, errno, "open %s", root);
	struct dirent *de;
	while ((de = readdir(d))) {
		list_row r = {0};
		nx_err e = {0};
		if (container_id_validate(de->d_name, &e) < 0)
			continue; /* nexcage's own files */
		if (state_read(root, de->d_name, &r.st, &e) == 0) {
			r.status = state_status(root, &r.st);
		} else if (nx_err_is(&e, NX_ERR_CORRUPT)) {
			/* shown, so that it can be removed (delete --force) */
			r.status = NX_UNKNOWN;
			r.st.id = xstrdup(de->d_name);
			r.st.owner = xstrdup("");
		} else {
			continue; /* being created or deleted right now */
		}
		add_row(l, r);
	}
	closedir(d);
	return 0;
}

/* CTs this root's mappings know whose state directory is gone. */
static int collect_orphans(nx_ctx *ctx, row_list *l, nx_err *err)
{
	const char *root = ctx->opts->root;
	nx_mapping *maps = NULL;
	size_t nmaps = 0;
	if (mapping_list(ctx->opts->state_dir, &maps, &nmaps, err) < 0)
		return -1;
	for (size_t i = 0; i < nmaps; i++) {
		nx_mapping *m = &maps[i];
		if (have_row(l, m->id) || (m->root[0] && strcmp(m->root, root)))
			continue;
		/* A reservation whose create still runs holds the lock: skip it. */
		if (state_exists(root, m->id))
			continue;
		cleanup_free char *dir = state_dir(root, m->id);
		struct stat sb;
		if (stat(dir, &sb) == 0)
			continue;
		list_row r = {.status = NX_STOPPED, .orphaned = true};
		r.st.id = xstrdup(m->id);
		r.st.bundle = xstrdup(m->bundle);
		r.st.created = xstrdup(m->created);
		r.st.vmid = m->vmid;
		r.st.owner = xstrdup("root");
		add_row(l, r);
	}
	mapping_list_free(maps, nmaps);
	return 0;
}

int container_list(nx_ctx *ctx, list_row **rows, size_t *n, nx_err *err)
{
	row_list l = {0};
	*rows = NULL;
	*n = 0;
	if (collect_state(ctx->opts->root, &l, err) < 0 || collect_orphans(ctx, &l, err) < 0) {
		container_list_free(l.v, l.n);
		return -1;
	}
	if (l.n)
		qsort(l.v, l.n, sizeof *l.v, cmp_rows);
	*rows = l.v;
	*n = l.n;
	return 0;
}

void container_list_free(list_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		state_free(&rows[i].st);
	free(rows);
}

/* The owner and command line of pid; cmd stays NULL when the process is
 * gone or its cmdline cannot be read. */
static void ps_fill(ps_row *r)
{
	char path[64], *data = NULL;
	nx_err e = {0};
	size_t len = 0;
	snprintf(path, sizeof path, "/proc/%d/cmdline", (int)r->pid);
	if (fs_read_file(path, 65536, &data, &len, &e) < 0)
		return;
	for (size_t i = 0; i + 1 < len; i++)
		if (data[i] == '\0')
			data[i] = ' ';
	struct stat sb;
	snprintf(path, sizeof path, "/proc/%d", (int)r->pid);
	r->uid = stat(path, &sb) == 0 ? (unsigned)sb.st_uid : 0;
	r->cmd = data;
}

int container_ps(nx_ctx *ctx, const char *id, ps_row **rows, size_t *n, nx_err *err)
{
	*rows = NULL;
	*n = 0;
	nx_state st;
	nx_status status;
	if (container_load(ctx, id, &st, &status, err) < 0)
		return -1;
	int rc = -1, npids = 0;
	char cg[PATH_MAX];
	pid_t *pids = NULL;
	if (status == NX_STOPPED) {
		nx_err_set(err, "container not running");
		goto out;
	}
	if (proc_cgroup_dir(st.pid, cg, sizeof cg, err) < 0 || (npids = proc_cgroup_pids(cg, &pids, err)) < 0)
		goto out;
	if (npids)
		*rows = xcalloc((size_t)npids, sizeof **rows);
	for (int i = 0; i < npids; i++) {
		(*rows)[i].pid = pids[i];
		ps_fill(&(*rows)[i]);
	}
	*n = (size_t)npids;
	rc = 0;
out:
	free(pids);
	state_free(&st);
	return rc;
}

void container_ps_free(ps_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(rows[i].cmd);
	free(rows);
}
