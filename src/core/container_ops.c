#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>


#include "util/clock.h"
#include "util/cleanup.h"
#include "core/container.h"
#include "pve/ct_owner.h"
#include "oci/container_id.h"
#include "core/freezer.h"
#include "util/fsutil.h"
#include "init/protocol.h"
#include "core/init_spec.h"
#include "util/lock.h"
#include "util/buf.h"
#include "util/log.h"
#include "bridge/site_hooks.h"
#include "oci/oci_hooks.h"
#include "core/mapping.h"
#include "core/mount_ns.h"
#include "pve/pct.h"
#include "util/proc.h"
#include "core/sweep.h"

nx_pct container_pct(const nx_state *st)
{
	return (nx_pct){.path = st->pct && st->pct[0] == '/' ? st->pct : "/usr/sbin/pct",
			.timeout = st->pct_timeout > 0 ? st->pct_timeout : 300};
}

int container_load(nx_ctx *ctx, const char *id, nx_state *st, nx_status *status, nx_err *err)
{
	if (container_id_validate(id, err) < 0)
		return -1;
	log_set_container(id);
	if (state_read(ctx->opts->root, id, st, err) < 0)
		return -1;
	log_set_vmid(st->vmid);
	*status = state_status(ctx->opts->root, st);
	return 0;
}

static const char *root_of(nx_ctx *ctx)
{
	return ctx->opts->root;
}

/* startContainer runs inside the container before the program; poststart
 * on the host after it. runtime-spec 1.3: a failing poststart is an error
 * and the container is stopped (older texts said: warn). */
static int site_hook(nx_ctx *ctx, const char *phase, const nx_state *st, const char *status, nx_err *err)
{
	if (!site_hooks_present(ctx->opts->hooks_path, phase))
		return 0;
	const nx_config *cfg = ctx_config(ctx, err);
	nx_lua *h = cfg ? ctx_lua(ctx, err) : NULL;
	if (!h)
		return nx_err_wrap(err, "%s", phase);
	site_hook_ctx hc = {.phase = phase,
			   .id = st->id,
			   .vmid = st->vmid,
			   .bundle = st->bundle,
			   .state = st,
			   .status = status};
	return site_hooks_run(h, cfg, ctx->opts->hooks_path, &hc, err);
}

static int start_with_hooks(nx_ctx *ctx, const char *root, nx_state *st, const char *ctr, nx_err *err)
{
	if (site_hook(ctx, "pre-start", st, "created", err) < 0)
		return -1;
	nx_buf b = {0};
	state_render(st, NX_CREATED, &b);
	int rc = oci_hooks_run(st->hooks_json, "startContainer", b.data, st->pid, HOOK_IN_CONTAINER, err);
	buf_free(&b);
	if (rc < 0)
		return rc;
	if (init_release(ctr, 10, err) < 0)
		return -1;
	state_render(st, state_status(root, st), &b);
	rc = oci_hooks_run(st->hooks_json, "poststart", b.data, 0, HOOK_ON_HOST, err);
	buf_free(&b);
	if (rc == 0)
		rc = site_hook(ctx, "post-start", st, "running", err);
	if (rc < 0)
		kill(st->pid, SIGKILL);
	return rc;
}

int container_start(nx_ctx *ctx, const char *id, nx_err *err)
{
	if (container_id_validate(id, err) < 0)
		return -1;
	int lock = state_lock(ctx->opts->root, id, err);
	if (lock < 0)
		return -1;
	cleanup_free char *ctr = state_ctr_dir(ctx->opts->root, id);
	nx_state st;
	nx_status status;
	int rc = container_load(ctx, id, &st, &status, err);
	if (rc < 0)
		goto out_unlocked;
	switch (status) {
	case NX_CREATED: break;
	case NX_STOPPED: rc = nx_err_set(err, "cannot start a container that has stopped"); goto out;
	default: rc = nx_err_set(err, "cannot start an already running container"); goto out;
	}
	rc = start_with_hooks(ctx, root_of(ctx), &st, ctr, err);
	if (rc == 0)
		log_info("started container %s (CT %ld, pid %d)", id, st.vmid, (int)st.pid);
out:
	state_free(&st);
out_unlocked:
	lock_release(lock);
	return rc;
}

