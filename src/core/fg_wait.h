/* A foreground `run` or `exec` stands for its program the way runc does:
 * the signals a terminal or a supervisor sends it (SIGTERM, SIGINT, ...)
 * are passed on to the program, and it returns only when the program has
 * ended (then `run` removes the container). */
#ifndef NX_FG_WAIT_H
#define NX_FG_WAIT_H

#include <signal.h>
#include <sys/types.h>

#include "util/error.h"

typedef struct fg_signals {
	int fd; /* a signalfd for the blocked signals, -1 when not blocked */
	sigset_t old;
} fg_signals;

/* Block the passed-on signals before anything starts, so none sent
 * meanwhile is lost (it waits until fg_wait). Children reset the mask
 * before they exec (src/util/spawn.c, src/core/ct_enter.c). */
int fg_signals_block(fg_signals *s, nx_err *err);
void fg_signals_restore(fg_signals *s);
/* Wait for the child pid (a stand-in, which passes signals on to the
 * program and exits as it did), sending it every blocked signal that
 * arrives. The program's status: its exit code, or 128 + its signal. */
int fg_wait(const fg_signals *s, pid_t pid, nx_err *err);

#endif
