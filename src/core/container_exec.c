/* exec: a new process in a running container, entered the way runc's exec
 * enters one (through the stand-in, see exec_enters_directly) or, where
 * that would miss something, through `pct exec` (LXC's attach), into
 * nexcage-init's exec mode, which applies the OCI process settings (user,
 * cwd, env, capabilities, seccomp) exactly. Defaults come from the
 * container's own process, as with runc. */
#define _GNU_SOURCE
#include "core/container_exec.h"
#include "core/ct_enter.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/cleanup.h"
#include "site/config.h"
#include "core/container.h"
#include "core/context.h"
#include "core/exitwatch.h"
#include "core/fg_wait.h"
#include "util/fsutil.h"
#include "core/init_spec.h"
#include "util/json.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/spawn.h"
#include "core/standin.h"
#include "util/strv.h"
#include "util/xalloc.h"

typedef struct exec_argv {
	char **v;
	size_t n;
} exec_argv;

static void arg(exec_argv *a, const char *s)
{
	strv_push(&a->v, &a->n, s);
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
		strv_push(&p->args, &p->nargs, c->string);
	}
	const json_value *env = json_get(doc, "env");
	if (env && env->type == JSON_ARRAY) {
		strv_clear(p->env, &p->nenv);
		for (const json_value *c = env->child; c; c = c->next)
			if (c->type == JSON_STRING)
				strv_push(&p->env, &p->nenv, c->string);
	}
	const char *cwd = json_get_string(doc, "cwd");
	if (cwd) {
		free(p->cwd);
		p->cwd = xstrdup(cwd);
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
out:
	json_free(doc);
	return rc;
}

static void replace_env(nx_process *p, const char *kv)
{
	size_t klen = strcspn(kv, "=");
	for (size_t i = 0; i < p->nenv; i++)
		if (!strncmp(p->env[i], kv, klen) && p->env[i][klen] == '=') {
			free(p->env[i]);
			p->env[i] = xstrdup(kv);
			return;
		}
	strv_push(&p->env, &p->nenv, kv);
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
/* p: the container's process (init_process_read), changed in place. */
static int exec_process(const exec_opts *o, bool direct, nx_process *p, bool *tty, nx_err *err)
{
	if (!direct && seccomp_needs_nnp(p)) {
		log_debug("exec: no_new_privileges set, to load the container's seccomp filter without "
			  "CAP_SYS_ADMIN");
		p->no_new_privileges = true;
	}
	if (o->process_file && exec_process_load(o->process_file, p, err) < 0)
		return -1;
	if (o->args && o->args[0]) {
		strv_clear(p->args, &p->nargs);
		for (char *const *a = o->args; *a; a++)
			strv_push(&p->args, &p->nargs, *a);
	}
	for (size_t i = 0; i < o->nenv; i++)
		replace_env(p, o->env[i]);
	*tty = o->tty || (o->process_file && p->terminal);
	if (*tty && !o->console_socket)
		return nx_err_set(err, "exec: a terminal needs --console-socket to receive it");
	if (o->cwd) {
		free(p->cwd);
		p->cwd = xstrdup(o->cwd);
	}
	if (o->set_uid)
		p->uid = o->uid;
	if (o->set_gid)
		p->gid = o->gid;
	return 0;
}

/* What lxc-attach gives the process that an entered one must be given:
 * the CT init's bounding set (LXC's lxc.cap.drop and config.json's), its
 * AppArmor label, and the container's rlimits. */
typedef struct ct_confinement {
	char bounding[32]; /* CapBnd, hex */
	char label[256];   /* "" when unconfined */
} ct_confinement;

static int ct_confinement_read(pid_t init, ct_confinement *c, nx_err *err)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/status", (int)init);
	cleanup_free char *status = NULL;
	if (fs_read_file(path, 1u << 20, &status, NULL, err) < 0)
		return nx_err_wrap(err, "the container's init");
	const char *bnd = strstr(status, "\nCapBnd:\t");
	if (!bnd || sscanf(bnd + 9, "%31[0-9a-f]", c->bounding) != 1)
		return nx_err_set(err, "%s: no CapBnd line", path);
	snprintf(path, sizeof path, "/proc/%d/attr/current", (int)init);
	cleanup_free char *label = NULL;
	nx_err e = {0}; /* no AppArmor on this host: nothing to apply */
	c->label[0] = '\0';
	if (fs_read_file(path, 4096, &label, NULL, &e) == 0) {
		label[strcspn(label, "\n")] = '\0';
		char *mode = strstr(label, " (");
		if (mode)
			*mode = '\0';
		if (*label && strcmp(label, "unconfined"))
			snprintf(c->label, sizeof c->label, "%s", label);
	}
	return 0;
}

