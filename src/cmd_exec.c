/* exec: a new process in a running container, through `pct exec` (LXC's
 * attach: namespaces, cgroup, capabilities and AppArmor exactly as Proxmox
 * sets them) into nexcage-init's exec mode, which applies the OCI process
 * settings (user, cwd, env) exactly. Defaults come from the container's own
 * process, as with runc. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "commands.h"
#include "container.h"
#include "exitwatch.h"
#include "fsutil.h"
#include "init_spec.h"
#include "json.h"
#include "proc.h"
#include "spawn.h"
#include "standin.h"

#define MAX_EXEC_ARGS 8192

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
	a->v[a->n++] = strdup(s);
	a->v[a->n] = NULL;
}

static void free_argv(exec_argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
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

/* --process FILE: an OCI process object (args, env, cwd, user, terminal,
 * capabilities). */
static int load_process_json(const char *path, nx_process *p, nx_err *err)
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
	for (size_t i = 0; i < p->nargs; i++)
		free(p->args[i]);
	p->nargs = 0;
	for (const json_value *c = args->child; c; c = c->next) {
		if (c->type != JSON_STRING) {
			rc = nx_err_set(err, "%s: args: must be strings", path);
			goto out;
		}
		p->args = realloc(p->args, sizeof(char *) * (p->nargs + 2));
		p->args[p->nargs++] = strdup(c->string);
		p->args[p->nargs] = NULL;
	}
	const json_value *env = json_get(doc, "env");
	if (env && env->type == JSON_ARRAY) {
		for (size_t i = 0; i < p->nenv; i++)
			free(p->env[i]);
		p->nenv = 0;
		for (const json_value *c = env->child; c; c = c->next)
			if (c->type == JSON_STRING) {
				p->env = realloc(p->env, sizeof(char *) * (p->nenv + 2));
				p->env[p->nenv++] = strdup(c->string);
				p->env[p->nenv] = NULL;
			}
	}
	const char *cwd = json_get_string(doc, "cwd");
	if (cwd) {
		free(p->cwd);
		p->cwd = strdup(cwd);
	}
	const json_value *user = json_get(doc, "user");
	if (user) {
		p->uid = (unsigned long)json_get_int(user, "uid", (long long)p->uid);
		p->gid = (unsigned long)json_get_int(user, "gid", (long long)p->gid);
	}
	const json_value *term = json_get(doc, "terminal");
	p->terminal = term && term->type == JSON_BOOL && term->boolean;
	const json_value *caps = json_get(doc, "capabilities");
	if (caps && caps->type == JSON_OBJECT && (rc = caps_from_json(caps, p, path, err)) < 0)
		goto out;
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
			p->env[i] = strdup(kv);
			return;
		}
	p->env = realloc(p->env, sizeof(char *) * (p->nenv + 2));
	p->env[p->nenv++] = strdup(kv);
	p->env[p->nenv] = NULL;
}

static void free_process(nx_process *p)
{
	for (size_t i = 0; i < p->nargs; i++)
		free(p->args[i]);
	free(p->args);
	for (size_t i = 0; i < p->nenv; i++)
		free(p->env[i]);
	free(p->env);
	free(p->cwd);
	free(p->groups);
	for (int i = 0; i < 5; i++)
		free(p->caps[i]);
}

typedef struct exec_io {
	bool detach, tty;
	const char *pid_file, *console_socket;
	int preserve_fds;
} exec_io;

/* The new process reports its host pid (SO_PEERCRED) like the init and
 * takes its descriptors from us: our 0-2 (or a pty made in the CT, whose
 * master goes to --console-socket) and --preserve-fds. A stand-in watches
 * it; the pid file names the stand-in, which exits as the process does, so
 * an engine that reaps that pid gets the process's status (see standin.h).
 * pct exec itself gets /dev/null: it must not hold the caller's pipes. */
