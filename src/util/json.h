/* A small JSON reader for the files the core reads without Lua: state.json,
 * the cluster's .vmlist, the id <-> VMID mapping. Bounded depth; strings
 * are unescaped to UTF-8 and may not contain NUL. */
#ifndef NX_JSON_H
#define NX_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

typedef enum { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } json_type;

typedef struct json_value json_value;
struct json_value {
	json_type type;
	bool boolean;
	double number;
	/* JSON_NUMBER written as an integer (no fraction, no exponent): its
	 * exact value, which the double may have rounded (past 2^53).
	 * int_over: its magnitude does not fit 64 bits. */
	bool is_int, int_neg, int_over;
	unsigned long long int_mag;
	char *string;	   /* JSON_STRING */
	char *key;	   /* set when this value is an object member */
	json_value *child; /* first element/member */
	json_value *next;  /* next sibling */
};

json_value *json_parse(const char *text, size_t len, nx_err *err);
void json_free(json_value *v);
/* Member lookup; NULL when v is not an object or has no such key. */
const json_value *json_get(const json_value *v, const char *key);
const char *json_get_string(const json_value *v, const char *key);
/* Integral number member (exact, also past 2^53), or def. */
long long json_get_int(const json_value *v, const char *key, long long def);

#endif
