#define _GNU_SOURCE
#include "plan/mount_dest.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/xalloc.h"

#define MAX_LINKS 255

/* Drop the last component of an absolute path ("/" stays "/"). */
static void parent(char *path)
{
	char *slash = strrchr(path, '/');
	if (slash && slash != path)
		*slash = '\0';
	else
		strcpy(path, "/");
}

int mount_dest_resolve(const char *rootfs, const char *dest, char *out, size_t n, nx_err *err)
{
	/* pending: what is left to walk; resolved: the walked part */
	char pending[PATH_MAX], resolved[PATH_MAX] = "/";
	if (snprintf(pending, sizeof pending, "%s", dest) >= (int)sizeof pending)
		return nx_err_set(err, "%s: path too long", dest);
	int links = 0;
	char *rest = pending;
	while (*rest) {
		while (*rest == '/')
			rest++;
		if (!*rest)
			break;
		char *end = strchrnul(rest, '/');
		char comp[NAME_MAX + 1];
		if ((size_t)(end - rest) > NAME_MAX)
			return nx_err_set(err, "%s: a component is too long", dest);
		snprintf(comp, sizeof comp, "%.*s", (int)(end - rest), rest);
		rest = end;
		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			parent(resolved);
			continue;
		}
		char candidate[PATH_MAX], host[PATH_MAX * 2];
		if (snprintf(candidate, sizeof candidate, "%s%s%s", resolved, strcmp(resolved, "/") ? "/" : "",
			     comp) >= (int)sizeof candidate)
			return nx_err_set(err, "%s: path too long", dest);
		snprintf(host, sizeof host, "%s%s", rootfs, candidate);
		struct stat st;
		if (lstat(host, &st) < 0 || !S_ISLNK(st.st_mode)) {
			/* missing (made at mount time, inside) or a real entry */
			snprintf(resolved, sizeof resolved, "%s", candidate);
			continue;
		}
		if (++links > MAX_LINKS)
			return nx_err_set(err, "%s: too many levels of symbolic links in the image", dest);
		char target[PATH_MAX];
		ssize_t len = readlink(host, target, sizeof target - 1);
		if (len < 0)
			return nx_err_sys(err, errno, "readlink %s", host);
		target[len] = '\0';
		/* the link's target, then what was left after it */
		char next[PATH_MAX];
		if (snprintf(next, sizeof next, "%s%s", target, rest) >= (int)sizeof next)
			return nx_err_set(err, "%s: path too long after resolving links", dest);
		snprintf(pending, sizeof pending, "%s", next);
		rest = pending;
		if (target[0] == '/')
			strcpy(resolved, "/"); /* absolute: from the rootfs's root */
	}
	if (snprintf(out, n, "%s", resolved) >= (int)n)
		return nx_err_set(err, "%s: path too long", dest);
	return 0;
}

/* mpN: "<source>,mp=<dest>[,...]" */
static int resolve_mp(nx_plan *plan, size_t i, const char *rootfs, nx_err *err)
{
	const char *v = plan->options[i].value;
	const char *mp = strstr(v, ",mp=");
	if (!mp)
		return 0;
	mp += 4;
	size_t dl = strcspn(mp, ",");
	char dest[PATH_MAX], real[PATH_MAX];
	snprintf(dest, sizeof dest, "%.*s", (int)dl, mp);
	if (mount_dest_resolve(rootfs, dest, real, sizeof real, err) < 0)
		return -1;
	if (!strcmp(dest, real))
		return 0;
	cleanup_free char *nv = xasprintf("%.*s%s%s", (int)(mp - v), v, real, mp + dl);
	cleanup_free char *key = xstrdup(plan->options[i].key);
	return plan_set_option(plan, key, nv, err);
}

/* "<source> <target relative to the rootfs> <type> <options> 0 0" */
static int resolve_entry(nx_kv *kv, const char *rootfs, nx_err *err)
{
	const char *v = kv->value;
	const char *t = strchr(v, ' ');
	if (!t)
		return 0;
	t++;
	size_t tl = strcspn(t, " ");
	char dest[PATH_MAX], real[PATH_MAX];
	snprintf(dest, sizeof dest, "/%.*s", (int)tl, t);
	if (mount_dest_resolve(rootfs, dest, real, sizeof real, err) < 0)
		return -1;
	if (!strcmp(dest, real))
		return 0;
	char *nv = xasprintf("%.*s%s%s", (int)(t - v), v, real + 1, t + tl);
	char why[256];
	if (plan_check_lxc(kv->key, nv, why, sizeof why) < 0) {
		free(nv);
		return nx_err_set(err, "%s: %s", kv->key, why);
	}
	free(kv->value);
	kv->value = nv;
	return 0;
}

int mount_dest_resolve_plan(nx_plan *plan, const char *rootfs, nx_err *err)
{
	for (size_t i = 0; i < plan->n_options; i++) {
		const char *k = plan->options[i].key;
		if ((!strncmp(k, "mp", 2) && k[2] >= '0' && k[2] <= '9') && resolve_mp(plan, i, rootfs, err) < 0)
			return nx_err_wrap(err, "mount %s", k);
	}
	for (size_t i = 0; i < plan->n_lxc; i++)
		if (!strcmp(plan->lxc[i].key, "lxc.mount.entry") && resolve_entry(&plan->lxc[i], rootfs, err) < 0)
			return nx_err_wrap(err, "lxc.mount.entry");
	return 0;
}
