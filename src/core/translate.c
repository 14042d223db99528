#define _GNU_SOURCE
#include "core/translate.h"
#include "pve/ct_owner.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plan/apparmor.h"
#include "util/cleanup.h"
#include "init/protocol.h"
#include "core/init_spec.h"
#include "plan/mount_check.h"
#include "plan/seccomp_bpf.h"
#include "core/state_store.h"
#include "util/log.h"
#include "util/xalloc.h"

/* plan.seccomp compiled now, so a filter libseccomp or the kernel's size
 * limit refuses fails create before any pct call (and translate shows its
 * size); the init learns from the process file that it has one to load. */
static int compile_seccomp(nx_plan *plan, nx_err *err)
{
	if (!plan->seccomp)
		return 0;
	nx_seccomp_bpf bpf;
	if (seccomp_bpf_compile(plan->seccomp, &bpf, err) < 0)
		return -1;
	plan->seccomp_bpf = bpf.insns;
	plan->seccomp_bpf_len = bpf.len;
	plan->process.has_seccomp = true;
	plan->process.seccomp_flags = bpf.flags;
	return 0;
}

/* nexcage-init's directory must stay reachable, mount entries need the
 * root filesystem's file types, an AppArmor profile a host that has
 * AppArmor, and the seccomp filter libseccomp's compile: checks the core
 * makes on the rules' plan before anything else sees it. */
int translate_core_checks(const translate_input *in, nx_plan *plan, nx_err *err)
{
	if (init_dir_check(plan, err) < 0 || mount_targets_check(plan, in->rootfs, err) < 0 ||
	    apparmor_check_plan(plan, err) < 0 || compile_seccomp(plan, err) < 0)
		return -1;
	return 0;
}

static bool joins(const nx_process *p, const char *type)
{
	for (size_t i = 0; i < p->njoin_ns; i++)
		if (!strcmp(p->join_ns[i].key, type))
			return true;
	return false;
}

/* The CT is marked as nexcage's (tag + a description line with the OCI id,
 * so `list` and `gc` find it even when all local state is gone), gets a
 * root disk if the rules named none, and its init is the held
 * nexcage-init, which execs plan.process at start. */
int plan_apply_core(nx_plan *p, const nx_config *cfg, const char *root, const char *id, nx_err *err)
{
	const char *tags = plan_option(p, "tags");
	char buf[9000];
	if (!tags || !*tags)
		snprintf(buf, sizeof buf, "nexcage");
	else
		snprintf(buf, sizeof buf, "%s;nexcage", tags);
	if (plan_set_option(p, "tags", buf, err) < 0)
		return -1;
	const char *desc = plan_option(p, "description");
	char marker[4200];
	if (ct_owner_marker(root, id, marker, sizeof marker) < 0)
		return nx_err_set(err, "state root %s: cannot be written into the CT's description", root);
	/* pve-container refuses a description over 8 KiB */
	int len = snprintf(buf, sizeof buf, "%s%s%s", desc ? desc : "", desc && *desc ? "\n" : "", marker);
	if (len < 0 || len > 8192)
		return nx_err_set(err, "description: %d bytes with nexcage's marker lines, pct allows 8192", len);
	if (plan_set_option(p, "description", buf, err) < 0)
		return -1;
	if (!plan_option(p, "rootfs")) {
		snprintf(buf, sizeof buf, "%s:%ld", cfg->storage, cfg->rootfs_size);
		if (plan_set_option(p, "rootfs", buf, err) < 0)
			return -1;
	}
	/* pct create would make the CT unprivileged by default; the rules
	 * decide from the user namespace, and say so explicitly. */
	if (!plan_option(p, "unprivileged") && plan_set_option(p, "unprivileged", "0", err) < 0)
		return -1;
	plan_drop_option(p, "env");
	/* LXC names the CT's own uts namespace after the Proxmox hostname; the
	 * init names the one the program ends up in after config.json's (a
	 * pod's, joined by path, included), as runc does. With none, a new uts
	 * namespace keeps its parent's name under runc (the caller's), not
	 * Proxmox's CT<vmid>; a joined one keeps its own. */
	char caller[256] = "";
	if (p->has_process && !p->process.hostname && !joins(&p->process, "uts") &&
	    gethostname(caller, sizeof caller - 1) == 0 && *caller)
		p->process.hostname = xstrdup(caller);
	if (!strcmp(cfg->process_mode, "entrypoint")) {
		if (plan_set_option(p, "entrypoint", NX_CTR_INIT, err) < 0)
			return -1;
	} else {
		plan_drop_option(p, "entrypoint");
	}
	/* The init applies cmd/uid/gid/cwd/env itself: LXC applying them
	 * first would leave it unable to reach its socket. */
	size_t w = 0;
	for (size_t i = 0; i < p->n_lxc; i++) {
		const char *k = p->lxc[i].key;
		if (!strncmp(k, "lxc.init.", 9) || !strncmp(k, "lxc.environment", 15)) {
			free(p->lxc[i].key);
			free(p->lxc[i].value);
			continue;
		}
		p->lxc[w++] = p->lxc[i];
	}
	p->n_lxc = w;
	return 0;
}

int core_raw_keys(const nx_plan *plan, const nx_config *cfg, const char *ctr_dir, core_raw *out, nx_err *err)
{
	memset(out, 0, sizeof *out);
	/* The path is a mount entry's field and part of the stop hook's
	 * command line, which LXC runs through /bin/sh. */
	if (ctr_dir[strspn(ctr_dir, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/._+-:@%,=")])
		return nx_err_set(err,
				  "state root %s: only letters, digits and /._+-:@%%,= can be named in the CT's "
				  "config (a mount entry and a hook command)",
				  ctr_dir);
	out->all = xcalloc(plan->n_lxc + 5, sizeof(nx_kv));
	/* create=dir makes the mount point in autodev's /dev tmpfs (LXC mounts
	 * it before any mount entry), not in the image; first, so no entry of
	 * the plan can come under it (mount_check.c refuses one at or below).
	 * No lxc.console.logfile: what the CT writes to /dev/console would
	 * grow a host file without bound; the init reports its failures on
	 * the sync socket instead (src/init/main.c). */
	snprintf(out->mount, sizeof out->mount, "%s %s none bind,ro,create=dir 0 0", ctr_dir,
		 &NX_CTR_MOUNTPOINT[1]);
	out->all[out->n++] = (nx_kv){"lxc.mount.entry", out->mount};
	if (strcmp(cfg->process_mode, "entrypoint"))
		out->all[out->n++] = (nx_kv){"lxc.init.cmd", NX_CTR_INIT};
	/* The program's filter is linux.seccomp's, loaded by the init; as
	 * under runc, nothing else filters the CT unless the site keeps
	 * Proxmox's baseline (an empty value clears common.conf's profile). */
	if (strcmp(cfg->lxc_seccomp, "proxmox"))
		out->all[out->n++] = (nx_kv){"lxc.seccomp.profile", ""};
	/* LXC removes the CT's cgroups once its init has exited; the
	 * stand-in is a member until it has seen that exit (src/init/stop_hook.c). */
	snprintf(out->stop_hook, sizeof out->stop_hook, "%s/init " NX_INIT_MODE_STOPHOOK, ctr_dir);
	out->all[out->n++] = (nx_kv){"lxc.hook.stop", out->stop_hook};
	for (size_t i = 0; i < plan->n_lxc; i++)
		out->all[out->n++] = plan->lxc[i];
	return 0;
}

void core_raw_free(core_raw *raw)
{
	free(raw->all);
	raw->all = NULL;
	raw->n = 0;
}
