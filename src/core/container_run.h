/* run: create and start, then in the foreground wait for the program. */
#ifndef NX_CONTAINER_RUN_H
#define NX_CONTAINER_RUN_H

#include <stdbool.h>

#include "core/container.h"

typedef struct run_opts {
	create_opts create;
	bool detach; /* return once started */
	bool keep;   /* foreground: leave the container after the program exits */
} run_opts;

/* Detached: 0 once started. Foreground: the program's exit status
 * (128+signal when killed). -1 with err set; what this run created is
 * removed again. */
int container_run(nx_ctx *ctx, run_opts *o, nx_err *err);

#endif
