#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "cli.h"
#include "commands.h"
#include "container_id.h"

int cmd_state(nx_ctx *ctx, int argc, char **argv, nx_err *err)
{
	if (argc != 2)
		return cli_usage_error("state", err, "expects exactly one container id");
	const char *id = argv[1];
	if (container_id_validate(id, err) < 0)
		return -1;
	char path[4096];
	snprintf(path, sizeof path, "%s/%s/state.json", ctx->opts->root, id);
	struct stat st;
	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			return nx_err_set(err, "container does not exist");
		return nx_err_sys(err, errno, "state %s", path);
	}
	return nx_err_set(err, "state: reading a recorded container is not implemented yet");
}
