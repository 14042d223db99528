-- linux.resources -> memory, swap, cpuunits, cpulimit, and raw cgroup v2
-- keys (Proxmox VE 7+ hosts are cgroup v2 only; pve-container keeps every
-- lxc.cgroup2.* key).
local util = require "nexcage.util"
local M = {}

M.MIN_MEMORY = 16 -- MiB: pct's floor

local function num(v)
	return type(v) == "number" and v or nil
end

-- No memory.limit: unlimited, as under runc. Proxmox always writes a
-- memory limit (its `memory`, 512 MiB when unset) to memory.max, .high
-- and swap.max; the raw keys come after its own in the LXC config, so
-- `max` lifts them. A site that wants a cap on such bundles sets
-- memory_default (MiB) in config.lua.
function M.no_limit(ctx, plan, swap)
	local default = util.config(ctx, "memory_default")
	if default > 0 then
		util.set(plan, "memory", math.max(default, M.MIN_MEMORY))
		util.set(plan, "swap", 0)
		if swap and swap > 0 then
			util.warn(plan, "memory.swap without memory.limit: ignored (swap set to 0 under the site's memory_default)")
		end
		return
	end
	util.raw(plan, "lxc.cgroup2.memory.max", "max")
	util.raw(plan, "lxc.cgroup2.memory.high", "max")
	util.raw(plan, "lxc.cgroup2.memory.swap.max", swap and swap > 0 and util.udec(swap) or "max")
end

-- memory.limit -> memory (MiB, rounded up, floor 16); OCI swap is the
-- memory+swap limit, Proxmox swap is the swap alone.
function M.memory(mem, ctx, plan)
	local limit = num(mem.limit)
	local swap = num(mem.swap)
	if limit and limit > 0 then
		local mib = util.mib(limit)
		if mib < M.MIN_MEMORY then
			util.warn(plan, string.format("memory.limit %s bytes raised to pct's minimum of %d MiB",
				util.udec(limit), M.MIN_MEMORY))
			mib = M.MIN_MEMORY
		end
		util.set(plan, "memory", mib)
		if swap and swap > 0 then
			if swap < limit then
				error(string.format("linux.resources.memory.swap (%s) is below memory.limit (%s): "
					.. "OCI swap counts memory and swap together", util.udec(swap), util.udec(limit)), 0)
			end
			util.set(plan, "swap", util.mib(swap) - mib > 0 and util.mib(swap) - mib or 0)
		elseif swap == -1 then
			-- Proxmox has no unlimited swap; none is the closest safe choice.
			util.set(plan, "swap", 0)
			util.warn(plan, "memory.swap -1 (unlimited) has no Proxmox equivalent: swap set to 0")
		else
			util.set(plan, "swap", 0)
		end
	else
		M.no_limit(ctx, plan, swap)
	end
	local reservation = num(mem.reservation)
	if reservation and reservation > 0 then
		-- the soft limit, cgroup v2's memory.low (what runc writes)
		util.raw(plan, "lxc.cgroup2.memory.low", util.udec(reservation))
	end
	if num(mem.swappiness) and mem.swappiness >= 0 and mem.swappiness <= 100 then
		util.warn(plan, "memory.swappiness: not applied (cgroup v2 has no per-group swappiness)")
	end
	if mem.disableOOMKiller == true then
		util.warn(plan, "memory.disableOOMKiller: not applied (cgroup v2 cannot disable the OOM killer)")
	end
	if (num(mem.kernel) and mem.kernel > 0) or (num(mem.kernelTCP) and mem.kernelTCP > 0) then
		util.warn(plan, "memory.kernel/kernelTCP: not applied (deprecated; cgroup v2 counts kernel memory in the limit)")
	end
end

-- cpu.shares (2..262144) -> cpuunits, which Proxmox writes to cgroup v2's
-- cpu.weight (1..10000): the conversion runc and crun use.
function M.shares_to_cpuunits(shares)
	local s = math.max(2, math.min(262144, math.floor(shares)))
	return 1 + ((s - 2) * 9999) // 262142
end

