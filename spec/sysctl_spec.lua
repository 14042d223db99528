local h = require "helpers"

describe("rules.sysctl", function()
	it("hands the IPC keys to nexcage-init too, sorted, never to LXC's lxc.sysctl", function()
		local plan = h.translate(h.linux({ sysctl = { ["kernel.shmmax"] = "68719476736", ["kernel.msgmax"] = "8192",
			["kernel.shm_rmid_forced"] = "1" } }))
		assert.are.same({}, h.raw_lines(plan, "lxc.sysctl."))
		assert.are.same({ { "kernel.msgmax", "8192" }, { "kernel.shm_rmid_forced", "1" },
			{ "kernel.shmmax", "68719476736" } }, plan.process.sysctl)
	end)

	it("hands net.* (with a network namespace) and fs.mqueue.* to nexcage-init", function()
		local plan = h.translate(h.linux({ sysctl = { ["net.ipv4.ip_forward"] = "1", ["fs.mqueue.msg_max"] = "100",
			["net.core.somaxconn"] = "256" } }, { "network" }))
		assert.are.same({}, h.raw_lines(plan, "lxc.sysctl."))
		assert.are.same({ { "fs.mqueue.msg_max", "100" }, { "net.core.somaxconn", "256" }, { "net.ipv4.ip_forward", "1" } },
			plan.process.sysctl)
	end)

	it("refuses net.* without a network namespace, and sysctls that are not namespaced", function()
		local err = h.refuse(h.linux({ sysctl = { ["net.ipv4.ip_forward"] = "1" } }))
		assert.are.equal("sysctl", err.rule)
		assert.matches("needs a network namespace", err.msg)
		assert.matches("not a namespaced sysctl", h.refuse(h.linux({ sysctl = { ["vm.swappiness"] = "10" } })).msg)
		assert.matches("use hostname", h.refuse(h.linux({ sysctl = { ["kernel.hostname"] = "x" } })).msg)
		assert.matches("invalid key", h.refuse(h.linux({ sysctl = { ["net..x"] = "1" } }, { "network" })).msg)
	end)

	it("refuses values and keys that would inject a config key", function()
		assert.matches("control character", h.refuse(h.linux({ sysctl = { ["kernel.sem"] = "1\nlxc.x: y" } })).msg)
		assert.matches("control character", h.refuse(h.linux({ sysctl = { ["net.b"] = "1\nlxc.x: y" } }, { "network" })).msg)
		assert.matches("control character", h.refuse(h.linux({ sysctl = { ["kernel.sem\nlxc.x"] = "1" } })).msg)
	end)

	it("checks a key in linear time (an 80,000-byte key is refused at once)", function()
		local key = ("a"):rep(80000) .. "!"
		local t0 = os.clock()
		assert.matches("invalid key", h.refuse(h.linux({ sysctl = { [key] = "1" } })).msg)
		assert.is_true(os.clock() - t0 < 0.5)
	end)
end)
