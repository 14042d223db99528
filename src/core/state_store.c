#define _GNU_SOURCE
#include "core/state_store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "init/protocol.h"
#include "util/cleanup.h"
#include "util/clock.h"
#include "util/fsutil.h"
#include "util/json.h"
#include "util/lock.h"
#include "util/proc.h"
#include "util/version.h"
#include "util/xalloc.h"

#define STATE_MAX_SIZE (4u << 20)

char *state_dir(const char *root, const char *id)
{
	return fs_join(root, id);
}

char *state_ctr_dir(const char *root, const char *id)
{
	return xasprintf("%s/%s/" STATE_CTR, root, id);
}

char *state_lock_path(const char *root, const char *id)
{
	return xasprintf("%s/" NX_LOCK_DIR "/%s", root, id);
}

int state_lock(const char *root, const char *id, nx_err *err)
{
	cleanup_free char *dir = fs_join(root, NX_LOCK_DIR);
	if (fs_mkdir_p(dir, 0700, err) < 0)
		return -1;
	cleanup_free char *path = state_lock_path(root, id);
	/* Long operations (create) hold the lock for a while: wait, don't fail. */
	return lock_acquire(path, 600, err);
}

static char *state_file(const char *root, const char *id)
{
	return xasprintf("%s/%s/" STATE_FILE, root, id);
}

bool state_exists(const char *root, const char *id)
{
	cleanup_free char *p = state_file(root, id);
	struct stat st;
	return stat(p, &st) == 0;
}

void state_now_rfc3339(char *out, size_t n)
{
	clock_rfc3339(out, n);
}

static void kv_string(nx_buf *b, const char *indent, const char *key, const char *value, bool comma)
{
	buf_printf(b, "%s", indent);
	buf_json_string(b, key);
	buf_puts(b, ": ");
	if (value)
		buf_json_string(b, value);
	else
		buf_puts(b, "null");
	buf_puts(b, comma ? ",\n" : "\n");
}

static void render_annotations(nx_buf *b, const nx_state *st, const char *indent)
{
	if (st->n_annotations == 0) {
		buf_puts(b, "{}");
		return;
	}
	buf_puts(b, "{\n");
	for (size_t i = 0; i < st->n_annotations; i++) {
		buf_printf(b, "%s  ", indent);
		buf_json_string(b, st->annotations[i].key);
		buf_puts(b, ": ");
		buf_json_string(b, st->annotations[i].value);
		buf_puts(b, i + 1 < st->n_annotations ? ",\n" : "\n");
	}
	buf_printf(b, "%s}", indent);
}

