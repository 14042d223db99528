/* update: new linux.resources for a running or created container. */
#ifndef NX_CONTAINER_UPDATE_H
#define NX_CONTAINER_UPDATE_H

#include "core/context.h"
#include "util/error.h"

/* resources: a file of linux.resources JSON, or "-" for standard input. */
int container_update(nx_ctx *ctx, const char *id, const char *resources, nx_err *err);

#endif
