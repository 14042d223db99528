/* nexcage-init: the container's first process until `nexcage start`.
 *
 * Proxmox starts the container with this static binary as its init
 * (entrypoint or lxc.init.cmd), bind-mounted read-only at /.nexcage. It
 *   1. reads /.nexcage/process (what config.json says to run),
 *   2. connects to /.nexcage/sync.sock so `nexcage create` learns its host
 *      pid through SO_PEERCRED (no pct call, no /proc scan),
 *   3. blocks opening /.nexcage/exec.fifo for writing until `nexcage start`
 *      opens it for reading (the role of runc's exec fifo),
 *   4. applies the process settings and execs the user's program, which so
 *      becomes pid 1 with exactly config.json's args, env, cwd, user and
 *      rlimits, and no inherited descriptor beyond 0, 1 and 2.
 *
 * `nexcage-init exec [--cwd D] [--uid U] [--gid G] [--groups a,b] [--env K=V]...
 * -- cmd args` is used by `nexcage exec` (through pct exec) to start a
 * process with exact settings.
 *
 * Static, libc only: it runs inside any root filesystem. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define DIR_PATH  "/.nexcage"
#define MAX_ITEMS 65536

struct process {
	char **args, **env;
	size_t nargs, nenv;
	const char *cwd;
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	size_t ngroups;
	long umask_value; /* -1: leave */
	int no_new_privs;
	const char *oom_score_adj;
	struct {
		int resource;
		struct rlimit lim;
	} rlimits[RLIM_NLIMITS];
	size_t nrlimits;
	char **sysctl; /* "net.ipv4.ip_forward=1" */
	size_t nsysctl;
};

static void die(const char *what)
{
	fprintf(stderr, "nexcage-init: %s: %s\n", what, strerror(errno));
	_exit(127);
}

static void die_msg(const char *what)
{
	fprintf(stderr, "nexcage-init: %s\n", what);
	_exit(127);
}

static int rlimit_number(const char *name)
{
	static const struct {
		const char *name;
		int value;
	} names[] = {
	    {"RLIMIT_CPU", RLIMIT_CPU},		  {"RLIMIT_FSIZE", RLIMIT_FSIZE},
	    {"RLIMIT_DATA", RLIMIT_DATA},	  {"RLIMIT_STACK", RLIMIT_STACK},
	    {"RLIMIT_CORE", RLIMIT_CORE},	  {"RLIMIT_RSS", RLIMIT_RSS},
	    {"RLIMIT_NPROC", RLIMIT_NPROC},	  {"RLIMIT_NOFILE", RLIMIT_NOFILE},
	    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},	  {"RLIMIT_AS", RLIMIT_AS},
	    {"RLIMIT_LOCKS", RLIMIT_LOCKS},	  {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
	    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
	    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},	  {"RLIMIT_RTTIME", RLIMIT_RTTIME},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(names[i].name, name))
			return names[i].value;
	return -1;
}

static char *read_all(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(path);
	size_t cap = 65536, used = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (!buf)
			die_msg("out of memory");
		ssize_t n = read(fd, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die(path);
		if (n == 0)
			break;
		used += (size_t)n;
		if (used == cap) {
			if (cap >= (64u << 20))
				die_msg("process file too large");
			cap *= 2;
			buf = realloc(buf, cap);
		}
	}
	close(fd);
	*len = used;
	return buf;
}

static void push(char ***v, size_t *n, char *s)
{
	if (*n + 2 > MAX_ITEMS)
		die_msg("too many entries");
	*v = realloc(*v, sizeof(char *) * (*n + 2));
	if (!*v)
		die_msg("out of memory");
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

static unsigned long long parse_number(const char *s, const char *what)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || !*s)
		die_msg(what);
	return v;
}

/* The process file: NUL-terminated "key", "value" pairs written by
 * nexcage (src/init_spec.c); no parser dependencies in here. */
