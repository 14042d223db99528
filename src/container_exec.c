/* exec: a new process in a running container, through `pct exec` (LXC's
 * attach: namespaces, cgroup, capabilities and AppArmor exactly as Proxmox
 * sets them) into nexcage-init's exec mode, which applies the OCI process
 * settings (user, cwd, env) exactly. Defaults come from the container's own
 * process, as with runc. */
#define _GNU_SOURCE
#include "container_exec.h"
#include "ct_enter.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "cleanup.h"
#include "container.h"
#include "exitwatch.h"
#include "fsutil.h"
#include "init_spec.h"
#include "json.h"
#include "log.h"
#include "proc.h"
#include "spawn.h"
#include "standin.h"

typedef struct exec_argv {
	char **v;
	size_t n, cap;
	bool oom;
} exec_argv;

static void arg(exec_argv *a, const char *s)
{
	if (a->oom)
		return;
	if (a->n + 2 > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		char **nv = realloc(a->v, cap * sizeof(char *));
		if (!nv) {
			a->oom = true;
			return;
		}
		a->v = nv;
		a->cap = cap;
	}
	if (!(a->v[a->n] = strdup(s))) {
		a->oom = true;
		return;
	}
	a->v[++a->n] = NULL;
}

static void free_argv(exec_argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
}

/* Append s to a NULL-terminated vector. */
static int strv_push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, sizeof(char *) * (*n + 2));
	if (!nv)
		return -1;
	*v = nv;
	if (!(nv[*n] = strdup(s)))
		return -1;
	nv[++*n] = NULL;
	return 0;
}

static void strv_clear(char **v, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free(v[i]);
	*n = 0;
	if (v)
		v[0] = NULL;
}

void exec_process_free(nx_process *p)
{
	/* plan_free knows every field of a process */
	nx_plan tmp = {.process = *p};
	plan_free(&tmp);
	memset(p, 0, sizeof *p);
}

/* process.capabilities as the init takes them: "chown kill ..." per set
 * (the names checked by the init against its table; unknown ones are not
 * granted). */
