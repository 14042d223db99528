local h = require "helpers"

describe("rules.security", function()
	it("clears Proxmox's drop list and hands the five sets to the init", function()
		local s = h.spec()
		s.process.capabilities = {
			bounding = { "CAP_CHOWN", "CAP_NET_BIND_SERVICE", "CAP_CHOWN" },
			effective = { "CAP_CHOWN" },
			ambient = { "CAP_NET_BIND_SERVICE" },
		}
		local plan = h.translate(s)
		assert.are.same({ "lxc.cap.drop = " }, h.raw_lines(plan, "lxc.cap."))
		assert.are.same({ "chown", "net_bind_service" }, plan.process.capabilities.bounding)
		assert.are.same({ "chown" }, plan.process.capabilities.effective)
		assert.are.same({}, plan.process.capabilities.permitted)
		assert.are.same({ "net_bind_service" }, plan.process.capabilities.ambient)
	end)

	it("gives an empty bounding set for a missing one (runc keeps nothing then)", function()
		local s = h.spec()
		s.process.capabilities = { effective = { "CAP_KILL" } }
		assert.are.same({}, h.translate(s).process.capabilities.bounding)
	end)

	it("leaves Proxmox's capabilities alone without process.capabilities", function()
		assert.are.same({}, h.raw_lines(h.translate(h.spec()), "lxc.cap."))
	end)

	it("refuses unknown capability names", function()
		local s = h.spec()
		s.process.capabilities = { bounding = { "CAP_CHOWN", "CAP_FLY" } }
		local err = h.refuse(s)
		assert.are.equal("security", err.rule)
		assert.matches('bounding%[1%]: "CAP_FLY" is not a capability', err.msg)
		s.process.capabilities = { bounding = { "chown" } }
		assert.is_table(h.refuse(s))
	end)

	it("maps the AppArmor profile, and warns for SELinux labels", function()
		local s = h.spec()
		s.process.apparmorProfile = "lxc-container-default-cgns"
		s.process.selinuxLabel = "system_u:system_r:svirt_lxc_net_t:s0:c124,c675"
		s.linux.mountLabel = "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811"
		local plan = h.translate(s)
		assert.are.same({ "lxc-container-default-cgns" }, h.raw(plan, "lxc.apparmor.profile"))
		assert.truthy(h.warning(plan, "process.selinuxLabel: not applied"))
		assert.truthy(h.warning(plan, "linux.mountLabel: not applied"))
	end)

	it("maps rlimits to lxc.prlimit (unlimited for 2^64-1) and carries them in plan.process", function()
		local s = h.spec()
		s.process.rlimits = {
			{ type = "RLIMIT_NOFILE", soft = 1024, hard = 4096 },
			{ type = "RLIMIT_MEMLOCK", soft = 18446744073709551615.0, hard = 18446744073709551615.0 },
		}
		local plan = h.translate(s)
		assert.are.same({ "lxc.prlimit.nofile = 1024:4096", "lxc.prlimit.memlock = unlimited:unlimited" },
			h.raw_lines(plan, "lxc.prlimit."))
		assert.are.same({ type = "RLIMIT_NOFILE", soft = 1024, hard = 4096 }, plan.process.rlimits[1])
		assert.are.equal(2, #plan.process.rlimits)
	end)

	it("refuses bad rlimits", function()
		local cases = {
			{ { type = "RLIMIT_BOGUS", soft = 1, hard = 1 }, "not an RLIMIT_%* resource" },
			{ { type = "RLIMIT_NOFILE", soft = 10, hard = 5 }, "soft limit above the hard limit" },
			{ { type = "RLIMIT_NOFILE", soft = -1, hard = 5 }, "soft: must be a whole number" },
		}
		for _, c in ipairs(cases) do
			local s = h.spec()
			s.process.rlimits = { c[1] }
			assert.matches(c[2], h.refuse(s).msg)
		end
		local s = h.spec()
		s.process.rlimits = { { type = "RLIMIT_CORE", soft = 0, hard = 0 }, { type = "RLIMIT_CORE", soft = 0, hard = 0 } }
		assert.matches("given twice", h.refuse(s).msg)
	end)

	it("carries noNewPrivileges and oomScoreAdj in plan.process only (Proxmox drops their keys)", function()
		local s = h.spec()
		s.process.noNewPrivileges = true
		s.process.oomScoreAdj = 100
		local plan = h.translate(s)
		assert.is_true(plan.process.no_new_privileges)
		assert.are.equal(100, plan.process.oom_score_adj)
		assert.are.same({}, h.raw(plan, "lxc.no_new_privs"))
		assert.are.same({}, h.raw(plan, "lxc.proc.oom_score_adj"))
	end)

	it("hands masked and read-only paths to the core, which sees the root filesystem", function()
		local plan = h.translate(h.linux({ maskedPaths = { "/proc/kcore", "/sys/firmware", "/etc/secret" },
			readonlyPaths = { "/proc/sys", "/etc/app" } }))
		assert.are.same({ "/proc/kcore", "/sys/firmware", "/etc/secret" }, plan.masked_paths)
		assert.are.same({ "/proc/sys", "/etc/app" }, plan.readonly_paths)
		assert.are.same({}, h.raw(plan, "lxc.mount.entry"))
		assert.are.same({}, plan.warnings)
		assert.are.equal("linux.maskedPaths[0]: must be an absolute path without . or .., white space, ',' or '\\'",
			h.refuse(h.linux({ maskedPaths = { "/proc/../etc" } })).msg)
		assert.are.equal("linux.readonlyPaths[1]: must be an absolute path without . or .., white space, ',' or '\\'",
			h.refuse(h.linux({ readonlyPaths = { "/etc", "/a b" } })).msg)
		assert.matches("control character", h.refuse(h.linux({ maskedPaths = { "/proc/x\nlxc.x: y" } })).msg)
	end)

	it("warns for propagation, maps a 32-bit personality", function()
		local plan = h.translate(h.linux({ rootfsPropagation = "slave", personality = { domain = "LINUX32" } }))
		assert.truthy(h.warning(plan, "linux.rootfsPropagation slave"))
		assert.are.same({ "linux32" }, h.raw(plan, "lxc.arch"))
		assert.matches("LINUX or LINUX32", h.refuse(h.linux({ personality = { domain = "SVR4" } })).msg)
	end)

	it("refuses an AppArmor profile that would inject a key", function()
		local s = h.spec()
		s.process.apparmorProfile = "x\nlxc.apparmor.profile: unconfined"
		assert.matches("control character", h.refuse(s).msg)
		s.process.apparmorProfile = "unconfined lxc.cap.keep"
		assert.matches("not a profile name", h.refuse(s).msg)
	end)
end)
