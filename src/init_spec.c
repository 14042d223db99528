#define _GNU_SOURCE
#include "init_spec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cleanup.h"
#include "fsutil.h"
#include "init_blob.h"

static void put_pair(nx_buf *b, const char *key, const char *value)
{
	buf_append(b, key, strlen(key) + 1);
	buf_append(b, value, strlen(value) + 1);
}

static int write_process_file(const char *path, const nx_process *p, uid_t uid, gid_t gid, nx_err *err)
{
	nx_buf b = {0};
	char num[64];
	for (size_t i = 0; i < p->nargs; i++)
		put_pair(&b, "arg", p->args[i]);
	for (size_t i = 0; i < p->nenv; i++)
		put_pair(&b, "env", p->env[i]);
	put_pair(&b, "cwd", p->cwd ? p->cwd : "/");
	snprintf(num, sizeof num, "%lu", p->uid);
	put_pair(&b, "uid", num);
	snprintf(num, sizeof num, "%lu", p->gid);
	put_pair(&b, "gid", num);
	for (size_t i = 0; i < p->ngroups; i++) {
		snprintf(num, sizeof num, "%lu", p->groups[i]);
		put_pair(&b, "group", num);
	}
	if (p->umask >= 0) {
		snprintf(num, sizeof num, "%ld", p->umask);
		put_pair(&b, "umask", num);
	}
	put_pair(&b, "no_new_privileges", p->no_new_privileges ? "1" : "0");
	if (p->has_oom_score_adj) {
		snprintf(num, sizeof num, "%ld", p->oom_score_adj);
		put_pair(&b, "oom_score_adj", num);
	}
	for (size_t i = 0; i < p->nsysctl; i++) {
		char kv[4096];
		snprintf(kv, sizeof kv, "%s=%s", p->sysctl[i].key, p->sysctl[i].value);
		put_pair(&b, "sysctl", kv);
	}
	for (size_t i = 0; i < p->nrlimits; i++) {
		char rl[128];
		snprintf(rl, sizeof rl, "%s %llu %llu", p->rlimits[i].type, p->rlimits[i].soft,
			 p->rlimits[i].hard);
		put_pair(&b, "rlimit", rl);
	}
	int rc =
	    b.oom ? nx_err_sys(err, ENOMEM, "process file") : fs_write_atomic(path, b.data, b.len, 0600, err);
	buf_free(&b);
	if (rc == 0 && chown(path, uid, gid) < 0)
		rc = nx_err_sys(err, errno, "chown %s", path);
	return rc;
}

int init_dir_prepare(const char *ctr_dir, const nx_process *p, uid_t root_uid, gid_t root_gid, nx_err *err)
{
	if (fs_mkdir_p(ctr_dir, 0755, err) < 0)
		return -1;
	cleanup_free char *init = fs_join(ctr_dir, "init");
	cleanup_free char *process = fs_join(ctr_dir, "process");
	cleanup_free char *fifo = fs_join(ctr_dir, "exec.fifo");
	if (fs_write_atomic(init, nx_init_blob, (size_t)(nx_init_blob_end - nx_init_blob), 0755, err) < 0)
		return -1;
	if (write_process_file(process, p, root_uid, root_gid, err) < 0)
		return -1;
	if (mkfifo(fifo, 0600) < 0 && errno != EEXIST)
		return nx_err_sys(err, errno, "mkfifo %s", fifo);
	if (chown(fifo, root_uid, root_gid) < 0)
		return nx_err_sys(err, errno, "chown %s", fifo);
	return 0;
}

int init_sync_listen(const char *ctr_dir, uid_t root_uid, gid_t root_gid, nx_err *err)
{
	return init_socket_listen(ctr_dir, "sync.sock", root_uid, root_gid, err);
}

int init_socket_listen(const char *ctr_dir, const char *name, uid_t root_uid, gid_t root_gid, nx_err *err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (snprintf(addr.sun_path, sizeof addr.sun_path, "%s/%s", ctr_dir, name) >=
	    (int)sizeof addr.sun_path)
		return nx_err_set(err, "%s: path too long for a unix socket (use a shorter --root)", ctr_dir);
	unlink(addr.sun_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return nx_err_sys(err, errno, "socket");
	if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 ||
	    chown(addr.sun_path, root_uid, root_gid) < 0 || chmod(addr.sun_path, 0600) < 0 ||
	    listen(fd, 1) < 0) {
		int e = errno;
		close(fd);
		return nx_err_sys(err, e, "listen on %s", addr.sun_path);
	}
	return fd;
}