static int caps_from_json(const json_value *caps, nx_process *p, const char *path, nx_err *err)
{
	p->has_caps = true;
	for (int s = 0; s < 5; s++) {
		nx_buf b = {0};
		buf_puts(&b, "");
		const json_value *list = json_get(caps, nx_cap_sets[s]);
		for (const json_value *c = list && list->type == JSON_ARRAY ? list->child : NULL; c;
		     c = c->next) {
			if (c->type != JSON_STRING || strncmp(c->string, "CAP_", 4) ||
			    strlen(c->string) > 40 ||
			    strspn(c->string + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") != strlen(c->string + 4)) {
				buf_free(&b);
				return nx_err_set(err, "%s: capabilities.%s: not a capability name", path,
						  nx_cap_sets[s]);
			}
			buf_puts(&b, b.len ? " " : "");
			for (const char *ch = c->string + 4; *ch; ch++) {
				char lower = (char)(*ch == '_' ? '_' : *ch - 'A' + 'a');
				buf_append(&b, &lower, 1);
			}
		}
		if (b.oom)
			return nx_err_sys(err, ENOMEM, "%s", path);
		free(p->caps[s]);
		p->caps[s] = b.data;
	}
	return 0;
}

int exec_process_load(const char *path, nx_process *p, nx_err *err)
{
	cleanup_free char *data = NULL;
	size_t len;
	if (fs_read_file(path, 4u << 20, &data, &len, err) < 0)
		return -1;
	json_value *doc = json_parse(data, len, err);
	if (!doc)
		return nx_err_wrap(err, "%s", path);
	int rc = 0;
	const json_value *args = json_get(doc, "args");
	if (!args || args->type != JSON_ARRAY || !args->child) {
		rc = nx_err_set(err, "%s: args: must be a non-empty array of strings", path);
		goto out;
	}
	strv_clear(p->args, &p->nargs);
	for (const json_value *c = args->child; c; c = c->next) {
		if (c->type != JSON_STRING) {
			rc = nx_err_set(err, "%s: args: must be strings", path);
			goto out;
		}
		if (strv_push(&p->args, &p->nargs, c->string) < 0)
			goto oom;
	}
	const json_value *env = json_get(doc, "env");
	if (env && env->type == JSON_ARRAY) {
		strv_clear(p->env, &p->nenv);
		for (const json_value *c = env->child; c; c = c->next)
			if (c->type == JSON_STRING && strv_push(&p->env, &p->nenv, c->string) < 0)
				goto oom;
	}
	const char *cwd = json_get_string(doc, "cwd");
	if (cwd) {
		free(p->cwd);
		if (!(p->cwd = strdup(cwd)))
			goto oom;
	}
	const json_value *user = json_get(doc, "user");
	if (user) {
		p->uid = (unsigned long)json_get_int(user, "uid", (long long)p->uid);
		p->gid = (unsigned long)json_get_int(user, "gid", (long long)p->gid);
	}
	const json_value *term = json_get(doc, "terminal");
	p->terminal = term && term->type == JSON_BOOL && term->boolean;
	const json_value *caps = json_get(doc, "capabilities");
	if (caps && caps->type == JSON_OBJECT)
		rc = caps_from_json(caps, p, path, err);
	goto out;
oom:
	rc = nx_err_sys(err, ENOMEM, "%s", path);
out:
	json_free(doc);
	return rc;
}

static int replace_env(nx_process *p, const char *kv)
{
	size_t klen = strcspn(kv, "=");
	for (size_t i = 0; i < p->nenv; i++)
		if (!strncmp(p->env[i], kv, klen) && p->env[i][klen] == '=') {
			char *dup = strdup(kv);
			if (!dup)
				return -1;
			free(p->env[i]);
			p->env[i] = dup;
			return 0;
		}
	return strv_push(&p->env, &p->nenv, kv);
}

/* pct exec starts the process with the CT init's capabilities (LXC's
 * attach keeps its bounding set), and without CAP_SYS_ADMIN among them
 * the kernel loads a seccomp filter only under no_new_privileges: such a
 * process gets it, rather than no filter (runc's exec loads the filter
 * while still privileged, so there it keeps no_new_privileges off). */
static bool seccomp_needs_nnp(const nx_process *ctr)
{
	if (!ctr->has_seccomp || ctr->no_new_privileges || !ctr->has_caps)
		return false;
	const char *b = ctr->caps[0] ? ctr->caps[0] : ""; /* bounding: "chown kill ..." */
	for (const char *w = b + strspn(b, " "); *w; w += strspn(w, " ")) {
		size_t len = strcspn(w, " ");
		if (len == 9 && !strncmp(w, "sys_admin", 9))
			return false;
		w += len;
	}
	return true;
}

/* The container's process, with what the caller gives on top. */
static int exec_process(const char *ctr, const exec_opts *o, nx_process *p, bool *tty, nx_err *err)
{
	if (init_process_read(ctr, p, err) < 0)
		return -1;
	if (seccomp_needs_nnp(p)) {
		log_debug("exec: no_new_privileges set, to load the container's seccomp filter without "
			  "CAP_SYS_ADMIN");
		p->no_new_privileges = true;
	}
	if (o->process_file && exec_process_load(o->process_file, p, err) < 0)
		return -1;
	if (o->args && o->args[0]) {
		strv_clear(p->args, &p->nargs);
		for (char *const *a = o->args; *a; a++)
			if (strv_push(&p->args, &p->nargs, *a) < 0)
				return nx_err_sys(err, ENOMEM, "exec");
	}
	for (size_t i = 0; i < o->nenv; i++)
		if (replace_env(p, o->env[i]) < 0)
			return nx_err_sys(err, ENOMEM, "exec");
	*tty = o->tty || (o->process_file && p->terminal);
	if (*tty && !o->console_socket)
		return nx_err_set(err, "exec: a terminal needs --console-socket to receive it");
	if (o->cwd) {
		free(p->cwd);
		if (!(p->cwd = strdup(o->cwd)))
			return nx_err_sys(err, ENOMEM, "exec");
	}
	if (o->set_uid)
		p->uid = o->uid;
	if (o->set_gid)
		p->gid = o->gid;
	return 0;
}

/* pct exec <vmid> -- nexcage-init exec <the process's settings> -- args */
static int exec_pct_argv(const nx_state *st, const nx_process *p, const char *sock_name, exec_argv *a,
			 nx_err *err)
{
	const char *pct_path;
	double timeout;
	container_pct(st, &pct_path, &timeout);
	char vmid[32], num[32];
	snprintf(vmid, sizeof vmid, "%ld", st->vmid);
	arg(a, pct_path);
	arg(a, "exec");
	arg(a, vmid);
	arg(a, "--");
	arg(a, NX_CTR_INIT);
	arg(a, "exec");
	arg(a, "--cwd");
	arg(a, p->cwd ? p->cwd : "/");
	snprintf(num, sizeof num, "%lu", p->uid);
	arg(a, "--uid");
	arg(a, num);
	snprintf(num, sizeof num, "%lu", p->gid);
	arg(a, "--gid");
	arg(a, num);
	for (size_t i = 0; i < p->ngroups; i++) {
		snprintf(num, sizeof num, "%lu", p->groups[i]);
		arg(a, "--group");
		arg(a, num);
	}
	arg(a, "--no-new-privileges");
	arg(a, p->no_new_privileges ? "1" : "0");
	if (p->has_seccomp) { /* the container's filter, as runc gives an exec'd process */
		snprintf(num, sizeof num, "%u", p->seccomp_flags);
		arg(a, "--seccomp");
		arg(a, num);
	}
	for (int i = 0; p->has_caps && i < 5; i++) {
		char *capv = NULL;
		if (asprintf(&capv, "%s=%s", nx_cap_sets[i], p->caps[i] ? p->caps[i] : "") < 0)
			return nx_err_sys(err, ENOMEM, "exec");
		arg(a, "--cap");
		arg(a, capv);
		free(capv);
	}
	/* the process reports its host pid over a socket, like the init */
	char report[128];
	snprintf(report, sizeof report, "%s/%s", NX_CTR_MOUNTPOINT, sock_name);
	arg(a, "--report");
	arg(a, report);
	for (size_t i = 0; i < p->nenv; i++) {
		arg(a, "--env");
		arg(a, p->env[i]);
	}
	arg(a, "--");
	for (size_t i = 0; i < p->nargs; i++)
		arg(a, p->args[i]);
	if (a->oom)
		return nx_err_sys(err, ENOMEM, "exec");
	/* no count of our own: the process's args and env travel on pct
	 * exec's command line, with nexcage's environment beside them */
	size_t nenviron = 0;
	while (environ[nenviron])
		nenviron++;
	char why[512];
	long taken = exec_strings_fit("exec: the environment", environ, nenviron, 0, why, sizeof why);
	if (taken < 0 || exec_strings_fit("exec: pct exec's arguments (the process's args and env)", a->v, a->n,
					  taken, why, sizeof why) < 0)
		return nx_err_set(err, "%s", why);
	return 0;
}

/* The new process reports its host pid (SO_PEERCRED) like the init and
 * takes its descriptors from us: our 0-2 (or a pty made in the CT, whose
 * master goes to --console-socket) and --preserve-fds. A stand-in watches
 * it; the pid file names the stand-in, which exits as the process does, so
 * an engine that reaps that pid gets the process's status (see standin.h).
 * pct exec itself gets /dev/null: it must not hold the caller's pipes. */
static int exec_reported(const char *ctr, const char *sock_name, char **argv, const nx_state *direct,
			 const exec_opts *o, bool tty, double timeout, nx_err *err)
{
	char process[4200];
	snprintf(process, sizeof process, "%s/process", ctr);
	struct stat st;
	if (stat(process, &st) < 0)
		return nx_err_sys(err, errno, "stat %s", process);
	/* the CT's root owns the process file: the same owner for the socket */
	int lfd = init_socket_listen(ctr, sock_name, st.st_uid, st.st_gid, err);
	if (lfd < 0)
		return -1;
	char sock[4200];
	snprintf(sock, sizeof sock, "%s/%s", ctr, sock_name);
	int rc = -1, conn = -1, master = -1;
	exitwatch watch = {.events = -1, .pidfd = -1};
	pid_t child = -1, standin = -1;
	/* argv is `pct exec <vmid> -- <in the CT...>`: entered directly, the
	 * part after "--" (src/ct_enter.h) */
	if (direct ? ct_enter_start(direct->standin, direct->standin_start, argv + 4, &child, err) < 0
		   : spawn_start(argv, true, &child, err) < 0)
		goto out;
	pid_t pid = init_sync_accept(lfd, timeout, &conn, err);
	if (pid <= 0)
		goto fail;
	unsigned long long start = proc_start_time(pid);
	/* subscribed before the handover: the process cannot run before it */
	if (exitwatch_open(&watch, pid, start, err) < 0)
		goto fail;
	int fds[HANDOVER_FDS_MAX];
	size_t n;
	if (handover_caller_fds(tty, o->preserve_fds, fds, &n, err) < 0)
		goto fail;
	init_handover h = {.fds = fds, .nfds = n, .tty = tty};
	if (init_handover_send(conn, &h, &master, timeout, err) < 0)
		goto fail;
	if (master >= 0 && console_socket_send(o->console_socket, master, err) < 0)
		goto fail;
	standin_opts so = {.watch = &watch, .id = o->id, .join = false, .pidns = -1, .state_dirfd = -1};
	if ((standin = standin_spawn(&so, err)) < 0)
		goto fail;
	if (o->pid_file) {
		char buf[32];
		int len = snprintf(buf, sizeof buf, "%d", (int)standin);
		if (fs_write_atomic(o->pid_file, buf, (size_t)len, 0644, err) < 0)
			goto fail;
	}
	if (o->detach) {
		rc = 0;
		goto out;
	}
	int status;
	while (waitpid(standin, &status, 0) < 0 && errno == EINTR)
		;
	rc = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
	spawn_wait(child);
	goto out;
fail:
	if (child > 0) {
		kill(child, SIGKILL);
		spawn_wait(child);
	}
	nx_err_wrap(err, "exec");
out:
	exitwatch_close(&watch);
	if (master >= 0)
		close(master);
	if (conn >= 0)
		close(conn);
	close(lfd);
	unlink(sock);
	return rc;
}

int container_exec(nx_ctx *ctx, const exec_opts *o, nx_err *err)
{
	nx_state st;
	nx_status status;
	if (container_load(ctx, o->id, &st, &status, err) < 0)
		return -1;
	int rc = -1;
	nx_process p = {0};
	exec_argv a = {0};
	bool tty = false;
	cleanup_free char *ctr = state_ctr_dir(ctx->opts->root, o->id);
	if (status != NX_RUNNING && status != NX_CREATED) {
		nx_err_set(err, "cannot exec in a %s container", state_status_name(status));
		goto out;
	}
	if (exec_process(ctr, o, &p, &tty, err) < 0)
		goto out;
	char sock_name[64];
	snprintf(sock_name, sizeof sock_name, "exec-%d.sock", (int)getpid());
	if (exec_pct_argv(&st, &p, sock_name, &a, err) < 0)
		goto out;
	const char *pct_path;
	double timeout;
	container_pct(&st, &pct_path, &timeout);
	/* the children must not inherit (and print again) what stdout buffers */
	fflush(stdout);
	/* a program in another pid namespace: `pct exec` would start the
	 * process in the CT's own, which /proc does not show */
	rc = exec_reported(ctr, sock_name, a.v, p.keeper ? &st : NULL, o, tty, timeout, err);
out:
	free_argv(&a);
	exec_process_free(&p);
	state_free(&st);
	return rc;
}
