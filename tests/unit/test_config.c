#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "site/config.h"
#include "core/context.h"
#include "harness.h"
#include "test_util.h"

static int load(const char *text, nx_config *cfg, nx_err *err)
{
	char *dir = tu_tmpdir();
	tu_write(dir, "config.lua", text, 0644);
	char *path = NULL;
	if (asprintf(&path, "%s/config.lua", dir) < 0)
		abort();
	nx_lua_settings s = {0};
	nx_lua *h = nxlua_new(&s, err);
	nx_err_clear(err);
	int rc = ctx_config_load(h, path, true, cfg, err);
	nxlua_free(h);
	free(path);
	tu_rmtree(dir);
	free(dir);
	return rc;
}

TEST(config_defaults_suit_a_stock_node)
{
	nx_config cfg;
	nx_err err = {0};
	CHECK(config_defaults(&cfg, &err) == 0);
	CHECK_STR(cfg.pct, "/usr/sbin/pct");
	CHECK_STR(cfg.storage, "local-lvm");
	CHECK_STR(cfg.template_storage, "local");
	CHECK_STR(cfg.bridge, "vmbr0");
	CHECK(cfg.vmid_min == 100);
	CHECK_STR(cfg.lxc_seccomp, "none");
	CHECK(cfg.node && cfg.node[0]);
	config_free(&cfg);
}

TEST(config_values_are_applied)
{
	nx_config cfg;
	nx_err err = {0};
	CHECK(load("return { storage = 'tank', vmid_min = 5000, vmid_max = 5999, pct_timeout = 2.5 }", &cfg,
		   &err) == 0);
	CHECK_STR(cfg.storage, "tank");
	CHECK(cfg.vmid_min == 5000 && cfg.vmid_max == 5999);
	CHECK(cfg.pct_timeout == 2.5);
	config_free(&cfg);
}

TEST(config_errors_name_the_key)
{
	nx_config cfg;
	nx_err err = {0};
	CHECK(load("return { storge = 'tank' }", &cfg, &err) < 0);
	CHECK_CONTAINS(err.msg, "storge: unknown setting");
	config_free(&cfg);
	CHECK(load("return { vmid_min = 'low' }", &cfg, &err) < 0);
	CHECK_CONTAINS(err.msg, "vmid_min: expected a number, got string");
	config_free(&cfg);
	CHECK(load("return { vmid_min = 50 }", &cfg, &err) < 0);
	CHECK_CONTAINS(err.msg, "vmid_min: must be between 100 and 999999999 (got 50)");
	config_free(&cfg);
	CHECK(load("return { vmid_min = 200, vmid_max = 150 }", &cfg, &err) < 0);
	CHECK_CONTAINS(err.msg, "vmid_min (200) is greater than vmid_max (150)");
	config_free(&cfg);
	CHECK(load("return { lxc_seccomp = 'docker' }", &cfg, &err) < 0);
	CHECK_CONTAINS(err.msg, "lxc_seccomp: must be one of none,proxmox (got \"docker\")");
	config_free(&cfg);
	CHECK(load("return { process_mode = 'magic' }", &cfg, &err) < 0);
	CHECK_CONTAINS(err.msg, "process_mode: must be one of entrypoint,raw (got \"magic\")");
	config_free(&cfg);
	CHECK(load("return 42", &cfg, &err) < 0);
	CHECK_CONTAINS(err.msg, "must return a table (got number)");
	config_free(&cfg);
	CHECK(load("return {", &cfg, &err) < 0);
	CHECK_CONTAINS(err.msg, "config.lua:1:");
	config_free(&cfg);
}

/* What went wrong crosses as a kind: a key the schema refuses, a file
 * that does not compile, a config.lua that raises. */
TEST(config_errors_carry_their_kind)
{
	nx_config cfg;
	nx_err err = {0};
	CHECK(load("return { storge = 'tank' }", &cfg, &err) < 0);
	CHECK(err.kind == NX_ERR_INVALID);
	config_free(&cfg);
	CHECK(load("return { vmid_min = 200, vmid_max = 150 }", &cfg, &err) < 0);
	CHECK(err.kind == NX_ERR_INVALID);
	config_free(&cfg);
	CHECK(load("return 42", &cfg, &err) < 0);
	CHECK(err.kind == NX_ERR_INVALID);
	config_free(&cfg);
	CHECK(load("return {", &cfg, &err) < 0);
	CHECK(err.kind == NX_ERR_LUA_SYNTAX);
	config_free(&cfg);
	CHECK(load("error('no')", &cfg, &err) < 0);
	CHECK(err.kind == NX_ERR_LUA_RUNTIME);
	config_free(&cfg);
	/* a non-string key is refused in the order Lua gives it */
	CHECK(load("return { [1] = 'x' }", &cfg, &err) < 0);
	CHECK_CONTAINS(err.msg, "keys must be strings (got a number key)");
	config_free(&cfg);
}
