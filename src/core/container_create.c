#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/bundle_load.h"
#include "util/buf.h"
#include "util/cleanup.h"
#include "core/container.h"
#include "oci/container_id.h"
#include "util/fsutil.h"
#include "init/protocol.h"
#include "core/init_spec.h"
#include "util/lock.h"
#include "util/log.h"
#include "bridge/site_hooks.h"
#include "oci/oci_hooks.h"
#include "util/proc.h"
#include "core/mapping.h"
#include "core/mount_ns.h"
#include "plan/mount_dest.h"
#include "pve/pct.h"
#include "core/plan_build.h"
#include "pve/pve.h"
#include "plan/seccomp_bpf.h"
#include "core/standin.h"
#include "core/exitwatch.h"
#include "core/state_store.h"
#include "pve/template.h"
#include "core/translate.h"
#include "util/version.h"
#include "core/vmid.h"
#include "util/xalloc.h"

/* A VMID another node takes between our check and pct create is retried
 * with the next choice. Every refusal is a create of another node that
 * succeeded (creates of this node never collide: the mapping reserves the
 * VMID), so this bounds the concurrent creates of other nodes a create
 * can lose to, not the luck of the draw. */
#define VMID_ATTEMPTS 32
/* How long the init may take to report after pct start returned. */
#define INIT_REPORT_TIMEOUT 60.0

char *container_template_name(const char *node, const char *id)
{
	return xasprintf("nexcage-%s-%s.tar.zst", node, id);
}

/* The archive one create writes: its pid keeps two roots' creates of one
 * id apart and tells gc whether a leftover's writer is dead. */
static char *template_file_name(const char *node, const char *id)
{
	return xasprintf("nexcage-%s-%s.%d.tar.zst", node, id, (int)getpid());
}

/* What create has made so far, undone in reverse on failure. */
typedef struct create_job {
	nx_ctx *ctx;
	const nx_config *cfg;
	nx_lua *lua; /* with cfg, loaded once at the start */
	const create_opts *o;
	nx_pct pct;
	nx_bundle bundle;
	bool bundle_loaded;
	nx_plan plan;
	char *state_dir, *ctr_dir, *template_name, *template_path;
	bool made_state_dir, made_template, made_mapping, made_ct;
	bool maybe_ct; /* pct create failed midway (killed, timed out): a half-made CT may exist */
	long vmid;
	int sync_fd, init_conn;
	pid_t pid, standin;
	unsigned long long standin_start;
	bool bind_rootfs;
	char *attached_rootfs; /* the rootfs as attached in the node's mount namespace */
	unsigned long long pid_start;
	nx_mapping mapping;
	char created[64];
} create_job;

static void rollback(create_job *j)
{
	nx_err e = {0};
	bool ct_gone = true;
	if (j->made_ct || j->maybe_ct) {
		/* a pct create killed midway leaves its `lock: create`: ours to clear */
		ct_destroy d = {j->cfg, j->pct, j->vmid, j->ctx->opts->root, j->o->id, true};
		if (container_destroy_ct(&d, &e) < 0) {
			log_error("rollback: could not destroy CT %ld (the mapping keeps it known: "
				  "'nexcage delete --force %s' retries): %s",
				  j->vmid, j->o->id, e.msg);
			ct_gone = false;
		}
	}
	if (j->attached_rootfs && ct_gone && rootfs_release(j->cfg->lxc_mount_ns, j->attached_rootfs, &e) < 0)
		log_error("rollback: %s", e.msg);
	if (j->made_template && unlink(j->template_path) < 0 && errno != ENOENT)
		log_error("rollback: remove %s: %s", j->template_path, strerror(errno));
	/* The mapping goes only with the CT: otherwise nothing would know it. */
	if (ct_gone && j->made_mapping &&
	    mapping_remove(j->ctx->opts->state_dir, j->ctx->opts->root, j->o->id, &e) < 0)
		log_error("rollback: %s", e.msg);
	if (j->made_state_dir && fs_remove_tree(j->state_dir, &e) < 0)
		log_error("rollback: %s", e.msg);
}

/* The compiled filter, beside the init in the directory the CT sees
 * read-only at /dev/.nexcage: its root reads it there (src/init/seccomp_load.h). */
static int seccomp_file(create_job *j, uid_t uid, gid_t gid, nx_err *err)
{
	if (!j->plan.seccomp_bpf)
		return 0;
	cleanup_free char *path = fs_join(j->ctr_dir, NX_INIT_SECCOMP);
	if (fs_write_atomic(path, j->plan.seccomp_bpf, j->plan.seccomp_bpf_len * sizeof(struct sock_filter),
			    0644, err) < 0)
		return -1;
	if (chown(path, uid, gid) < 0)
		return nx_err_sys(err, errno, "chown %s", path);
	return 0;
}