static void load_process(struct process *p, char *data, size_t len)
{
	memset(p, 0, sizeof *p);
	p->umask_value = -1;
	p->cwd = "/";
	char *cur = data, *end = data + len;
	while (cur < end) {
		char *key = cur;
		char *kend = memchr(cur, '\0', (size_t)(end - cur));
		if (!kend || kend + 1 >= end)
			die_msg("process file: truncated");
		char *val = kend + 1;
		char *vend = memchr(val, '\0', (size_t)(end - val));
		if (!vend)
			die_msg("process file: truncated");
		cur = vend + 1;
		if (!strcmp(key, "arg")) {
			push(&p->args, &p->nargs, val);
		} else if (!strcmp(key, "env")) {
			push(&p->env, &p->nenv, val);
		} else if (!strcmp(key, "cwd")) {
			p->cwd = val;
		} else if (!strcmp(key, "uid")) {
			p->uid = (uid_t)parse_number(val, "bad uid");
		} else if (!strcmp(key, "gid")) {
			p->gid = (gid_t)parse_number(val, "bad gid");
		} else if (!strcmp(key, "group")) {
			p->groups = realloc(p->groups, sizeof(gid_t) * (p->ngroups + 1));
			if (!p->groups)
				die_msg("out of memory");
			p->groups[p->ngroups++] = (gid_t)parse_number(val, "bad group");
		} else if (!strcmp(key, "umask")) {
			p->umask_value = (long)parse_number(val, "bad umask");
		} else if (!strcmp(key, "no_new_privileges")) {
			p->no_new_privs = val[0] == '1';
		} else if (!strcmp(key, "oom_score_adj")) {
			p->oom_score_adj = val;
		} else if (!strcmp(key, "sysctl")) {
			push(&p->sysctl, &p->nsysctl, val);
		} else if (!strcmp(key, "rlimit")) {
			/* "RLIMIT_NOFILE soft hard" */
			char name[32];
			unsigned long long soft, hard;
			if (sscanf(val, "%31s %llu %llu", name, &soft, &hard) != 3 ||
			    p->nrlimits >= RLIM_NLIMITS)
				die_msg("bad rlimit");
			int r = rlimit_number(name);
			if (r < 0)
				die_msg("unknown rlimit");
			p->rlimits[p->nrlimits].resource = r;
			p->rlimits[p->nrlimits].lim.rlim_cur = (rlim_t)soft;
			p->rlimits[p->nrlimits].lim.rlim_max = (rlim_t)hard;
			p->nrlimits++;
		}
		/* unknown keys: a newer nexcage; ignore */
	}
	if (p->nargs == 0)
		die_msg("process has no args");
	if (!p->env)
		push(&p->env, &p->nenv, NULL), p->nenv = 0;
}

/* Tell nexcage we are here: it reads our host pid from the socket. */
static void announce(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
	if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
		die("connect sync.sock");
	/* nexcage may be gone (killed): an error on the console, not a
	 * silent death by SIGPIPE */
	if (send(fd, "ready\n", 6, MSG_NOSIGNAL) != 6)
		die("write sync.sock");
	char c;
	/* Wait for nexcage to have read our credentials. */
	(void)!read(fd, &c, 1);
	close(fd);
}

static void wait_for_start(void)
{
	int fd;
	do
		fd = open(DIR_PATH "/exec.fifo", O_WRONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		die("open exec.fifo");
	signal(SIGPIPE, SIG_IGN); /* as above; the program gets the default back */
	ssize_t w = write(fd, "0", 1);
	signal(SIGPIPE, SIG_DFL);
	if (w != 1)
		die("write exec.fifo");
	close(fd);
}

/* execvpe() searches the caller's PATH; the program must be found through
 * the PATH of the process's own environment, as runc does. */
static const char *find_program(const char *name, char *const *env, char *buf, size_t n)
{
	if (strchr(name, '/'))
		return name;
	const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (char *const *e = env; e && *e; e++)
		if (!strncmp(*e, "PATH=", 5))
			path = *e + 5;
	for (const char *p = path; *p;) {
		const char *colon = strchrnul(p, ':');
		snprintf(buf, n, "%.*s/%s", (int)(colon - p), p, name);
		if (access(buf, X_OK) == 0)
			return buf;
		p = *colon ? colon + 1 : colon;
	}
	return name;
}

/* "a.b.c=v" -> write v to /proc/sys/a/b/c (the container's own namespaces) */
static void write_sysctls(struct process *p)
{
	for (size_t i = 0; i < p->nsysctl; i++) {
		char path[512];
		const char *eq = strchr(p->sysctl[i], '=');
		if (!eq || (size_t)(eq - p->sysctl[i]) > 400)
			die_msg("bad sysctl");
		int n = snprintf(path, sizeof path, "/proc/sys/%.*s", (int)(eq - p->sysctl[i]), p->sysctl[i]);
		for (char *c = path + 10; c < path + n; c++)
			if (*c == '.')
				*c = '/';
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, eq + 1, strlen(eq + 1)) < 0) {
			fprintf(stderr, "nexcage-init: sysctl %s: %s\n", p->sysctl[i], strerror(errno));
			_exit(127);
		}
		close(fd);
	}
}

