/* What a nexcage killed midway leaves besides its container: temp files
 * (<name>.tmp.<pid>.<random>) and template archives
 * (nexcage-<node>-<id>.<pid>.tar.zst). Both carry the writer's pid, so a
 * file is removed only once its writer is dead. */
#ifndef NX_SWEEP_H
#define NX_SWEEP_H

#include <stdbool.h>

/* Told of each file removed (or, in a dry run, that would be). */
typedef void (*sweep_notify_fn)(const char *dir, const char *name, long pid, bool dry_run, void *data);

/* Remove the dead writers' files in dir. With template_prefix, template
 * archives starting with it too (e.g. "nexcage-pve-" or
 * "nexcage-pve-web."). Each file goes to notify (gc prints it), or to the
 * log when notify is NULL. Returns how many were removed (or would be). */
int sweep_dir(const char *dir, const char *template_prefix, bool dry_run, sweep_notify_fn notify, void *data);
/* The pid a temp or template name carries, 0 if none. */
long sweep_name_pid(const char *name);

#endif
