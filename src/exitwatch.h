/* The exit status of a process that is not our child: the container's pid 1
 * is a child of LXC's monitor, yet `run` must exit with its status. The
 * kernel's process-events connector reports every exit with its status;
 * subscribe before the process is released so no exit can be missed. */
#ifndef NX_EXITWATCH_H
#define NX_EXITWATCH_H

#include <sys/types.h>

#include "error.h"

int exitwatch_open(nx_err *err);
/* Wait for pid to exit; returns its exit status (128 + signal when killed).
 * tick() is called about every 100 ms while waiting (streams output). */
int exitwatch_wait(int fd, pid_t pid, unsigned long long start_time, void (*tick)(void *), void *data,
		   nx_err *err);

/* The same, with the raw wait status (WIFSIGNALED etc. apply). */
int exitwatch_wait_status(int fd, pid_t pid, unsigned long long start_time, void (*tick)(void *), void *data,
			  int *status, nx_err *err);

#endif
