/* Starting a process inside a running container directly, the way runc's
 * exec enters one: for a container whose program joined a pid namespace
 * the CT's init is not in (a pod's, the host's), `pct exec` (lxc-attach
 * into the init's namespaces) would put the process in the CT's own, empty
 * pid namespace, where /proc, which shows the program's, does not know it.
 * The stand-in is in every namespace of the container but the pid one,
 * and leads its children into the program's: the new process enters those
 * (and the CT's cgroup) through it. */
#ifndef NX_CT_ENTER_H
#define NX_CT_ENTER_H

#include <sys/types.h>

#include "util/error.h"

/* Run argv (a path inside the container, e.g. nexcage-init's exec mode)
 * in the namespaces and cgroup of the stand-in standin (which started at
 * standin_start). *child is a host process that exits with argv's status,
 * as `pct exec` does; stdin is /dev/null, stdout and stderr go to out_fd
 * (< 0: /dev/null). */
int ct_enter_start(pid_t standin, unsigned long long standin_start, char *const *argv, int out_fd,
		   pid_t *child, nx_err *err);

#endif
