/* A container's OCI state as nexcage records it (core/state_store.h keeps
 * it on disk and derives the status). */
#ifndef NX_OCI_STATE_H
#define NX_OCI_STATE_H

#include <sys/types.h>

#include "util/kv.h"

/* NX_UNKNOWN: the state file cannot be read (corrupt, planted): listed so,
 * removable with delete --force. */
typedef enum { NX_CREATING, NX_CREATED, NX_RUNNING, NX_PAUSED, NX_STOPPED, NX_UNKNOWN } nx_status;


typedef struct nx_state {
	char *id;
	char *oci_version;
	char *bundle;
	char *rootfs;
	char *created; /* RFC 3339 */
	char *owner;
	pid_t pid; /* the CT's init (the program once started): what nexcage signals */
	unsigned long long pid_start;
	pid_t standin; /* the stand-in (--pid-file): the pid engines see, state's "pid" */
	unsigned long long standin_start;
	long vmid;
	char *node;
	char *pct; /* the pct used at create: later commands need no config */
	double pct_timeout;
	nx_kv *annotations;
	size_t n_annotations;
	char *hooks_json; /* config.json's hooks, frozen at create (JSON text or NULL) */
} nx_state;

void state_free(nx_state *st);
const char *state_status_name(nx_status s);

#endif
