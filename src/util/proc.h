/* What /proc and cgroupfs say about a host process: identity (pid + start
 * time, so a reused pid is not mistaken for the container), liveness, the
 * cgroup it lives in, whether that cgroup is frozen. No pct involved. */
#ifndef NX_PROC_H
#define NX_PROC_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"

/* Start time (clock ticks since boot, /proc/<pid>/stat field 22); 0 when
 * the process does not exist or is a zombie. */
unsigned long long proc_start_time(pid_t pid);
/* The same, read through procfd (a /proc of the host's pid namespace,
 * opened before entering a container's mount namespace). */
unsigned long long proc_start_time_at(int procfd, pid_t pid);
/* True when pid exists, is not a zombie, and started at start_time. */
bool proc_is_alive(pid_t pid, unsigned long long start_time);
/* The cgroup v2 directory of pid under /sys/fs/cgroup, into out. */
int proc_cgroup_dir(pid_t pid, char *out, size_t n, nx_err *err);
/* The directory of pid's cgroup that freezes it: in the v1 freezer
 * hierarchy where the host mounts one (hybrid and legacy hosts, *v1 true),
 * else in cgroup v2. */
int proc_freezer_dir(pid_t pid, char *out, size_t n, bool *v1, nx_err *err);
/* True when that cgroup is frozen (v1 freezer.state FROZEN, v2
 * cgroup.events "frozen 1"). */
bool proc_pid_frozen(pid_t pid);
/* The cgroup.procs file of pid's cgroup in every hierarchy this host has
 * mounted (v2 and each v1 one), as host paths: writing a pid there moves
 * that process into pid's cgroups. *files is NULL-terminated (strv_free). */
int proc_cgroup_procs_files(pid_t pid, char ***files, size_t *n, nx_err *err);
/* Every pid in the cgroup subtree; returns the count, *pids malloc'ed. */
int proc_cgroup_pids(const char *cgdir, pid_t **pids, nx_err *err);

#endif
