#define _GNU_SOURCE
#include "plan/apparmor.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool apparmor_host_enabled(void)
{
	/* open(2), not fopen: a FILE is an allocation whose failure would read
	 * as "AppArmor off" and drop a requested profile */
	int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	char c = 0;
	bool on = read(fd, &c, 1) == 1 && c == 'Y';
	close(fd);
	return on;
}

int apparmor_check_plan(const nx_plan *plan, nx_err *err)
{
	for (size_t i = 0; i < plan->n_lxc; i++) {
		if (strcmp(plan->lxc[i].key, "lxc.apparmor.profile"))
			continue;
		if (!apparmor_host_enabled())
			return nx_err_set(
			    err,
			    "process.apparmorProfile: AppArmor profile \"%s\" requested, but AppArmor "
			    "is not enabled on this host",
			    plan->lxc[i].value);
	}
	return 0;
}
