#define _GNU_SOURCE
#include <string.h>

#include "config.h"
#include "harness.h"
#include "translate.h"

static const char *raw_value(const core_raw *raw, const char *key)
{
	for (size_t i = 0; i < raw->n; i++)
		if (!strcmp(raw->all[i].key, key))
			return raw->all[i].value;
	return NULL;
}

TEST(core_raw_keys_leave_lxc_no_seccomp_profile_unless_the_site_keeps_proxmoxs)
{
	nx_config cfg;
	nx_err err = {0};
	CHECK(config_defaults(&cfg, &err) == 0);
	CHECK_STR(cfg.lxc_seccomp, "none");
	nx_plan plan = {0};
	core_raw raw;
	CHECK(core_raw_keys(&plan, &cfg, "/run/nexcage/c1", "/run/nexcage/c1/ctr", &raw, &err) == 0);
	CHECK_STR(raw_value(&raw, "lxc.seccomp.profile"), ""); /* LXC clears common.conf's */
	core_raw_free(&raw);
	CHECK(config_set_string(&cfg, "lxc_seccomp", "proxmox", &err) == 0);
	CHECK(core_raw_keys(&plan, &cfg, "/run/nexcage/c1", "/run/nexcage/c1/ctr", &raw, &err) == 0);
	CHECK(raw_value(&raw, "lxc.seccomp.profile") == NULL);
	core_raw_free(&raw);
	CHECK(config_set_string(&cfg, "lxc_seccomp", "docker", &err) < 0);
	CHECK_STR(err.msg, "lxc_seccomp: must be one of none,proxmox (got \"docker\")");
	config_free(&cfg);
}