static int raw_keys(create_job *j, nx_err *err)
{
	core_raw raw;
	if (core_raw_keys(&j->plan, j->cfg, j->ctr_dir, &raw, err) < 0)
		return -1;
	int rc = pve_conf_add_raw(j->cfg->pve_etc, j->cfg->node, j->cfg->pve_lock_dir, j->vmid, raw.all,
				  raw.n, err);
	core_raw_free(&raw);
	return rc < 0 ? nx_err_wrap(err, "write raw lxc keys to CT %ld", j->vmid) : 0;
}

/* pct create, retrying with another VMID when the cluster says it is
 * taken (another node won the race). */
static int create_ct(create_job *j, nx_err *err)
{
	long refused[VMID_ATTEMPTS];
	size_t nrefused = 0;
	j->mapping = (nx_mapping){.id = (char *)j->o->id,
				  .node = j->cfg->node,
				  .bundle = j->bundle.path,
				  .created = j->created,
				  .root = (char *)j->ctx->opts->root};
	for (int attempt = 1; attempt <= VMID_ATTEMPTS; attempt++) {
		vmid_request vr = {.cfg = j->cfg,
				   .state_dir = j->ctx->opts->state_dir,
				   .lua = j->lua,
				   .annotations = j->bundle.annotations,
				   .n_annotations = j->bundle.n_annotations,
				   .exclude = refused,
				   .n_exclude = nrefused,
				   .attempt = attempt};
		if (vmid_allocate(&vr, &j->mapping, err) < 0)
			return -1;
		j->made_mapping = true;
		j->vmid = j->mapping.vmid;
		char ostemplate[PATH_MAX];
		if (j->bind_rootfs)
			snprintf(ostemplate, sizeof ostemplate, "%s", j->template_path);
		else
			snprintf(ostemplate, sizeof ostemplate, "%s:vztmpl/%s", j->cfg->template_storage,
				 j->template_name);
		int rc = pct_create(&j->pct, j->vmid, ostemplate, j->plan.options, j->plan.n_options, err);
		if (rc == 0) {
			j->made_ct = true;
			return 0;
		}
		if (!nx_err_is(err, NX_ERR_VMID_TAKEN)) {
			j->maybe_ct = true;
			if (nx_err_is(err, NX_ERR_NO_TEMPLATE) && !j->bind_rootfs)
				nx_err_wrap(err,
					    "the template archive written to %s/%s is not on storage '%s' (config "
					    "template_dir must be that storage's template/cache directory; Proxmox "
					    "forces storage 'local' to /var/lib/vz)",
					    j->cfg->template_dir, j->template_name, j->cfg->template_storage);
			return -1;
		}
		log_warn("VMID %ld was taken before pct create; choosing another (%s)", j->vmid, err->msg);
		nx_err cleanup = {0};
		mapping_remove(j->ctx->opts->state_dir, j->ctx->opts->root, j->o->id, &cleanup);
		j->made_mapping = false;
		refused[nrefused++] = j->vmid;
	}
	return nx_err_wrap(err, "no free VMID after %d attempts", VMID_ATTEMPTS);
}

/* A pid namespace the program joins (given by path, or the caller's when
 * config.json has none): the stand-in starts the program then. */
static const nx_kv *pid_join(const nx_process *p)
{
	for (size_t i = 0; i < p->njoin_ns; i++)
		if (!strcmp(p->join_ns[i].key, "pid"))
			return &p->join_ns[i];
	return NULL;
}

/* The stand-in, once the init has joined the namespaces the engine
 * prepared (they are the container's for good then), subscribed to the
 * init's exit before the program can run. */