-- quota/period -> cpulimit (CPUs, may be fractional). Proxmox writes
-- cpu.max as cpulimit*100000 per 100000 us; the kernel's smallest quota is
-- 1 ms, so a tinier limit is raised to 0.01 CPU.
function M.cpulimit(quota, period)
	local limit = quota / period
	local warn
	if limit < 0.01 then
		limit, warn = 0.01, true
	end
	if limit > 8192 then
		error(string.format("linux.resources.cpu: quota/period = %.2f CPUs is above Proxmox's 8192", limit), 0)
	end
	local s = string.format("%.4f", limit):gsub("0+$", ""):gsub("%.$", "")
	return s, warn
end

local function cpu_list(v, what)
	util.clean(v, what)
	if not v:match("^%d[%d,%-]*$") then
		error(what .. ": not a list of numbers and ranges: " .. v, 0)
	end
	return v
end

function M.cpu(cpu, plan)
	if util.present(cpu.shares) then
		local shares = util.int(cpu.shares, "linux.resources.cpu.shares", 0)
		if shares > 0 then util.set(plan, "cpuunits", M.shares_to_cpuunits(shares)) end
	end
	local quota = num(cpu.quota)
	if quota and quota > 0 then
		local period = num(cpu.period) and cpu.period > 0 and cpu.period or 100000
		local limit, raised = M.cpulimit(quota, period)
		util.set(plan, "cpulimit", limit)
		if raised then
			util.warn(plan, "cpu.quota/period below 0.01 CPU raised to cpulimit 0.01 (the kernel's minimum quota is 1 ms)")
		end
	end
	if num(cpu.burst) and cpu.burst > 0 then
		util.raw(plan, "lxc.cgroup2.cpu.max.burst", util.udec(cpu.burst))
	end
	if num(cpu.idle) and cpu.idle ~= 0 then
		util.raw(plan, "lxc.cgroup2.cpu.idle", tostring(util.int(cpu.idle, "linux.resources.cpu.idle", 0, 1)))
	end
	if type(cpu.cpus) == "string" and cpu.cpus ~= "" then
		util.raw(plan, "lxc.cgroup2.cpuset.cpus", cpu_list(cpu.cpus, "linux.resources.cpu.cpus"))
	end
	if type(cpu.mems) == "string" and cpu.mems ~= "" then
		util.raw(plan, "lxc.cgroup2.cpuset.mems", cpu_list(cpu.mems, "linux.resources.cpu.mems"))
	end
	if (num(cpu.realtimeRuntime) and cpu.realtimeRuntime > 0) or (num(cpu.realtimePeriod) and cpu.realtimePeriod > 0) then
		util.warn(plan, "cpu.realtimeRuntime/realtimePeriod: not applied (cgroup v2 has no real-time group scheduling)")
	end
end

-- hugepageLimits -> hugetlb.<size>.max; a size the host lacks makes the CT
-- fail to start, as it would with runc.
function M.hugepages(list, plan)
	for i, h in ipairs(list) do
		local what = "linux.resources.hugepageLimits[" .. (i - 1) .. "]"
		if type(h) ~= "table" then error(what .. ": must be an object", 0) end
		local size = util.clean(h.pageSize or "", what .. ".pageSize")
		if not size:match("^%d+[KMG]B$") then
			error(what .. ".pageSize: must look like 2MB, 1GB or 64KB (got " .. size .. ")", 0)
		end
		if not num(h.limit) or h.limit < 0 then
			error(what .. ".limit: must be a number of bytes", 0)
		end
		util.raw(plan, "lxc.cgroup2.hugetlb." .. size .. ".max", util.udec(h.limit))
	end
end

local function devnum(d, what)
	return util.int(d.major, what .. ".major", 0) .. ":" .. util.int(d.minor, what .. ".minor", 0)
end

