/* The persistent container-id <-> VMID mapping:
 * <state_dir>/map/<root key>/<id>.json. An id is unique per state root (as
 * in runc), so the record belongs to the root that created it and a
 * command in one root never finds another root's record. It outlives /run
 * (a reboot) so CTs made by nexcage are never lost track of; a record is
 * written before `pct create` and so also reserves the VMID against
 * concurrent creates on this node, and stays until the CT is gone. */
#ifndef NX_MAPPING_H
#define NX_MAPPING_H

#include <stddef.h>

#include "util/error.h"

typedef struct nx_mapping {
	char *id;
	long vmid;
	char *node;
	char *bundle;
	char *created;
	char *root; /* the --root of the create, to find its state */
} nx_mapping;

/* m->root names the owning root. */
int mapping_write(const char *state_dir, const nx_mapping *m, nx_err *err);
/* NX_ERR_NOT_FOUND when root has no record of id. */
int mapping_read(const char *state_dir, const char *root, const char *id, nx_mapping *m, nx_err *err);
int mapping_remove(const char *state_dir, const char *root, const char *id, nx_err *err);
/* Every record of every root (unreadable ones are skipped with a warning). */
int mapping_list(const char *state_dir, nx_mapping **list, size_t *n, nx_err *err);
/* The directory holding root's records (for the sweep of temp files). */
char *mapping_root_dir(const char *state_dir, const char *root);
void mapping_free(nx_mapping *m);
void mapping_list_free(nx_mapping *list, size_t n);

#endif
