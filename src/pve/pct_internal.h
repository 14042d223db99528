/* The one untyped pct call, beneath pct.h's typed ones: for pct.c and its
 * unit test (which feeds it every subcommand a node's failures apply to). */
#ifndef NX_PCT_INTERNAL_H
#define NX_PCT_INTERNAL_H

#include "pve/pct.h"
#include "util/spawn.h"

/* args: NULL-terminated, without the program name: the subcommand, then
 * the VMID. On success *res (if given) holds the output; the caller frees
 * it. */
int pct_call(const nx_pct *pct, const char *const *args, spawn_result *res, nx_err *err);

#endif