-- blockIO throttles -> io.max lines ("MAJ:MIN rbps=N"); weights depend on
-- the host's I/O scheduler (io.weight vs io.bfq.weight) and are left out.
function M.block_io(bio, plan)
	local throttles = {
		{ "throttleReadBpsDevice", "rbps" }, { "throttleWriteBpsDevice", "wbps" },
		{ "throttleReadIOPSDevice", "riops" }, { "throttleWriteIOPSDevice", "wiops" },
	}
	for _, t in ipairs(throttles) do
		for i, d in ipairs(util.list(bio[t[1]])) do
			local what = "linux.resources.blockIO." .. t[1] .. "[" .. (i - 1) .. "]"
			if type(d) ~= "table" then error(what .. ": must be an object", 0) end
			util.raw(plan, "lxc.cgroup2.io.max", devnum(d, what) .. " " .. t[2] .. "="
				.. util.int(d.rate, what .. ".rate", 0))
		end
	end
	if util.present(bio.weight) or util.present(bio.leafWeight) or #util.list(bio.weightDevice) > 0 then
		util.warn(plan, "blockIO weights: not applied (the file depends on the host's I/O scheduler); throttles are")
	end
end

-- unified: cgroup v2 files by name, as runc writes them. Core files
-- (cgroup.*) are refused: cgroup.procs or cgroup.subtree_control written
-- from a bundle would move processes or controllers.
function M.unified(map, plan)
	for _, k in ipairs(util.sorted_keys(map)) do
		local what = "linux.resources.unified." .. k
		-- the kernel's file names: hugetlb.1GB.max has capitals
		if not k:match("^[a-z][a-z0-9_]*%.[A-Za-z0-9_.]+$") or k:find("..", 1, true) then
			error(what .. ": not a cgroup v2 file name", 0)
		end
		if k:match("^cgroup%.") then
			error(what .. ": cgroup core files are not settable from a bundle", 0)
		end
		util.raw(plan, "lxc.cgroup2." .. k, util.clean(map[k], what))
	end
end

function M.apply(spec, ctx, plan)
	local linux = util.linux(spec)
	if util.present(linux.cgroupsPath) then
		-- Proxmox places a CT's cgroup (lxc/<vmid>), and its own limits
		-- (pct set), graphs and freezer act there; the container's
		-- linux.resources are applied to that cgroup, and engines read the
		-- stats through the stand-in, which is in it.
		util.note(plan, "linux.cgroupsPath " .. string.format("%q", util.clean(linux.cgroupsPath, "linux.cgroupsPath"))
			.. " not used: the CT's cgroup is Proxmox's (lxc/<vmid>), where linux.resources apply")
	end
	local res = util.opt_table(linux.resources) or {}
	M.memory(util.opt_table(res.memory) or {}, ctx, plan)
	M.cpu(util.opt_table(res.cpu) or {}, plan)
	local pids = util.opt_table(res.pids)
	if pids and util.present(pids.limit) then
		local limit = util.int(pids.limit, "linux.resources.pids.limit")
		util.raw(plan, "lxc.cgroup2.pids.max", limit > 0 and tostring(limit) or "max")
	end
	M.hugepages(util.list(res.hugepageLimits), plan)
	M.block_io(util.opt_table(res.blockIO) or {}, plan)
	if util.opt_table(res.unified) then
		M.unified(res.unified, plan)
	end
	local net = util.opt_table(res.network)
	if net and (util.present(net.classID) or #util.list(net.priorities) > 0) then
		util.warn(plan, "linux.resources.network: not applied (net_cls/net_prio do not exist on cgroup v2)")
	end
	local rdma = util.opt_table(res.rdma)
	if rdma then
		for _, dev in ipairs(util.sorted_keys(rdma)) do
			local r = util.opt_table(rdma[dev]) or {}
			local what = "linux.resources.rdma." .. dev
			local parts = { util.word(dev, what) }
			if util.present(r.hcaHandles) then parts[#parts + 1] = "hca_handle=" .. util.int(r.hcaHandles, what .. ".hcaHandles", 0) end
			if util.present(r.hcaObjects) then parts[#parts + 1] = "hca_object=" .. util.int(r.hcaObjects, what .. ".hcaObjects", 0) end
			if #parts > 1 then util.raw(plan, "lxc.cgroup2.rdma.max", table.concat(parts, " ")) end
		end
	end
	local linux = util.linux(spec)
	if util.opt_table(linux.intelRdt) then
		error("linux.intelRdt: Intel RDT is not available to Proxmox CTs", 0)
	end
	if util.opt_table(linux.memoryPolicy) then
		util.warn(plan, "linux.memoryPolicy: not applied (use linux.resources.cpu.mems to bind NUMA nodes)")
	end
end

return M
