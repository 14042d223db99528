/* fork/exec of a program with an argv (never a shell), optional stdin data,
 * captured stdout/stderr (bounded), and a timeout that kills the whole
 * process group: used for pct, OCI hooks and nexcage.run in Lua. */
#ifndef NX_SPAWN_H
#define NX_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

typedef struct spawn_req {
	char *const *argv;	/* argv[0] is the path unless path is set */
	const char *path;	/* program to exec; NULL: argv[0] via PATH */
	char *const *envp;	/* NULL: inherit the environment */
	const char *stdin_data; /* NULL: /dev/null */
	size_t stdin_len;
	double timeout;	   /* seconds; <= 0: none */
	size_t max_output; /* per stream; 0: 1 MiB */
	const char *cwd;   /* NULL: inherit */
	/* > 0: run inside this process's namespaces (user, mnt, uts, ipc, net,
	 * cgroup, pid), with `path` opened on the host first and the host's
	 * root as root, so scripts and dynamically linked programs find their
	 * interpreter and libraries (an OCI createContainer hook) or, with
	 * ns_chroot, resolved inside its root (a startContainer hook). */
	pid_t ns_pid;
	bool ns_chroot;
} spawn_req;

typedef struct spawn_result {
	int exit_code; /* exit status, or 128 + signal */
	bool signaled;
	bool timed_out;
	char *out, *err; /* NUL-terminated, owned by the result */
	size_t out_len, err_len;
} spawn_result;

/* Fails only when the program could not be run at all (missing, not
 * executable, fork failure). A non-zero exit is a result, not an error. */
int spawn_run(const spawn_req *req, spawn_result *res, nx_err *err);
void spawn_result_free(spawn_result *res);
/* Start argv without waiting, in a new session, stdin /dev/null, stdout
 * and stderr to out_fd (< 0: /dev/null). */
int spawn_start(char *const *argv, int out_fd, pid_t *pid, nx_err *err);
/* In a child before it execs (async-signal-safe): an empty signal mask,
 * every signal's default disposition, a new session, stdin /dev/null,
 * stdout and stderr to out_fd (< 0: /dev/null), and every descriptor from 3
 * closed but keep_fd (which must be above 2). */
void spawn_child_detach(int out_fd, int keep_fd);
/* Wait for a child started by spawn_start; its exit status (128 + signal). */
int spawn_wait(pid_t pid);
/* A wait status as a shell reports it: the exit code, or 128 + the signal
 * that ended it. Every exit status nexcage passes on is this mapping.
 * Async-signal-safe (a forked child uses it before _exit). */
int spawn_exit_status(int wstatus);

/* The bounds the kernel's execve puts on a command line, the only ones on
 * a program's args and env: one string at most MAX_ARG_STRLEN bytes (with
 * its NUL), all of them with their pointers at most ARG_MAX
 * (sysconf(_SC_ARG_MAX), a quarter of the stack limit). what names the
 * list in the message ("process.args"). extra: bytes already taken by
 * other lists of the same exec. Returns the bytes taken, or -1 with why. */
#define EXEC_STRING_MAX 131072
long exec_strings_fit(const char *what, char *const *v, size_t n, long extra, char *why, size_t whylen);

#endif
