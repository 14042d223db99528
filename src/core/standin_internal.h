/* What the stand-in's two roles share (src/core/standin.c: watching the CT's
 * init; src/core/standin_program.c: starting the program in another pid
 * namespace). Used only inside the stand-in process. */
#ifndef NX_STANDIN_INTERNAL_H
#define NX_STANDIN_INTERNAL_H

#include "util/error.h"
#include "core/standin.h"

typedef struct standin {
	pid_t pid;
	int sigfd;
	int procfd;  /* the host's /proc, opened before the CT's mount namespace */
	int members; /* the CT's cgroup.procs in one hierarchy (host pids) */
	int *home;  /* the stand-in's own cgroup.procs files, for the way out */
	size_t nhome;
} standin;

/* Tell create why, and end. */
void __attribute__((noreturn)) standin_fail(int report, const nx_err *err);
int standin_report(int report, const char *msg);
/* The signals passed on, blocked and readable from the returned signalfd. */
int standin_block_signals(void);
/* Wait for the CT's init and end as it ended. */
void __attribute__((noreturn)) standin_wait_init(const exitwatch *w, standin *s);
void __attribute__((noreturn)) standin_mirror_exit(int status);
/* 0..n-1 (at least 0-2) become /dev/null. */
void standin_null_fds(int n);
/* SIGKILL to every process of the cgroup whose cgroup.procs is `members`
 * but the caller (the program's children outside the CT's pid namespace
 * do not die with the CT's init). */
void standin_end_the_rest(int members);
/* The program role; never returns. */
void __attribute__((noreturn)) standin_run_program(const standin_opts *o, standin *s, int report);

#endif
