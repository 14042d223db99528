/* Whether this host enforces AppArmor, as runc decides it: the kernel
 * module's "enabled" parameter. A requested profile on a host without it
 * is an error, never silently unconfined. */
#ifndef NX_APPARMOR_H
#define NX_APPARMOR_H

#include <stdbool.h>

#include "util/error.h"
#include "plan/plan.h"

bool apparmor_host_enabled(void);
/* -1 when the plan asks for lxc.apparmor.profile and the host has no AppArmor. */
int apparmor_check_plan(const nx_plan *plan, nx_err *err);

#endif
