/* The per-container directory bind-mounted read-only at /dev/.nexcage: the
 * static init helper, the process file it execs from, the socket that
 * tells create the init's host pid, and the exec fifo that start opens. */
#ifndef NX_INIT_SPEC_H
#define NX_INIT_SPEC_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"
#include "init/protocol.h"
#include "plan/plan.h"

#define NX_CTR_MOUNTPOINT NX_INIT_DIR /* src/init/protocol.h says why in /dev */
#define NX_CTR_INIT	  NX_CTR_MOUNTPOINT "/" NX_INIT_BINARY

/* Write init, process and the fifo into ctr_dir; files the container's
 * root must reach are owned by its host uid/gid (root_uid/root_gid). */
int init_dir_prepare(const char *ctr_dir, const nx_plan *plan, uid_t root_uid, gid_t root_gid, nx_err *err);
/* Listen on ctr_dir/sync.sock; returns the fd. */
int init_sync_listen(const char *ctr_dir, uid_t root_uid, gid_t root_gid, nx_err *err);
/* The same on ctr_dir/name (exec's report socket). */
int init_socket_listen(const char *ctr_dir, const char *name, uid_t root_uid, gid_t root_gid, nx_err *err);
/* Wait for the init to connect; returns its host pid (SO_PEERCRED) and
 * leaves the connection in *conn for init_handover_send. */
pid_t init_sync_accept(int listen_fd, double timeout, int *conn, nx_err *err);

/* What the init gets before it execs the program. */
typedef struct init_handover {
	const int *fds;	 /* the program's descriptors: 0, 1, 2, then --preserve-fds */
	size_t nfds;	 /* with tty: only the preserved ones (placed from 3) */
	bool tty;	 /* make a pty in the CT; its master comes back */
	const nx_kv *ns; /* {type, path} to join, opened here on the host */
	size_t nns;
} init_handover;
int init_handover_send(int conn, const init_handover *h, int *pty_master, double timeout, nx_err *err);
/* Open the pid namespace at path for the program to join (a stand-in's
 * /proc/<pid>/ns/pid means the container's it leads into). */
int pidns_open(const char *path, nx_err *err);
/* The descriptors a program gets from its caller: 0-2 (unless tty) and
 * --preserve-fds' 3..3+n-1 (each must be open). */
#define HANDOVER_FDS_MAX 243
int handover_caller_fds(bool tty, int preserve_fds, int fds[HANDOVER_FDS_MAX], size_t *n, nx_err *err);
/* Send a pty master to a --console-socket, as runc does. */
int console_socket_send(const char *path, int master, nx_err *err);
/* Release the held init (start): open the fifo, read its byte, remove it. */
int init_release(const char *ctr_dir, double timeout, nx_err *err);
/* Read back the process file written at create (exec's defaults). */
int init_process_read(const char *ctr_dir, nx_process *p, nx_err *err);
/* The host uid/gid the container's root maps to (0 for privileged). */
void plan_root_ids(const nx_plan *plan, uid_t *uid, gid_t *gid);

#endif
