#define _GNU_SOURCE
#include "util/json.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"

#define MAX_DEPTH 64

typedef struct parser {
	const char *start, *p, *end;
	nx_err *err;
	int depth;
} parser;

static int fail(parser *ps, const char *what)
{
	return nx_err_set(ps->err, "invalid JSON at byte %zu: %s", (size_t)(ps->p - ps->start), what);
}

static void skip_ws(parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static json_value *new_value(json_type t)
{
	json_value *v = xcalloc(1, sizeof *v);
	v->type = t;
	return v;
}

static int hex4(const char *s, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static void put_utf8(nx_buf *b, unsigned cp)
{
	char o[4];
	size_t n;
	if (cp < 0x80)
		o[0] = (char)cp, n = 1;
	else if (cp < 0x800)
		o[0] = (char)(0xc0 | cp >> 6), o[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
	else if (cp < 0x10000)
		o[0] = (char)(0xe0 | cp >> 12), o[1] = (char)(0x80 | ((cp >> 6) & 0x3f)),
		o[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
	else
		o[0] = (char)(0xf0 | cp >> 18), o[1] = (char)(0x80 | ((cp >> 12) & 0x3f)),
		o[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), o[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
	buf_append(b, o, n);
}

static char *parse_string(parser *ps)
{
	nx_buf b = {0};
	ps->p++; /* opening quote */
	while (ps->p < ps->end && *ps->p != '"') {
		unsigned char c = (unsigned char)*ps->p;
		if (c < 0x20) {
			fail(ps, "control character in string");
			goto bad;
		}
		if (c != '\\') {
			buf_append(&b, ps->p++, 1);
			continue;
		}
		if (ps->end - ps->p < 2) {
			fail(ps, "truncated escape");
			goto bad;
		}
		char e = ps->p[1];
		ps->p += 2;
		switch (e) {
		case '"': buf_append(&b, "\"", 1); break;
		case '\\': buf_append(&b, "\\", 1); break;
		case '/': buf_append(&b, "/", 1); break;
		case 'b': buf_append(&b, "\b", 1); break;
		case 'f': buf_append(&b, "\f", 1); break;
		case 'n': buf_append(&b, "\n", 1); break;
		case 'r': buf_append(&b, "\r", 1); break;
		case 't': buf_append(&b, "\t", 1); break;
		case 'u': {
			unsigned cp, lo;
			if (ps->end - ps->p < 4 || hex4(ps->p, &cp) < 0) {
				fail(ps, "bad \\u escape");
				goto bad;
			}
			ps->p += 4;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u' ||
				    hex4(ps->p + 2, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff) {
					fail(ps, "unpaired surrogate");
					goto bad;
				}
				ps->p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				fail(ps, "unpaired surrogate");
				goto bad;
			}
			if (cp == 0) {
				fail(ps, "NUL in string");
				goto bad;
			}
			put_utf8(&b, cp);
			break;
		}
		default: fail(ps, "bad escape"); goto bad;
		}
	}
	if (ps->p >= ps->end) {
		fail(ps, "unterminated string");
		goto bad;
	}
	ps->p++;
	if (!b.data)
		return xstrdup("");
	return b.data;
bad:
	buf_free(&b);
	return NULL;
}

static json_value *parse_value(parser *ps);

static json_value *parse_container(parser *ps, json_type t)
{
	if (++ps->depth > MAX_DEPTH) {
		fail(ps, "nested too deeply");
		return NULL;
	}
	json_value *v = new_value(t), **tail;
	tail = &v->child;
	char close = t == JSON_ARRAY ? ']' : '}';
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		ps->depth--;
		return v;
	}
	for (;;) {
		char *key = NULL;
		skip_ws(ps);
		if (t == JSON_OBJECT) {
			if (ps->p >= ps->end || *ps->p != '"') {
				fail(ps, "expected a member name");
				goto bad;
			}
			if (!(key = parse_string(ps)))
				goto bad;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				free(key);
				fail(ps, "expected ':'");
				goto bad;
			}
			ps->p++;
		}
		json_value *item = parse_value(ps);
		if (!item) {
			free(key);
			goto bad;
		}
		item->key = key;
		*tail = item;
		tail = &item->next;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			ps->depth--;
			return v;
		}
		fail(ps, t == JSON_ARRAY ? "expected ',' or ']'" : "expected ',' or '}'");
		goto bad;
	}
bad:
	json_free(v);
	return NULL;
}

/* The literal's exact value when it is written as an integer: the double
 * holds only 53 bits, and a uint64 (a seccomp argument, an rlimit) needs
 * all 64. */
static void exact_integer(json_value *v, const char *lit)
{
	const char *s = lit;
	v->int_neg = *s == '-';
	s += v->int_neg;
	if (strpbrk(s, ".eE+-"))
		return;
	unsigned long long m = 0;
	for (; *s; s++) {
		unsigned digit = (unsigned)(*s - '0');
		if (m > (ULLONG_MAX - digit) / 10)
			v->int_over = true;
		else
			m = m * 10 + digit;
	}
	v->is_int = true;
	v->int_mag = v->int_over ? 0 : m;
}

static json_value *parse_number(parser *ps)
{
	const char *s = ps->p;
	if (s < ps->end && *s == '-')
		s++;
	if (s >= ps->end || !(*s >= '0' && *s <= '9')) {
		fail(ps, "unexpected character");
		return NULL;
	}
	while (s < ps->end &&
	       ((*s >= '0' && *s <= '9') || *s == '.' || *s == 'e' || *s == 'E' || *s == '+' || *s == '-'))
		s++;
	char tmp[64];
	size_t n = (size_t)(s - ps->p);
	if (n >= sizeof tmp) {
		fail(ps, "number too long");
		return NULL;
	}
	memcpy(tmp, ps->p, n);
	tmp[n] = '\0';
	char *endp;
	errno = 0;
	double d = strtod(tmp, &endp);
	if (*endp || !isfinite(d)) {
		fail(ps, "bad number");
		return NULL;
	}
	json_value *v = new_value(JSON_NUMBER);
	v->number = d;
	exact_integer(v, tmp);
	ps->p = s;
	return v;
}

static bool literal(parser *ps, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(ps->end - ps->p) >= n && !memcmp(ps->p, word, n)) {
		ps->p += n;
		return true;
	}
	return false;
}

