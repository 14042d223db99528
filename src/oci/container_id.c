#include "oci/container_id.h"

#include <string.h>

int container_id_validate(const char *id, nx_err *err)
{
	if (!id || !*id)
		return nx_err_set(err, "container id cannot be empty");
	size_t len = strlen(id);
	if (len > NX_ID_MAX || !strcmp(id, ".") || !strcmp(id, ".."))
		return nx_err_set(err, "invalid container ID format");
	for (const char *p = id; *p; p++) {
		char c = *p;
		if (!(('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') ||
		      c == '_' || c == '+' || c == '.' || c == '-'))
			return nx_err_set(err, "invalid container ID format");
	}
	return 0;
}
