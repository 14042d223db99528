#define _GNU_SOURCE
#include "core/init_spec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/cleanup.h"
#include "util/fsutil.h"
#include "init/protocol.h"
#include "core/init_blob.h"
#include "util/scm_rights.h"
#include "util/xalloc.h"

static void put_pair(nx_buf *b, const char *key, const char *value)
{
	buf_append(b, key, strlen(key) + 1);
	buf_append(b, value, strlen(value) + 1);
}

/* The process file (src/init/protocol.h): what nexcage-init applies in the
 * CT and execs. */
static void process_pairs(nx_buf *b, const nx_process *p)
{
	char num[64];
	for (size_t i = 0; i < p->nargs; i++)
		put_pair(b, NX_KEY_ARG, p->args[i]);
	for (size_t i = 0; i < p->nenv; i++)
		put_pair(b, NX_KEY_ENV, p->env[i]);
	put_pair(b, NX_KEY_CWD, p->cwd ? p->cwd : "/");
	snprintf(num, sizeof num, "%lu", p->uid);
	put_pair(b, NX_KEY_UID, num);
	snprintf(num, sizeof num, "%lu", p->gid);
	put_pair(b, NX_KEY_GID, num);
	for (size_t i = 0; i < p->ngroups; i++) {
		snprintf(num, sizeof num, "%lu", p->groups[i]);
		put_pair(b, NX_KEY_GROUP, num);
	}
	if (p->umask >= 0) {
		snprintf(num, sizeof num, "%ld", p->umask);
		put_pair(b, NX_KEY_UMASK, num);
	}
	put_pair(b, NX_KEY_NNP, p->no_new_privileges ? "1" : "0");
	if (p->has_oom_score_adj) {
		snprintf(num, sizeof num, "%ld", p->oom_score_adj);
		put_pair(b, NX_KEY_OOM, num);
	}
	if (p->hostname)
		put_pair(b, NX_KEY_HOSTNAME, p->hostname);
	put_pair(b, NX_KEY_TERMINAL, p->terminal ? "1" : "0");
	if (p->has_seccomp) {
		snprintf(num, sizeof num, "%u", p->seccomp_flags);
		put_pair(b, NX_KEY_SECCOMP, num);
	}
	for (int i = 0; p->has_caps && i < 5; i++) {
		char key[32];
		snprintf(key, sizeof key, NX_KEY_CAP_PREFIX "%s", nx_cap_sets[i]);
		put_pair(b, key, p->caps[i] ? p->caps[i] : "");
	}
	for (size_t i = 0; i < p->nrlimits; i++) {
		buf_printf(b, NX_KEY_RLIMIT "%c%s %llu %llu%c", 0, p->rlimits[i].type, p->rlimits[i].soft,
			   p->rlimits[i].hard, 0);
	}
}

/* How the init finishes the container, in the order it applies them. */
static void setup_pairs(nx_buf *b, const nx_plan *plan)
{
	const nx_process *p = &plan->process;
	for (size_t i = 0; i < p->nsysctl; i++)
		buf_printf(b, NX_KEY_SYSCTL "%c%s=%s%c", 0, p->sysctl[i].key, p->sysctl[i].value, 0);
	for (size_t i = 0; i < plan->n_readonly_paths; i++)
		put_pair(b, NX_KEY_READONLY, plan->readonly_paths[i]);
	for (size_t i = 0; i < plan->n_masked_paths; i++)
		put_pair(b, NX_KEY_MASK, plan->masked_paths[i]);
	for (size_t i = 0; i < p->ndevices; i++) {
		const struct nx_device *d = &p->devices[i];
		buf_printf(b, NX_KEY_DEVICE "%c%c %o %lu %lu %lu %lu %s%c", 0, d->type, d->mode, d->uid, d->gid,
			   d->major, d->minor, d->path, 0);
	}
	if (p->readonly_root)
		put_pair(b, NX_KEY_RO_ROOT, "1");
	for (size_t i = 0; i < p->njoin_ns; i++)
		if (!strcmp(p->join_ns[i].key, "pid"))
			put_pair(b, NX_KEY_KEEPER, "1");
}

static int write_process_file(const char *path, const nx_plan *plan, uid_t uid, gid_t gid, nx_err *err)
{
	nx_buf b = {0};
	process_pairs(&b, &plan->process);
	setup_pairs(&b, plan);
	int rc = fs_write_atomic(path, b.data, b.len, 0600, err);
	buf_free(&b);
	if (rc == 0 && chown(path, uid, gid) < 0)
		rc = nx_err_sys(err, errno, "chown %s", path);
	return rc;
}

