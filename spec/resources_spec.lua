local h = require "helpers"

local function with(res)
	return h.linux({ resources = res })
end

describe("rules.resources", function()
	describe("memory", function()
		it("converts bytes to MiB rounding up, and OCI swap (memory+swap) to Proxmox swap", function()
			local plan = h.translate(with({ memory = { limit = 268435457, swap = 536870912 } }))
			assert.are.equal(257, plan.options.memory)
			assert.are.equal(255, plan.options.swap)
			assert.are.equal("resources", plan.origin.memory)
		end)

		it("gives no swap when swap equals the limit or is absent", function()
			local plan = h.translate(with({ memory = { limit = 536870912, swap = 536870912 } }))
			assert.are.equal(512, plan.options.memory)
			assert.are.equal(0, plan.options.swap)
			assert.are.equal(0, h.translate(with({ memory = { limit = 536870912 } })).options.swap)
		end)

		it("respects pct's 16 MiB floor with a warning", function()
			local plan = h.translate(with({ memory = { limit = 1048576 } }))
			assert.are.equal(16, plan.options.memory)
			assert.truthy(h.warning(plan, "raised to pct's minimum of 16 MiB"))
		end)

		it("leaves a bundle without a limit unlimited, as runc does", function()
			local plan = h.translate(with(nil))
			assert.is_nil(plan.options.memory)
			assert.is_nil(plan.options.swap)
			assert.are.same({ "max" }, h.raw(plan, "lxc.cgroup2.memory.max"))
			assert.are.same({ "max" }, h.raw(plan, "lxc.cgroup2.memory.high"))
			assert.are.same({ "max" }, h.raw(plan, "lxc.cgroup2.memory.swap.max"))
		end)

		it("keeps a swap limit given without a memory limit", function()
			local plan = h.translate(with({ memory = { swap = 1073741824 } }))
			assert.are.same({ "max" }, h.raw(plan, "lxc.cgroup2.memory.max"))
			assert.are.same({ "1073741824" }, h.raw(plan, "lxc.cgroup2.memory.swap.max"))
		end)

		it("uses the site default without a limit", function()
			local plan = h.translate(with(nil), h.ctx({ memory_default = 1024 }))
			assert.are.equal(1024, plan.options.memory)
			assert.are.equal(0, plan.options.swap)
		end)

		it("treats unlimited swap (-1) as none, with a warning", function()
			local plan = h.translate(with({ memory = { limit = 104857600, swap = -1 } }))
			assert.are.equal(100, plan.options.memory)
			assert.are.equal(0, plan.options.swap)
			assert.truthy(h.warning(plan, "memory.swap -1"))
		end)

		it("refuses swap below the limit (OCI swap includes memory)", function()
			local err = h.refuse(with({ memory = { limit = 536870912, swap = 268435456 } }))
			assert.are.equal("resources", err.rule)
			assert.matches("is below memory.limit", err.msg)
		end)

		it("maps the reservation to memory.low and warns for what cgroup v2 lacks", function()
			local plan = h.translate(with({ memory = { limit = 536870912, reservation = 268435456, swappiness = 10,
				disableOOMKiller = true, kernel = 1048576 } }))
			assert.are.same({ "268435456" }, h.raw(plan, "lxc.cgroup2.memory.low"))
			assert.truthy(h.warning(plan, "memory.swappiness"))
			assert.truthy(h.warning(plan, "memory.disableOOMKiller"))
			assert.truthy(h.warning(plan, "memory.kernel/kernelTCP"))
		end)
	end)

	describe("cpu", function()
		it("maps shares to cpuunits as runc maps shares to cpu.weight", function()
			local conv = require("rules.resources").shares_to_cpuunits
			assert.are.equal(1, conv(2))
			assert.are.equal(39, conv(1024))
			assert.are.equal(10000, conv(262144))
			assert.are.equal(10000, conv(1000000)) -- clamped
			assert.are.equal(39, h.translate(with({ cpu = { shares = 1024 } })).options.cpuunits)
		end)

		it("maps quota/period to a fractional cpulimit and leaves cores alone", function()
			local plan = h.translate(with({ cpu = { quota = 150000, period = 100000 } }))
			assert.are.equal("1.5", plan.options.cpulimit)
			assert.is_nil(plan.options.cores)
			assert.are.equal("2", h.translate(with({ cpu = { quota = 1000000, period = 500000 } })).options.cpulimit)
			assert.are.equal("0.3333", h.translate(with({ cpu = { quota = 100000, period = 300000 } })).options.cpulimit)
			-- period defaults to the kernel's 100 ms
			assert.are.equal("0.5", h.translate(with({ cpu = { quota = 50000 } })).options.cpulimit)
		end)

		it("raises a limit below 0.01 CPU (the kernel's 1 ms minimum quota) with a warning", function()
			local plan = h.translate(with({ cpu = { quota = 500, period = 1000000 } }))
			assert.are.equal("0.01", plan.options.cpulimit)
			assert.truthy(h.warning(plan, "raised to cpulimit 0.01"))
		end)

		it("ignores quota -1 (unlimited)", function()
			assert.is_nil(h.translate(with({ cpu = { quota = -1, period = 100000 } })).options.cpulimit)
		end)

		it("puts cpuset, idle and burst in raw cgroup2 keys and warns for realtime", function()
			local plan = h.translate(with({ memory = { limit = 536870912 }, cpu = { cpus = "0-1,4", mems = "0", idle = 1, burst = 20000,
				realtimeRuntime = 950000, realtimePeriod = 1000000 } }))
			assert.are.same({
				"lxc.cgroup2.cpu.max.burst = 20000",
				"lxc.cgroup2.cpu.idle = 1",
				"lxc.cgroup2.cpuset.cpus = 0-1,4",
				"lxc.cgroup2.cpuset.mems = 0",
			}, h.raw_lines(plan, "lxc.cgroup2."))
			assert.truthy(h.warning(plan, "realtimeRuntime"))
		end)

		it("refuses a cpuset that is not a cpu list", function()
			assert.matches("contains a control character", h.refuse(with({ cpu = { cpus = "0\nlxc.x: y" } })).msg)
			assert.matches("not a list of numbers", h.refuse(with({ cpu = { cpus = "0 1" } })).msg)
			assert.matches("not a list of numbers", h.refuse(with({ cpu = { mems = "all" } })).msg)
		end)
	end)

	it("maps pids.limit to pids.max (<= 0: max)", function()
		assert.are.same({ "512" }, h.raw(h.translate(with({ pids = { limit = 512 } })), "lxc.cgroup2.pids.max"))
		assert.are.same({ "max" }, h.raw(h.translate(with({ pids = { limit = -1 } })), "lxc.cgroup2.pids.max"))
	end)

	it("maps hugepage limits to hugetlb.<size>.max, also past 2^63 as decoded by cjson", function()
		local plan = h.translate(with({ hugepageLimits = {
			{ pageSize = "2MB", limit = 209715200 }, { pageSize = "1GB", limit = 9.223372036854772e18 } } }))
		assert.are.same({ "lxc.cgroup2.hugetlb.2MB.max = 209715200", "lxc.cgroup2.hugetlb.1GB.max = 9223372036854771712" },
			h.raw_lines(plan, "lxc.cgroup2.hugetlb"))
		assert.matches("must look like 2MB", h.refuse(with({ hugepageLimits = { { pageSize = "2MB.max x", limit = 1 } } })).msg)
	end)

	it("maps blockIO throttles to io.max and warns for weights", function()
		local plan = h.translate(with({ blockIO = {
			weight = 10,
			throttleReadBpsDevice = { { major = 8, minor = 0, rate = 600 } },
			throttleWriteIOPSDevice = { { major = 8, minor = 16, rate = 300 } },
		} }))
		assert.are.same({ "8:0 rbps=600", "8:16 wiops=300" }, h.raw(plan, "lxc.cgroup2.io.max"))
		assert.truthy(h.warning(plan, "blockIO weights"))
	end)

	it("passes unified cgroup v2 files through, refusing cgroup core files and odd names", function()
		local plan = h.translate(with({ memory = { limit = 536870912 }, unified = { ["memory.high"] = "400M", ["io.weight"] = "default 50" } }))
		assert.are.same({ "lxc.cgroup2.io.weight = default 50", "lxc.cgroup2.memory.high = 400M" },
			h.raw_lines(plan, "lxc.cgroup2."))
		assert.matches("cgroup core files", h.refuse(with({ unified = { ["cgroup.procs"] = "1" } })).msg)
		assert.matches("not a cgroup v2 file", h.refuse(with({ unified = { ["../x"] = "1" } })).msg)
		assert.matches("control character", h.refuse(with({ unified = { ["memory.high"] = "1\nlxc.x: y" } })).msg)
	end)

	it("names hugetlb files as the kernel does, 1GB included", function()
		local plan = h.translate(with({ memory = { limit = 536870912 }, hugepageLimits = {
			{ pageSize = "1GB", limit = 1073741824 }, { pageSize = "2MB", limit = 4194304 } },
			unified = { ["hugetlb.1GB.rsvd.max"] = "0" } }))
		assert.are.same({ "lxc.cgroup2.hugetlb.1GB.max = 1073741824", "lxc.cgroup2.hugetlb.2MB.max = 4194304",
			"lxc.cgroup2.hugetlb.1GB.rsvd.max = 0" }, h.raw_lines(plan, "lxc.cgroup2.hugetlb"))
	end)

	it("maps rdma limits to rdma.max", function()
		local plan = h.translate(with({ rdma = { mlx5_1 = { hcaHandles = 3, hcaObjects = 10000 } } }))
		assert.are.same({ "mlx5_1 hca_handle=3 hca_object=10000" }, h.raw(plan, "lxc.cgroup2.rdma.max"))
	end)

	it("warns for net_cls/net_prio and memoryPolicy, refuses Intel RDT", function()
		local plan = h.translate(h.linux({ resources = { network = { classID = 1048577 } },
			memoryPolicy = { mode = "MPOL_BIND", nodes = "0" } }))
		assert.truthy(h.warning(plan, "linux.resources.network"))
		assert.truthy(h.warning(plan, "linux.memoryPolicy"))
		assert.matches("Intel RDT", h.refuse(h.linux({ intelRdt = { closID = "x" } })).msg)
	end)
end)
