/* What nexcage and nexcage-init say to each other, in one place: the files
 * of the directory bind-mounted read-only at /dev/.nexcage, the process
 * file's keys, and the modes the init runs in. Included by both sides (the core's
 * src/core/init_spec.c writes, src/init/ reads). Header-only, libc only.
 *
 * The process file is a sequence of NUL-terminated "key", "value" pairs.
 * A key may repeat (arg, env, group, ...); an unknown key is ignored (a
 * newer nexcage), so a value's format never changes under a known key. */
#ifndef NX_INIT_PROTOCOL_H
#define NX_INIT_PROTOCOL_H

/* In the CT's /dev, the tmpfs LXC's autodev mounts before any mount entry
 * (lxc_setup: mount_autodev, then setup_mount_entries): the mount point is
 * made there by create=dir, never in the image, so a read-only root, an
 * image with its own /.nexcage and two CTs on one rootfs all work and the
 * engine's filesystem (podman diff/commit) holds nothing of nexcage. */
#define NX_INIT_DIR	    "/dev/.nexcage"
#define NX_INIT_BINARY	    "init"	  /* nexcage-init itself */
#define NX_INIT_PROCESS	    "process"	  /* the process file */
#define NX_INIT_SYNC_SOCK   "sync.sock"	  /* create: the init reports, takes the handover */
#define NX_INIT_EXEC_FIFO   "exec.fifo"	  /* start opens it: the program may run */
#define NX_INIT_SECCOMP	    "seccomp.bpf" /* struct sock_filter[], loaded last */
#define NX_INIT_STANDIN	    "standin"	  /* "<pid> <start time>", one level up (state dir) */
#define NX_INIT_PROGRAM	    "program"	  /* the same for a program the stand-in started */

/* Modes: argv[1] of the init (none: the CT's init at create). */
#define NX_INIT_MODE_EXEC     "exec"	  /* nexcage exec, through pct exec */
#define NX_INIT_MODE_STOPHOOK "stop-hook" /* lxc.hook.stop, on the host */
#define NX_INIT_MODE_PROGRAM  "program"	  /* the program in another pid namespace, started by the stand-in */

/* Process-file keys. */
#define NX_KEY_ARG	  "arg"
#define NX_KEY_ENV	  "env"
#define NX_KEY_CWD	  "cwd"
#define NX_KEY_UID	  "uid"
#define NX_KEY_GID	  "gid"
#define NX_KEY_GROUP	  "group"
#define NX_KEY_UMASK	  "umask" /* decimal */
#define NX_KEY_NNP	  "no_new_privileges" /* "1" or "0" */
#define NX_KEY_OOM	  "oom_score_adj"
#define NX_KEY_TERMINAL	  "terminal" /* "1" or "0" */
#define NX_KEY_HOSTNAME	  "hostname"
#define NX_KEY_SYSCTL	  "sysctl"   /* "a.b.c=value" */
#define NX_KEY_MASK	  "mask"     /* linux.maskedPaths entry */
#define NX_KEY_READONLY	  "readonly" /* linux.readonlyPaths entry */
#define NX_KEY_DEVICE	  "device"   /* "<c|b|p> <mode octal> <uid> <gid> <major> <minor> <path>" */
#define NX_KEY_RO_ROOT	  "readonly_root" /* "1": / read-only once the CT is finished */
#define NX_KEY_KEEPER	  "keeper" /* "1": the program joins another pid namespace: the init only keeps the CT */
#define NX_KEY_CAP_PREFIX "cap."     /* cap.bounding ... cap.ambient: "chown kill ..." */
#define NX_KEY_RLIMIT	  "rlimit"   /* "RLIMIT_NOFILE <soft> <hard>" */
#define NX_KEY_SECCOMP	  "seccomp"  /* seccomp(2) filter flags, decimal: load NX_INIT_SECCOMP */

#endif
