#define _GNU_SOURCE
#include <string.h>

#include "site/config.h"
#include "harness.h"
#include "core/translate.h"

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
	CHECK(core_raw_keys(&plan, &cfg, "/run/nexcage/c1/ctr", &raw, &err) == 0);
	CHECK_STR(raw_value(&raw, "lxc.seccomp.profile"), ""); /* LXC clears common.conf's */
	core_raw_free(&raw);
	CHECK(config_set_string(&cfg, "lxc_seccomp", "proxmox", &err) == 0);
	CHECK(core_raw_keys(&plan, &cfg, "/run/nexcage/c1/ctr", &raw, &err) == 0);
	CHECK(raw_value(&raw, "lxc.seccomp.profile") == NULL);
	core_raw_free(&raw);
	CHECK(config_set_string(&cfg, "lxc_seccomp", "docker", &err) < 0);
	CHECK_STR(err.msg, "lxc_seccomp: must be one of none,proxmox (got \"docker\")");
	config_free(&cfg);
}

/* The init's directory is mounted in the CT's /dev (autodev's tmpfs), not
 * in the image, and nothing logs the CT's console to a host file. */
TEST(core_raw_keys_mount_the_init_in_dev_and_log_no_console)
{
	nx_config cfg;
	nx_err err = {0};
	CHECK(config_defaults(&cfg, &err) == 0);
	nx_plan plan = {0};
	core_raw raw;
	CHECK(core_raw_keys(&plan, &cfg, "/run/nexcage/c1/ctr", &raw, &err) == 0);
	CHECK_STR(raw_value(&raw, "lxc.mount.entry"),
		  "/run/nexcage/c1/ctr dev/.nexcage none bind,ro,create=dir 0 0");
	CHECK(raw_value(&raw, "lxc.console.logfile") == NULL);
	CHECK_STR(raw_value(&raw, "lxc.hook.stop"), "/run/nexcage/c1/ctr/init stop-hook");
	core_raw_free(&raw);
	config_free(&cfg);
}