int init_dir_prepare(const char *ctr_dir, const nx_plan *plan, uid_t root_uid, gid_t root_gid, nx_err *err)
{
	if (fs_mkdir_p(ctr_dir, 0755, err) < 0)
		return -1;
	cleanup_free char *init = fs_join(ctr_dir, NX_INIT_BINARY);
	cleanup_free char *process = fs_join(ctr_dir, NX_INIT_PROCESS);
	cleanup_free char *fifo = fs_join(ctr_dir, NX_INIT_EXEC_FIFO);
	if (fs_write_atomic(init, nx_init_blob, (size_t)(nx_init_blob_end - nx_init_blob), 0755, err) < 0)
		return -1;
	if (write_process_file(process, plan, root_uid, root_gid, err) < 0)
		return -1;
	if (mkfifo(fifo, 0600) < 0 && errno != EEXIST)
		return nx_err_sys(err, errno, "mkfifo %s", fifo);
	if (chown(fifo, root_uid, root_gid) < 0)
		return nx_err_sys(err, errno, "chown %s", fifo);
	return 0;
}

int init_sync_listen(const char *ctr_dir, uid_t root_uid, gid_t root_gid, nx_err *err)
{
	return init_socket_listen(ctr_dir, NX_INIT_SYNC_SOCK, root_uid, root_gid, err);
}

/* A unix socket address for dir/name however long dir is: engines' state
 * roots plus 64-character ids pass sun_path's 108 bytes. The address goes
 * through /proc/self/fd/<dirfd>; *dirfd stays open until the bind or
 * connect is done (the caller closes it). */
static int unix_addr_in(const char *dir, const char *name, struct sockaddr_un *addr, int *dirfd, nx_err *err)
{
	*addr = (struct sockaddr_un){.sun_family = AF_UNIX};
	*dirfd = -1;
	if (strlen(dir) + strlen(name) + 2 <= sizeof addr->sun_path) {
		snprintf(addr->sun_path, sizeof addr->sun_path, "%s/%s", dir, name);
		return 0;
	}
	*dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*dirfd < 0)
		return nx_err_sys(err, errno, "%s", dir);
	if (snprintf(addr->sun_path, sizeof addr->sun_path, "/proc/self/fd/%d/%s", *dirfd, name) >=
	    (int)sizeof addr->sun_path) {
		close(*dirfd);
		*dirfd = -1;
		return nx_err_set(err, "%s: socket name too long", name);
	}
	return 0;
}

/* Connect to a unix socket at path, however long the path. */
static int unix_connect(const char *path, nx_err *err)
{
	cleanup_free char *copy = xstrdup(path);
	char *slash = strrchr(copy, '/');
	const char *dir = slash && slash != copy ? copy : (slash ? "/" : ".");
	const char *name = slash ? slash + 1 : copy;
	if (slash && slash != copy)
		*slash = '\0';
	struct sockaddr_un addr;
	int dirfd;
	if (unix_addr_in(dir, name, &addr, &dirfd, err) < 0)
		return -1;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int rc = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&addr, sizeof addr);
	int e = errno;
	if (dirfd >= 0)
		close(dirfd);
	if (rc < 0) {
		if (fd >= 0)
			close(fd);
		return nx_err_sys(err, e, "connect to %s", path);
	}
	return fd;
}

