-- capabilities, noNewPrivileges, apparmor, oomScoreAdj, rlimits, sysctl,
-- masked and read-only paths.
local util = require "rules.util"
local M = {}

-- The lxc.sysctl keys pve-container keeps in a CT config.
local pve_sysctl = {
	["fs.mqueue"] = true, ["kernel.msgmax"] = true, ["kernel.msgmnb"] = true, ["kernel.msgmni"] = true,
	["kernel.sem"] = true, ["kernel.shmall"] = true, ["kernel.shmmax"] = true, ["kernel.shmmni"] = true,
	["kernel.shm_rmid_forced"] = true,
}

local function cap_names(list, what)
	local out = {}
	for i, c in ipairs(list or {}) do
		util.clean(c, what .. "[" .. (i - 1) .. "]")
		local name = c:match("^CAP_([%u%d_]+)$")
		if not name then
			error(string.format("%s[%d]: %q is not a capability name", what, i - 1, c), 0)
		end
		out[#out + 1] = name:lower()
	end
	return out
end

function M.capabilities(p, plan)
	local caps = type(p) == "table" and type(p.capabilities) == "table" and p.capabilities or nil
	if not caps or caps.bounding == nil then return end
	local keep = cap_names(caps.bounding, "process.capabilities.bounding")
	-- An empty keep list would mean "keep all" to LXC: drop everything instead.
	util.raw(plan, "lxc.cap.keep", #keep > 0 and table.concat(keep, " ") or "none")
end

function M.rlimits(p, plan)
	for i, r in ipairs(type(p) == "table" and p.rlimits or {}) do
		local name = type(r.type) == "string" and r.type:match("^RLIMIT_(%u+)$")
		if not name then
			error(string.format("process.rlimits[%d].type: %q is not an RLIMIT_* name", i - 1, tostring(r.type)), 0)
		end
		util.raw(plan, "lxc.prlimit." .. name:lower(), string.format("%d:%d", r.soft, r.hard))
		if plan.process then
			plan.process.rlimits[#plan.process.rlimits + 1] = { type = r.type, soft = r.soft, hard = r.hard }
		end
	end
end

local function has_netns(linux)
	for _, ns in ipairs(linux.namespaces or {}) do
		if ns.type == "network" then return true end
	end
	return false
end

function M.apply(spec, ctx, plan)
	local p = spec.process
	M.capabilities(p, plan)
	-- noNewPrivileges and oomScoreAdj: applied by nexcage-init from
	-- plan.process (Proxmox has no raw key for them: it drops lxc.no_new_privs
	-- and lxc.proc.* from a CT config).
	if type(p) == "table" and p.apparmorProfile ~= nil then
		util.raw(plan, "lxc.apparmor.profile", util.clean(p.apparmorProfile, "process.apparmorProfile"))
	end
	if type(p) == "table" and type(p.selinuxLabel) == "string" and p.selinuxLabel ~= "" then
		error("process.selinuxLabel: SELinux is not available on Proxmox VE", 0)
	end
	M.rlimits(p, plan)
	local linux = util.linux(spec)
	if type(linux.sysctl) == "table" then
		local keys = {}
		for k in pairs(linux.sysctl) do keys[#keys + 1] = k end
		table.sort(keys)
		for _, k in ipairs(keys) do
			util.clean(k, "linux.sysctl key")
			if not k:match("^[%w_%.%-]+$") then
				error("linux.sysctl: invalid key " .. k, 0)
			end
			local value = util.clean(linux.sysctl[k], "linux.sysctl." .. k)
			if pve_sysctl[k] then
				util.raw(plan, "lxc.sysctl." .. k, value)
			elseif k:match("^net%.") and not has_netns(linux) then
				error("linux.sysctl." .. k .. ": needs a network namespace (it would change the host's)", 0)
			elseif k:match("^net%.") then
				-- namespaced; Proxmox has no key for it: nexcage-init writes it
				if plan.process then
					plan.process.sysctl = plan.process.sysctl or {}
					plan.process.sysctl[#plan.process.sysctl + 1] = { k, value }
				end
			else
				error("linux.sysctl." .. k .. ": not settable in a Proxmox CT (lxc.sysctl keys Proxmox keeps: "
					.. "fs.mqueue, kernel.msg*, kernel.sem, kernel.shm*; net.* is set inside the CT)", 0)
			end
		end
	end
	if type(linux.maskedPaths) == "table" and #linux.maskedPaths > 0 then
		util.warn(plan, "linux.maskedPaths: LXC applies its own masking of /proc and /sys; the listed paths are not masked one by one")
	end
	if type(linux.readonlyPaths) == "table" and #linux.readonlyPaths > 0 then
		util.warn(plan, "linux.readonlyPaths: LXC mounts /proc/sys and /sys read-only itself; the list is not applied one by one")
	end
	if type(linux.seccomp) == "table" then
		util.warn(plan, "linux.seccomp: the profile is not applied; Proxmox's default seccomp policy is used")
	end
end

return M
