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
#include <linux/capability.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <termios.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../scm_rights.h"

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
	int terminal;
	char **fifos; /* "mode uid gid /dev/path" */
	size_t nfifos;
	int has_caps;  /* config.json gave process.capabilities */
	char *caps[5]; /* bounding effective permitted inheritable ambient: "chown kill ..." */

	int has_seccomp;	/* load DIR_PATH "/seccomp.bpf" (seccomp_load.h) */
	unsigned seccomp_flags; /* with these seccomp(2) flags */
};

/* What nexcage hands over on the sync socket: the descriptors the program
 * gets (create's stdio and --preserve-fds, or a pty made here) and the
 * namespaces an engine prepared (joined by descriptor before exec). */
#define MAX_HANDOVER_FDS SCM_FDS_MAX
struct handover {
	int fds[MAX_HANDOVER_FDS]; /* program's fds, from 0 (stdio) or from 3 (tty) */
	int nfds;
	int tty_slave; /* -1: no terminal */
	int ns_fds[8];
	int ns_types[8];
	int nns;
	int sock; /* the sync socket, open until prepare_and_report answers */
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
		} else if (!strcmp(key, "fifo")) {
			push(&p->fifos, &p->nfifos, val);
		} else if (!strcmp(key, "terminal")) {
			p->terminal = val[0] == '1';
		} else if (!strncmp(key, "cap.", 4)) {
			static const char *const sets[] = {"bounding", "effective", "permitted",
							   "inheritable", "ambient"};
			for (int i = 0; i < 5; i++)
				if (!strcmp(key + 4, sets[i]))
					p->caps[i] = val;
			p->has_caps = 1;
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

/* The terminal is made here, in the CT's own devpts, so the program's
 * controlling terminal lives where it runs; nexcage passes the master on
 * to the caller's --console-socket. */
static int make_pty(int *master)
{
	int m = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		die("open ptmx (is devpts mounted at /dev/pts?)");
	int unlock = 0;
	if (ioctl(m, TIOCSPTLCK, &unlock) < 0)
		die("unlock pty");
	int slave = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0) {
		char name[64];
		int n;
		if (ioctl(m, TIOCGPTN, &n) < 0)
			die("pty number");
		snprintf(name, sizeof name, "/dev/pts/%d", n);
		slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	}
	if (slave < 0)
		die("open pty slave");
	*master = m;
	return slave;
}

static int ns_type(const char *name)
{
	int flag = ns_flag_of(name);
	if (flag < 0)
		die_msg("handover: unknown namespace type");
	return flag;
}

static void send_fd(int sock, const char *what, int fd)
{
	if (scm_send(sock, what, &fd, 1) < 0)
		die("send pty master");
}

/* Tell nexcage we are here (it reads our host pid from the socket through
 * SO_PEERCRED), then take what it hands over. The message is
 * "<stdio|tty|none> <nfds> [ns-type ...]\n" with the descriptors attached:
 * first the program's, then one per namespace to join. */
