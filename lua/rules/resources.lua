-- linux.resources -> memory, swap, cpuunits, cpulimit/cores, cpuset, pids.
local util = require "rules.util"
local M = {}

local MIN_MEMORY = 16 -- MiB: pct's floor

function M.memory(mem, ctx, plan)
	local limit = mem and mem.limit
	if type(limit) == "number" and limit > 0 then
		local mib = util.mib(limit)
		if mib < MIN_MEMORY then
			util.warn(plan, string.format("memory limit %d bytes raised to pct's minimum of %d MiB", limit, MIN_MEMORY))
			mib = MIN_MEMORY
		end
		util.set(plan, "memory", mib)
		-- OCI swap is memory+swap; Proxmox swap is the swap alone.
		local swap = mem.swap
		if type(swap) == "number" and swap >= 0 then
			util.set(plan, "swap", math.max(0, util.mib(swap) - mib))
		elseif swap == -1 then
			util.set(plan, "swap", 0)
			util.warn(plan, "memory.swap -1 (unlimited) has no Proxmox equivalent: swap set to 0")
		else
			util.set(plan, "swap", 0)
		end
	else
		util.set(plan, "memory", ctx.config and ctx.config.memory_default or 512)
		util.set(plan, "swap", 0)
	end
end

-- cpu.shares (2..262144) -> cpuunits (cgroup v2 cpu.weight 1..10000), the
-- conversion runc and crun use.
function M.cpu(cpu, plan)
	if type(cpu) ~= "table" then return end
	if type(cpu.shares) == "number" and cpu.shares > 0 then
		local s = math.max(2, math.min(262144, cpu.shares))
		util.set(plan, "cpuunits", 1 + ((s - 2) * 9999) // 262142)
	end
	if type(cpu.quota) == "number" and cpu.quota > 0 then
		local period = type(cpu.period) == "number" and cpu.period > 0 and cpu.period or 100000
		local limit = cpu.quota / period
		util.set(plan, "cpulimit", string.format("%.2f", limit):gsub("%.?0+$", ""))
		util.set(plan, "cores", math.max(1, math.ceil(limit)))
	end
	if type(cpu.cpus) == "string" and cpu.cpus ~= "" then
		if not cpu.cpus:match("^[%d,%-]+$") then
			error("linux.resources.cpu.cpus: not a cpu list: " .. cpu.cpus, 0)
		end
		util.raw(plan, "lxc.cgroup2.cpuset.cpus", cpu.cpus)
	end
	if type(cpu.mems) == "string" and cpu.mems ~= "" then
		if not cpu.mems:match("^[%d,%-]+$") then
			error("linux.resources.cpu.mems: not a node list: " .. cpu.mems, 0)
		end
		util.raw(plan, "lxc.cgroup2.cpuset.mems", cpu.mems)
	end
end

function M.apply(spec, ctx, plan)
	local res = util.linux(spec).resources
	res = type(res) == "table" and res or {}
	M.memory(type(res.memory) == "table" and res.memory or nil, ctx, plan)
	M.cpu(res.cpu, plan)
	if type(res.pids) == "table" and type(res.pids.limit) == "number" then
		util.raw(plan, "lxc.cgroup2.pids.max", res.pids.limit > 0 and tostring(res.pids.limit) or "max")
	end
	if type(res.hugepageLimits) == "table" and #res.hugepageLimits > 0 then
		util.warn(plan, "linux.resources.hugepageLimits: not applied (no Proxmox equivalent)")
	end
end

return M
