/* list and ps: read-only views from the state files, /proc and cgroupfs;
 * no pct call and no Lua. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "cleanup.h"
#include "cli.h"
#include "commands.h"
#include "container.h"
#include "fsutil.h"
#include "container_id.h"
#include "mapping.h"
#include "proc.h"

typedef struct list_row {
	nx_state st;
	nx_status status;
	bool orphaned; /* a CT nexcage made whose state is gone (reboot) */
} list_row;

static int cmp_rows(const void *a, const void *b)
{
	return strcmp(((const list_row *)a)->st.id, ((const list_row *)b)->st.id);
}

static int add_row(list_row **rows, size_t *n, size_t *cap, list_row r)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		list_row *nr = realloc(*rows, *cap * sizeof **rows);
		if (!nr)
			return -1;
		*rows = nr;
	}
	(*rows)[(*n)++] = r;
	return 0;
}

static bool have_row(const list_row *rows, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(rows[i].st.id, id))
			return true;
	return false;
}

static int collect_rows(nx_ctx *ctx, list_row **rows, size_t *n, nx_err *err)
{
	size_t cap = 0;
	*rows = NULL;
	*n = 0;
	DIR *d = opendir(ctx->opts->root);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			list_row r = {0};
			nx_err e = {0};
			if (container_id_validate(de->d_name, &e) < 0)
				continue; /* nexcage's own files */
			if (state_read(ctx->opts->root, de->d_name, &r.st, &e) == 0) {
				r.status = state_status(ctx->opts->root, &r.st);
			} else if (nx_err_is(&e, NX_ERR_CORRUPT)) {
				/* shown, so that it can be removed (delete --force) */
				r.status = NX_UNKNOWN;
				r.st.id = strdup(de->d_name);
				r.st.owner = strdup("");
			} else {
				continue; /* being created or deleted right now */
			}
			if (add_row(rows, n, &cap, r) < 0) {
				closedir(d);
				return nx_err_sys(err, ENOMEM, "list");
			}
		}
		closedir(d);
	}
	nx_mapping *maps = NULL;
	size_t nmaps = 0;
	if (mapping_list(ctx->opts->state_dir, &maps, &nmaps, err) < 0)
		return -1;
	for (size_t i = 0; i < nmaps; i++) {
		nx_mapping *m = &maps[i];
		if (have_row(*rows, *n, m->id) || (m->root[0] && strcmp(m->root, ctx->opts->root)))
			continue;
		/* A reservation whose create still runs holds the lock: skip it. */
		if (state_exists(ctx->opts->root, m->id))
			continue;
		cleanup_free char *dir = state_dir(ctx->opts->root, m->id);
		struct stat sb;
		if (stat(dir, &sb) == 0)
			continue;
		list_row r = {.status = NX_STOPPED, .orphaned = true};
		r.st.id = strdup(m->id);
		r.st.bundle = strdup(m->bundle);
		r.st.created = strdup(m->created);
		r.st.vmid = m->vmid;
		r.st.owner = strdup("root");
		add_row(rows, n, &cap, r);
	}
	mapping_list_free(maps, nmaps);
	if (*n)
		qsort(*rows, *n, sizeof **rows, cmp_rows);
	return 0;
}

/* The six columns of one row; pid is the buffer for the PID column. */
static void row_cells(const list_row *r, char *pid, size_t n, const char *cells[6])
{
	const nx_state *s = &r->st;
	snprintf(pid, n, "%d", r->status == NX_STOPPED ? 0 : (int)s->pid);
	cells[0] = s->id;
	cells[1] = pid;
	cells[2] = r->orphaned ? "stopped(orphan)" : state_status_name(r->status);
	cells[3] = s->bundle ? s->bundle : "";
	cells[4] = s->created ? s->created : "";
	cells[5] = s->owner ? s->owner : "";
}

