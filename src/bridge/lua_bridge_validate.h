/* Inside the bridge: validation of a decoded config.json (a Lua table) against runtime-spec
 * v1.3.0 for Linux: a walker over a declarative schema (types, required
 * members, enumerations, integer ranges) plus the rules the spec's text
 * adds (lua_bridge_schema.c). Every problem is reported, each with its
 * JSON path: "config.json: process.cwd: must be an absolute path (got "tmp")".
 * Unknown properties are ignored (a debug line names them). */
#ifndef NX_LUA_BRIDGE_VALIDATE_H
#define NX_LUA_BRIDGE_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include <lua.h>

#include "oci/spec_report.h"


/* --- validating ----------------------------------------------------------- */

/* Make the decoded table what the rules expect, in place: integral numbers
 * become Lua integers (cjson decodes every number as a float), JSON null
 * members are removed (absent, as runc's decoder treats them), and strings
 * holding a NUL character (the \u0000 escape) are reported. Call it
 * protected: it raises only when Lua runs out of memory. */
void spec_normalise(lua_State *L, int idx, spec_report *r);

/* Before spec_normalise: integer literals of data (the text the table at
 * idx was decoded from) past 2^53, which cjson rounded, made exact in the
 * table or reported (lua_bridge_exact.c). Call it protected. */
void spec_exact_numbers(lua_State *L, int idx, const char *data, size_t len, spec_report *r);

/* Validate the normalised spec at idx. root.path is resolved against
 * bundle_dir (absolute) into rootfs (PATH_MAX bytes; "" when it does not
 * resolve). Relative mount destinations (deprecated) are made absolute in
 * the table. Call it protected. */
void spec_validate(lua_State *L, int idx, const char *bundle_dir, char *rootfs, spec_report *r);

/* --- the walker, for the schema (lua_bridge_schema.c) ----------------- */

typedef enum {
	SPEC_STRING,
	SPEC_BOOL,
	SPEC_INT,
	SPEC_OBJECT, /* members by name */
	SPEC_ARRAY,  /* items */
	SPEC_MAP,    /* any non-empty key -> items */
} spec_kind;

typedef struct spec_walk spec_walk;
typedef struct spec_node spec_node;

/* A rule runs on a value of the right kind, after its members or items. */
typedef void (*spec_rule)(spec_walk *w, int idx);

typedef struct spec_member {
	const char *name;
	const spec_node *node;
	bool required;
} spec_member;

struct spec_node {
	spec_kind kind;
	const char *desc; /* "a non-empty array of strings": replaces the kind's wording */
	/* SPEC_INT: [min, max]; u64 widens max to 2^64 - 1 */
	long long min, max;
	bool u64;
	const char *const *choices; /* SPEC_STRING: NULL-terminated enumeration */
	const spec_member *members; /* SPEC_OBJECT: ends with {NULL} */
	const spec_node *items;	    /* SPEC_ARRAY, SPEC_MAP */
	size_t min_items;	    /* SPEC_ARRAY */
	spec_rule rule;
};

struct spec_walk {
	lua_State *L;
	spec_report *report;
	const char *bundle; /* absolute bundle directory */
	char *rootfs;	    /* out: PATH_MAX bytes */
	int spec;	    /* stack index of the whole spec */
	char path[SPEC_PATH_MAX];
	size_t plen;
	unsigned unknown; /* unknown properties logged so far */
};

/* The whole config.json, runtime-spec v1.3.0 for Linux. */
extern const spec_node spec_config;

void spec_walk_node(spec_walk *w, int idx, const spec_node *node);
/* Report a problem at the current path (or at path + suffix: ".soft"). */
void spec_problem(spec_walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void spec_problem_at(spec_walk *w, const char *suffix, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Extend the path by a member name or an array index; returns the length
 * to restore with spec_path_pop. */
size_t spec_path_key(spec_walk *w, const char *key);
size_t spec_path_index(spec_walk *w, lua_Integer i);
void spec_path_pop(spec_walk *w, size_t len);
/* The value at idx for "(got ...)": a JSON string cut to a readable
 * length, a number, true/false, "an object", ... */
const char *spec_show(lua_State *L, int idx, char *buf, size_t n);

/* t[key] on the stack (nil when absent), raw access; returns its type. */
int spec_get(lua_State *L, int t, const char *key);
/* t[key] as a string, or NULL; nothing stays on the stack (the string is
 * anchored by t). */
const char *spec_string(lua_State *L, int t, const char *key);
/* t[key] as an integer into *out; false when absent or not an integer. */
bool spec_integer(lua_State *L, int t, const char *key, lua_Integer *out);

#endif
