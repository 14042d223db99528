#define _GNU_SOURCE
#include "oci/oci_hooks.h"

#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/log.h"
#include "util/spawn.h"
#include "util/xalloc.h"

/* A hook without a timeout may not hang a create forever. */
#define HOOK_DEFAULT_TIMEOUT 120.0

static char **string_array(const json_value *v, size_t *n)
{
	*n = 0;
	if (!v || v->type != JSON_ARRAY)
		return xcalloc(1, sizeof(char *));
	size_t count = 0;
	for (const json_value *c = v->child; c; c = c->next)
		count++;
	char **out = xcalloc(count + 1, sizeof(char *));
	for (const json_value *c = v->child; c && *n < count; c = c->next)
		if (c->type == JSON_STRING)
			out[(*n)++] = c->string;
	return out;
}

static void log_output(const char *kind, const char *path, const char *stream, const char *text)
{
	if (text && *text)
		log_info("%s hook %s %s: %s", kind, path, stream, text);
}

static int run_one(const json_value *hook, const char *kind, size_t index, const char *state_json,
		   pid_t ns_pid, hook_place where, nx_err *err)
{
	const char *path = json_get_string(hook, "path");
	if (!path)
		return nx_err_set(err, "%s hook #%zu: no path", kind, index);
	size_t nargs, nenv;
	char **args = string_array(json_get(hook, "args"), &nargs);
	char **env = string_array(json_get(hook, "env"), &nenv);
	char *fallback_argv[] = {(char *)path, NULL};
	const json_value *t = json_get(hook, "timeout");
	double timeout = t && t->type == JSON_NUMBER && t->number > 0 ? t->number : HOOK_DEFAULT_TIMEOUT;
	spawn_req req = {
	    .argv = nargs ? args : fallback_argv,
	    .path = path,
	    .envp = env,
	    .stdin_data = state_json,
	    .stdin_len = strlen(state_json),
	    .timeout = timeout,
	    .ns_pid = where == HOOK_ON_HOST ? 0 : ns_pid,
	    .ns_chroot = where == HOOK_IN_CONTAINER,
	};
	spawn_result res;
	int rc = spawn_run(&req, &res, err);
	if (rc < 0) {
		nx_err_wrap(err, "%s hook #%zu (%s)", kind, index, path);
	} else {
		log_output(kind, path, "stdout", res.out);
		log_output(kind, path, "stderr", res.err);
		if (res.timed_out)
			rc = nx_err_set(err, "%s hook #%zu (%s): hook ran past specified timeout of %.1fs",
					kind, index, path, timeout);
		else if (res.exit_code != 0)
			rc = nx_err_set(err, "%s hook #%zu (%s) failed with exit status %d%s%s", kind, index,
					path, res.exit_code, res.err[0] ? ": " : "", res.err);
		spawn_result_free(&res);
	}
	free(args);
	free(env);
	return rc;
}

int oci_hooks_run(const char *hooks_json, const char *kind, const char *state_json, pid_t ns_pid,
		  hook_place where, nx_err *err)
{
	if (!hooks_json)
		return 0;
	json_value *doc = json_parse(hooks_json, strlen(hooks_json), err);
	if (!doc)
		return nx_err_wrap(err, "hooks");
	const json_value *list = json_get(doc, kind);
	int rc = 0;
	size_t i = 0;
	if (list && list->type == JSON_ARRAY)
		for (const json_value *h = list->child; h && rc == 0; h = h->next)
			rc = run_one(h, kind, i++, state_json, ns_pid, where, err);
	json_free(doc);
	return rc;
}
