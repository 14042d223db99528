/* list and ps front ends: the rows come from container_list.c; this file
 * lays them out as a table (runc's columns) or JSON. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "core/container_list.h"

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
	if (container_list(ctx, &rows, &n, err) < 0)
		return -1;
	if (quiet)
		for (size_t i = 0; i < n; i++)
			printf("%s\n", rows[i].st.id);
	else if (!strcmp(format, "json"))
		print_json(rows, n);
	else
		print_table(rows, n);
	container_list_free(rows, n);
	return 0;
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
	ps_row *rows;
	size_t n;
	if (container_ps(ctx, argv[optind], &rows, &n, err) < 0)
		return -1;
	if (!strcmp(format, "json")) {
		printf("[");
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)rows[i].pid);
		printf("]\n");
	} else {
		printf("%-8s %-8s %s\n", "UID", "PID", "CMD");
		for (size_t i = 0; i < n; i++)
			if (rows[i].cmd) /* gone since the cgroup was read */
				printf("%-8u %-8d %s\n", rows[i].uid, (int)rows[i].pid, rows[i].cmd);
	}
	container_ps_free(rows, n);
	return 0;
}
