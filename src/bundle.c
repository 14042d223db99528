/* Reading a bundle. lua-cjson checks neither UTF-8 nor NUL bytes and
 * accepts NaN, Infinity and hex numbers by default, so the text is checked
 * here first (one linear pass); the bridge decodes it with a private cjson
 * set to strict numbers. Decoding, normalising and validating run in one
 * protected call: a config that exhausts the Lua memory cap is an error,
 * never a panic. cjson's messages and the validator's report are made
 * readable here. */
#define _GNU_SOURCE
#include "bundle.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "cleanup.h"
#include "fsutil.h"
#include "log.h"
#include "xalloc.h"

/* Room left in an nx_err for the context callers prepend ("create: "). */
#define ERR_CONTEXT_ROOM 512

/* --- the text -------------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *p, size_t avail)
{
	unsigned c = p[0];
	size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
	if (n == 0 || avail < n)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) || (c == 0xf0 && p[1] < 0x90) ||
	    (c == 0xf4 && p[1] > 0x8f))
		return 0;
	return n;
}

/* Line and column (in characters, 1-based) of byte offset off. */
static void position(const char *s, size_t off, unsigned long *line, unsigned long *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (s[i] == '\n') {
			++*line;
			*col = 1;
		} else if (((unsigned char)s[i] & 0xc0) != 0x80) {
			++*col;
		}
	}
}

static int text_error(nx_err *err, const char *s, size_t off, const char *what)
{
	unsigned long line, col;
	position(s, off, &line, &col);
	return nx_err_set(err, "config.json: %s at line %lu, column %lu", what, line, col);
}

/* UTF-8, no NUL byte, nesting within BUNDLE_MAX_DEPTH (brackets inside
 * strings do not count). */
static int check_text(const char *s, size_t len, nx_err *err)
{
	size_t blank = 0; /* s need not end with a NUL: the fuzz target's does not */
	while (blank < len && (s[blank] == ' ' || s[blank] == '\t' || s[blank] == '\r' || s[blank] == '\n'))
		blank++;
	if (blank == len)
		return nx_err_set(err, "config.json: empty file");
	int depth = 0;
	bool in_string = false, escaped = false;
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0)
			return text_error(err, s, i, "contains a NUL byte");
		if (c >= 0x80) {
			size_t n = utf8_len((const unsigned char *)s + i, len - i);
			if (!n)
				return text_error(err, s, i, "invalid UTF-8");
			i += n;
			escaped = false;
			continue;
		}
		if (in_string) {
			if (escaped)
				escaped = false;
			else if (c == '\\')
				escaped = true;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '{' || c == '[') {
			if (++depth > BUNDLE_MAX_DEPTH) {
				char what[64];
				snprintf(what, sizeof what, "nested deeper than %d levels", BUNDLE_MAX_DEPTH);
				return text_error(err, s, i, what);
			}
		} else if (c == '}' || c == ']') {
			depth--;
		}
		i++;
	}
	return 0;
}

/* cjson's "Expected value but found T_ARR_END at character 4" as
 * "not valid JSON at line 1, column 4: expected value but found ']'". */
static int json_error(nx_err *err, const char *s, size_t len, const char *msg)
{
	static const struct {
		const char *token, *text;
	} tokens[] = {
	    {"T_OBJ_BEGIN", "'{'"},	{"T_OBJ_END", "'}'"},	  {"T_ARR_BEGIN", "'['"},
	    {"T_ARR_END", "']'"},	{"T_STRING", "a string"}, {"T_NUMBER", "a number"},
	    {"T_BOOLEAN", "a boolean"}, {"T_NULL", "null"},	  {"T_COLON", "':'"},
	    {"T_COMMA", "','"},		{"T_END", "the end"},
	};
	char text[256];
	snprintf(text, sizeof text, "%s", msg);
	unsigned long line = 0, col = 0;
	char *at = strstr(text, " at character ");
	if (at) {
		unsigned long long ch = strtoull(at + 14, NULL, 10);
		*at = '\0';
		position(s, ch > 0 && ch <= len ? ch - 1 : len, &line, &col);
	}
	nx_buf b = {0};
	for (const char *p = text; *p;) {
		size_t i = 0;
		while (i < sizeof tokens / sizeof tokens[0] &&
		       strncmp(p, tokens[i].token, strlen(tokens[i].token)))
			i++;
		if (i < sizeof tokens / sizeof tokens[0] &&
		    !(p[strlen(tokens[i].token)] >= 'A' && p[strlen(tokens[i].token)] <= 'Z')) {
			buf_puts(&b, tokens[i].text);
			p += strlen(tokens[i].token);
		} else {
			buf_append(&b, p++, 1);
		}
	}
	const char *m = b.data ? b.data : "";
	if (at)
		nx_err_set(err, "config.json: not valid JSON at line %lu, column %lu: %c%s", line, col,
			   m[0] >= 'A' && m[0] <= 'Z' ? m[0] - 'A' + 'a' : m[0], m[0] ? m + 1 : "");
	else
		nx_err_set(err, "config.json: not valid JSON: %s", m);
	buf_free(&b);
	return -1;
}

