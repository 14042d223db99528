#define _GNU_SOURCE
#include "pct.h"

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"

#define MAX_ARGS 1100

/* pct prints progress on stdout and the failure on stderr; keep the
 * stderr text, trimmed, so the user sees Proxmox's reason. */
static void trim(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

/* The failures callers act on, each recognised by pct's exit status and
 * a whole stderr line anchored at both ends, with the VMID of this call
 * in it ("storage 'x' does not exist" is not "CT gone"). pve-container's
 * texts: load_config's die (exit 2, ENOENT), check_vmid_unused and
 * create_and_lock_config, check_lock, lock_file's timeout. */
typedef struct pct_failure {
	const char *cmds; /* subcommands it applies to, space separated; NULL: any */
	int exit_code;
	const char *pattern; /* @VMID@ stands for this call's VMID */
	nx_err_kind kind;
} pct_failure;

static const pct_failure failures[] = {
    {NULL, 2, "^Configuration file 'nodes/[^/']+/lxc/@VMID@\\.conf' does not exist$", NX_ERR_CT_GONE},
    {"create", 255, "^(unable to create CT @VMID@ - )?(CT|VM) @VMID@ already exists on node '[^']*'$",
     NX_ERR_VMID_TAKEN},
    {"destroy start stop set suspend resume", 255, "^(unable to destroy CT @VMID@ - )?CT is locked \\(([a-z_-]+)\\)$",
     NX_ERR_LOCKED},
    {NULL, 255, "^(.* - )?can't lock file '[^']*pve-config-@VMID@\\.lock' - got timeout$", NX_ERR_TIMED_OUT},
};

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
		if (f->exit_code != r->exit_code || !cmd_listed(f->cmds, args[0]))
			continue;
		char *text = strdup(r->err);
		char *save = NULL;
		bool hit = false;
		for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line && !hit;
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
		const char *msg = r->err[0] ? r->err : r->out;
		rc = nx_err_set(err, "pct %s %s failed (exit %d): %s", args[0], args[1] ? args[1] : "",
				r->exit_code, msg[0] ? msg : "(no message)");
		classify(args, r, err);
	}
	if (rc < 0 || !res)
		spawn_result_free(r);
	return rc;
}

int pct_call_options(const nx_pct *pct, const char *const *head, const nx_kv *opts, size_t n, nx_err *err)
{
	size_t nhead = 0;
	while (head[nhead])
		nhead++;
	if (nhead + 2 * n >= MAX_ARGS)
		return nx_err_set(err, "pct %s: too many options", head[0]);
	char **args = pct_options_argv(head, opts, n);
	if (!args)
		return nx_err_sys(err, ENOMEM, "pct %s", head[0]);
	int rc = pct_call(pct, (const char **)args, NULL, err);
	pct_argv_free(args);
	return rc;
}

char **pct_options_argv(const char *const *head, const nx_kv *opts, size_t n)
{
	size_t nhead = 0;
	while (head[nhead])
		nhead++;
	char **args = calloc(nhead + 2 * n + 1, sizeof *args);
	if (!args)
		return NULL;
	/* a failed copy leaves NULL in its slot (calloc), where pct_argv_free stops */
	size_t a = 0;
	bool ok = true;
	for (size_t i = 0; ok && i < nhead; i++)
		ok = (args[a++] = strdup(head[i])) != NULL;
	for (size_t i = 0; ok && i < n; i++) {
		if (asprintf(&args[a], "--%s", opts[i].key) < 0) {
			args[a] = NULL;
			ok = false;
		} else {
			a++;
			ok = (args[a++] = strdup(opts[i].value)) != NULL;
		}
	}
	if (!ok) {
		pct_argv_free(args);
		return NULL;
	}
	return args;
}

void pct_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}