pid_t init_sync_accept(int listen_fd, double timeout, nx_err *err)
{
	struct pollfd pf = {listen_fd, POLLIN, 0};
	int pr;
	do
		pr = poll(&pf, 1, (int)(timeout * 1000));
	while (pr < 0 && errno == EINTR);
	if (pr == 0)
		return nx_err_set(err, "the container's init did not report within %.0fs", timeout);
	if (pr < 0)
		return nx_err_sys(err, errno, "poll");
	int c = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return nx_err_sys(err, errno, "accept");
	struct ucred cred;
	socklen_t len = sizeof cred;
	int rc = getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &len);
	char buf[16] = "";
	(void)!read(c, buf, sizeof buf - 1);
	(void)!send(c, "k", 1, MSG_NOSIGNAL);
	close(c);
	if (rc < 0)
		return nx_err_sys(err, errno, "SO_PEERCRED");
	if (strncmp(buf, "ready", 5))
		return nx_err_set(err, "the container's init sent an unexpected greeting");
	return cred.pid;
}

int init_release(const char *ctr_dir, double timeout, nx_err *err)
{
	cleanup_free char *fifo = fs_join(ctr_dir, "exec.fifo");
	/* Non-blocking open: a reader open succeeds at once; the init's
	 * blocked writer open completes and it writes its byte. */
	cleanup_close int fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return nx_err_sys(err, errno, "open %s", fifo);
	struct pollfd pf = {fd, POLLIN, 0};
	int pr;
	do
		pr = poll(&pf, 1, (int)(timeout * 1000));
	while (pr < 0 && errno == EINTR);
	char c;
	if (pr <= 0 || read(fd, &c, 1) != 1)
		return nx_err_set(err, "the container's init did not take the start signal");
	unlink(fifo);
	return 0;
}

/* Proxmox maps an unprivileged CT's root to 100000 unless lxc.idmap says
 * otherwise ("u 0 <host> <count>"). */
void plan_root_ids(const nx_plan *plan, uid_t *uid, gid_t *gid)
{
	*uid = 0;
	*gid = 0;
	const char *unpriv = plan_option(plan, "unprivileged");
	bool mapped = unpriv && (!strcmp(unpriv, "1") || !strcasecmp(unpriv, "yes") ||
				 !strcasecmp(unpriv, "true") || !strcasecmp(unpriv, "on"));
	if (mapped)
		*uid = *gid = 100000;
	for (size_t i = 0; i < plan->n_lxc; i++) {
		if (strcmp(plan->lxc[i].key, "lxc.idmap"))
			continue;
		char kind;
		unsigned long inside, host, count;
		if (sscanf(plan->lxc[i].value, " %c %lu %lu %lu", &kind, &inside, &host, &count) == 4 &&
		    inside == 0) {
			if (kind == 'u')
				*uid = (uid_t)host;
			else if (kind == 'g')
				*gid = (gid_t)host;
		}
	}
}

static int vec_push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, sizeof(char *) * (*n + 2));
	if (!nv)
		return -1;
	*v = nv;
	nv[(*n)++] = strdup(s);
	nv[*n] = NULL;
	return 0;
}

int init_process_read(const char *ctr_dir, nx_process *p, nx_err *err)
{
	memset(p, 0, sizeof *p);
	p->umask = -1;
	cleanup_free char *path = fs_join(ctr_dir, "process");
	cleanup_free char *data = NULL;
	size_t len;
	if (fs_read_file(path, 64u << 20, &data, &len, err) < 0)
		return -1;
	for (char *cur = data, *end = data + len; cur < end;) {
		char *key = cur, *val = key + strlen(key) + 1;
		if (val >= end)
			break;
		cur = val + strlen(val) + 1;
		int rc = 0;
		if (!strcmp(key, "arg"))
			rc = vec_push(&p->args, &p->nargs, val);
		else if (!strcmp(key, "env"))
			rc = vec_push(&p->env, &p->nenv, val);
		else if (!strcmp(key, "cwd"))
			p->cwd = strdup(val);
		else if (!strcmp(key, "uid"))
			p->uid = strtoul(val, NULL, 10);
		else if (!strcmp(key, "gid"))
			p->gid = strtoul(val, NULL, 10);
		else if (!strcmp(key, "group")) {
			unsigned long *ng = realloc(p->groups, sizeof(unsigned long) * (p->ngroups + 1));
			if (!ng)
				rc = -1;
			else
				(p->groups = ng)[p->ngroups++] = strtoul(val, NULL, 10);
		} else if (!strcmp(key, "no_new_privileges"))
			p->no_new_privileges = val[0] == '1';
		if (rc < 0)
			return nx_err_sys(err, ENOMEM, "%s", path);
	}
	return 0;
}
