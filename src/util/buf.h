/* A growable byte buffer with JSON string escaping: the C side writes its
 * JSON (log lines, state, list) through this without starting Lua. */
#ifndef NX_BUF_H
#define NX_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct nx_buf {
	char *data;
	size_t len, cap;
} nx_buf;

void buf_append(nx_buf *b, const char *s, size_t n);
void buf_puts(nx_buf *b, const char *s);
void buf_printf(nx_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s as a JSON string literal, quotes included. Invalid UTF-8 bytes
 * become U+FFFD so the output is always valid JSON. */
void buf_json_string(nx_buf *b, const char *s);
void buf_free(nx_buf *b);

#endif