/* As many whole report lines as fit in err, then one that counts the rest. */
static int report_error(nx_err *err, const spec_report *r)
{
	nx_buf b = {0};
	unsigned shown = 0;
	for (const char *p = r->lines.data; p && *p; shown++) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (b.len + n + 200 > NX_ERR_MSG_MAX - ERR_CONTEXT_ROOM)
			break;
		if (b.len)
			buf_puts(&b, "\n");
		buf_append(&b, p, n);
		p += nl ? n + 1 : n;
	}
	if (shown < r->count)
		buf_printf(&b, "%sconfig.json: %u more problem%s ('nexcage validate' lists %s)",
			   b.len ? "\n" : "", r->count - shown, r->count - shown == 1 ? "" : "s",
			   r->count > SPEC_REPORT_MAX ? "the first 1000" : "them all");
	nx_err_set(err, "%s", b.data ? b.data : "config.json: invalid");
	buf_free(&b);
	return -1;
}

int bundle_decode(nx_lua *h, const char *data, size_t len, const char *bundle_dir, nx_bundle *b,
		  spec_report *report, nx_err *err)
{
	memset(b, 0, sizeof *b);
	if (len > BUNDLE_CONFIG_MAX)
		return nx_err_set(err, "config.json: file too large (%zu bytes; the limit is %u)", len,
				  BUNDLE_CONFIG_MAX);
	if (check_text(data, len, err) < 0)
		return -1;
	b->path = xstrdup(bundle_dir);
	spec_report own = {0};
	spec_report *r = report ? report : &own;
	char json_msg[256];
	int rc = bridge_spec_decode(h, data, len, b, r, json_msg, sizeof json_msg, err);
	if (rc == 0 && json_msg[0])
		rc = json_error(err, data, len, json_msg);
	else if (rc == 0 && r->count)
		rc = report_error(err, r);
	spec_report_free(&own);
	if (rc < 0)
		bundle_free(b);
	return rc;
}

/* --- the bundle ------------------------------------------------------------ */

int bundle_load_report(nx_ctx *ctx, const char *dir, nx_bundle *b, spec_report *report, nx_err *err)
{
	memset(b, 0, sizeof *b);
	char abs[PATH_MAX];
	struct stat st;
	if (!realpath(dir, abs))
		return nx_err_sys(err, errno, "bundle %s", dir);
	if (stat(abs, &st) < 0 || !S_ISDIR(st.st_mode))
		return nx_err_set(err, "bundle %s: not a directory", dir);
	cleanup_free char *path = fs_join(abs, "config.json");
	/* A FIFO would block the read, a device never end it. */
	if (stat(path, &st) < 0)
		return nx_err_sys(err, errno, "%s", path);
	if (!S_ISREG(st.st_mode))
		return nx_err_set(err, "%s: not a regular file", path);
	if ((unsigned long long)st.st_size > BUNDLE_CONFIG_MAX)
		return nx_err_set(err, "config.json: file too large (%lld bytes; the limit is %u)",
				  (long long)st.st_size, BUNDLE_CONFIG_MAX);
	cleanup_free char *data = NULL;
	size_t len = 0;
	if (fs_read_file(path, BUNDLE_CONFIG_MAX, &data, &len, err) < 0)
		return -1;
	nx_lua *h = ctx_lua(ctx, err);
	if (!h)
		return -1;
	return bundle_decode(h, data, len, abs, b, report, err);
}

int bundle_load(nx_ctx *ctx, const char *dir, nx_bundle *b, nx_err *err)
{
	return bundle_load_report(ctx, dir, b, NULL, err);
}

void bundle_free(nx_bundle *b)
{
	bridge_spec_free(b->spec);
	free(b->path);
	free(b->rootfs);
	free(b->oci_version);
	nx_kv_free(b->annotations, b->n_annotations);
	free(b->hooks_json);
	memset(b, 0, sizeof *b);
}