int state_write(const char *root, const nx_state *st, nx_err *err)
{
	nx_buf b = {0};
	buf_puts(&b, "{\n");
	kv_string(&b, "  ", "ociVersion", st->oci_version, true);
	kv_string(&b, "  ", "id", st->id, true);
	buf_printf(&b, "  \"pid\": %d,\n  \"pid_start\": %llu,\n  \"vmid\": %ld,\n", (int)st->pid,
		   st->pid_start, st->vmid);
	buf_printf(&b, "  \"standin\": %d,\n  \"standin_start\": %llu,\n", (int)st->standin,
		   st->standin_start);
	kv_string(&b, "  ", "bundle", st->bundle, true);
	kv_string(&b, "  ", "rootfs", st->rootfs, true);
	kv_string(&b, "  ", "created", st->created, true);
	kv_string(&b, "  ", "owner", st->owner, true);
	kv_string(&b, "  ", "node", st->node, true);
	kv_string(&b, "  ", "pct", st->pct, true);
	buf_printf(&b, "  \"pct_timeout\": %.3f,\n", st->pct_timeout);
	buf_puts(&b, "  \"hooks\": ");
	buf_puts(&b, st->hooks_json ? st->hooks_json : "null");
	buf_puts(&b, ",\n  \"annotations\": ");
	render_annotations(&b, st, "  ");
	buf_puts(&b, "\n}\n");
	cleanup_free char *path = state_file(root, st->id);
	int rc = fs_write_atomic(path, b.data, b.len, 0600, err);
	buf_free(&b);
	return rc;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* Serialise a JSON subtree back to text (for the frozen hooks). */
static void json_emit(nx_buf *b, const json_value *v)
{
	switch (v->type) {
	case JSON_NULL: buf_puts(b, "null"); break;
	case JSON_BOOL: buf_puts(b, v->boolean ? "true" : "false"); break;
	case JSON_NUMBER: buf_printf(b, "%.17g", v->number); break;
	case JSON_STRING: buf_json_string(b, v->string); break;
	case JSON_ARRAY:
	case JSON_OBJECT:
		buf_puts(b, v->type == JSON_ARRAY ? "[" : "{");
		for (const json_value *c = v->child; c; c = c->next) {
			if (v->type == JSON_OBJECT) {
				buf_json_string(b, c->key);
				buf_puts(b, ":");
			}
			json_emit(b, c);
			if (c->next)
				buf_puts(b, ",");
		}
		buf_puts(b, v->type == JSON_ARRAY ? "]" : "}");
		break;
	}
}

int state_read(const char *root, const char *id, nx_state *st, nx_err *err)
{
	memset(st, 0, sizeof *st);
	cleanup_free char *path = state_file(root, id);
	cleanup_free char *data = NULL;
	size_t len = 0;
	if (fs_read_own_file(path, STATE_MAX_SIZE, &data, &len, err) < 0) {
		if (err && err->errnum == ENOENT)
			return nx_err_kind_set(err, NX_ERR_NOT_FOUND, "container does not exist");
		return nx_err_set_kind(err, NX_ERR_CORRUPT, NULL);
	}
	json_value *doc = json_parse(data, len, err);
	if (!doc) {
		nx_err_wrap(err, "%s", path);
		return nx_err_set_kind(err, NX_ERR_CORRUPT, NULL);
	}
	int rc = -1;
	const char *sid = json_get_string(doc, "id");
	if (doc->type != JSON_OBJECT || !sid || strcmp(sid, id)) {
		nx_err_kind_set(err, NX_ERR_CORRUPT, "%s: not a state file of container %s", path, id);
		goto out;
	}
	st->id = xstrdup(sid);
	st->oci_version = dup_or_null(json_get_string(doc, "ociVersion"));
	st->bundle = dup_or_null(json_get_string(doc, "bundle"));
	st->rootfs = dup_or_null(json_get_string(doc, "rootfs"));
	st->created = dup_or_null(json_get_string(doc, "created"));
	st->owner = dup_or_null(json_get_string(doc, "owner"));
	st->node = dup_or_null(json_get_string(doc, "node"));
	st->pct = dup_or_null(json_get_string(doc, "pct"));
	st->pid = (pid_t)json_get_int(doc, "pid", 0);
	st->pid_start = (unsigned long long)json_get_int(doc, "pid_start", 0);
	st->standin = (pid_t)json_get_int(doc, "standin", 0);
	st->standin_start = (unsigned long long)json_get_int(doc, "standin_start", 0);
	st->vmid = (long)json_get_int(doc, "vmid", -1);
	const json_value *t = json_get(doc, "pct_timeout");
	st->pct_timeout = t && t->type == JSON_NUMBER ? t->number : 300;
	const json_value *hooks = json_get(doc, "hooks");
	if (hooks && hooks->type == JSON_OBJECT) {
		nx_buf hb = {0};
		json_emit(&hb, hooks);
		st->hooks_json = hb.data;
	}
	const json_value *ann = json_get(doc, "annotations");
	if (ann && ann->type == JSON_OBJECT) {
		size_t n = 0;
		for (const json_value *c = ann->child; c; c = c->next)
			n++;
		st->annotations = xcalloc(n, sizeof(nx_kv));
		for (const json_value *c = ann->child; c; c = c->next)
			if (c->type == JSON_STRING)
				st->annotations[st->n_annotations++] =
				    (nx_kv){xstrdup(c->key), xstrdup(c->string)};
	}
	if (!st->bundle || st->vmid < 0) {
		nx_err_kind_set(err, NX_ERR_CORRUPT, "%s: incomplete state file", path);
		goto out;
	}
	rc = 0;
out:
	json_free(doc);
	if (rc < 0)
		state_free(st);
	return rc;
}

nx_status state_status(const char *root, const nx_state *st)
{
	if (!proc_is_alive(st->pid, st->pid_start))
		return NX_STOPPED;
	char fifo[4200];
	snprintf(fifo, sizeof fifo, "%s/%s/" STATE_CTR "/" NX_INIT_EXEC_FIFO, root, st->id);
	struct stat sb;
	if (stat(fifo, &sb) == 0)
		return NX_CREATED;
	if (proc_pid_frozen(st->pid))
		return NX_PAUSED;
	return NX_RUNNING;
}

/* The pid state reports, the one in --pid-file: the stand-in (runtime-tools
 * checks that the two agree; engines join its namespaces). Before create
 * has one (create's own hooks' state), the CT's init. */
static pid_t state_engine_pid(const nx_state *st)
{
	return st->standin > 0 ? st->standin : st->pid;
}

void state_render(const nx_state *st, nx_status s, nx_buf *b)
{
	buf_puts(b, "{\n");
	kv_string(b, "  ", "ociVersion", st->oci_version ? st->oci_version : NX_OCI_VERSION, true);
	kv_string(b, "  ", "id", st->id, true);
	buf_printf(b, "  \"pid\": %d,\n", s == NX_STOPPED ? 0 : (int)state_engine_pid(st));
	kv_string(b, "  ", "status", state_status_name(s), true);
	kv_string(b, "  ", "bundle", st->bundle, true);
	kv_string(b, "  ", "rootfs", st->rootfs, true);
	kv_string(b, "  ", "created", st->created, true);
	kv_string(b, "  ", "owner", st->owner ? st->owner : "", true);
	buf_printf(b, "  \"vmid\": %ld,\n", st->vmid);
	if (s != NX_STOPPED)
		buf_printf(b, "  \"initPid\": %d,\n", (int)st->pid);
	buf_puts(b, "  \"annotations\": ");
	render_annotations(b, st, "  ");
	buf_puts(b, "\n}\n");
}
