/* What the core adds to a plan the rules made: the options it owns and
 * the raw keys of its own. The rules are reached through lua_bridge.h,
 * from plan_build.h. */
#ifndef NX_TRANSLATE_H
#define NX_TRANSLATE_H

#include "site/config.h"
#include "util/error.h"
#include "plan/plan.h"

/* The core's checks of the rules' plan that need the host: mount entry
 * targets in the rootfs, AppArmor present if asked for. */
int translate_core_checks(const translate_input *in, nx_plan *plan, nx_err *err);

/* Options the core owns, whatever the rules said (see translate.c). */
int plan_apply_core(nx_plan *plan, const nx_config *cfg, const char *root, const char *id, nx_err *err);

/* The raw keys written into <vmid>.conf: the core's (bind mount of the
 * init directory at /dev/.nexcage, init command in raw mode, an empty
 * lxc.seccomp.profile unless config.lua's lxc_seccomp is "proxmox", the
 * stop hook that waits for the stand-in), then the plan's. */
typedef struct core_raw {
	char mount[4352];
	char stop_hook[4352];
	nx_kv *all; /* entries borrow from this struct and the plan */
	size_t n;
} core_raw;
int core_raw_keys(const nx_plan *plan, const nx_config *cfg, const char *ctr_dir, core_raw *out, nx_err *err);
void core_raw_free(core_raw *raw);
#endif
