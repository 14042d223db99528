#include "util/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* Exhaustion ends the process (xalloc.h), so a buffer is always whole. */
static void buf_reserve(nx_buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void buf_append(nx_buf *b, const char *s, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_puts(nx_buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void buf_printf(nx_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) /* an invalid format; the formats are literals */
		return;
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Length of the valid UTF-8 sequence at s, or 0 if it is not one. */
static size_t utf8_seq_len(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n;
	unsigned cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void buf_json_string(nx_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	buf_append(b, "\"", 1);
	while (*p) {
		unsigned char c = *p;
		if (c == '"' || c == '\\') {
			char esc[2] = {'\\', (char)c};
			buf_append(b, esc, 2);
			p++;
		} else if (c < 0x20 || c == 0x7f) {
			switch (c) {
			case '\n': buf_puts(b, "\\n"); break;
			case '\t': buf_puts(b, "\\t"); break;
			case '\r': buf_puts(b, "\\r"); break;
			default: buf_printf(b, "\\u%04x", c); break;
			}
			p++;
		} else {
			size_t n = utf8_seq_len(p);
			if (n == 0) {
				buf_puts(b, "\\ufffd");
				p++;
			} else {
				buf_append(b, (const char *)p, n);
				p += n;
			}
		}
	}
	buf_append(b, "\"", 1);
}

void buf_free(nx_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
