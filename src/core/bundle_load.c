/* Reading a bundle. lua-cjson checks neither UTF-8 nor NUL bytes and
 * accepts NaN, Infinity and hex numbers by default, so the text is checked
 * here first (one linear pass); the bridge decodes it with a private cjson
 * set to strict numbers. Decoding, normalising and validating run in one
 * protected call: a config that exhausts the Lua memory cap is an error,
 * never a panic. Where text cjson rejects stops being JSON is found here
 * (cjson only says that it rejected it), and the validator's report is
 * made readable here. */
#define _GNU_SOURCE
#include "core/bundle_load.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/buf.h"
#include "util/cleanup.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "util/xalloc.h"

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

/* --- where the text stops being JSON ---------------------------------------
 *
 * lua-cjson decides whether the text is JSON (the bridge says so with
 * NX_ERR_NOT_JSON); where and why is found here, by walking the text the
 * way cjson's parser does (lua_cjson.c: json_next_token, parse_*_context),
 * so the report is a structured result and never cjson's message text
 * taken apart. */

typedef enum {
	TK_OBJ_BEGIN,
	TK_OBJ_END,
	TK_ARR_BEGIN,
	TK_ARR_END,
	TK_STRING,
	TK_NUMBER,
	TK_BOOLEAN,
	TK_NULL,
	TK_COLON,
	TK_COMMA,
	TK_END,
	TK_ERROR,
} json_tok;

typedef struct json_scan {
	const char *s;
	size_t len, pos;
	json_tok tok;
	size_t at;	   /* where the token (or the error in it) is */
	const char *error; /* TK_ERROR: cjson's name for it */
} json_scan;

/* What went wrong first: what was expected, what came instead, where. */
typedef struct json_syntax {
	const char *expected;
	const char *found;
	size_t at;
} json_syntax;

static int peek(const json_scan *j, size_t i)
{
	return j->pos + i < j->len ? (unsigned char)j->s[j->pos + i] : 0;
}