static int exec_reported(const char *ctr, const char *sock_name, char **argv, const exec_io *io,
			 double timeout, const char *id, nx_err *err)
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
	int rc = -1, conn = -1, master = -1, watch = -1;
	pid_t child = -1, standin = -1;
	if (spawn_start(argv, true, &child, err) < 0)
		goto out;
	pid_t pid = init_sync_accept(lfd, timeout, &conn, err);
	if (pid <= 0)
		goto fail;
	unsigned long long start = proc_start_time(pid);
	/* subscribed before the handover: the process cannot run before it */
	if ((watch = exitwatch_open(err)) < 0)
		goto fail;
	int fds[HANDOVER_FDS_MAX];
	size_t n;
	if (handover_caller_fds(io->tty, io->preserve_fds, fds, &n, err) < 0)
		goto fail;
	init_handover h = {.fds = fds, .nfds = n, .tty = io->tty};
	if (init_handover_send(conn, &h, &master, timeout, err) < 0)
		goto fail;
	if (master >= 0 && console_socket_send(io->console_socket, master, err) < 0)
		goto fail;
	if ((standin = standin_spawn(pid, start, watch, id, err)) < 0)
		goto fail;
	if (io->pid_file) {
		char buf[32];
		int len = snprintf(buf, sizeof buf, "%d", (int)standin);
		if (fs_write_atomic(io->pid_file, buf, (size_t)len, 0644, err) < 0)
			goto fail;
	}
	if (io->detach) {
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
	if (watch >= 0)
		close(watch);
	if (master >= 0)
		close(master);
	if (conn >= 0)
		close(conn);
	close(lfd);
	unlink(sock);
	return rc;
}

