local h = require "helpers"

describe("rules.security", function()
	it("maps capabilities, noNewPrivileges, apparmor, oomScoreAdj, rlimits", function()
		local s = h.spec()
		s.process.capabilities = { bounding = { "CAP_CHOWN", "CAP_NET_BIND_SERVICE" } }
		s.process.noNewPrivileges = true
		s.process.apparmorProfile = "lxc-container-default-cgns"
		s.process.oomScoreAdj = 100
		s.process.rlimits = { { type = "RLIMIT_NOFILE", soft = 1024, hard = 4096 } }
		local plan = h.translate(s)
		assert.are.same({ "chown net_bind_service" }, h.raw(plan, "lxc.cap.keep"))
		assert.are.same({}, h.raw(plan, "lxc.no_new_privs")) -- Proxmox drops it: the init applies it
		assert.are.same({ "lxc-container-default-cgns" }, h.raw(plan, "lxc.apparmor.profile"))
		assert.are.equal(100, plan.process.oom_score_adj)
		assert.are.same({ "1024:4096" }, h.raw(plan, "lxc.prlimit.nofile"))
		assert.are.same({ { type = "RLIMIT_NOFILE", soft = 1024, hard = 4096 } }, plan.process.rlimits)
		assert.is_true(plan.process.no_new_privileges)
	end)

	it("keeps no capability for an empty bounding set", function()
		local s = h.spec()
		s.process.capabilities = { bounding = {} }
		assert.are.same({ "none" }, h.raw(h.translate(s), "lxc.cap.keep"))
	end)

	it("maps sysctl to sorted lxc.sysctl keys and warns for masked/readonly paths and seccomp", function()
		local plan = h.translate(h.spec({ linux = { namespaces = { { type = "network" } },
			sysctl = { ["net.ipv4.ip_forward"] = "1", ["kernel.msgmax"] = "8192" },
			maskedPaths = { "/proc/kcore" }, readonlyPaths = { "/proc/sys" }, seccomp = {} } }))
		assert.are.same({ "8192" }, h.raw(plan, "lxc.sysctl.kernel.msgmax"))
		assert.are.same({}, h.raw(plan, "lxc.sysctl.net.ipv4.ip_forward"))
		assert.are.same({ { "net.ipv4.ip_forward", "1" } }, plan.process.sysctl)
		assert.are.equal(3, #plan.warnings)
	end)

	it("refuses an apparmor profile or sysctl value that would inject a key", function()
		local s = h.spec()
		s.process.apparmorProfile = "x\nlxc.apparmor.profile: unconfined"
		assert.is_false(pcall(h.translate, s))
		assert.is_false(pcall(h.translate, h.spec({ linux = { namespaces = { { type = "network" } },
			sysctl = { ["net.b"] = "1\nlxc.x: y" } } })))
		local ok, err = pcall(h.translate, h.spec({ linux = { sysctl = { ["net.ipv4.ip_forward"] = "1" } } }))
		assert.is_false(ok)
		assert.matches("needs a network namespace", err.msg)
		ok, err = pcall(h.translate, h.spec({ linux = { sysctl = { ["vm.swappiness"] = "10" } } }))
		assert.is_false(ok)
		assert.matches("not settable in a Proxmox CT", err.msg)
		s = h.spec()
		s.process.selinuxLabel = "system_u:system_r:container_t"
		assert.is_false(pcall(h.translate, s))
	end)
end)
