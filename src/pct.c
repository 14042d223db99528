#define _GNU_SOURCE
#include "pct.h"

#include <errno.h>
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
		rc = nx_err_set(err, "pct %s %s: no answer within %.0fs, killed", args[0],
				args[1] ? args[1] : "", pct->timeout);
	} else if (r->exit_code != 0) {
		trim(r->err);
		const char *msg = r->err[0] ? r->err : r->out;
		rc = nx_err_set(err, "pct %s %s failed (exit %d): %s", args[0], args[1] ? args[1] : "",
				r->exit_code, msg[0] ? msg : "(no message)");
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
	const char **args = calloc(nhead + 2 * n + 1, sizeof(char *));
	char(*names)[64] = calloc(n + 1, sizeof *names);
	int rc = -1;
	if (!args || !names) {
		nx_err_sys(err, ENOMEM, "pct %s", head[0]);
		goto out;
	}
	size_t a = 0;
	for (size_t i = 0; i < nhead; i++)
		args[a++] = head[i];
	for (size_t i = 0; i < n; i++) {
		snprintf(names[i], sizeof names[i], "--%s", opts[i].key);
		args[a++] = names[i];
		args[a++] = opts[i].value;
	}
	rc = pct_call(pct, args, NULL, err);
out:
	free(names);
	free(args);
	return rc;
}

bool pct_error_vmid_taken(const char *msg)
{
	return strstr(msg, "already exists") != NULL;
}

bool pct_error_no_such_ct(const char *msg)
{
	return strstr(msg, "does not exist") != NULL;
}
