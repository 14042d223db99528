/* The bundle's root filesystem as a Proxmox template archive: pct create
 * only builds a CT from a vztmpl archive. */
#ifndef NX_TEMPLATE_H
#define NX_TEMPLATE_H

#include "util/error.h"

/* Archive rootfs into dir/name (written as a temp file, then renamed),
 * adding the entries of extra_dir (may be NULL) at the archive's root. */
int template_build(const char *rootfs, const char *extra_dir, const char *dir, const char *name,
		   double timeout, nx_err *err);

/* The empty archive a rootfs used in place is "restored" from (malloc'd
 * path; created under state_dir when missing). */
char *template_empty(const char *state_dir, nx_err *err);
/* Where that archive is (malloc'd), made or not. */
char *template_empty_path(const char *state_dir);

#endif