int cmd_exec(nx_ctx *ctx, int argc, char **argv, nx_err *err)
{
	static const struct option longopts[] = {
	    {"process", required_argument, NULL, 'p'},	    {"detach", no_argument, NULL, 'd'},
	    {"pid-file", required_argument, NULL, 'P'},	    {"cwd", required_argument, NULL, 'c'},
	    {"env", required_argument, NULL, 'e'},	    {"tty", no_argument, NULL, 't'},
	    {"user", required_argument, NULL, 'u'},	    {"console-socket", required_argument, NULL, 'C'},
	    {"preserve-fds", required_argument, NULL, 'F'}, {NULL, 0, NULL, 0},
	};
	const char *process_file = NULL, *cwd = NULL, *user = NULL;
	const char *envs[256];
	size_t nenvs = 0;
	exec_io io = {0};
	bool tty_flag = false;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+p:de:tu:", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': process_file = optarg; break;
		case 'd': io.detach = true; break;
		case 'P': io.pid_file = optarg; break;
		case 'C': io.console_socket = optarg; break;
		case 'F': {
			char *end;
			long nfds = strtol(optarg, &end, 10);
			if (*end || !*optarg || nfds < 0 || nfds > 240)
				return cli_usage_error("exec", err, "--preserve-fds: a number from 0 to 240");
			io.preserve_fds = (int)nfds;
			break;
		}
		case 'c': cwd = optarg; break;
		case 'e':
			if (nenvs == 256 || !strchr(optarg, '=') || optarg[0] == '=')
				return cli_usage_error("exec", err, "--env takes NAME=value (at most 256)");
			envs[nenvs++] = optarg;
			break;
		case 't': tty_flag = true; break;
		case 'u': user = optarg; break;
		default: return cli_usage_error("exec", err, "unknown flag '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind < 1)
		return cli_usage_error("exec", err, "requires a container id");
	const char *id = argv[optind++];
	if (!process_file && optind >= argc)
		return cli_usage_error("exec", err, "requires a command (or --process)");
	nx_state st;
	nx_status status;
	if (container_load(ctx, id, &st, &status, err) < 0)
		return -1;
	int rc = -1;
	nx_process p;
	exec_argv a = {0};
	cleanup_free char *ctr = state_ctr_dir(ctx->opts->root, id);
	memset(&p, 0, sizeof p);
	if (status != NX_RUNNING && status != NX_CREATED) {
		nx_err_set(err, "cannot exec in a %s container", state_status_name(status));
		goto out;
	}
	if (init_process_read(ctr, &p, err) < 0)
		goto out;
	if (process_file && load_process_json(process_file, &p, err) < 0)
		goto out;
	if (optind < argc) {
		for (size_t i = 0; i < p.nargs; i++)
			free(p.args[i]);
		p.nargs = 0;
		for (int i = optind; i < argc; i++) {
			p.args = realloc(p.args, sizeof(char *) * (p.nargs + 2));
			p.args[p.nargs++] = strdup(argv[i]);
			p.args[p.nargs] = NULL;
		}
	}
	for (size_t i = 0; i < nenvs; i++)
		replace_env(&p, envs[i]);
	io.tty = tty_flag || (process_file && p.terminal);
	if (io.tty && !io.console_socket) {
		nx_err_set(err, "exec: a terminal needs --console-socket to receive it");
		goto out;
	}
	if (cwd) {
		free(p.cwd);
		p.cwd = strdup(cwd);
	}
	if (user) {
		char *end;
		p.uid = strtoul(user, &end, 10);
		if (*end == ':')
			p.gid = strtoul(end + 1, &end, 10);
		if (*end || !*user) {
			nx_err_set(err, "exec: --user takes UID[:GID] (numbers)");
			goto out;
		}
	}
	const char *pct_path;
	double timeout;
	container_pct(&st, &pct_path, &timeout);
	char vmid[32], num[32];
	snprintf(vmid, sizeof vmid, "%ld", st.vmid);
	arg(&a, pct_path);
	arg(&a, "exec");
	arg(&a, vmid);
	arg(&a, "--");
	arg(&a, NX_CTR_INIT);
	arg(&a, "exec");
	arg(&a, "--cwd");
	arg(&a, p.cwd ? p.cwd : "/");
	snprintf(num, sizeof num, "%lu", p.uid);
	arg(&a, "--uid");
	arg(&a, num);
	snprintf(num, sizeof num, "%lu", p.gid);
	arg(&a, "--gid");
	arg(&a, num);
	for (size_t i = 0; i < p.ngroups; i++) {
		snprintf(num, sizeof num, "%lu", p.groups[i]);
		arg(&a, "--group");
		arg(&a, num);
	}
	arg(&a, "--no-new-privileges");
	arg(&a, p.no_new_privileges ? "1" : "0");
	for (int i = 0; p.has_caps && i < 5; i++) {
		char *capv = NULL;
		if (asprintf(&capv, "%s=%s", nx_cap_sets[i], p.caps[i] ? p.caps[i] : "") < 0)
			goto out;
		arg(&a, "--cap");
		arg(&a, capv);
		free(capv);
	}
	/* the process reports its host pid over a socket, like the init */
	char sock_name[64];
	snprintf(sock_name, sizeof sock_name, "exec-%d.sock", (int)getpid());
	char report[128];
	snprintf(report, sizeof report, "%s/%s", NX_CTR_MOUNTPOINT, sock_name);
	arg(&a, "--report");
	arg(&a, report);
	for (size_t i = 0; i < p.nenv; i++) {
		arg(&a, "--env");
		arg(&a, p.env[i]);
	}
	arg(&a, "--");
	for (size_t i = 0; i < p.nargs; i++)
		arg(&a, p.args[i]);
	if (a.oom || a.n > MAX_EXEC_ARGS) {
		nx_err_set(err, "exec: command line too long");
		goto out;
	}
	fflush(stdout);
	rc = exec_reported(ctr, sock_name, a.v, &io, timeout, id, err);
out:
	free_argv(&a);
	free_process(&p);
	state_free(&st);
	return rc;
}
