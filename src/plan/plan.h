/* The plan: what the Lua translation returns (docs/plan.md), checked by the
 * core before any of it reaches pct. Lua returns data; the core validates
 * each option against pct's format, refuses anything that could smuggle a
 * second key into the Proxmox config (newline, NUL, control characters),
 * and only then renders argv. */
#ifndef NX_PLAN_H
#define NX_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"
#include "plan/plan_format.h"
#include "util/kv.h"

struct sock_filter;

typedef struct nx_rlimit {
	char *type;
	unsigned long long soft, hard;
} nx_rlimit;

typedef struct nx_process {
	char **args; /* NULL-terminated */
	size_t nargs;
	char **env; /* NULL-terminated */
	size_t nenv;
	char *cwd;
	unsigned long uid, gid;
	unsigned long *groups;
	size_t ngroups;
	long umask; /* -1: unset */
	bool terminal;
	bool no_new_privileges;
	bool has_oom_score_adj;
	long oom_score_adj;
	nx_rlimit *rlimits;
	size_t nrlimits;
	nx_kv *sysctl; /* namespaced sysctls nexcage-init writes before exec */
	size_t nsysctl;
	bool has_caps;
	char *caps[5];	/* bounding effective permitted inheritable ambient: "chown kill" */
	nx_kv *join_ns; /* {"network", "/run/netns/x"}: joined by the init before exec */
	size_t njoin_ns;
	struct nx_device {
		char *path; /* under /dev/ */
		char type;  /* c, b or p */
		unsigned mode;
		unsigned long uid, gid, major, minor;
	} * devices; /* linux.devices: made by the init (mknod), as runc makes them */
	size_t ndevices;
	char *hostname; /* set by the init in the uts namespace it ends up in */
	bool readonly_root; /* root.readonly: the init remounts / read-only last */
	bool keeper;	    /* read back from the process file: the stand-in started the program */

	bool has_seccomp;	/* the init loads <ctr_dir>/seccomp.bpf for the program */
	unsigned seccomp_flags; /* with these seccomp(2) flags */
} nx_process;

extern const char *const nx_cap_sets[5];

typedef struct nx_plan {
	nx_kv *options; /* pct create options, sorted by name */
	size_t n_options;
	nx_kv *lxc; /* raw lxc.* keys, in order */
	size_t n_lxc;
	bool has_process;
	nx_process process;
	char *seccomp;	     /* the filter's text (rules.seccomp, src/plan/seccomp_plan.h), or NULL */
	char **masked_paths; /* linux.maskedPaths, applied by nexcage-init (src/init/setup.c) */
	size_t n_masked_paths;
	char **readonly_paths; /* linux.readonlyPaths, likewise */
	size_t n_readonly_paths;
	char **warnings;
	size_t n_warnings;
	char **notes; /* shown by the dry run only (util.note) */
	size_t n_notes;

	struct sock_filter *seccomp_bpf; /* plan.seccomp compiled (translate_core_checks) */
	size_t seccomp_bpf_len;		 /* instructions */
} nx_plan;

void plan_free(nx_plan *plan);
const char *plan_option(const nx_plan *plan, const char *name);
/* Set or replace an option the core owns (tags, description, entrypoint). */
int plan_set_option(nx_plan *plan, const char *name, const char *value, nx_err *err);
void plan_drop_option(nx_plan *plan, const char *name);
/* For the plan's readers: free a string vector; order nx_kv by key. */
void plan_strings_free(char **v, size_t n);
int plan_kv_cmp(const void *a, const void *b);

/* What the rules translate: the bundle, validated. */
typedef struct bridge_spec bridge_spec;

typedef struct translate_input {
	const char *id;	    /* the OCI id ("" for a dry run without one) */
	const bridge_spec *spec; /* the spec the rules get (a copy of the validated one) */
	const char *bundle; /* absolute */
	const char *rootfs; /* absolute */
} translate_input;

#endif
