#define _GNU_SOURCE
#include "pve/pct.h"
#include "pve/pct_internal.h"

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/strv.h"
#include "util/xalloc.h"

#define MAX_ARGS 1100

/* pct prints progress on stdout and the failure on stderr; keep the
 * stderr text, trimmed, so the user sees Proxmox's reason. */
static void trim(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

/* A task's output, which on a node carries the reasons (a failed start:
 * LXC's errors on stdout, only "startup for container 'N' failed" on
 * stderr): its last lines, indented below pct's message. */
#define OUTPUT_LINES 12

static const char *last_lines(const char *s, int max)
{
	const char *p = s + strlen(s);
	int lines = 0;
	while (p > s) {
		if (p[-1] == '\n' && ++lines == max)
			break;
		p--;
	}
	return p;
}

static void append_output(nx_err *err, const char *out)
{
	size_t used = strlen(err->msg);
	char *w = err->msg + used;
	size_t room = sizeof err->msg - used;
	int n = snprintf(w, room, "\n  pct's output:");
	for (const char *line = last_lines(out, OUTPUT_LINES); *line && n > 0 && (size_t)n < room;) {
		size_t len = strcspn(line, "\n");
		if (len)
			n += snprintf(w + n, room - (size_t)n, "\n    %.*s", (int)len, line);
		line += len + (line[len] == '\n');
	}
}

/* The failures callers act on, each recognised by pct's exit status and
 * a whole stderr line anchored at both ends, with the VMID of this call
 * in it ("storage 'x' does not exist" is not "CT gone"). pve-container's
 * texts (pve-facts.md). The status is Perl's die: errno where no task
 * worker runs (ENOENT 2 after a failed file test: a missing config, a
 * VMID configured on another node; EINTR 4 after the alarm that ends a
 * lock wait), 255 from a task or with errno unset. */
typedef struct pct_failure {
	const char *cmds; /* subcommands it applies to, space separated; NULL: any */
	int exit_codes[3]; /* 0-terminated */
	const char *pattern; /* @VMID@ stands for this call's VMID */
	nx_err_kind kind;
} pct_failure;

static const pct_failure failures[] = {
    {NULL, {2}, "^Configuration file 'nodes/[^/']+/lxc/@VMID@\\.conf' does not exist$", NX_ERR_CT_GONE},
    {"create", {2, 255}, "^(unable to create CT @VMID@ - )?(CT|VM) @VMID@ already exists on node '[^']*'$",
     NX_ERR_VMID_TAKEN},
    {"destroy start stop set suspend resume", {255}, "^(unable to destroy CT @VMID@ - )?CT is locked \\(([a-z_-]+)\\)$",
     NX_ERR_LOCKED},
    {NULL, {4, 255}, "^(.* - )?can't lock file '[^']*pve-config-@VMID@\\.lock' - got timeout$", NX_ERR_TIMED_OUT},
    {"start resume", {255}, "^CT @VMID@ already running$", NX_ERR_CT_RUNNING},
    {"destroy", {255}, "^unable to destroy CT @VMID@ - container is running$", NX_ERR_CT_RUNNING},
    {"stop shutdown suspend", {255}, "^CT @VMID@ not running$", NX_ERR_CT_STOPPED},
    {"exec", {255}, "^container '@VMID@' not running!$", NX_ERR_CT_STOPPED},
    {"create", {255}, "^(unable to create CT @VMID@ - )?can't find file '[^']*'$", NX_ERR_NO_TEMPLATE},
};

static bool exit_listed(const pct_failure *f, int code)
{
	for (size_t i = 0; i < sizeof f->exit_codes / sizeof f->exit_codes[0] && f->exit_codes[i]; i++)
		if (f->exit_codes[i] == code)
			return true;
	return false;
}

static bool cmd_listed(const char *cmds, const char *cmd)
{
	if (!cmds)
		return true;
	size_t n = strlen(cmd);
	for (const char *p = cmds; (p = strstr(p, cmd)); p += n)
		if ((p == cmds || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

static bool vmid_arg(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Match one line against one failure; the detail (a lock name) goes to err. */
static bool line_matches(const pct_failure *f, const char *vmid, const char *line, nx_err *err)
{
	char pattern[512];
	size_t n = 0;
	for (const char *p = f->pattern; *p && n + 20 < sizeof pattern;) {
		if (!strncmp(p, "@VMID@", 6)) {
			n += (size_t)snprintf(pattern + n, sizeof pattern - n, "%s", vmid);
			p += 6;
		} else {
			pattern[n++] = *p++;
		}
	}
	pattern[n] = '\0';
	regex_t re;
	if (regcomp(&re, pattern, REG_EXTENDED) != 0)
		return false;
	regmatch_t m[4];
	bool hit = regexec(&re, line, 4, m, 0) == 0;
	regfree(&re);
	if (hit) {
		char detail[32] = "";
		int g = f->kind == NX_ERR_LOCKED ? 2 : 0;
		if (g && m[g].rm_so >= 0)
			snprintf(detail, sizeof detail, "%.*s", (int)(m[g].rm_eo - m[g].rm_so), line + m[g].rm_so);
		nx_err_set_kind(err, f->kind, detail);
	}
	return hit;
}

static void classify(const char *const *args, const spawn_result *r, nx_err *err)
{
	if (!vmid_arg(args[1]))
		return;
	for (size_t i = 0; i < sizeof failures / sizeof failures[0]; i++) {
		const pct_failure *f = &failures[i];
		if (!exit_listed(f, r->exit_code) || !cmd_listed(f->cmds, args[0]))
			continue;
		char *text = xstrdup(r->err);
		char *save = NULL;
		bool hit = false;
		for (char *line = strtok_r(text, "\n", &save); line && !hit;
		     line = strtok_r(NULL, "\n", &save))
			hit = line_matches(f, args[1], line, err);
		free(text);
		if (hit)
			return;
	}
}

int pct_call(const nx_pct *pct, const char *const *args, spawn_result *res, nx_err *err)
{
	const char *argv[MAX_ARGS + 2];
	size_t n = 0;
	argv[n++] = pct->path;
	for (const char *const *a = args; *a; a++) {
		if (n >= MAX_ARGS)
			return nx_err_set(err, "pct: too many arguments");
		argv[n++] = *a;
	}
	argv[n] = NULL;
	if (log_debug_enabled()) {
		nx_buf b = {0};
		for (size_t i = 0; i < n; i++) {
			buf_puts(&b, i ? " " : "");
			buf_puts(&b, argv[i]);
		}
		log_debug("pct call: %s", b.data ? b.data : "");
		buf_free(&b);
	}
	spawn_req req = {.argv = (char *const *)argv, .timeout = pct->timeout};
	spawn_result local;
	spawn_result *r = res ? res : &local;
	if (spawn_run(&req, r, err) < 0)
		return nx_err_wrap(err, "pct %s", args[0]);
	int rc = 0;
	if (r->timed_out) {
		rc = nx_err_kind_set(err, NX_ERR_TIMED_OUT, "pct %s %s: no answer within %.0fs, killed",
				     args[0], args[1] ? args[1] : "", pct->timeout);
	} else if (r->exit_code != 0) {
		trim(r->err);
		trim(r->out);
		const char *msg = r->err[0] ? r->err : r->out;
		rc = nx_err_set(err, "pct %s %s failed (exit %d): %s", args[0], args[1] ? args[1] : "",
				r->exit_code, msg[0] ? msg : "(no message)");
		if (r->err[0] && r->out[0])
			append_output(err, r->out);
		classify(args, r, err);
	}
	if (rc < 0 || !res)
		spawn_result_free(r);
	return rc;
}

/* head, then "--<key>" and the value of each option */
static char **options_argv(const char *const *head, const nx_kv *opts, size_t n)
{
	char **args = NULL;
	size_t a = 0;
	for (const char *const *h = head; *h; h++)
		strv_push(&args, &a, *h);
	for (size_t i = 0; i < n; i++) {
		strv_pushf(&args, &a, "--%s", opts[i].key);
		strv_push(&args, &a, opts[i].value);
	}
	return args;
}

static int call_options(const nx_pct *pct, const char *const *head, const nx_kv *opts, size_t n, nx_err *err)
{
	size_t nhead = 0;
	while (head[nhead])
		nhead++;
	if (nhead + 2 * n >= MAX_ARGS)
		return nx_err_set(err, "pct %s: too many options (%zu)", head[0], n);
	char **args = options_argv(head, opts, n);
	int rc = pct_call(pct, (const char **)args, NULL, err);
	strv_free(args);
	return rc;
}

#define VMID_TEXT(name, vmid)                                                                                  \
	char name[32];                                                                                         \
	snprintf(name, sizeof name, "%ld", vmid)

int pct_create(const nx_pct *pct, long vmid, const char *ostemplate, const nx_kv *opts, size_t n, nx_err *err)
{
	VMID_TEXT(v, vmid);
	const char *head[] = {"create", v, ostemplate, NULL};
	return call_options(pct, head, opts, n, err);
}

char **pct_create_argv(const char *path, const char *vmid, const char *ostemplate, const nx_kv *opts, size_t n)
{
	const char *head[] = {path, "create", vmid, ostemplate, NULL};
	return options_argv(head, opts, n);
}

int pct_set(const nx_pct *pct, long vmid, const nx_kv *opts, size_t n, nx_err *err)
{
	VMID_TEXT(v, vmid);
	const char *head[] = {"set", v, NULL};
	return call_options(pct, head, opts, n, err);
}

int pct_start(const nx_pct *pct, long vmid, nx_err *err)
{
	VMID_TEXT(v, vmid);
	const char *args[] = {"start", v, NULL};
	return pct_call(pct, args, NULL, err);
}

int pct_destroy(const nx_pct *pct, long vmid, nx_err *err)
{
	VMID_TEXT(v, vmid);
	const char *args[] = {"destroy", v, "--force", "1", "--purge", "1", NULL};
	return pct_call(pct, args, NULL, err);
}

int pct_unlock(const nx_pct *pct, long vmid, nx_err *err)
{
	VMID_TEXT(v, vmid);
	const char *args[] = {"unlock", v, NULL};
	return pct_call(pct, args, NULL, err);
}

int pct_status(const nx_pct *pct, long vmid, bool *running, nx_err *err)
{
	VMID_TEXT(v, vmid);
	const char *args[] = {"status", v, NULL};
	spawn_result res;
	if (pct_call(pct, args, &res, err) < 0)
		return -1;
	/* "status: running", one line of its own */
	*running = false;
	for (const char *l = res.out; l && *l;) {
		size_t len = strcspn(l, "\n");
		if (len == 15 && !strncmp(l, "status: running", 15))
			*running = true;
		l += len + (l[len] == '\n');
	}
	spawn_result_free(&res);
	return 0;
}

void pct_exec_argv(const nx_pct *pct, long vmid, char ***v, size_t *n)
{
	strv_push(v, n, pct->path);
	strv_push(v, n, "exec");
	strv_pushf(v, n, "%ld", vmid);
	strv_push(v, n, "--");
}