/* Every process of the CT's cgroup but the stand-in: it would pass its copy
 * on to the init, which then got the signal twice. */
static int signal_all(const nx_state *st, int sig, nx_err *err)
{
	char cg[PATH_MAX];
	if (proc_cgroup_dir(st->pid, cg, sizeof cg, err) < 0)
		return -1;
	pid_t *pids = NULL;
	int n = proc_cgroup_pids(cg, &pids, err);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (pids[i] != st->standin && kill(pids[i], sig) < 0 && errno != ESRCH)
			log_warn("kill %d: %s", (int)pids[i], strerror(errno));
	free(pids);
	return 0;
}

/* The process a signal for the container goes to: the CT's init, or the
 * program the stand-in started in another pid namespace. */
static pid_t container_program_pid(const char *root, const nx_state *st)
{
	/* A program in another pid namespace is the stand-in's child (it
	 * recorded it, src/core/standin_program.c); the CT's init only keeps the CT
	 * and, as pid 1, ignores the signals a program would get. */
	cleanup_free char *dir = state_dir(root, st->id);
	cleanup_free char *path = dir ? fs_join(dir, NX_INIT_PROGRAM) : NULL;
	cleanup_free char *rec = NULL;
	nx_err e = {0};
	int pid;
	unsigned long long start;
	if (path && fs_read_file(path, 64, &rec, NULL, &e) == 0 && sscanf(rec, "%d %llu", &pid, &start) == 2 &&
	    proc_is_alive(pid, start))
		return pid;
	return st->pid;
}

int container_kill(nx_ctx *ctx, const char *id, int sig, bool all, nx_err *err)
{
	nx_state st;
	nx_status status;
	if (container_load(ctx, id, &st, &status, err) < 0)
		return -1;
	int rc = 0;
	pid_t target = container_program_pid(ctx->opts->root, &st);
	if (status == NX_STOPPED) {
		rc = nx_err_set(err, "container not running");
	} else if (all) {
		rc = signal_all(&st, sig, err);
	} else if (kill(target, sig) < 0) {
		/* Between our liveness check and kill it may have exited. */
		rc = errno == ESRCH ? nx_err_set(err, "container not running")
				    : nx_err_sys(err, errno, "kill %d", (int)target);
	}
	state_free(&st);
	return rc;
}

static void kill_and_wait(pid_t pid, unsigned long long start, double timeout)
{
	if (!proc_is_alive(pid, start))
		return;
	kill(pid, SIGKILL);
	double deadline = clock_monotonic() + timeout;
	while (proc_is_alive(pid, start) && clock_monotonic() < deadline)
		usleep(5000);
}

int container_try_lock(const char *root, const char *id, nx_err *err)
{
	cleanup_free char *dir = fs_join(root, NX_LOCK_DIR);
	if (fs_mkdir_p(dir, 0700, err) < 0)
		return -1;
	cleanup_free char *path = state_lock_path(root, id);
	int fd = lock_acquire(path, 0, err);
	if (fd < 0 && nx_err_is(err, NX_ERR_TIMED_OUT))
		return nx_err_kind_set(err, NX_ERR_BUSY, "%s: in use by another nexcage (a create or delete)", id);
	return fd;
}

/* Locks pct itself takes and an interrupted pct leaves behind; any other
 * lock (backup, migrate, snapshot...) is someone else's business. */
static bool lock_left_by_us(const char *lock)
{
	return !strcmp(lock, "create") || !strcmp(lock, "destroyed");
}