static bool hex4(const json_scan *j, size_t i)
{
	for (size_t k = 0; k < 4; k++) {
		int c = peek(j, i + k);
		if (!((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')))
			return false;
	}
	return true;
}

static unsigned hex4_value(const json_scan *j, size_t i)
{
	char b[5];
	for (size_t k = 0; k < 4; k++)
		b[k] = (char)peek(j, i + k);
	b[4] = '\0';
	return (unsigned)strtoul(b, NULL, 16);
}

static void scan_error(json_scan *j, const char *what)
{
	j->tok = TK_ERROR;
	j->at = j->pos;
	j->error = what;
}

/* \uXXXX at pos (a high surrogate needs its low half): bytes used, or 0. */
static size_t unicode_escape(const json_scan *j)
{
	if (!hex4(j, 2))
		return 0;
	unsigned cp = hex4_value(j, 2);
	if ((cp & 0xF800) != 0xD800)
		return 6;
	if ((cp & 0x400) || peek(j, 6) != '\\' || peek(j, 7) != 'u' || !hex4(j, 8) ||
	    (hex4_value(j, 8) & 0xFC00) != 0xDC00)
		return 0;
	return 12;
}

static void scan_string(json_scan *j)
{
	j->pos++;
	for (;;) {
		int c = peek(j, 0);
		if (j->pos >= j->len)
			return scan_error(j, "unexpected end of string");
		if (c == '"')
			break;
		if (c == '\\') {
			int e = peek(j, 1);
			if (e == 'u') {
				size_t n = unicode_escape(j);
				if (!n)
					return scan_error(j, "invalid unicode escape code");
				j->pos += n;
				continue;
			}
			if (!e || !strchr("\"\\/bfnrt", e))
				return scan_error(j, "invalid escape code");
			j->pos++;
		}
		j->pos++;
	}
	j->pos++;
	j->tok = TK_STRING;
}

/* cjson with decode_invalid_numbers off: no '+', hex, leading zero,
 * inf or nan; the rest is what strtod reads. */
static void scan_number(json_scan *j)
{
	size_t p = peek(j, 0) == '-' ? 1 : 0;
	int c = peek(j, p), c2 = peek(j, p + 1);
	if ((c == '0' && ((c2 | 0x20) == 'x' || (c2 >= '0' && c2 <= '9'))) ||
	    (c > '9' && j->len - j->pos - p >= 3 &&
	     (!strncasecmp(j->s + j->pos + p, "inf", 3) || !strncasecmp(j->s + j->pos + p, "nan", 3))))
		return scan_error(j, "invalid number");
	/* strtod needs a terminated copy: the text may not end in a NUL */
	size_t n = 0;
	while (j->pos + n < j->len) {
		int ch = (unsigned char)j->s[j->pos + n], lower = ch | 0x20;
		if (!((ch >= '0' && ch <= '9') || ch == '-' || ch == '+' || ch == '.' ||
		      (lower >= 'a' && lower <= 'y')))
			break;
		n++;
	}
	cleanup_free char *num = xstrndup(j->s + j->pos, n);
	char *end;
	strtod(num, &end);
	if (end == num)
		return scan_error(j, "invalid number");
	j->pos += (size_t)(end - num);
	j->tok = TK_NUMBER;
}

static bool scan_word(json_scan *j, const char *w, json_tok t)
{
	size_t n = strlen(w);
	if (j->len - j->pos < n || strncmp(j->s + j->pos, w, n))
		return false;
	j->pos += n;
	j->tok = t;
	return true;
}

static void next_token(json_scan *j)
{
	while (j->pos < j->len && strchr(" \t\r\n", j->s[j->pos]) && j->s[j->pos])
		j->pos++;
	j->at = j->pos;
	if (j->pos >= j->len) {
		j->tok = TK_END;
		return;
	}
	static const char single[] = "{}[]:,";
	static const json_tok single_tok[] = {TK_OBJ_BEGIN, TK_OBJ_END, TK_ARR_BEGIN,
					      TK_ARR_END,   TK_COLON,	TK_COMMA};
	int c = peek(j, 0);
	const char *hit = strchr(single, c);
	if (hit && c) {
		j->tok = single_tok[hit - single];
		j->pos++;
	} else if (c == '"') {
		scan_string(j);
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		scan_number(j);
	} else if (!scan_word(j, "true", TK_BOOLEAN) && !scan_word(j, "false", TK_BOOLEAN) &&
		   !scan_word(j, "null", TK_NULL)) {
		scan_error(j, "invalid token");
	}
}

static bool syntax_error(const json_scan *j, const char *expected, json_syntax *out)
{
	static const char *const names[] = {"'{'",	"'}'",	"'['",	   "']'", "a string", "a number",
					    "a boolean", "null", "':'", "','",	   "the end"};
	out->expected = expected;
	out->found = j->tok == TK_ERROR ? j->error : names[j->tok];
	out->at = j->at;
	return true;
}

static bool json_value_syntax(json_scan *j, json_syntax *out);

/* After '{' (or '['): the members up to the closing bracket. */
static bool json_container_syntax(json_scan *j, bool object, json_syntax *out)
{
	json_tok close = object ? TK_OBJ_END : TK_ARR_END;
	next_token(j);
	if (j->tok == close)
		return false;
	for (;;) {
		if (object) {
			if (j->tok != TK_STRING)
				return syntax_error(j, "object key string", out);
			next_token(j);
			if (j->tok != TK_COLON)
				return syntax_error(j, "colon", out);
			next_token(j);
		}
		if (json_value_syntax(j, out))
			return true;
		next_token(j);
		if (j->tok == close)
			return false;
		if (j->tok != TK_COMMA)
			return syntax_error(j, object ? "comma or object end" : "comma or array end", out);
		next_token(j);
	}
}

/* The value whose first token was just read (nesting is bounded by
 * check_text). */
static bool json_value_syntax(json_scan *j, json_syntax *out)
{
	switch (j->tok) {
	case TK_STRING:
	case TK_NUMBER:
	case TK_BOOLEAN:
	case TK_NULL:
		return false;
	case TK_OBJ_BEGIN:
	case TK_ARR_BEGIN:
		return json_container_syntax(j, j->tok == TK_OBJ_BEGIN, out);
	default:
		return syntax_error(j, "value", out);
	}
}

/* The first syntax error of s, as cjson finds it; false if none is found. */
static bool json_find_syntax_error(const char *s, size_t len, json_syntax *out)
{
	json_scan j = {.s = s, .len = len};
	next_token(&j);
	if (json_value_syntax(&j, out))
		return true;
	next_token(&j);
	return j.tok != TK_END && syntax_error(&j, "the end", out);
}

/* "not valid JSON at line 1, column 4: expected value but found ']'"; the
 * decoder's own words only when the walk finds nothing (it should not). */
static int json_error(nx_err *err, const char *s, size_t len)
{
	json_syntax e;
	if (!json_find_syntax_error(s, len, &e))
		return nx_err_wrap(err, "config.json: not valid JSON");
	unsigned long line, col;
	position(s, e.at, &line, &col);
	return nx_err_kind_set(err, NX_ERR_NOT_JSON,
			       "config.json: not valid JSON at line %lu, column %lu: expected %s but found %s", line,
			       col, e.expected, e.found);
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
	nx_err_kind_set(err, NX_ERR_INVALID, "%s", b.data ? b.data : "config.json: invalid");
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
	int rc = bridge_spec_decode(h, data, len, b, r, err);
	if (rc < 0 && nx_err_is(err, NX_ERR_NOT_JSON))
		rc = json_error(err, data, len);
	else if (rc == 0 && r->count)
		rc = report_error(err, r);
	spec_report_free(&own);
	if (rc < 0)
		bundle_free(b);
	return rc;
}

/* --- the bundle ------------------------------------------------------------ */

int bundle_load_report(nx_lua *h, const char *dir, nx_bundle *b, spec_report *report, nx_err *err)
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
	return bundle_decode(h, data, len, abs, b, report, err);
}

int bundle_load(nx_lua *h, const char *dir, nx_bundle *b, nx_err *err)
{
	return bundle_load_report(h, dir, b, NULL, err);
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
