/* The default config.json of `spec`: one nexcage accepts as it is. */
#ifndef NX_SPEC_DEFAULT_H
#define NX_SPEC_DEFAULT_H

#include <stdbool.h>

#include "util/buf.h"
#include "util/error.h"

/* Write dir/config.json; an existing one is never replaced (runc's
 * error), and the file appears whole or not at all. */
int spec_default_write(const char *dir, bool rootless, nx_err *err);

#endif