static void direct_args(exec_argv *a, const nx_process *p, const ct_confinement *c)
{
	arg(a, "--ct-bounding");
	arg(a, c->bounding);
	if (*c->label) {
		arg(a, "--apparmor");
		arg(a, c->label);
	}
	for (size_t i = 0; i < p->nrlimits; i++) {
		char lim[96];
		snprintf(lim, sizeof lim, "%s %llu %llu", p->rlimits[i].type, p->rlimits[i].soft, p->rlimits[i].hard);
		arg(a, "--rlimit");
		arg(a, lim);
	}
}

/* pct exec <vmid> -- nexcage-init exec <the process's settings> -- args
 * (entered directly: only the part after "--", with the confinement) */
static int exec_pct_argv(const nx_state *st, const nx_process *p, const char *sock_name,
			 const ct_confinement *direct, exec_argv *a, nx_err *err)
{
	char num[32];
	nx_pct pct = container_pct(st);
	pct_exec_argv(&pct, st->vmid, &a->v, &a->n);
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
	if (direct)
		direct_args(a, p, direct);
	if (p->has_seccomp) { /* the container's filter, as runc gives an exec'd process */
		snprintf(num, sizeof num, "%u", p->seccomp_flags);
		arg(a, "--seccomp");
		arg(a, num);
	}
	for (int i = 0; p->has_caps && i < 5; i++) {
		arg(a, "--cap");
		strv_pushf(&a->v, &a->n, "%s=%s", nx_cap_sets[i], p->caps[i] ? p->caps[i] : "");
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

/* The end of what pct exec (or the entering child) printed, for an error
 * that says why it gave up: its last lines, at most ~2 KiB. */
static void output_tail(int fd, char *out, size_t n)
{
	out[0] = '\0';
	off_t end = lseek(fd, 0, SEEK_END);
	if (end <= 0)
		return;
	off_t from = end > (off_t)(n - 1) ? end - (off_t)(n - 1) : 0;
	ssize_t got = pread(fd, out, n - 1, from);
	if (got <= 0)
		return;
	out[got] = '\0';
	size_t len = (size_t)got;
	while (len && (out[len - 1] == '\n' || out[len - 1] == ' '))
		out[--len] = '\0';
	for (char *c = out; *c; c++)
		if (*c == '\n')
			*c = ' ';
}

/* Wait for the new process to connect, or for the child that starts it to
 * end first: pct exec that failed (no such CT, the init's directory gone)
 * is an error now, with pct's words, not after the whole timeout. */
static int await_report(int lfd, pid_t child, int out_fd, double timeout, nx_err *err)
{
	int pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	struct pollfd pf[2] = {{lfd, POLLIN, 0}, {pidfd, POLLIN, 0}};
	int pr;
	do
		pr = poll(pf, pidfd >= 0 ? 2 : 1, (int)(timeout * 1000));
	while (pr < 0 && errno == EINTR);
	if (pidfd >= 0)
		close(pidfd);
	if (pr > 0 && (pf[0].revents & POLLIN))
		return 0;
	if (pr == 0)
		return nx_err_kind_set(err, NX_ERR_TIMED_OUT, "the new process did not report within %.0fs",
				       timeout);
	if (pr < 0)
		return nx_err_sys(err, errno, "poll");
	int status = spawn_wait(child);
	char said[2048];
	output_tail(out_fd, said, sizeof said);
	return nx_err_set(err, "the process could not be started in the container (exit %d)%s%s", status,
			  *said ? ": " : "", said);
}

/* exec-<pid>-<start>.sock of an exec that was killed before it could
 * remove it: gone once no process of that pid and start time runs. */
static void sweep_report_sockets(const char *ctr)
{
	DIR *d = opendir(ctr);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		int pid;
		unsigned long long start;
		char tail[8];
		if (sscanf(de->d_name, "exec-%d-%llu.so%2s", &pid, &start, tail) != 3 || strcmp(tail, "ck") ||
		    proc_is_alive(pid, start))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			log_debug("exec: removed %s, left by a killed exec", de->d_name);
	}
	if (d)
		closedir(d);
}

/* The new process reports its host pid (SO_PEERCRED) like the init and
 * takes its descriptors from us: our 0-2 (or a pty made in the CT, whose
 * master goes to --console-socket) and --preserve-fds. A stand-in watches
 * it; the pid file names the stand-in, which exits as the process does, so
 * an engine that reaps that pid gets the process's status (see standin.h).
 * pct exec itself gets /dev/null: it must not hold the caller's pipes. */
static int exec_reported(const char *ctr, const char *sock_name, char **argv, const nx_state *direct,
			 const exec_opts *o, bool tty, double timeout, const fg_signals *sigs, nx_err *err)
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
	int rc = -1, conn = -1, master = -1, out_fd = -1;
	exitwatch watch = {.events = -1, .pidfd = -1};
	pid_t child = -1, standin = -1;
	/* argv is `pct exec <vmid> -- <in the CT...>`: entered directly, the
	 * part after "--" (src/core/ct_enter.h) */
	out_fd = memfd_create("exec-output", MFD_CLOEXEC);
	if (out_fd < 0) {
		nx_err_sys(err, errno, "memfd_create");
		goto out;
	}
	if (direct ? ct_enter_start(direct->standin, direct->standin_start, argv + 4, out_fd, &child, err) < 0
		   : spawn_start(argv, out_fd, &child, err) < 0)
		goto out;
	if (await_report(lfd, child, out_fd, timeout, err) < 0) {
		if (!nx_err_is(err, NX_ERR_TIMED_OUT))
			child = -1; /* reaped */
		goto fail;
	}
	pid_t pid = init_sync_accept(lfd, timeout, &conn, err);
	/* connected or not, the name has served: nothing to leave behind */
	unlink(sock);
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
	rc = fg_wait(sigs, standin, err);
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
	if (out_fd >= 0)
		close(out_fd);
	if (master >= 0)
		close(master);
	if (conn >= 0)
		close(conn);
	close(lfd);
	unlink(sock);
	return rc;
}

