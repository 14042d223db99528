/* pause/resume as runc does them: the cgroup freezer of the container's
 * cgroup (the init's, which the stand-in and every exec'd process share or
 * sit below), no pct call. pct suspend is a CRIU checkpoint that stops the
 * CT (docs/decisions.md). */
#ifndef NX_FREEZER_H
#define NX_FREEZER_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"

/* How long a freeze or thaw may take before it is given up. */
#define NX_FREEZE_TIMEOUT 10.0

/* Freeze (or thaw) pid's cgroup and wait until the kernel reports it
 * frozen (thawed): v1 freezer.state FROZEN, v2 cgroup.events "frozen 1".
 * A freeze that does not complete within timeout seconds is undone and
 * fails with NX_ERR_TIMED_OUT. */
int freezer_set(pid_t pid, bool freeze, double timeout, nx_err *err);

#endif