static int spawn_standin(create_job *j, const nx_kv *pidns_path, int *master, nx_err *err)
{
	exitwatch w;
	if (exitwatch_open(&w, j->pid, j->pid_start, err) < 0)
		return -1;
	standin_opts so = {.watch = &w,
			   .id = j->o->id,
			   .join = true,
			   .pidns = -1,
			   .keep_fds = 3 + j->o->preserve_fds,
			   .tty = pidns_path && j->plan.process.terminal,
			   .state_dirfd = -1,
			   .pty_master = master};
	int rc = 0;
	if (pidns_path) {
		so.pidns = pidns_open(pidns_path->value, err);
		so.state_dirfd = open(j->state_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (so.pidns < 0 || so.state_dirfd < 0)
			rc = so.pidns < 0 ? -1 : nx_err_sys(err, errno, "%s", j->state_dir);
	}
	if (rc == 0 && (j->standin = standin_spawn(&so, err)) < 0)
		rc = -1;
	exitwatch_close(&w);
	if (so.pidns >= 0)
		close(so.pidns);
	if (so.state_dirfd >= 0)
		close(so.state_dirfd);
	if (rc < 0)
		return -1;
	j->standin_start = proc_start_time(j->standin);
	/* what the CT's stop hook waits for (src/init/stop_hook.c) */
	char rec[64];
	int len = snprintf(rec, sizeof rec, "%d %llu\n", (int)j->standin, j->standin_start);
	cleanup_free char *path = fs_join(j->state_dir, NX_INIT_STANDIN);
	return fs_write_atomic(path, rec, (size_t)len, 0644, err);
}

/* The program's descriptors as runc gives them: create's own 0-2 (or a
 * pty made inside the CT, whose master goes to --console-socket) plus
 * --preserve-fds, handed to the init; and the namespaces the engine
 * prepared. A program that joins another pid namespace gets them from
 * the stand-in, which starts it (and makes its terminal). */
static int hand_over(create_job *j, nx_err *err)
{
	const nx_process *p = &j->plan.process;
	const nx_kv *pidns = pid_join(p);
	int fds[HANDOVER_FDS_MAX];
	size_t n;
	if (handover_caller_fds(p->terminal, j->o->preserve_fds, fds, &n, err) < 0)
		return -1;
	nx_kv ns[8];
	size_t nns = 0;
	for (size_t i = 0; i < p->njoin_ns && nns < 8; i++)
		if (&p->join_ns[i] != pidns)
			ns[nns++] = p->join_ns[i];
	init_handover h = {.fds = fds, .nfds = pidns ? 0 : n, .tty = !pidns && p->terminal, .ns = ns, .nns = nns};
	int master = -1;
	int rc = init_handover_send(j->init_conn, &h, &master, INIT_REPORT_TIMEOUT, err);
	close(j->init_conn);
	j->init_conn = -1;
	if (rc == 0 && pidns)
		rc = spawn_standin(j, pidns, &master, err);
	else if (rc == 0)
		rc = spawn_standin(j, NULL, NULL, err);
	if (rc == 0 && master >= 0)
		rc = console_socket_send(j->o->console_socket, master, err);
	if (master >= 0)
		close(master);
	return rc;
}

static int start_and_catch_init(create_job *j, nx_err *err)
{
	if (pct_start(&j->pct, j->vmid, err) < 0)
		return -1;
	/* an init that fails says why on this socket (src/init/main.c) */
	j->pid = init_sync_accept(j->sync_fd, INIT_REPORT_TIMEOUT, &j->init_conn, err);
	if (j->pid <= 0)
		return -1;
	j->pid_start = proc_start_time(j->pid);
	if (!j->pid_start)
		return nx_err_set(err, "the container's init (pid %d) exited right after start", (int)j->pid);
	return hand_over(j, err);
}

static char *owner_name(void)
{
	struct passwd *pw = getpwuid(geteuid());
	return xstrdup(pw ? pw->pw_name : "root");
}

static void build_state(create_job *j, nx_state *st)
{
	*st = (nx_state){
	    .id = (char *)j->o->id,
	    .oci_version = j->bundle.oci_version,
	    .bundle = j->bundle.path,
	    .rootfs = j->bundle.rootfs,
	    .created = j->created,
	    .pid = j->pid,
	    .pid_start = j->pid_start,
	    .standin = j->standin,
	    .standin_start = j->standin_start,
	    .vmid = j->vmid,
	    .node = j->cfg->node,
	    .pct = j->cfg->pct,
	    .pct_timeout = j->cfg->pct_timeout,
	};
	st->owner = owner_name();
	/* as validated: the bundle's C copies, whatever Lua did to its table */
	st->annotations = j->bundle.annotations;
	st->n_annotations = j->bundle.n_annotations;
	st->hooks_json = j->bundle.hooks_json;
}

static void free_built_state(nx_state *st)
{
	free(st->owner); /* the rest is borrowed */
}

/* prestart (deprecated) -> createRuntime -> createContainer, with the
 * state as runc passes it ("creating"); any failure rolls create back. */
static int create_hooks(create_job *j, const nx_state *st, nx_err *err)
{
	if (!st->hooks_json)
		return 0;
	nx_buf b = {0};
	state_render(st, NX_CREATING, &b);
	int rc = oci_hooks_run(st->hooks_json, "prestart", b.data, j->pid, HOOK_ON_HOST, err);
	if (rc == 0)
		rc = oci_hooks_run(st->hooks_json, "createRuntime", b.data, j->pid, HOOK_ON_HOST, err);
	if (rc == 0)
		rc =
		    oci_hooks_run(st->hooks_json, "createContainer", b.data, j->pid, HOOK_IN_NAMESPACES, err);
	buf_free(&b);
	return rc;
}

static int record_state(create_job *j, nx_err *err)
{
	nx_state st;
	build_state(j, &st);
	int rc = create_hooks(j, &st, err);
	if (rc == 0)
		rc = state_write(j->ctx->opts->root, &st, err);
	if (rc == 0) {
		site_hook_ctx hc = {.phase = "post-create",
				   .id = j->o->id,
				   .vmid = j->vmid,
				   .bundle = j->bundle.path,
				   .spec = j->bundle.spec,
				   .state = &st,
				   .status = "created"};
		rc = site_hooks_run(j->lua, j->cfg, j->ctx->opts->hooks_path, &hc, err);
	}
	free_built_state(&st);
	if (rc < 0 || !j->o->pid_file)
		return rc;
	char pid[32];
	int len = snprintf(pid, sizeof pid, "%d", (int)j->standin);
	return fs_write_atomic(j->o->pid_file, pid, (size_t)len, 0644, err);
}

/* An engine with a mount namespace of its own (buildah) has the rootfs
 * mounted where the node's service manager, which starts the CT, cannot
 * see it: it is then attached there, in the state directory, and the CT
 * uses that path (src/core/mount_ns.h). */
static int reach_rootfs(create_job *j, const char *option, nx_err *err)
{
	cleanup_free char *at = fs_join(j->state_dir, NX_ATTACHED_ROOTFS);
	if (mkdir(at, 0755) < 0)
		return nx_err_sys(err, errno, "mkdir %s", at);
	bool attached;
	if (rootfs_reach(j->cfg->lxc_mount_ns, j->bundle.rootfs, at, &attached, err) < 0) {
		rmdir(at);
		return -1;
	}
	if (!attached) {
		rmdir(at);
		return 0;
	}
	j->attached_rootfs = NX_STEAL(at);
	/* the same options, on the attached path */
	cleanup_free char *value = xasprintf("%s%s", j->attached_rootfs, option + strlen(j->bundle.rootfs));
	return plan_set_option(&j->plan, "rootfs", value, err);
}

/* The rootfs in place (a bind mount point: Proxmox restores the template
 * into it and never deletes it), or, where the site asks, a copy into a
 * Proxmox storage through a template archive of the bundle's rootfs. */
static int prepare_rootfs(create_job *j, nx_err *err)
{
	const char *rootfs = plan_option(&j->plan, "rootfs");
	j->bind_rootfs = rootfs && rootfs[0] == '/';
	if (j->bind_rootfs) {
		size_t len = strlen(j->bundle.rootfs);
		if (strncmp(rootfs, j->bundle.rootfs, len) || (rootfs[len] && rootfs[len] != ','))
			return nx_err_set(err,
					  "rootfs: a host path must be the bundle's root.path (%s), not %s",
					  j->bundle.rootfs, rootfs);
		/* Nothing is made in it: the init's mount point is in the
		 * CT's /dev (src/init/protocol.h), so a read-only rootfs works
		 * and the engine gets its directory back as it gave it. */
		j->template_path = template_empty(j->ctx->opts->state_dir, err);
		return j->template_path ? reach_rootfs(j, rootfs, err) : -1;
	}
	j->template_name = template_file_name(j->cfg->node, j->o->id);
	j->template_path = fs_join(j->cfg->template_dir, j->template_name);
	j->made_template = true;
	/* the archive is the image alone: the init's mount point is in /dev */
	return template_build(j->bundle.rootfs, NULL, j->cfg->template_dir, j->template_name,
			      j->cfg->pct_timeout, err);
}

static int create_steps(create_job *j, nx_err *err)
{
	const create_opts *o = j->o;
	const char *root = j->ctx->opts->root;
	if (state_exists(root, o->id))
		return nx_err_kind_set(err, NX_ERR_EXISTS, "container with given ID already exists");
	if (!(j->cfg = ctx_config(j->ctx, err)) || !(j->lua = ctx_lua(j->ctx, err)))
		return -1;
	j->pct = (nx_pct){.path = j->cfg->pct, .timeout = j->cfg->pct_timeout};
	nx_mapping old;
	nx_err merr = {0};
	int found = mapping_read(j->ctx->opts->state_dir, root, o->id, &old, &merr);
	if (found < 0 && !nx_err_is(&merr, NX_ERR_NOT_FOUND))
		return nx_err_kind_set(
		    err, NX_ERR_EXISTS,
		    "container with given ID already exists (%s; 'nexcage delete --force %s' "
		    "removes it)",
		    merr.msg, o->id);
	if (found == 0) {
		long v = old.vmid;
		mapping_free(&old);
		return nx_err_kind_set(err, NX_ERR_EXISTS,
				       "container with given ID already exists (CT %ld from an earlier boot; "
				       "'nexcage delete --force %s' removes it)",
				       v, o->id);
	}
	if (bundle_load(j->lua, o->bundle ? o->bundle : ".", &j->bundle, err) < 0)
		return -1;
	j->bundle_loaded = true;
	if (!j->bundle.has_process)
		return nx_err_set(
		    err, "config.json: process: required to create a container (it is what start runs)");
	plan_request rq = {.id = o->id, .bundle = &j->bundle};
	if (plan_build(j->ctx, &rq, &j->plan, NULL, err) < 0 ||
	    mount_dest_resolve_plan(&j->plan, j->bundle.rootfs, err) < 0)
		return -1;
	if (!j->plan.has_process)
		return nx_err_set(err, "translate: the plan has no process");
	if (j->plan.process.terminal && !o->console_socket)
		return nx_err_set(err,
				  "process.terminal is true: a --console-socket must receive the terminal");
	if (!j->plan.process.terminal && o->console_socket)
		return nx_err_set(err, "--console-socket given but process.terminal is false");
	state_now_rfc3339(j->created, sizeof j->created);
	j->state_dir = state_dir(root, o->id);
	j->ctr_dir = state_ctr_dir(root, o->id);
	/* A directory without state.json is what a create killed midway
	 * left; we hold the id's lock, so nothing else is using it. */
	if (fs_remove_tree(j->state_dir, err) < 0)
		return -1;
	if (mkdir(j->state_dir, 0711) < 0)
		return nx_err_sys(err, errno, "mkdir %s", j->state_dir);
	j->made_state_dir = true;
	uid_t ruid;
	gid_t rgid;
	plan_root_ids(&j->plan, &ruid, &rgid);
	if (init_dir_prepare(j->ctr_dir, &j->plan, ruid, rgid, err) < 0 ||
	    seccomp_file(j, ruid, rgid, err) < 0)
		return -1;
	if ((j->sync_fd = init_sync_listen(j->ctr_dir, ruid, rgid, err)) < 0)
		return -1;
	if (prepare_rootfs(j, err) < 0 || create_ct(j, err) < 0)
		return -1;
	/* Proxmox has unpacked it: the archive is no longer needed. */
	if (j->made_template && unlink(j->template_path) == 0)
		j->made_template = false;
	if (raw_keys(j, err) < 0 || start_and_catch_init(j, err) < 0)
		return -1;
	return record_state(j, err);
}

int container_create(nx_ctx *ctx, const create_opts *o, nx_err *err)
{
	if (container_id_validate(o->id, err) < 0)
		return -1;
	log_set_container(o->id);
	const char *root = ctx->opts->root;
	if (fs_mkdir_p(root, 0711, err) < 0)
		return -1;
	int lock = state_lock(root, o->id, err);
	if (lock < 0)
		return -1;
	create_job j = {.ctx = ctx, .o = o, .sync_fd = -1, .init_conn = -1, .standin = -1};
	int rc = create_steps(&j, err);
	if (rc < 0)
		rollback(&j);
	if (j.sync_fd >= 0) {
		close(j.sync_fd);
		if (j.ctr_dir && rc == 0) {
			char sock[PATH_MAX];
			snprintf(sock, sizeof sock, "%s/sync.sock", j.ctr_dir);
			unlink(sock);
		}
	}
	if (j.init_conn >= 0)
		close(j.init_conn);
	if (rc == 0)
		log_info("created container %s as CT %ld (pid %d)", o->id, j.vmid, (int)j.pid);
	if (o->standin_pid)
		*o->standin_pid = rc == 0 ? j.standin : -1;
	free(j.attached_rootfs);
	plan_free(&j.plan);
	if (j.bundle_loaded)
		bundle_free(&j.bundle);
	free(j.state_dir);
	free(j.ctr_dir);
	free(j.template_name);
	free(j.template_path);
	if (rc < 0) {
		/* nothing of the id is left: neither is its lock file (a waiter
		 * notices the unlink and takes a fresh one) */
		cleanup_free char *lp = state_lock_path(root, o->id);
		lock_release_unlink(lock, lp);
	} else {
		lock_release(lock);
	}
	return rc;
}