int container_destroy_ct(const ct_destroy *d, nx_err *err)
{
	ct_owner_query q = {d->cfg->pve_etc, d->cfg->node, d->vmid, d->root, d->id};
	if (ct_owner_check(&q, err) < 0) {
		if (nx_err_is(err, NX_ERR_CT_GONE)) {
			log_warn("CT %ld was already gone", d->vmid);
			nx_err_clear(err);
			return 0;
		}
		if (!nx_err_is(err, NX_ERR_NOT_OURS))
			return -1;
		/* the CT nexcage made is gone and its VMID went to another guest */
		log_warn("%s: left alone (the container's own CT is gone)", err->msg);
		nx_err_clear(err);
		return 0;
	}
	const nx_pct *pct = &d->pct;
	int rc = pct_destroy(pct, d->vmid, err);
	if (rc < 0 && d->recover && nx_err_is(err, NX_ERR_LOCKED) && lock_left_by_us(err->detail)) {
		log_warn("CT %ld was left locked (%s) by an interrupted pct: unlocking it to destroy it", d->vmid,
			 err->detail);
		nx_err_clear(err);
		rc = pct_unlock(pct, d->vmid, err);
		if (rc == 0)
			rc = pct_destroy(pct, d->vmid, err);
	}
	if (rc < 0 && nx_err_is(err, NX_ERR_CT_GONE)) {
		log_warn("CT %ld was already gone", d->vmid);
		nx_err_clear(err);
		rc = 0;
	}
	return rc;
}

/* Destroy the CT (one pct call: --force stops it first if LXC has not
 * noticed its init is gone yet), then every local trace; the mapping goes
 * only once the CT is gone. */
static int destroy_everything(nx_ctx *ctx, const char *id, long vmid, nx_pct pct, bool force, nx_err *err)
{
	const nx_config *cfg = ctx_config(ctx, err);
	if (!cfg)
		return -1;
	ct_destroy d = {cfg, pct, vmid, ctx->opts->root, id, force};
	if (container_destroy_ct(&d, err) < 0)
		return -1;
	/* the archive of a create of this id killed before pct unpacked it */
	char prefix[512];
	snprintf(prefix, sizeof prefix, "nexcage-%s-%s.", cfg->node, id);
	sweep_dir(cfg->template_dir, prefix, false, NULL, NULL);
	if (mapping_remove(ctx->opts->state_dir, ctx->opts->root, id, err) < 0)
		return -1;
	cleanup_free char *dir = state_dir(ctx->opts->root, id);
	/* a rootfs create attached in the node's mount namespace: detached
	 * before the state directory goes (the removal never enters a mount) */
	cleanup_free char *attached = fs_join(dir, NX_ATTACHED_ROOTFS);
	struct stat st;
	if (attached && lstat(attached, &st) == 0 && rootfs_release(cfg->lxc_mount_ns, attached, err) < 0)
		return -1;
	return fs_remove_tree(dir, err);
}

/* delete of an id whose state is gone (reboot) but whose CT remains. */
static int delete_orphan(nx_ctx *ctx, const char *id, bool force, nx_err *err)
{
	const nx_config *cfg = ctx_config(ctx, err);
	if (!cfg)
		return -1;
	nx_mapping m;
	if (mapping_read(ctx->opts->state_dir, ctx->opts->root, id, &m, err) < 0) {
		if (force && nx_err_is(err, NX_ERR_NOT_FOUND)) {
			/* no CT known: what is left is local (an unreadable state) */
			nx_err_clear(err);
			cleanup_free char *dir = state_dir(ctx->opts->root, id);
			return fs_remove_tree(dir, err);
		}
		return -1;
	}
	log_set_vmid(m.vmid);
	int rc = destroy_everything(ctx, id, m.vmid, (nx_pct){cfg->pct, cfg->pct_timeout}, force, err);
	mapping_free(&m);
	return rc;
}

