#include "util/kv.h"

#include <stdlib.h>

void nx_kv_free(nx_kv *kv, size_t n)
{
	for (size_t i = 0; kv && i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}
