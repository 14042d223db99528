local h = require "helpers"

describe("rules.network", function()
	it("gives an empty network namespace (only lo, no NIC) for a network namespace without a path", function()
		local plan = h.translate(h.linux({}, { "network" }))
		assert.is_nil(plan.options.net0)
		assert.are.same({}, h.raw(plan, "lxc.net.0.type"))
		assert.is_nil(plan.process.namespaces)
	end)

	it("joins a network namespace given by path (the init is handed it), with no NIC", function()
		local s = h.linux({}, {})
		s.linux.namespaces[#s.linux.namespaces + 1] = { type = "network", path = "/run/netns/cni-1" }
		local plan = h.translate(s, h.ctx({ network = "bridge" }))
		assert.is_nil(plan.options.net0)
		assert.are.same({}, h.raw(plan, "lxc.net.0.type"))
		assert.are.same({ { type = "network", path = "/run/netns/cni-1" } }, plan.process.namespaces)
	end)

	it("gives net0 on the site bridge with DHCP where the site asks (config network = bridge)", function()
		local plan = h.translate(h.linux({}, { "network" }), h.ctx({ network = "bridge", bridge = "vmbr1" }))
		assert.are.equal("name=eth0,bridge=vmbr1,ip=dhcp", plan.options.net0)
		assert.are.equal("network", plan.origin.net0)
		assert.are.same({}, h.raw(plan, "lxc.net.0.type"))
	end)

	it("shares the host's network without a network namespace (lxc.net.0.type = none)", function()
		local plan = h.translate(h.spec())
		assert.is_nil(plan.options.net0)
		assert.are.same({ "none" }, h.raw(plan, "lxc.net.0.type"))
	end)

	it("refuses a site bridge that is not a bridge name", function()
		local err = h.refuse(h.linux({}, { "network" }), h.ctx({ network = "bridge", bridge = "vmbr0,firewall=0" }))
		assert.are.equal("network", err.rule)
		assert.matches("not a bridge name", err.msg)
	end)

	it("refuses moving host network devices into the CT", function()
		assert.matches("linux.netDevices", h.refuse(h.linux({ netDevices = { eth1 = { name = "eth1" } } }, { "network" })).msg)
	end)
end)
