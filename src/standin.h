/* The container's stand-in: a host process the caller of `create` can wait
 * for. Engines (conmon, containerd's shim) are subreapers that read the pid
 * from --pid-file and learn the program's exit status by reaping that pid;
 * a Proxmox CT's init descends from systemd, never from the caller. The
 * stand-in is create's child (so it becomes the engine's when create
 * exits), forwards the signals it gets to the CT's init, and when that
 * init exits, exits the same way: the same code, or killed by the same
 * signal. See docs/decisions.md, "Waiting for a Proxmox CT". */
#ifndef NX_STANDIN_H
#define NX_STANDIN_H

#include <sys/types.h>

#include "error.h"

/* Fork the stand-in for pid (started at start_time). watch_fd is an
 * exitwatch subscription made before the program can run; the child
 * takes it over (the caller still closes its own copy). */
pid_t standin_spawn(pid_t pid, unsigned long long start_time, int watch_fd, const char *id, nx_err *err);

#endif
