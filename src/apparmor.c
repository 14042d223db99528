#define _GNU_SOURCE
#include "apparmor.h"

#include <stdio.h>
#include <string.h>

bool apparmor_host_enabled(void)
{
	FILE *f = fopen("/sys/module/apparmor/parameters/enabled", "re");
	if (!f)
		return false;
	char c = 0;
	bool on = fread(&c, 1, 1, f) == 1 && c == 'Y';
	fclose(f);
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