static void handover(const char *path, struct handover *h)
{
	memset(h, 0, sizeof *h);
	h->tty_slave = -1;
	h->sock = -1;
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
	char msg[512];
	int fds[MAX_HANDOVER_FDS], nfds = 0;
	ssize_t n = scm_recv(fd, msg, sizeof msg - 1, fds, MAX_HANDOVER_FDS, &nfds);
	if (n < 0 && errno == EMSGSIZE)
		die_msg("handover: too many descriptors");
	if (n <= 0)
		die_msg("handover: nexcage went away");
	msg[n] = '\0';
	char *save = NULL;
	char *mode = strtok_r(msg, " \n", &save);
	char *count = strtok_r(NULL, " \n", &save);
	if (!mode || !count)
		die_msg("handover: bad message");
	int nprog = (int)parse_number(count, "handover: bad count");
	if (nprog > nfds)
		die_msg("handover: descriptors missing");
	for (int i = 0; i < nprog; i++)
		h->fds[h->nfds++] = fds[i];
	for (char *t; (t = strtok_r(NULL, " \n", &save));) {
		if (h->nns >= 8 || nprog + h->nns >= nfds)
			die_msg("handover: namespace descriptors missing");
		h->ns_types[h->nns] = ns_type(t);
		h->ns_fds[h->nns] = fds[nprog + h->nns];
		h->nns++;
	}
	if (!strcmp(mode, "tty")) {
		int master;
		h->tty_slave = make_pty(&master);
		send_fd(fd, "/dev/pts/ptmx", master);
		close(master);
		char c;
		(void)!read(fd, &c, 1); /* nexcage has it */
	} else if (strcmp(mode, "stdio") && strcmp(mode, "none")) {
		die_msg("handover: unknown mode");
	}
	h->sock = fd;
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
/* "a.b.c=v" -> write v to /proc/sys/a/b/c (the namespaces the program
 * will have). Returns 0, or -1 with the reason in why. */
static int write_sysctls(struct process *p, char *why, size_t n)
{
	for (size_t i = 0; i < p->nsysctl; i++) {
		char path[512];
		const char *eq = strchr(p->sysctl[i], '=');
		if (!eq || (size_t)(eq - p->sysctl[i]) > 400) {
			snprintf(why, n, "bad sysctl %s", p->sysctl[i]);
			return -1;
		}
		int len =
		    snprintf(path, sizeof path, "/proc/sys/%.*s", (int)(eq - p->sysctl[i]), p->sysctl[i]);
		for (char *c = path + 10; c < path + len; c++)
			if (*c == '.')
				*c = '/';
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, eq + 1, strlen(eq + 1)) < 0) {
			snprintf(why, n, "linux.sysctl %.*s: cannot be set in the container: %s",
				 (int)(eq - p->sysctl[i]), p->sysctl[i], strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

static const char *const cap_names[] = {
    "chown",
    "dac_override",
    "dac_read_search",
    "fowner",
    "fsetid",
    "kill",
    "setgid",
    "setuid",
    "setpcap",
    "linux_immutable",
    "net_bind_service",
    "net_broadcast",
    "net_admin",
    "net_raw",
    "ipc_lock",
    "ipc_owner",
    "sys_module",
    "sys_rawio",
    "sys_chroot",
    "sys_ptrace",
    "sys_pacct",
    "sys_admin",
    "sys_boot",
    "sys_nice",
    "sys_resource",
    "sys_time",
    "sys_tty_config",
    "mknod",
    "lease",
    "audit_write",
    "audit_control",
    "setfcap",
    "mac_override",
    "mac_admin",
    "syslog",
    "wake_alarm",
    "block_suspend",
    "audit_read",
    "perfmon",
    "bpf",
    "checkpoint_restore",
};
#define NCAPS ((int)(sizeof cap_names / sizeof cap_names[0]))

/* "chown kill ..." -> bit mask (two 32-bit words, as capset wants them) */
static void cap_mask(const char *list, __u32 mask[2])
{
	mask[0] = mask[1] = 0;
	if (!list)
		return;
	char *copy = strdup(list), *save = NULL;
	if (!copy)
		die_msg("out of memory");
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		int i = 0;
		while (i < NCAPS && strcmp(cap_names[i], t))
			i++;
		if (i == NCAPS)
			continue; /* a capability this kernel table does not know: not granted */
		mask[i / 32] |= 1u << (i % 32);
	}
	free(copy);
}

static int cap_in(const __u32 mask[2], int cap)
{
	return cap < 64 && (mask[cap / 32] >> (cap % 32)) & 1;
}

enum { CAP_BOUNDING, CAP_EFFECTIVE, CAP_PERMITTED, CAP_INHERITABLE, CAP_AMBIENT };

/* Before the uid changes: only the bounding set's capabilities remain
 * possible, and the permitted ones survive setresuid. */
static void caps_bound(struct process *p)
{
	if (!p->has_caps)
		return;
	__u32 bounding[2];
	cap_mask(p->caps[CAP_BOUNDING], bounding);
	for (int c = 0; c < 64; c++) {
		if (cap_in(bounding, c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
			if (errno == EINVAL)
				break; /* past the kernel's last capability */
			die("drop bounding capability");
		}
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		die("keepcaps");
}

/* After it: exactly config.json's effective, permitted, inheritable and
 * ambient sets. */
static void caps_set(struct process *p)
{
	if (!p->has_caps)
		return;
	__u32 eff[2], perm[2], inh[2], amb[2];
	cap_mask(p->caps[CAP_EFFECTIVE], eff);
	cap_mask(p->caps[CAP_PERMITTED], perm);
	cap_mask(p->caps[CAP_INHERITABLE], inh);
	cap_mask(p->caps[CAP_AMBIENT], amb);
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];
	for (int i = 0; i < 2; i++)
		data[i] = (struct __user_cap_data_struct){eff[i], perm[i], inh[i]};
	if (syscall(SYS_capset, &hdr, data) < 0)
		die("capset");
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	for (int c = 0; c < 64; c++)
		if (cap_in(amb, c))
			(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0); /* as runc: best effort */
}

static int join_namespaces(const struct handover *h, char *why, size_t n)
{
	for (int i = 0; i < h->nns; i++) {
		if (setns(h->ns_fds[i], h->ns_types[i]) < 0) {
			snprintf(why, n, "join the namespace the engine prepared: %s", strerror(errno));
			return -1;
		}
		close(h->ns_fds[i]);
	}
	return 0;
}

/* OCI wants /dev/ptmx to be a symlink to pts/ptmx (runc makes it one);
 * LXC bind-mounts the devpts ptmx node there. Same device, but programs
 * that check the link (and the conformance suites) see the difference.
 * Best effort: a CT without LXC's /dev keeps what it has. */
static void ptmx_symlink(void)
{
	char target[16];
	ssize_t n = readlink("/dev/ptmx", target, sizeof target - 1);
	if (n == 8 && !memcmp(target, "pts/ptmx", 8))
		return;
	if (umount2("/dev/ptmx", MNT_DETACH) < 0 && errno != EINVAL)
		return;
	if (unlink("/dev/ptmx") < 0 && errno != ENOENT)
		return;
	(void)!symlink("pts/ptmx", "/dev/ptmx");
}

/* linux.devices of type p: Proxmox passes only char/block nodes, so the
 * FIFOs are made here, in the CT's own /dev. */
static int make_fifos(struct process *p, char *why, size_t n)
{
	for (size_t i = 0; i < p->nfifos; i++) {
		unsigned mode;
		unsigned long uid, gid;
		int off = 0;
		if (sscanf(p->fifos[i], "%o %lu %lu %n", &mode, &uid, &gid, &off) != 3 || !off) {
			snprintf(why, n, "bad fifo entry");
			return -1;
		}
		const char *path = p->fifos[i] + off;
		struct stat st;
		if (mkfifo(path, mode) < 0 &&
		    !(errno == EEXIST && lstat(path, &st) == 0 && S_ISFIFO(st.st_mode))) {
			snprintf(why, n, "linux.devices: mkfifo %s: %s", path, strerror(errno));
			return -1;
		}
		if (chmod(path, mode) < 0 || chown(path, (uid_t)uid, (gid_t)gid) < 0) {
			snprintf(why, n, "linux.devices: %s: %s", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Before the program may start: the engine's namespaces, then the
 * sysctls (in them). nexcage waits for this answer, so a sysctl that
 * cannot be applied fails `create` with the reason, never a program that
 * silently does not start. */
static void prepare_and_report(struct process *p, struct handover *h)
{
	char why[700] = "";
	int rc = join_namespaces(h, why, sizeof why);
	if (rc == 0)
		rc = write_sysctls(p, why, sizeof why);
	if (rc == 0)
		rc = make_fifos(p, why, sizeof why);
	char msg[720];
	int len = snprintf(msg, sizeof msg, rc == 0 ? "ok\n" : "err %s\n", why);
	if (h->sock >= 0) {
		(void)!send(h->sock, msg, (size_t)len, MSG_NOSIGNAL);
		close(h->sock);
		h->sock = -1;
	}
	if (rc < 0)
		die_msg(why);
}

/* The program's descriptors: the handed-over ones at 0, 1, 2, ... (or the
 * pty slave at 0-2 and the rest from 3), nothing else. */
static int install_fds(const struct handover *h, uid_t uid)
{
	int first = 0;
	if (h->tty_slave >= 0) {
		(void)!fchown(h->tty_slave, uid, (gid_t)-1);
		setsid();
		if (ioctl(h->tty_slave, TIOCSCTTY, 0) < 0) {
			(void)ioctl(0, TIOCNOTTY);
			if (ioctl(h->tty_slave, TIOCSCTTY, 0) < 0 && ioctl(h->tty_slave, TIOCSCTTY, 1) < 0)
				die("make the pty the controlling terminal");
		}
		for (int i = 0; i < 3; i++)
			if (dup2(h->tty_slave, i) < 0)
				die("dup2 pty");
		first = 3;
	}
	if (h->nfds == 0)
		return 3; /* none handed over: keep 0-2 (the console) */
	/* Out of the way first, so no target overwrites a source. */
	int base = first + h->nfds + 16;
	int moved[MAX_HANDOVER_FDS];
	for (int i = 0; i < h->nfds; i++)
		if ((moved[i] = fcntl(h->fds[i], F_DUPFD_CLOEXEC, base)) < 0)
			die("dup handed-over descriptor");
	for (int i = 0; i < h->nfds; i++)
		if (dup2(moved[i], first + i) < 0)
			die("dup2 handed-over descriptor");
	int end = first + h->nfds;
	return end < 3 ? 3 : end;
}

static void apply_and_exec(struct process *p, const struct handover *h)
{
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
	int keep = install_fds(h, p->uid);
	caps_bound(p);
	if (setgroups(p->ngroups, p->groups) < 0 && errno != EPERM)
		die("setgroups");
	if (setresgid(p->gid, p->gid, p->gid) < 0)
		die("setgid");
	if (setresuid(p->uid, p->uid, p->uid) < 0)
		die("setuid");
	caps_set(p);
	if (p->umask_value >= 0)
		umask((mode_t)p->umask_value);
	if (chdir(p->cwd) < 0)
		die("chdir");
	if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("no_new_privs");
	char buf[4096];
	const char *prog = find_program(p->args[0], p->env, buf, sizeof buf);
	/* Nothing but what was handed over may reach the user's program. */
	close_range((unsigned)keep, ~0U, CLOSE_RANGE_CLOEXEC);
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
		else if (!strcmp(a, "--seccomp")) {
			p.seccomp_flags = (unsigned)parse_number(v, "exec: bad --seccomp");
			p.has_seccomp = 1;
		} else if (!strcmp(a, "--cap")) { /* SET=name name ... */
			static const char *const sets[] = {
			    "bounding=", "effective=", "permitted=", "inheritable=", "ambient="};
			int known = 0;
			for (int k = 0; k < 5; k++)
				if (!strncmp(v, sets[k], strlen(sets[k]))) {
					p.caps[k] = (char *)v + strlen(sets[k]);
					known = 1;
				}
			if (!known)
				die_msg("exec: bad --cap");
			p.has_caps = 1;
		} else if (!strcmp(a, "--report")) {
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
	struct handover h = {.tty_slave = -1, .sock = -1};
	if (report) {
		handover(report, &h);
		prepare_and_report(&p, &h);
	}
	apply_and_exec(&p, &h);
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
	struct handover h;
	handover(DIR_PATH "/sync.sock", &h);
	ptmx_symlink();
	prepare_and_report(&p, &h);
	wait_for_start();
	apply_and_exec(&p, &h);
	return 127;
}
