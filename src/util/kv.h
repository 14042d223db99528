/* A key and a value, both owned strings: annotations, raw LXC keys, the
 * namespaces to join. */
#ifndef NX_KV_H
#define NX_KV_H

#include <stddef.h>

typedef struct nx_kv {
	char *key, *value;
} nx_kv;

/* Free n pairs (both strings of each) and the array. */
void nx_kv_free(nx_kv *kv, size_t n);

#endif
