/* nexcage-init's parts: one static binary, libc only (it runs inside any
 * root filesystem). See main.c for what it is and docs/decisions.md, "The
 * container is set up in runc's order", for the sequence. */
#ifndef NX_INIT_H
#define NX_INIT_H

#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "../util/scm_rights.h"

#define MAX_ITEMS 1048576 /* entries of one kind in the process file */

struct device {
	char type; /* c, b or p */
	unsigned mode;
	unsigned long uid, gid, major, minor;
	const char *path;
};

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
	const char *hostname;
	struct {
		int resource;
		struct rlimit lim;
	} rlimits[RLIM_NLIMITS];
	size_t nrlimits;
	char **sysctl; /* "net.ipv4.ip_forward=1" */
	size_t nsysctl;
	char **masks, **readonly;
	size_t nmasks, nreadonly;
	struct device *devices;
	size_t ndevices;
	int terminal;
	int readonly_root;
	int keeper; /* the program is started by the stand-in, in another pid namespace */
	int has_caps;  /* config.json gave process.capabilities */
	char *caps[5]; /* bounding effective permitted inheritable ambient: "chown kill ..." */
	int create_cwd; /* make a missing cwd (create's init; exec fails instead, as runc) */
	int seccomp;	/* load NX_INIT_SECCOMP */
	unsigned seccomp_flags;
	/* exec entered directly (not through pct exec): the CT's bounding set
	 * and AppArmor label, which lxc-attach would have applied */
	int has_ct_bounding;
	unsigned long long ct_bounding;
	const char *apparmor;
};

/* What nexcage hands over on the sync socket: the descriptors the program
 * gets (create's stdio and --preserve-fds, or a pty made here) and the
 * namespaces an engine prepared (joined by descriptor before exec). */
#define MAX_HANDOVER_FDS SCM_FDS_MAX
#define MAX_JOIN_NS	 8
struct handover {
	int fds[MAX_HANDOVER_FDS]; /* program's fds, from 0 (stdio) or from 3 (tty) */
	int nfds;
	int tty_slave; /* -1: no terminal */
	int inherited; /* the program's descriptors are already at 0..inherited-1 */
	int ns_fds[MAX_JOIN_NS];
	int ns_types[MAX_JOIN_NS];
	int nns;
	int sock; /* the sync socket, open until the setup is answered */
};

/* Failures end the init with the reason: on stderr and, while nexcage
 * waits for the init's answer, on the socket it waits on (main.c). */
void __attribute__((noreturn)) die(const char *what);
void __attribute__((noreturn)) die_msg(const char *what);
void tell_on(const char *path); /* not connected yet: connect there to tell */
void tell_connected(int fd);	/* connected: tell on fd */
void tell_done(void);		/* answered: nobody waits any more */
/* Grow a NULL-terminated vector by one (dies when full or out of memory). */
void push(char ***v, size_t *n, char *s);
unsigned long long parse_number(const char *s, const char *what);

/* process_file.c */
char *read_all(const char *path, size_t *len);
char *read_if_there(const char *path, size_t *len); /* NULL when it cannot be opened */
void load_process(struct process *p, char *data, size_t len);
/* "RLIMIT_X soft hard", as the process file spells one */
void process_add_rlimit(struct process *p, const char *val);

/* handover.c */
int unix_connect_to(const char *path); /* -1 and errno on failure */
void handover(const char *path, struct handover *h);
void wait_for_start(void);

/* setup.c: the container's side of create, before the program may start.
 * Returns 0, or -1 with the reason in why. */
int setup_container(struct process *p, struct handover *h, char *why, size_t n);

/* setup.c: /proc again, for the pid namespace the program is in (program
 * mode); 0 or -1 with the reason. */
int mount_proc_again(char *why, size_t n);

/* creds.c: the program's process, right before exec. */
void __attribute__((noreturn)) apply_and_exec(struct process *p, const struct handover *h);

/* stop_hook.c */
int stop_hook_main(const char *self);

#endif