/* runc's exec enters the container's namespaces itself, and so does
 * nexcage's, through the stand-in (src/core/ct_enter.h), which lives in all of
 * them: no pct call, and the new process starts as root of the host, so
 * it can take the user and the seccomp filter as the container's own
 * program did (under pct exec it starts with the CT init's capabilities:
 * without CAP_SETUID it cannot change its user, without CAP_SYS_ADMIN it
 * needs no_new_privileges to load a filter). What lxc-attach applies
 * besides, the new process takes from the CT's init (bounding set,
 * AppArmor label) and from the container (rlimits). pct exec stays where
 * entering would miss something: a CT with a user namespace (the stand-in
 * is not in it) and `lxc_seccomp = "proxmox"` (LXC's own filter). */
static bool exec_enters_directly(const nx_state *st, const nx_process *p, const nx_config *cfg)
{
	if (p->keeper)
		return true; /* the program's pid namespace, which pct exec misses */
	if (cfg->lxc_seccomp && !strcmp(cfg->lxc_seccomp, "proxmox"))
		return false;
	char path[64];
	struct stat ct, self;
	snprintf(path, sizeof path, "/proc/%d/ns/user", (int)st->pid);
	return stat(path, &ct) == 0 && stat("/proc/self/ns/user", &self) == 0 && ct.st_ino == self.st_ino &&
	       ct.st_dev == self.st_dev;
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
	const nx_config *cfg = ctx_config(ctx, err);
	if (!cfg)
		goto out;
	/* the container's process: its keeper flag decides the way in */
	if (init_process_read(ctr, &p, err) < 0)
		goto out;
	bool direct = exec_enters_directly(&st, &p, cfg);
	if (exec_process(o, direct, &p, &tty, err) < 0)
		goto out;
	ct_confinement conf;
	if (direct && ct_confinement_read(st.pid, &conf, err) < 0)
		goto out;
	char sock_name[64];
	snprintf(sock_name, sizeof sock_name, "exec-%d-%llu.sock", (int)getpid(), proc_start_time(getpid()));
	sweep_report_sockets(ctr);
	if (exec_pct_argv(&st, &p, sock_name, direct ? &conf : NULL, &a, err) < 0)
		goto out;
	double timeout = container_pct(&st).timeout;
	/* the children must not inherit (and print again) what stdout buffers */
	fflush(stdout);
	/* a program in another pid namespace: `pct exec` would start the
	 * process in the CT's own, which /proc does not show */
	/* in the foreground, signals go to the process (blocked before it
	 * starts, so none is lost); detached, they are the caller's own */
	fg_signals sigs = {.fd = -1};
	if (!o->detach && fg_signals_block(&sigs, err) < 0)
		goto out;
	rc = exec_reported(ctr, sock_name, a.v, direct ? &st : NULL, o, tty, timeout, &sigs, err);
	fg_signals_restore(&sigs);
out:
	strv_free(a.v);
	exec_process_free(&p);
	state_free(&st);
	return rc;
}
