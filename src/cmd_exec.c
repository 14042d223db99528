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
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "commands.h"
#include "container.h"
#include "fsutil.h"
#include "init_spec.h"
#include "json.h"
#include "spawn.h"

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

/* --process FILE: an OCI process object (args, env, cwd, user). */
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
}

static int exec_foreground(char **argv, nx_err *err)
{
	int status = 0;
	if (spawn_interactive(argv, &status, err) < 0)
		return -1;
	return status;
}

/* --pid-file / --detach: start pct exec, learn the process's host pid from
 * its report (SO_PEERCRED), write the pid file, then wait unless detached. */
static int exec_reported(const char *ctr, const char *sock_name, char **argv, bool detach,
			 const char *pid_file, double timeout, nx_err *err)
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
	int rc = -1;
	pid_t child;
	if (spawn_start(argv, detach, &child, err) < 0)
		goto out;
	int conn = -1;
	pid_t pid = init_sync_accept(lfd, timeout, &conn, err);
	if (pid > 0) {
		init_handover h = {0};
		if (init_handover_send(conn, &h, NULL, timeout, err) < 0)
			pid = -1;
		close(conn);
	}
	if (pid <= 0) {
		kill(child, SIGKILL);
		spawn_wait(child);
		nx_err_wrap(err, "exec");
		goto out;
	}
	if (pid_file) {
		char buf[32];
		int len = snprintf(buf, sizeof buf, "%d", (int)pid);
		if (fs_write_atomic(pid_file, buf, (size_t)len, 0644, err) < 0) {
			if (!detach)
				spawn_wait(child);
			goto out;
		}
	}
	rc = detach ? 0 : spawn_wait(child);
out:
	close(lfd);
	unlink(sock);
	return rc;
}

int cmd_exec(nx_ctx *ctx, int argc, char **argv, nx_err *err)
{
	static const struct option longopts[] = {
	    {"process", required_argument, NULL, 'p'},	{"detach", no_argument, NULL, 'd'},
	    {"pid-file", required_argument, NULL, 'P'}, {"cwd", required_argument, NULL, 'c'},
	    {"env", required_argument, NULL, 'e'},	{"tty", no_argument, NULL, 't'},
	    {"user", required_argument, NULL, 'u'},	{NULL, 0, NULL, 0},
	};
	const char *process_file = NULL, *cwd = NULL, *user = NULL, *pid_file = NULL;
	const char *envs[256];
	size_t nenvs = 0;
	bool detach = false;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+p:de:tu:", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': process_file = optarg; break;
		case 'd': detach = true; break;
		case 'P': pid_file = optarg; break;
		case 'c': cwd = optarg; break;
		case 'e':
			if (nenvs == 256 || !strchr(optarg, '=') || optarg[0] == '=')
				return cli_usage_error("exec", err, "--env takes NAME=value (at most 256)");
			envs[nenvs++] = optarg;
			break;
		case 't': break; /* pct exec gives a pty when stdin is a terminal */
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
	char sock_name[64] = "";
	if (pid_file || detach) {
		/* the process reports its host pid over a socket, like the init */
		snprintf(sock_name, sizeof sock_name, "exec-%d.sock", (int)getpid());
		char report[128];
		snprintf(report, sizeof report, "%s/%s", NX_CTR_MOUNTPOINT, sock_name);
		arg(&a, "--report");
		arg(&a, report);
	}
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
	rc = sock_name[0] ? exec_reported(ctr, sock_name, a.v, detach, pid_file, timeout, err)
			  : exec_foreground(a.v, err);
out:
	free_argv(&a);
	free_process(&p);
	state_free(&st);
	return rc;
}
