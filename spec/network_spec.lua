local h = require "helpers"

describe("rules.network", function()
	it("gives net0 on the site bridge with DHCP for a network namespace", function()
		local plan = h.translate(h.linux({}, { "network" }), h.ctx({ bridge = "vmbr1" }))
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
		local err = h.refuse(h.linux({}, { "network" }), h.ctx({ bridge = "vmbr0,firewall=0" }))
		assert.are.equal("network", err.rule)
		assert.matches("not a bridge name", err.msg)
	end)

	it("refuses moving host network devices into the CT", function()
		assert.matches("linux.netDevices", h.refuse(h.linux({ netDevices = { eth1 = { name = "eth1" } } }, { "network" })).msg)
	end)
end)