static json_value *parse_value(parser *ps)
{
	skip_ws(ps);
	if (ps->p >= ps->end) {
		fail(ps, "unexpected end");
		return NULL;
	}
	json_value *v;
	switch (*ps->p) {
	case '{': return parse_container(ps, JSON_OBJECT);
	case '[': return parse_container(ps, JSON_ARRAY);
	case '"': {
		char *s = parse_string(ps);
		if (!s)
			return NULL;
		v = new_value(JSON_STRING);
		v->string = s;
		return v;
	}
	default:
		if (literal(ps, "true") || literal(ps, "false")) {
			v = new_value(JSON_BOOL);
			v->boolean = ps->p[-1] == 'e' && ps->p[-2] == 'u';
			return v;
		}
		if (literal(ps, "null"))
			return new_value(JSON_NULL);
		return parse_number(ps);
	}
}

json_value *json_parse(const char *text, size_t len, nx_err *err)
{
	parser ps = {.start = text, .p = text, .end = text + len, .err = err};
	json_value *v = parse_value(&ps);
	if (!v)
		return NULL;
	skip_ws(&ps);
	if (ps.p != ps.end) {
		json_free(v);
		fail(&ps, "trailing data");
		return NULL;
	}
	return v;
}

void json_free(json_value *v)
{
	while (v) {
		json_value *next = v->next;
		json_free(v->child);
		free(v->string);
		free(v->key);
		free(v);
		v = next;
	}
}

const json_value *json_get(const json_value *v, const char *key)
{
	if (!v || v->type != JSON_OBJECT)
		return NULL;
	for (const json_value *c = v->child; c; c = c->next)
		if (!strcmp(c->key, key))
			return c;
	return NULL;
}

const char *json_get_string(const json_value *v, const char *key)
{
	const json_value *m = json_get(v, key);
	return m && m->type == JSON_STRING ? m->string : NULL;
}

long long json_get_int(const json_value *v, const char *key, long long def)
{
	const json_value *m = json_get(v, key);
	if (!m || m->type != JSON_NUMBER)
		return def;
	if (m->is_int) {
		if (m->int_over || m->int_mag > (unsigned long long)LLONG_MAX + m->int_neg)
			return def;
		return m->int_neg ? (long long)(0 - m->int_mag) : (long long)m->int_mag;
	}
	/* 1e3 and the like: whole and within the exact range of a double */
	if (m->number != floor(m->number) || fabs(m->number) > 9007199254740992.0)
		return def;
	return (long long)m->number;
}
