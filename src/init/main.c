/* nexcage-init: the container's first process until `nexcage start`.
 *
 * Proxmox starts the container with this static binary as its init
 * (entrypoint or lxc.init.cmd), bind-mounted read-only at /dev/.nexcage
 * (NX_INIT_DIR). It
 *   1. reads NX_INIT_DIR/process (what config.json says to run and how the
 *      container around it is finished),
 *   2. connects to NX_INIT_DIR/sync.sock so `nexcage create` learns its host
 *      pid through SO_PEERCRED (no pct call, no /proc scan) and hands it the
 *      program's descriptors and the namespaces an engine prepared,
 *   3. finishes the container in runc's order (setup.c) and answers,
 *   4. blocks opening NX_INIT_DIR/exec.fifo for writing until `nexcage start`
 *      opens it for reading (the role of runc's exec fifo),
 *   5. applies the program's credentials and seccomp filter and execs it
 *      (creds.c), which so becomes pid 1 with exactly config.json's args,
 *      env, cwd, user and rlimits, and no descriptor beyond those handed over.
 *
 * `nexcage-init exec [--cwd D] [--uid U] [--gid G] [--group G]... [--env K=V]...
 * [--cap SET=names]... [--no-new-privileges 0|1] [--seccomp FLAGS]
 * [--report SOCK] -- cmd args` is used by `nexcage exec` (through pct exec).
 * `nexcage-init stop-hook` runs on the host as the CT's lxc.hook.stop.
 *
 * Until it has answered, a failure is told on the socket nexcage waits on
 * (sync.sock, exec's --report), so create's or exec's error says why:
 * the CT's console is not logged anywhere (a log of it would grow with
 * whatever the container writes there).
 *
 * Static, libc only: it runs inside any root filesystem. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "init.h"
#include "protocol.h"

/* Where a failure is told while nexcage waits for the init: the socket it
 * is connected to, or else the path to connect to (its first line is then
 * the reason instead of the greeting). Once answered, nobody waits. */
static const char *tell_path;
static int tell_fd = -1;

void tell_on(const char *path)
{
	tell_path = path;
}

void tell_connected(int fd)
{
	tell_fd = fd;
}

void tell_done(void)
{
	tell_path = NULL;
	tell_fd = -1;
}

static void tell(const char *msg)
{
	int fd = tell_fd;
	if (fd < 0 && tell_path)
		fd = unix_connect_to(tell_path);
	tell_done();
	if (fd < 0)
		return;
	char line[800];
	int len = snprintf(line, sizeof line, "err %s\n", msg);
	if (len >= (int)sizeof line) {
		len = (int)sizeof line - 1;
		line[len - 1] = '\n';
	}
	(void)!send(fd, line, (size_t)len, MSG_NOSIGNAL);
}

void die(const char *what)
{
	char msg[700];
	snprintf(msg, sizeof msg, "%s: %s", what, strerror(errno));
	fprintf(stderr, "nexcage-init: %s\n", msg);
	tell(msg);
	_exit(127);
}

void die_msg(const char *what)
{
	fprintf(stderr, "nexcage-init: %s\n", what);
	tell(what);
	_exit(127);
}

void push(char ***v, size_t *n, char *s)
{
	if (*n + 2 > MAX_ITEMS)
		die_msg("too many entries");
	char **grown = realloc(*v, sizeof(char *) * (*n + 2));
	if (!grown)
		die_msg("out of memory");
	*v = grown;
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

unsigned long long parse_number(const char *s, const char *what)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || !*s)
		die_msg(what);
	return v;
}

/* Answer nexcage (it waits for this), then end if the setup failed: a
 * container that cannot be finished fails `create` with the reason, never
 * a program that silently does not start. */
static void report(struct handover *h, int rc, const char *why)
{
	char msg[800];
	int len = snprintf(msg, sizeof msg, rc == 0 ? "ok\n" : "err %s\n", why);
	if (h->sock >= 0) {
		(void)!send(h->sock, msg, (size_t)len, MSG_NOSIGNAL);
		close(h->sock);
		h->sock = -1;
	}
	tell_done(); /* answered: what fails later is the program's (its stderr) */
	if (rc < 0)
		die_msg(why);
}

static int confine_on_exec(const char *label, char *why, size_t n);

static void exec_option(struct process *p, const char *a, char *v, const char **report_path)
{
	if (!strcmp(a, "--cwd"))
		p->cwd = v;
	else if (!strcmp(a, "--uid"))
		p->uid = (uid_t)parse_number(v, "bad uid");
	else if (!strcmp(a, "--gid"))
		p->gid = (gid_t)parse_number(v, "bad gid");
	else if (!strcmp(a, "--group")) {
		gid_t *grown = realloc(p->groups, sizeof(gid_t) * (p->ngroups + 1));
		if (!grown)
			die_msg("out of memory");
		p->groups = grown;
		p->groups[p->ngroups++] = (gid_t)parse_number(v, "bad group");
	} else if (!strcmp(a, "--env"))
		push(&p->env, &p->nenv, v);
	else if (!strcmp(a, "--no-new-privileges"))
		p->no_new_privs = v[0] == '1';
	else if (!strcmp(a, "--seccomp")) {
		p->seccomp = 1;
		p->seccomp_flags = (unsigned)parse_number(v, "exec: bad --seccomp");
	} else if (!strcmp(a, "--cap")) { /* SET=name name ... */
		static const char *const sets[] = {"bounding=", "effective=", "permitted=", "inheritable=",
						   "ambient="};
		int known = 0;
		for (int k = 0; k < 5; k++)
			if (!strncmp(v, sets[k], strlen(sets[k]))) {
				p->caps[k] = v + strlen(sets[k]);
				known = 1;
			}
		if (!known)
			die_msg("exec: bad --cap");
		p->has_caps = 1;
	} else if (!strcmp(a, "--rlimit")) { /* "RLIMIT_X soft hard" */
		process_add_rlimit(p, v);
	} else if (!strcmp(a, "--ct-bounding")) { /* hex, as /proc/<pid>/status shows CapBnd */
		char *end;
		p->ct_bounding = strtoull(v, &end, 16);
		if (!*v || *end)
			die_msg("exec: bad --ct-bounding");
		p->has_ct_bounding = 1;
	} else if (!strcmp(a, "--apparmor")) {
		p->apparmor = v;
	} else if (!strcmp(a, "--report")) {
		/* only sockets of our own directory */
		if (strncmp(v, NX_INIT_DIR "/", sizeof NX_INIT_DIR) || strstr(v, ".."))
			die_msg("exec: bad --report path");
		*report_path = v;
		tell_on(v);
	} else
		die_msg("exec: unknown option");
}