static void print_table(const list_row *rows, size_t n)
{
	const char *head[] = {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"};
	size_t w[6];
	for (int c = 0; c < 6; c++)
		w[c] = strlen(head[c]);
	char pid[32];
	const char *cells[6];
	for (size_t i = 0; i < n; i++) {
		row_cells(&rows[i], pid, sizeof pid, cells);
		for (int c = 0; c < 6; c++)
			if (strlen(cells[c]) > w[c])
				w[c] = strlen(cells[c]);
	}
	/* runc's tabwriter: min width 12, padding 3 */
	for (int c = 0; c < 6; c++)
		w[c] = (w[c] + 3 > 12) ? w[c] + 3 : 12;
	for (int c = 0; c < 6; c++)
		printf("%-*s%s", c < 5 ? (int)w[c] : 0, head[c], c < 5 ? "" : "\n");
	for (size_t i = 0; i < n; i++) {
		row_cells(&rows[i], pid, sizeof pid, cells);
		for (int c = 0; c < 6; c++)
			printf("%-*s%s", c < 5 ? (int)w[c] : 0, cells[c], c < 5 ? "" : "\n");
	}
}

static void print_json(const list_row *rows, size_t n)
{
	nx_buf b = {0};
	buf_puts(&b, "[");
	for (size_t i = 0; i < n; i++) {
		nx_buf one = {0};
		state_render(&rows[i].st, rows[i].status, &one);
		/* state_render ends with "}\n": splice in the orphan flag */
		if (one.len >= 2)
			one.len -= 2;
		buf_append(&b, i ? "," : "", i ? 1 : 0);
		buf_append(&b, one.data, one.len);
		buf_printf(&b, ",\n  \"orphaned\": %s\n}", rows[i].orphaned ? "true" : "false");
		buf_free(&one);
	}
	buf_puts(&b, "]\n");
	fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
}

int cmd_list(nx_ctx *ctx, int argc, char **argv, nx_err *err)
{
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"quiet", no_argument, NULL, 'q'},
	    {NULL, 0, NULL, 0},
	};
	const char *format = "table";
	bool quiet = false;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:q", longopts, NULL)) != -1) {
		if (c == 'f')
			format = optarg;
		else if (c == 'q')
			quiet = true;
		else
			return cli_usage_error("list", err, "unknown flag '%s'", argv[optind - 1]);
	}
	if (optind != argc)
		return cli_usage_error("list", err, "takes no arguments");
	if (strcmp(format, "table") && strcmp(format, "json"))
		return nx_err_set(err, "invalid format option \"%s\" (table or json)", format);
	list_row *rows;
	size_t n;
	if (collect_rows(ctx, &rows, &n, err) < 0)
		return -1;
	if (quiet)
		for (size_t i = 0; i < n; i++)
			printf("%s\n", rows[i].st.id);
	else if (!strcmp(format, "json"))
		print_json(rows, n);
	else
		print_table(rows, n);
	for (size_t i = 0; i < n; i++)
		state_free(&rows[i].st);
	free(rows);
	return 0;
}

static void ps_row(pid_t pid)
{
	char path[64], *data = NULL;
	nx_err e = {0};
	snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
	size_t len = 0;
	if (fs_read_file(path, 65536, &data, &len, &e) < 0) {
		return;
	}
	for (size_t i = 0; i + 1 < len; i++)
		if (data[i] == '\0')
			data[i] = ' ';
	struct stat sb;
	snprintf(path, sizeof path, "/proc/%d", (int)pid);
	unsigned uid = stat(path, &sb) == 0 ? (unsigned)sb.st_uid : 0;
	printf("%-8u %-8d %s\n", uid, (int)pid, data);
	free(data);
}

int cmd_ps(nx_ctx *ctx, int argc, char **argv, nx_err *err)
{
	static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
						 {NULL, 0, NULL, 0}};
	const char *format = "table";
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+f:", longopts, NULL)) != -1) {
		if (c != 'f')
			return cli_usage_error("ps", err, "unknown flag '%s'", argv[optind - 1]);
		format = optarg;
	}
	if (argc - optind < 1)
		return cli_usage_error("ps", err, "requires a container id");
	if (strcmp(format, "table") && strcmp(format, "json"))
		return nx_err_set(err, "invalid format option \"%s\" (table or json)", format);
	nx_state st;
	nx_status status;
	if (container_load(ctx, argv[optind], &st, &status, err) < 0)
		return -1;
	int rc = 0;
	char cg[PATH_MAX];
	pid_t *pids = NULL;
	int n = 0;
	if (status == NX_STOPPED)
		rc = nx_err_set(err, "container not running");
	else if (proc_cgroup_dir(st.pid, cg, sizeof cg, err) < 0 ||
		 (n = proc_cgroup_pids(cg, &pids, err)) < 0)
		rc = -1;
	if (rc == 0 && !strcmp(format, "json")) {
		printf("[");
		for (int i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		printf("]\n");
	} else if (rc == 0) {
		printf("%-8s %-8s %s\n", "UID", "PID", "CMD");
		for (int i = 0; i < n; i++)
			ps_row(pids[i]);
	}
	free(pids);
	state_free(&st);
	return rc;
}
