#ifndef NX_CONTAINER_ID_H
#define NX_CONTAINER_ID_H

#include "util/error.h"

#define NX_ID_MAX 200

/* runc's rule: [A-Za-z0-9_+.-]+, a clean single path element; we also bound
 * the length so <root>/<id>/state.json.tmp.<pid> always fits a file name. */
int container_id_validate(const char *id, nx_err *err);

#endif