static void apply_and_exec(struct process *p)
{
	write_sysctls(p);
	for (size_t i = 0; i < p->nrlimits; i++)
		if (setrlimit(p->rlimits[i].resource, &p->rlimits[i].lim) < 0)
			die("setrlimit");
	if (p->oom_score_adj) {
		int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			(void)!write(fd, p->oom_score_adj, strlen(p->oom_score_adj));
			close(fd);
		}
	}
	if (setgroups(p->ngroups, p->groups) < 0 && errno != EPERM)
		die("setgroups");
	if (setresgid(p->gid, p->gid, p->gid) < 0)
		die("setgid");
	if (setresuid(p->uid, p->uid, p->uid) < 0)
		die("setuid");
	if (p->umask_value >= 0)
		umask((mode_t)p->umask_value);
	if (chdir(p->cwd) < 0)
		die("chdir");
	if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("no_new_privs");
	char buf[4096];
	const char *prog = find_program(p->args[0], p->env, buf, sizeof buf);
	/* Nothing but 0, 1, 2 may reach the user's program. */
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	execve(prog, p->args, p->env);
	fprintf(stderr, "nexcage-init: exec %s: %s\n", p->args[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

static int exec_mode(int argc, char **argv)
{
	struct process p;
	memset(&p, 0, sizeof p);
	p.umask_value = -1;
	p.cwd = NULL;
	const char *report = NULL;
	int i = 2;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (i + 1 >= argc)
			die_msg("exec: option needs a value");
		const char *v = argv[++i];
		if (!strcmp(a, "--cwd"))
			p.cwd = v;
		else if (!strcmp(a, "--uid"))
			p.uid = (uid_t)parse_number(v, "bad uid");
		else if (!strcmp(a, "--gid"))
			p.gid = (gid_t)parse_number(v, "bad gid");
		else if (!strcmp(a, "--group")) {
			p.groups = realloc(p.groups, sizeof(gid_t) * (p.ngroups + 1));
			if (!p.groups)
				die_msg("out of memory");
			p.groups[p.ngroups++] = (gid_t)parse_number(v, "bad group");
		} else if (!strcmp(a, "--env"))
			push(&p.env, &p.nenv, (char *)v);
		else if (!strcmp(a, "--no-new-privileges"))
			p.no_new_privs = v[0] == '1';
		else if (!strcmp(a, "--report")) {
			/* only sockets of our own directory */
			if (strncmp(v, DIR_PATH "/", sizeof DIR_PATH) || strstr(v, ".."))
				die_msg("exec: bad --report path");
			report = v;
		} else
			die_msg("exec: unknown option");
	}
	for (; i < argc; i++)
		push(&p.args, &p.nargs, argv[i]);
	if (!p.nargs)
		die_msg("exec: no command");
	if (!p.env)
		push(&p.env, &p.nenv, NULL), p.nenv = 0;
	if (!p.cwd)
		p.cwd = "/";
	if (report)
		announce(report);
	apply_and_exec(&p);
	return 127;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "exec"))
		return exec_mode(argc, argv);
	size_t len;
	char *data = read_all(DIR_PATH "/process", &len);
	struct process p;
	load_process(&p, data, len);
	announce(DIR_PATH "/sync.sock");
	wait_for_start();
	apply_and_exec(&p);
	return 127;
}
