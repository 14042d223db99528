/* Signal names as kill(1) and runc take them. */
#ifndef NX_SIGNALS_H
#define NX_SIGNALS_H

#include "util/error.h"

/* A signal given as a number, KILL or SIGKILL (or RTMIN+n, RTMAX-n). */
int signal_parse(const char *s, int *sig, nx_err *err);

#endif
