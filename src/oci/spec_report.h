/* The problems found in a config.json, one line each with its JSON path:
 * "config.json: process.cwd: must be an absolute path (got "tmp")". */
#ifndef NX_SPEC_REPORT_H
#define NX_SPEC_REPORT_H

#include "util/buf.h"

/* Lines kept in a report; problems past this are only counted, so a
 * hostile config cannot make the report large. */
#define SPEC_REPORT_MAX 1000
/* Longest JSON path shown; deeper or longer paths are cut with "...". */
#define SPEC_PATH_MAX 512

typedef struct spec_report {
	nx_buf lines;	/* "config.json: <path>: <rule>\n" per problem */
	unsigned count; /* problems found, also those past SPEC_REPORT_MAX */
} spec_report;

static inline void spec_report_free(spec_report *r)
{
	buf_free(&r->lines);
	r->count = 0;
}

#endif
