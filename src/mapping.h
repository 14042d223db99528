/* The persistent container-id <-> VMID mapping: <state_dir>/map/<id>.json.
 * It outlives /run (a reboot) so CTs made by nexcage are never lost track
 * of; a record is written before `pct create` and so also reserves the
 * VMID against concurrent creates on this node. */
#ifndef NX_MAPPING_H
#define NX_MAPPING_H

#include <stddef.h>

#include "error.h"

typedef struct nx_mapping {
	char *id;
	long vmid;
	char *node;
	char *bundle;
	char *created;
	char *root; /* the --root of the create, to find its state */
} nx_mapping;

int mapping_write(const char *state_dir, const nx_mapping *m, nx_err *err);
/* "container does not exist" when there is no record. */
int mapping_read(const char *state_dir, const char *id, nx_mapping *m, nx_err *err);
int mapping_remove(const char *state_dir, const char *id, nx_err *err);
/* Every record (unreadable ones are skipped with a warning). */
int mapping_list(const char *state_dir, nx_mapping **list, size_t *n, nx_err *err);
void mapping_free(nx_mapping *m);
void mapping_list_free(nx_mapping *list, size_t n);

#endif
