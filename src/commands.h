/* One front end per command (cmd_<name>.c): each parses its own flags and
 * calls into the core. */
#ifndef NX_COMMANDS_H
#define NX_COMMANDS_H

#include "context.h"
#include "error.h"

int cmd_state(nx_ctx *ctx, int argc, char **argv, nx_err *err);
int cmd_not_implemented(nx_ctx *ctx, int argc, char **argv, nx_err *err);

#endif