int init_socket_listen(const char *ctr_dir, const char *name, uid_t root_uid, gid_t root_gid, nx_err *err)
{
	struct sockaddr_un addr;
	int dirfd;
	if (unix_addr_in(ctr_dir, name, &addr, &dirfd, err) < 0)
		return -1;
	unlink(addr.sun_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int e = errno;
	if (fd >= 0 && (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 ||
			chown(addr.sun_path, root_uid, root_gid) < 0 || chmod(addr.sun_path, 0600) < 0 ||
			listen(fd, 1) < 0)) {
		e = errno;
		close(fd);
		fd = -1;
	}
	if (dirfd >= 0)
		close(dirfd);
	if (fd < 0)
		return nx_err_sys(err, e, "listen on %s/%s", ctr_dir, name);
	return fd;
}

/* One line from the init ("ready", "ok", "err <why>"), without its
 * newline, read a byte at a time so nothing after it is taken. */
static int read_line(int conn, double timeout, char *line, size_t size)
{
	size_t used = 0;
	while (used < size - 1) {
		struct pollfd pf = {conn, POLLIN, 0};
		int pr = poll(&pf, 1, (int)(timeout * 1000));
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			return -1;
		ssize_t n = read(conn, line + used, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || line[used] == '\n')
			break;
		used++;
	}
	line[used] = '\0';
	return used ? 0 : -1;
}

pid_t init_sync_accept(int listen_fd, double timeout, int *conn, nx_err *err)
{
	*conn = -1;
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
	int e = errno;
	char buf[800] = "";
	if (read_line(c, timeout, buf, sizeof buf) < 0) {
		close(c);
		return nx_err_set(err, "the container's init did not greet");
	}
	/* an init that failed before it could greet says why instead */
	if (!strncmp(buf, "err ", 4)) {
		close(c);
		return nx_err_set(err, "the container's init failed: %s", buf + 4);
	}
	if (rc < 0) {
		close(c);
		return nx_err_sys(err, e, "SO_PEERCRED");
	}
	if (strcmp(buf, "ready")) {
		close(c);
		return nx_err_set(err, "the container's init sent an unexpected greeting");
	}
	*conn = c;
	return cred.pid;
}

/* Open a namespace an engine prepared (e.g. /run/netns/x) and check on
 * the descriptor that it is one, of the kind config.json says. */
static int ns_open(const nx_kv *ns, nx_err *err)
{
	int fd = open(ns->value, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return nx_err_sys(err, errno, "linux.namespaces: %s namespace %s", ns->key, ns->value);
	int kind = ioctl(fd, NS_GET_NSTYPE);
	if (kind < 0 || kind != ns_flag_of(ns->key)) {
		close(fd);
		return nx_err_set(err, "linux.namespaces: %s is not a %s namespace", ns->value, ns->key);
	}
	return fd;
}

int pidns_open(const char *path, nx_err *err)
{
	nx_kv ns = {"pid", (char *)path};
	int fd = ns_open(&ns, err);
	if (fd < 0)
		return -1;
	/* A container's stand-in is in the host's pid namespace and leads its
	 * children into the container's: /proc/<stand-in>/ns/pid, what an
	 * engine passes for "the pod's pid namespace", means that one. */
	unsigned pid;
	int end = 0;
	if (sscanf(path, "/proc/%u/ns/pid%n", &pid, &end) != 1 || path[end])
		return fd;
	char alt[64];
	snprintf(alt, sizeof alt, "/proc/%u/ns/pid_for_children", pid);
	int cfd = open(alt, O_RDONLY | O_CLOEXEC);
	struct stat a, b;
	if (cfd >= 0 && fstat(fd, &a) == 0 && fstat(cfd, &b) == 0 && (a.st_ino != b.st_ino || a.st_dev != b.st_dev)) {
		close(fd);
		return cfd;
	}
	if (cfd >= 0)
		close(cfd);
	return fd;
}

static int send_with_fds(int conn, const char *text, const int *fds, size_t n, nx_err *err)
{
	if (scm_send(conn, text, fds, n) < 0)
		return nx_err_sys(err, errno, "hand descriptors over");
	return 0;
}

static int recv_one_fd(int conn, double timeout, nx_err *err)
{
	struct pollfd pf = {conn, POLLIN, 0};
	if (poll(&pf, 1, (int)(timeout * 1000)) <= 0)
		return nx_err_set(err, "the container's init sent no terminal");
	char buf[800];
	int fds[1], nfds = 0;
	ssize_t n = scm_recv(conn, buf, sizeof buf - 1, fds, 1, &nfds);
	if (n <= 0 || nfds != 1) {
		if (n > 0)
			for (int i = 0; i < nfds; i++)
				close(fds[i]);
		/* the init says why in place of the terminal */
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		return nx_err_set(err, "the container's init could not make a terminal%s%s",
				  !strncmp(buf, "err ", 4) ? ": " : "",
				  !strncmp(buf, "err ", 4) ? buf + 4 : "");
	}
	return fds[0];
}

/* The init's answer once it joined the namespaces and wrote the sysctls:
 * "ok", or "err <why>". */
static int read_verdict(int conn, double timeout, nx_err *err)
{
	char line[800];
	struct pollfd pf = {conn, POLLIN, 0};
	if (poll(&pf, 1, (int)(timeout * 1000)) == 0)
		return nx_err_set(err, "the container's init did not answer within %.0fs", timeout);
	if (read_line(conn, timeout, line, sizeof line) < 0)
		return nx_err_set(err, "the container's init ended before it answered, without a reason");
	if (!strcmp(line, "ok"))
		return 0;
	if (!strncmp(line, "err ", 4))
		return nx_err_set(err, "%s", line + 4);
	return nx_err_set(err, "the container's init answered '%s'", line);
}

int init_handover_send(int conn, const init_handover *h, int *pty_master, double timeout, nx_err *err)
{
	if (pty_master)
		*pty_master = -1;
	int fds[256];
	size_t n = 0;
	int rc = -1;
	if (h->nfds + h->nns > 250)
		return nx_err_set(err, "too many descriptors to hand over (%zu)", h->nfds + h->nns);
	for (size_t i = 0; i < h->nfds; i++)
		fds[n++] = h->fds[i];
	nx_buf text = {0};
	buf_printf(&text, "%s %zu", h->tty ? "tty" : h->nfds ? "stdio" : "none", h->nfds);
	size_t opened = n;
	for (size_t i = 0; i < h->nns; i++) {
		int fd = ns_open(&h->ns[i], err);
		if (fd < 0)
			goto out;
		fds[n++] = fd;
		buf_printf(&text, " %s", h->ns[i].key);
	}
	buf_puts(&text, "\n");
	if (send_with_fds(conn, text.data, fds, n, err) < 0)
		goto out;
	if (h->tty) {
		int m = recv_one_fd(conn, timeout, err);
		if (m < 0)
			goto out;
		if (send(conn, "k", 1, MSG_NOSIGNAL) != 1) {
			close(m);
			nx_err_sys(err, errno, "acknowledge the terminal");
			goto out;
		}
		*pty_master = m;
	}
	rc = read_verdict(conn, timeout, err);
	if (rc < 0 && pty_master && *pty_master >= 0) {
		close(*pty_master);
		*pty_master = -1;
	}
out:
	for (size_t i = opened; i < n; i++)
		close(fds[i]);
	buf_free(&text);
	return rc;
}

int handover_caller_fds(bool tty, int preserve_fds, int fds[HANDOVER_FDS_MAX], size_t *n, nx_err *err)
{
	*n = 0;
	if (preserve_fds < 0 || preserve_fds > HANDOVER_FDS_MAX - 3)
		return nx_err_set(err, "--preserve-fds: at most %d", HANDOVER_FDS_MAX - 3);
	/* 0-2 are always open: cli_main fills a closed one with /dev/null */
	for (int fd = 0; !tty && fd < 3; fd++)
		fds[(*n)++] = fd;
	for (int i = 0; i < preserve_fds; i++) {
		if (fcntl(3 + i, F_GETFD) < 0)
			return nx_err_sys(err, errno, "--preserve-fds: descriptor %d", 3 + i);
		fds[(*n)++] = 3 + i;
	}
	return 0;
}

/* runc's console-socket protocol: connect to the caller's unix socket and
 * send the pty master as one SCM_RIGHTS descriptor named /dev/pts/ptmx. */
int console_socket_send(const char *path, int master, nx_err *err)
{
	cleanup_close int fd = unix_connect(path, err);
	if (fd < 0)
		return nx_err_wrap(err, "--console-socket");
	return send_with_fds(fd, "/dev/pts/ptmx", &master, 1, err);
}

int init_release(const char *ctr_dir, double timeout, nx_err *err)
{
	cleanup_free char *fifo = fs_join(ctr_dir, NX_INIT_EXEC_FIFO);
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

static void vec_push(char ***v, size_t *n, const char *s)
{
	char **nv = *v = xreallocarray(*v, *n + 2, sizeof(char *));
	nv[(*n)++] = xstrdup(s);
	nv[*n] = NULL;
}

int init_process_read(const char *ctr_dir, nx_process *p, nx_err *err)
{
	memset(p, 0, sizeof *p);
	p->umask = -1;
	cleanup_free char *path = fs_join(ctr_dir, NX_INIT_PROCESS);
	cleanup_free char *data = NULL;
	size_t len;
	if (fs_read_file(path, 64u << 20, &data, &len, err) < 0)
		return -1;
	for (char *cur = data, *end = data + len; cur < end;) {
		char *key = cur, *val = key + strlen(key) + 1;
		if (val >= end)
			break;
		cur = val + strlen(val) + 1;
		if (!strcmp(key, "arg"))
			vec_push(&p->args, &p->nargs, val);
		else if (!strcmp(key, "env"))
			vec_push(&p->env, &p->nenv, val);
		else if (!strcmp(key, "cwd"))
			p->cwd = xstrdup(val);
		else if (!strcmp(key, "uid"))
			p->uid = strtoul(val, NULL, 10);
		else if (!strcmp(key, "gid"))
			p->gid = strtoul(val, NULL, 10);
		else if (!strcmp(key, "group")) {
			p->groups = xreallocarray(p->groups, p->ngroups + 1, sizeof(unsigned long));
			p->groups[p->ngroups++] = strtoul(val, NULL, 10);
		} else if (!strcmp(key, "no_new_privileges"))
			p->no_new_privileges = val[0] == '1';
		else if (!strcmp(key, NX_KEY_KEEPER))
			p->keeper = val[0] == '1';
		else if (!strcmp(key, NX_KEY_SECCOMP)) {
			p->has_seccomp = true;
			p->seccomp_flags = (unsigned)strtoul(val, NULL, 10);
		} else if (!strncmp(key, "cap.", 4)) {
			for (int i = 0; i < 5; i++)
				if (!strcmp(key + 4, nx_cap_sets[i])) {
					free(p->caps[i]);
					p->caps[i] = xstrdup(val);
				}
			p->has_caps = true;
		}
	}
	return 0;
}
