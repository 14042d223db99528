/* The process file written by nexcage (src/core/init_spec.c): what the program
 * is and how the container around it is finished. No parser dependencies. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "init.h"
#include "protocol.h"

char *read_all(const char *path, size_t *len)
{
	char *data = read_if_there(path, len);
	if (!data)
		die(path);
	return data;
}

char *read_if_there(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t cap = 65536, used = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (!buf)
			die_msg("out of memory");
		ssize_t n = read(fd, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) { /* e.g. an attr file of a disabled LSM */
			close(fd);
			free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used == cap) {
			if (cap >= (256u << 20))
				die_msg("file too large");
			cap *= 2;
			buf = realloc(buf, cap);
		}
	}
	close(fd);
	*len = used;
	return buf;
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

void process_add_rlimit(struct process *p, const char *val)
{
	char name[32];
	unsigned long long soft, hard;
	if (sscanf(val, "%31s %llu %llu", name, &soft, &hard) != 3 || p->nrlimits >= RLIM_NLIMITS)
		die_msg("bad rlimit");
	int r = rlimit_number(name);
	if (r < 0)
		die_msg("unknown rlimit");
	p->rlimits[p->nrlimits].resource = r;
	p->rlimits[p->nrlimits].lim.rlim_cur = (rlim_t)soft;
	p->rlimits[p->nrlimits].lim.rlim_max = (rlim_t)hard;
	p->nrlimits++;
}

static void add_device(struct process *p, const char *val)
{
	struct device d;
	int off = 0;
	if (sscanf(val, "%c %o %lu %lu %lu %lu %n", &d.type, &d.mode, &d.uid, &d.gid, &d.major, &d.minor,
		   &off) != 6 ||
	    !off || !strchr("cbp", d.type) || val[off] != '/')
		die_msg("bad device entry");
	d.path = val + off;
	if (p->ndevices + 1 > MAX_ITEMS)
		die_msg("too many devices");
	struct device *grown = realloc(p->devices, sizeof *grown * (p->ndevices + 1));
	if (!grown)
		die_msg("out of memory");
	p->devices = grown;
	p->devices[p->ndevices++] = d;
}

static void add_group(struct process *p, const char *val)
{
	gid_t *grown = realloc(p->groups, sizeof(gid_t) * (p->ngroups + 1));
	if (!grown)
		die_msg("out of memory");
	p->groups = grown;
	p->groups[p->ngroups++] = (gid_t)parse_number(val, "bad group");
}

static void set_caps(struct process *p, const char *key, char *val)
{
	static const char *const sets[] = {"bounding", "effective", "permitted", "inheritable", "ambient"};
	for (int i = 0; i < 5; i++)
		if (!strcmp(key, sets[i]))
			p->caps[i] = val;
	p->has_caps = 1;
}

static void set_pair(struct process *p, const char *key, char *val)
{
	if (!strcmp(key, NX_KEY_ARG))
		push(&p->args, &p->nargs, val);
	else if (!strcmp(key, NX_KEY_ENV))
		push(&p->env, &p->nenv, val);
	else if (!strcmp(key, NX_KEY_CWD))
		p->cwd = val;
	else if (!strcmp(key, NX_KEY_UID))
		p->uid = (uid_t)parse_number(val, "bad uid");
	else if (!strcmp(key, NX_KEY_GID))
		p->gid = (gid_t)parse_number(val, "bad gid");
	else if (!strcmp(key, NX_KEY_GROUP))
		add_group(p, val);
	else if (!strcmp(key, NX_KEY_UMASK))
		p->umask_value = (long)parse_number(val, "bad umask");
	else if (!strcmp(key, NX_KEY_NNP))
		p->no_new_privs = val[0] == '1';
	else if (!strcmp(key, NX_KEY_OOM))
		p->oom_score_adj = val;
	else if (!strcmp(key, NX_KEY_HOSTNAME))
		p->hostname = val;
	else if (!strcmp(key, NX_KEY_TERMINAL))
		p->terminal = val[0] == '1';
	else if (!strncmp(key, NX_KEY_CAP_PREFIX, strlen(NX_KEY_CAP_PREFIX)))
		set_caps(p, key + strlen(NX_KEY_CAP_PREFIX), val);
	else if (!strcmp(key, NX_KEY_SYSCTL))
		push(&p->sysctl, &p->nsysctl, val);
	else if (!strcmp(key, NX_KEY_MASK))
		push(&p->masks, &p->nmasks, val);
	else if (!strcmp(key, NX_KEY_READONLY))
		push(&p->readonly, &p->nreadonly, val);
	else if (!strcmp(key, NX_KEY_KEEPER))
		p->keeper = val[0] == '1';
	else if (!strcmp(key, NX_KEY_RO_ROOT))
		p->readonly_root = val[0] == '1';
	else if (!strcmp(key, NX_KEY_DEVICE))
		add_device(p, val);
	else if (!strcmp(key, NX_KEY_RLIMIT))
		process_add_rlimit(p, val);
	else if (!strcmp(key, NX_KEY_SECCOMP)) {
		p->seccomp = 1;
		p->seccomp_flags = (unsigned)parse_number(val, "bad seccomp flags");
	}
	/* unknown keys: a newer nexcage; ignore */
}

void load_process(struct process *p, char *data, size_t len)
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
		set_pair(p, key, val);
	}
	if (p->nargs == 0)
		die_msg("process has no args");
	if (!p->env)
		push(&p->env, &p->nenv, NULL), p->nenv = 0;
}