static int exec_mode(int argc, char **argv)
{
	struct process p;
	memset(&p, 0, sizeof p);
	p.umask_value = -1;
	const char *report_path = NULL;
	int i = 2;
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (i + 1 >= argc)
			die_msg("exec: option needs a value");
		exec_option(&p, argv[i], argv[i + 1], &report_path);
		i++;
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
	if (report_path) {
		handover(report_path, &h);
		report(&h, 0, "");
	}
	char why[300];
	if (p.apparmor && confine_on_exec(p.apparmor, why, sizeof why) < 0)
		die_msg(why);
	apply_and_exec(&p, &h);
}

/* The program joins another pid namespace (a pod's, the host's), which a
 * CT's init cannot enter: the stand-in starts it from the host. This init
 * only keeps the CT up until the stand-in ends it, reaping what LXC's
 * attach leaves it. As pid 1 it ignores every signal it does not handle,
 * which is all but SIGKILL. */
static void __attribute__((noreturn)) keep_the_ct(void)
{
	signal(SIGCHLD, SIG_IGN); /* children reaped by the kernel */
	for (;;)
		pause();
}

/* The AppArmor label of this /proc's pid 1 (the CT's init, which LXC
 * confined), "" when it has none or AppArmor is off. */
static void confinement_of_pid1(char *label, size_t n)
{
	size_t len;
	char *cur = read_if_there("/proc/1/attr/current", &len);
	label[0] = '\0';
	if (!cur)
		return;
	/* "name (mode)\n" */
	cur[len < n ? len : n - 1] = '\0';
	char *end = strstr(cur, " (");
	if (end)
		*end = '\0';
	cur[strcspn(cur, "\n")] = '\0';
	if (*cur && strcmp(cur, "unconfined"))
		snprintf(label, n, "%s", cur);
	free(cur);
}

/* The label to enter at the next execve, as runc applies a profile. */
static int confine_on_exec(const char *label, char *why, size_t n)
{
	int fd = open("/proc/self/attr/apparmor/exec", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		fd = open("/proc/self/attr/exec", O_WRONLY | O_CLOEXEC);
	char cmd[300];
	int len = snprintf(cmd, sizeof cmd, "exec %s", label);
	if (fd < 0 || write(fd, cmd, (size_t)len) != len) {
		snprintf(why, n, "AppArmor profile %s for the program: %s", label, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* `init program <n>`: the program as the stand-in forks it, in the pid
 * namespace it joins (the CT's other namespaces and cgroup are the
 * stand-in's), with its descriptors already at 0..n-1. */
static int program_mode(int argc, char **argv)
{
	if (argc < 3)
		die_msg("program: descriptor count missing");
	size_t len;
	char *data = read_all(NX_INIT_DIR "/" NX_INIT_PROCESS, &len);
	struct process p;
	load_process(&p, data, len);
	p.create_cwd = 1;
	struct handover h = {.tty_slave = -1, .sock = -1, .inherited = (int)parse_number(argv[2], "bad count")};
	char why[700];
	/* The stand-in that forked us is not confined as the CT is: the
	 * CT's AppArmor profile (its init's, pid 1 of this /proc) goes with
	 * the program's exec, read before /proc shows another pid namespace. */
	char label[256] = "";
	confinement_of_pid1(label, sizeof label);
	if (mount_proc_again(why, sizeof why) < 0)
		die_msg(why);
	if (*label && confine_on_exec(label, why, sizeof why) < 0)
		die_msg(why);
	if (p.terminal)
		(void)!fchown(0, p.uid, (gid_t)-1); /* the pty the stand-in made */
	apply_and_exec(&p, &h);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], NX_INIT_MODE_EXEC))
		return exec_mode(argc, argv);
	if (argc > 1 && !strcmp(argv[1], NX_INIT_MODE_STOPHOOK))
		return stop_hook_main(argv[0]);
	if (argc > 1 && !strcmp(argv[1], NX_INIT_MODE_PROGRAM))
		return program_mode(argc, argv);
	tell_on(NX_INIT_DIR "/" NX_INIT_SYNC_SOCK);
	size_t len;
	char *data = read_all(NX_INIT_DIR "/" NX_INIT_PROCESS, &len);
	struct process p;
	load_process(&p, data, len);
	p.create_cwd = 1;
	struct handover h;
	handover(NX_INIT_DIR "/" NX_INIT_SYNC_SOCK, &h);
	char why[700] = "";
	report(&h, setup_container(&p, &h, why, sizeof why), why);
	if (p.keeper)
		keep_the_ct();
	wait_for_start();
	apply_and_exec(&p, &h);
}
