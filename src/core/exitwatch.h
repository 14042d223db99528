/* The exit status of a process that is not our child: the container's pid 1
 * is a child of LXC's monitor, yet its status must reach whoever waits for
 * the container. The kernel's process-events connector reports every exit
 * with its status; a socket filter keeps only the watched pid's, so a busy
 * host cannot crowd it out of the socket's buffer, and a pidfd says when the
 * process is gone whatever else happens (a reused pid is another process). */
#ifndef NX_EXITWATCH_H
#define NX_EXITWATCH_H

#include <sys/types.h>

#include "util/error.h"

typedef struct exitwatch {
	int events; /* process-events socket, filtered to pid */
	int pidfd;  /* readable once pid has exited */
	pid_t pid;
} exitwatch;

/* Subscribe to pid's exit, then open its pidfd and check that it is still
 * the process that started at start_time: from here on no exit of it can be
 * missed and no other process can be mistaken for it. */
int exitwatch_open(exitwatch *w, pid_t pid, unsigned long long start_time, nx_err *err);
void exitwatch_close(exitwatch *w);

/* Wait for the exit; *status is the raw wait status (WIFSIGNALED etc.).
 * While waiting, on_ready(data) is called whenever extra_fd is readable
 * (-1: none). Fails only when the process is gone and the kernel never
 * reported how it ended. */
int exitwatch_wait(const exitwatch *w, int extra_fd, void (*on_ready)(void *), void *data, int *status,
		   nx_err *err);

#endif