int container_delete(nx_ctx *ctx, const char *id, bool force, nx_err *err)
{
	if (container_id_validate(id, err) < 0)
		return -1;
	log_set_container(id);
	const char *root = ctx->opts->root;
	if (fs_mkdir_p(root, 0711, err) < 0)
		return -1;
	int lock = state_lock(root, id, err);
	if (lock < 0)
		return -1;
	nx_state st;
	nx_status status;
	int rc;
	if (state_read(root, id, &st, err) < 0) {
		if (nx_err_is(err, NX_ERR_CORRUPT) && force) {
			log_warn("%s; removing the container through its mapping", err->msg);
			nx_err_clear(err);
			rc = delete_orphan(ctx, id, force, err);
		} else if (nx_err_is(err, NX_ERR_CORRUPT)) {
			rc = nx_err_wrap(err, "state unreadable ('nexcage delete --force %s' removes the container)",
					 id);
		} else {
			rc = nx_err_is(err, NX_ERR_NOT_FOUND) ? delete_orphan(ctx, id, force, err) : -1;
		}
		goto out;
	}
	log_set_vmid(st.vmid);
	status = state_status(root, &st);
	if ((status == NX_RUNNING || status == NX_PAUSED) && !force) {
		rc = nx_err_set(err, "cannot delete container %s that is not stopped: %s", id,
				state_status_name(status));
		state_free(&st);
		goto out;
	}
	if (site_hook(ctx, "pre-delete", &st, state_status_name(status), err) < 0) {
		rc = -1;
		state_free(&st);
		goto out;
	}
	/* runc deletes a created container by killing its held init, and a
	 * paused one by killing it, then thawing it (a frozen task dies only
	 * once thawed on cgroup v1, and LXC's stop thaws only on v2) */
	if (status == NX_PAUSED) {
		kill(st.pid, SIGKILL);
		nx_err e = {0};
		if (freezer_set(st.pid, false, NX_FREEZE_TIMEOUT, &e) < 0)
			log_warn("%s", e.msg);
	}
	if (status != NX_STOPPED)
		kill_and_wait(st.pid, st.pid_start, 10);
	nx_pct pct = container_pct(&st);
	rc = destroy_everything(ctx, id, st.vmid, pct, force, err);
	if (rc == 0) {
		/* Nothing to take out of the rootfs: create made nothing in it
		 * (the init's mount point is in the CT's /dev). Removing a
		 * <rootfs>/.nexcage here would detach it from another CT on the
		 * same rootfs, or remove the image's own directory. */
		log_info("deleted container %s (CT %ld)", id, st.vmid);
		/* poststop: after everything is undone; failure only warns */
		nx_buf b = {0};
		state_render(&st, NX_STOPPED, &b);
		nx_err herr = {0};
		if (oci_hooks_run(st.hooks_json, "poststop", b.data, 0, HOOK_ON_HOST, &herr) < 0)
			log_warn("%s", herr.msg);
		buf_free(&b);
		nx_err_clear(&herr);
		if (site_hook(ctx, "post-delete", &st, "stopped", &herr) < 0)
			log_warn("%s", herr.msg);
	}
	state_free(&st);
out:
	if (rc == 0) {
		cleanup_free char *lp = state_lock_path(root, id);
		lock_release_unlink(lock, lp);
	} else {
		lock_release(lock);
	}
	return rc;
}

int container_pause(nx_ctx *ctx, const char *id, bool pause, nx_err *err)
{
	if (container_id_validate(id, err) < 0)
		return -1;
	int lock = state_lock(ctx->opts->root, id, err);
	if (lock < 0)
		return -1;
	nx_state st;
	nx_status status;
	int rc = container_load(ctx, id, &st, &status, err);
	if (rc < 0) {
		lock_release(lock);
		return -1;
	}
	if (pause && status != NX_RUNNING)
		rc = nx_err_set(err,
				status == NX_PAUSED ? "container already paused" : "container not running");
	else if (!pause && status != NX_PAUSED)
		rc = nx_err_set(err, "container not paused");
	/* runc's pause: the freezer of the CT's cgroup, no pct call (pct
	 * suspend is a CRIU checkpoint that stops the CT) */
	if (rc == 0)
		rc = freezer_set(st.pid, pause, NX_FREEZE_TIMEOUT, err);
	state_free(&st);
	lock_release(lock);
	return rc;
}
