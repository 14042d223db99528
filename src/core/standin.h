/* The container's stand-in: a host process the caller of `create` can wait
 * for. Engines (conmon, containerd's shim) are subreapers that read the pid
 * from --pid-file and learn the program's exit status by reaping that pid;
 * they also treat that pid as the container: they join its namespaces
 * (/proc/<pid>/ns/..., a pod's other containers), read its cgroup (stats) and
 * enter it (nsenter, podman top). A Proxmox CT's init descends from systemd,
 * never from the caller. So the stand-in is create's child (it becomes the
 * engine's when create exits), lives in the CT's cgroup, network, ipc, uts,
 * cgroup and mount namespaces (its children's pid namespace is the CT's),
 * forwards the signals it gets to the CT's init, and when that init exits,
 * leaves the CT's cgroup and exits the same way: the same code, or killed by
 * the same signal. See docs/decisions.md, "Waiting for a Proxmox CT". */
#ifndef NX_STANDIN_H
#define NX_STANDIN_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"
#include "core/exitwatch.h"

typedef struct standin_opts {
	const exitwatch *watch; /* pid's exit, subscribed before it could exit */
	const char *id;		/* the container id, for the process name */
	bool join;		/* take pid's namespaces and cgroups (the container's stand-in) */
	/* The program joins a pid namespace the CT's init cannot enter: the
	 * stand-in starts it (src/core/standin_program.c). pidns >= 0 asks for it. */
	int pidns;	  /* that pid namespace */
	int keep_fds;	  /* the program's descriptors: create's 0..keep_fds-1 */
	bool tty;	  /* a terminal made in the CT; *pty_master gets its master */
	int state_dirfd;  /* the state directory, where the program's pid is recorded */
	int *pty_master;
} standin_opts;

/* Fork the stand-in for watch->pid. It takes over the watch's descriptors
 * (the caller still closes its own copies). Returns once the stand-in is
 * in place (joined, when asked), or fails with why it could not be. */
pid_t standin_spawn(const standin_opts *o, nx_err *err);

#endif
