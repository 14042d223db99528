/* One front end per command (cmd_<name>.c): each parses its own flags and
 * calls into the core. */
#ifndef NX_COMMANDS_H
#define NX_COMMANDS_H

#include "core/container.h"
#include "core/context.h"
#include "util/error.h"

struct option;

int cmd_create(nx_ctx *ctx, int argc, char **argv, nx_err *err);
int cmd_start(nx_ctx *ctx, int argc, char **argv, nx_err *err);
int cmd_state(nx_ctx *ctx, int argc, char **argv, nx_err *err);
int cmd_kill(nx_ctx *ctx, int argc, char **argv, nx_err *err);
int cmd_delete(nx_ctx *ctx, int argc, char **argv, nx_err *err);
int cmd_pause(nx_ctx *ctx, int argc, char **argv, nx_err *err);
int cmd_list(nx_ctx *ctx, int argc, char **argv, nx_err *err);
int cmd_ps(nx_ctx *ctx, int argc, char **argv, nx_err *err);
int cmd_run(nx_ctx *ctx, int argc, char **argv, nx_err *err);
int cmd_exec(nx_ctx *ctx, int argc, char **argv, nx_err *err);
int cmd_gc(nx_ctx *ctx, int argc, char **argv, nx_err *err);
int cmd_spec(nx_ctx *ctx, int argc, char **argv, nx_err *err);
int cmd_features(nx_ctx *ctx, int argc, char **argv, nx_err *err);
int cmd_validate(nx_ctx *ctx, int argc, char **argv, nx_err *err);
int cmd_update(nx_ctx *ctx, int argc, char **argv, nx_err *err);
int cmd_translate(nx_ctx *ctx, int argc, char **argv, nx_err *err);

/* create's flags and positionals into o (create and run); extra flags go
 * to on_extra, which returns 0 when it knows the flag. */
int cmd_parse_create(const char *cmd, int argc, char **argv, create_opts *o, const struct option *extra,
		     int (*on_extra)(int c, void *data), void *data, nx_err *err);

#endif
