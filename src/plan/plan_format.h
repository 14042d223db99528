/* pve-container's formats for what a plan carries: `pct create` options
 * and the raw lxc keys Proxmox keeps. A value that passes cannot smuggle a
 * second key into the Proxmox config (newline, NUL, control characters). */
#ifndef NX_PLAN_FORMAT_H
#define NX_PLAN_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

/* Most entries a plan list may have, and the longest value. */
#define PLAN_MAX_ENTRIES 4096
#define PLAN_MAX_VALUE	 65536

/* Check one pct create option value (also used for core-added ones). */
int plan_check_option(const char *name, const char *value, char *why, size_t n);
/* Check one raw lxc key/value. */
int plan_check_lxc(const char *key, const char *value, char *why, size_t n);
/* No control character (a newline only where allowed). */
int plan_check_chars(const char *v, bool allow_newline, char *why, size_t n);
/* The path under key= in a property string (v itself for "volume") has no
 * . or .. component (pve refuses them). */
int plan_check_path_clean(const char *v, const char *key, char *why, size_t n);

#endif
