local h = require "helpers"

local function with(res)
	return h.spec({ linux = { namespaces = { { type = "pid" } }, resources = res } })
end

describe("rules.resources", function()
	it("converts memory bytes to MiB, rounding up, and OCI swap (mem+swap) to Proxmox swap", function()
		local plan = h.translate(with({ memory = { limit = 268435457, swap = 536870912 } }))
		assert.are.equal(257, plan.options.memory)
		assert.are.equal(255, plan.options.swap)
	end)

	it("respects pct's 16 MiB floor with a warning", function()
		local plan = h.translate(with({ memory = { limit = 1048576 } }))
		assert.are.equal(16, plan.options.memory)
		assert.matches("minimum of 16 MiB", plan.warnings[1])
	end)

	it("uses the site default without a limit", function()
		local plan = h.translate(with(nil), h.ctx({ memory_default = 1024 }))
		assert.are.equal(1024, plan.options.memory)
		assert.are.equal(0, plan.options.swap)
	end)

	it("maps shares to cpuunits, quota/period to cpulimit and cores, cpuset and pids to raw keys", function()
		local plan = h.translate(with({ cpu = { shares = 1024, quota = 150000, period = 100000, cpus = "0-1", mems = "0" },
			pids = { limit = 512 } }))
		assert.are.equal(39, plan.options.cpuunits)
		assert.are.equal("1.5", plan.options.cpulimit)
		assert.are.equal(2, plan.options.cores)
		assert.are.same({ "0-1" }, h.raw(plan, "lxc.cgroup2.cpuset.cpus"))
		assert.are.same({ "0" }, h.raw(plan, "lxc.cgroup2.cpuset.mems"))
		assert.are.same({ "512" }, h.raw(plan, "lxc.cgroup2.pids.max"))
	end)

	it("refuses a cpuset that is not a cpu list", function()
		assert.is_false(pcall(h.translate, with({ cpu = { cpus = "0\nlxc.x: y" } })))
	end)
end)
