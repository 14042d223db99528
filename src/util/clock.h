/* Time, in the two forms the core needs: a monotonic clock for timeouts
 * and RFC 3339 UTC timestamps for logs and state. */
#ifndef NX_CLOCK_H
#define NX_CLOCK_H

#include <stddef.h>

double clock_monotonic(void);
/* "2026-11-28T23:59:59.123456789Z" */
void clock_rfc3339(char *out, size_t n);

#endif
