/* The program's process, at start: limits, descriptors, HOME and the
 * working directory, then user, groups and the five capability sets, and
 * the seccomp filter last of all, as runc does (before dropping privileges
 * when no_new_privileges is off, for loading a filter needs CAP_SYS_ADMIN
 * then; else right before execve), so it governs the program and not the
 * runtime's setup. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init.h"
#include "protocol.h"
#include "seccomp_load.h"

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
 * possible, and the permitted ones survive setresuid. A capability the
 * process is already bounded without needs no drop (an exec into a
 * container started with --cap-drop all has none to drop, and no
 * CAP_SETPCAP to drop with). */
static void caps_bound(struct process *p)
{
	/* entered directly: first what lxc-attach would have bounded it to */
	for (int c = 0; p->has_ct_bounding && c < 64; c++) {
		if (p->ct_bounding & (1ULL << c))
			continue;
		int have = prctl(PR_CAPBSET_READ, c, 0, 0, 0);
		if (have < 0 && errno == EINVAL)
			break;
		if (have == 1 && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
			die("drop bounding capability");
	}
	if (!p->has_caps)
		return;
	__u32 bounding[2];
	cap_mask(p->caps[CAP_BOUNDING], bounding);
	for (int c = 0; c < 64; c++) {
		if (cap_in(bounding, c))
			continue;
		int have = prctl(PR_CAPBSET_READ, c, 0, 0, 0);
		if (have < 0 && errno == EINVAL)
			break; /* past the kernel's last capability */
		if (have == 0)
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
			die("drop bounding capability");
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
		return h->inherited > 3 ? h->inherited : 3; /* none handed over: keep what is there */
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

/* The container's /etc/passwd (a regular file, at most 4 MiB), or NULL. */
static char *read_passwd(void)
{
	int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	char *buf = NULL;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < (4 << 20)) {
		/* no passwd to read is HOME=/; a shortage is not: it would give
		 * the process another HOME silently (the init's policy) */
		if (!(buf = malloc((size_t)st.st_size + 1)))
			die_msg("out of memory");
		size_t used = 0;
		ssize_t r;
		while (used < (size_t)st.st_size &&
		       ((r = read(fd, buf + used, (size_t)st.st_size - used)) > 0 || (r < 0 && errno == EINTR)))
			used += r > 0 ? (size_t)r : 0;
		buf[used] = '\0';
	}
	close(fd);
	return buf;
}

/* HOME as runc sets it when the config has none: the user's home in the
 * container's /etc/passwd, else "/". */
static void default_home(struct process *p)
{
	for (size_t i = 0; i < p->nenv; i++)
		if (!strncmp(p->env[i], "HOME=", 5))
			return;
	const char *home = "/";
	char *passwd = read_passwd();
	char *save = NULL;
	for (char *line = passwd ? strtok_r(passwd, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		/* name:password:uid:gid:gecos:home:shell */
		char *f[7];
		int nf = 0;
		for (char *c = line; nf < 7; nf++) {
			f[nf] = c;
			c = strchr(c, ':');
			if (!c) {
				nf++;
				break;
			}
			*c++ = '\0';
		}
		char *end;
		errno = 0;
		unsigned long uid = nf >= 6 ? strtoul(f[2], &end, 10) : 0;
		if (nf >= 6 && !errno && end != f[2] && !*end && uid == p->uid && f[5][0]) {
			home = f[5];
			break;
		}
	}
	char *entry = NULL;
	if (asprintf(&entry, "HOME=%s", home) < 0)
		die_msg("out of memory");
	push(&p->env, &p->nenv, entry);
	free(passwd);
}

/* runc creates a missing working directory (as root, before the user
 * changes). */
static void make_cwd(const char *cwd)
{
	char buf[4096];
	if (snprintf(buf, sizeof buf, "%s", cwd) >= (int)sizeof buf)
		die_msg("cwd too long");
	for (char *s = buf + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			die(buf);
		if (!c)
			break;
		*s = c;
	}
}

static void load_seccomp(const struct process *p)
{
	char why[256];
	if (p->seccomp &&
	    seccomp_load_file(NX_INIT_DIR "/" NX_INIT_SECCOMP, p->seccomp_flags, why, sizeof why) < 0)
		die_msg(why);
}

void apply_and_exec(struct process *p, const struct handover *h)
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
	default_home(p);
	struct stat st;
	if (p->create_cwd && stat(p->cwd, &st) < 0)
		make_cwd(p->cwd);
	if (!p->no_new_privs)
		load_seccomp(p);
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
	if (p->no_new_privs)
		load_seccomp(p);
	execve(prog, p->args, p->env);
	fprintf(stderr, "nexcage-init: exec %s: %s\n", p->args[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}
