/* The per-container state store: <root>/<id>/state.json, written
 * atomically, read by C without Lua. The status is not stored: it is
 * derived from the recorded pid and its start time (a reused pid is not
 * "running"), the exec fifo (present until start), and the cgroup freezer. */
#ifndef NX_STATE_STORE_H
#define NX_STATE_STORE_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/buf.h"
#include "util/error.h"
#include "util/kv.h"
#include "oci/state.h"

/* The layout of nexcage's state, in one place (gc and delete remove by it).
 *
 * <root> (--root, /run/nexcage: gone at reboot), one directory per id:
 *   <id>/state.json          STATE_FILE: written atomically (state_write)
 *   <id>/ctr/                STATE_CTR: bind-mounted read-only at
 *                            /dev/.nexcage in the CT; its files are
 *                            init/protocol.h's (init, process, exec.fifo,
 *                            sync.sock, seccomp.bpf, exec-<pid>-<start>.sock)
 *   <id>/standin, program    NX_INIT_STANDIN, NX_INIT_PROGRAM: "<pid> <start>"
 *   <id>/rootfs              NX_ATTACHED_ROOTFS: where a rootfs the node
 *                            could not see is attached
 *   .nexcage:locks/<id>      NX_LOCK_DIR: each id's lock (':' is outside
 *                            runc's id alphabet, so no id reaches it)
 * <state_dir> (config state_dir, /var/lib/nexcage: outlives a reboot):
 *   map/                     NX_MAP_DIR: the id <-> VMID mapping (mapping.c)
 *   vmid.lock                NX_VMID_LOCK: VMID allocation (vmid.c)
 *   empty.tar                the archive a rootfs used in place is
 *                            "restored" from (pve/template.c, below core) */
#define STATE_FILE	   "state.json"
#define STATE_CTR	   "ctr"
#define NX_ATTACHED_ROOTFS "rootfs"
#define NX_LOCK_DIR	   ".nexcage:locks"
#define NX_MAP_DIR	   "map"
#define NX_VMID_LOCK	   "vmid.lock"

/* <root>/<id> */
char *state_dir(const char *root, const char *id);
/* <root>/<id>/ctr: the directory bind-mounted at /dev/.nexcage in the container */
char *state_ctr_dir(const char *root, const char *id);
char *state_lock_path(const char *root, const char *id);
bool state_exists(const char *root, const char *id);
int state_write(const char *root, const nx_state *st, nx_err *err);
/* NX_ERR_NOT_FOUND when there is no state, NX_ERR_CORRUPT when it is not a
 * readable state file (never blocks: a FIFO or symlink is refused). */
int state_read(const char *root, const char *id, nx_state *st, nx_err *err);
nx_status state_status(const char *root, const nx_state *st);
/* The OCI state document (runc's shape plus vmid), indented. */
void state_render(const nx_state *st, nx_status s, nx_buf *out);
/* Take the container's lock; returns its fd. */
int state_lock(const char *root, const char *id, nx_err *err);
void state_now_rfc3339(char *out, size_t n);

#endif
