/* The runc-compatible command line: global options, the command table,
 * help text, dispatch and the exit status. */
#ifndef NX_CLI_H
#define NX_CLI_H

#include <stdbool.h>

#include "core/context.h"
#include "util/error.h"

typedef int (*nx_command_fn)(nx_ctx *ctx, int argc, char **argv, nx_err *err);

typedef struct nx_command {
	const char *name;
	const char *summary;
	const char *usage; /* after "nexcage " */
	const char *flags; /* one line per flag, already indented */
	nx_command_fn run;
} nx_command;

int cli_main(int argc, char **argv);
/* For commands: print "usage" on a misuse, as an error value. */
/* Parse a command whose only flag is one boolean (-f/--force, ...). */
int cli_bool_flag(const char *cmd, int argc, char **argv, const char *longname, char shortname, bool *flag,
		  nx_err *err);
/* --preserve-fds N: fds 3 .. 3+N-1, each of which the caller must have
 * passed (open when nexcage started). At most PRESERVE_FDS_MAX: one
 * SCM_RIGHTS message (253 descriptors) carries them with 0-2 and the
 * namespaces to join. */
#define PRESERVE_FDS_MAX 240
int cli_preserve_fds(const char *cmd, const char *arg, int *n, nx_err *err);
int cli_usage_error(const char *cmd, nx_err *err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
