#include "oci/state.h"

#include <stdlib.h>
#include <string.h>

void state_free(nx_state *st)
{
	free(st->id);
	free(st->oci_version);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	free(st->owner);
	free(st->node);
	free(st->pct);
	free(st->hooks_json);
	nx_kv_free(st->annotations, st->n_annotations);
	memset(st, 0, sizeof *st);
}

const char *state_status_name(nx_status s)
{
	switch (s) {
	case NX_CREATING: return "creating";
	case NX_CREATED: return "created";
	case NX_RUNNING: return "running";
	case NX_PAUSED: return "paused";
	case NX_UNKNOWN: return "unknown";
	default: return "stopped";
	}
}
