local h = require "helpers"

describe("rules.namespaces", function()
	it("maps a user namespace to unprivileged with lxc.idmap lines", function()
		local plan = h.translate(h.spec({ linux = {
			namespaces = { { type = "user" }, { type = "pid" } },
			uidMappings = { { containerID = 0, hostID = 100000, size = 65536 } },
			gidMappings = { { containerID = 0, hostID = 100000, size = 65536 } },
		} }))
		assert.are.equal(1, plan.options.unprivileged)
		assert.are.same({ "u 0 100000 65536", "g 0 100000 65536" }, h.raw(plan, "lxc.idmap"))
	end)

	it("is privileged without a user namespace", function()
		assert.are.equal(0, h.translate(h.spec()).options.unprivileged)
	end)

	it("gives net0 on the site bridge with a network namespace, host network without", function()
		local plan = h.translate(h.spec({ linux = { namespaces = { { type = "network" } } } }), h.ctx({ bridge = "vmbr1" }))
		assert.are.equal("name=eth0,bridge=vmbr1,ip=dhcp", plan.options.net0)
		plan = h.translate(h.spec())
		assert.is_nil(plan.options.net0)
		assert.are.same({ "none" }, h.raw(plan, "lxc.net.0.type"))
	end)

	it("refuses to join an existing namespace", function()
		local ok, err = pcall(h.translate, h.spec({ linux = { namespaces = { { type = "network", path = "/proc/1/ns/net" } } } }))
		assert.is_false(ok)
		assert.matches("joining an existing network namespace", err.msg)
	end)
end)
