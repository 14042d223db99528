-- linux.sysctl. Only namespaced sysctls may be set (as runc checks): the
-- others would change the host. All of them are written by nexcage-init
-- inside the CT (plan.process.sysctl), after it joined the namespaces an
-- engine prepared (a pod's ipc namespace is the pod's) and before
-- linux.readonlyPaths makes /proc/sys read-only, as runc orders them. None
-- go through LXC's lxc.sysctl.*, which LXC writes in the CT's own
-- namespaces, before the init could join another.
local util = require "nexcage.util"
local M = {}

-- The IPC sysctls (kernel.msg*, sem, shm*), namespaced with the ipc namespace.
M.ipc_keys = {
	["kernel.msgmax"] = true, ["kernel.msgmnb"] = true, ["kernel.msgmni"] = true,
	["kernel.sem"] = true, ["kernel.shmall"] = true, ["kernel.shmmax"] = true, ["kernel.shmmni"] = true,
	["kernel.shm_rmid_forced"] = true,
}

local function namespaced_ipc(k)
	return M.ipc_keys[k] or k:match("^fs%.mqueue%.") ~= nil
end

function M.apply(spec, ctx, plan)
	local sysctl = util.opt_table(util.linux(spec).sysctl)
	if not sysctl then return end
	local netns = util.namespaces(spec).network ~= nil
	for _, k in ipairs(util.sorted_keys(sysctl)) do
		local what = "linux.sysctl." .. k
		util.clean(k, "linux.sysctl key")
		if not k:match("^[%w_%-][%w_%.%-/]*$") or k:find("..", 1, true) or k:find("/", 1, true) then
			error("linux.sysctl: invalid key " .. string.format("%q", k), 0)
		end
		local v = sysctl[k]
		if type(v) == "number" then v = util.udec(v) end
		local value = util.clean(v, what)
		if k:match("^net%.") and not netns then
			error(what .. ": needs a network namespace (without one it would change the host's)", 0)
		elseif k:match("^net%.") or namespaced_ipc(k) then
			-- written by nexcage-init before it drops privileges
			if not plan.process then
				error(what .. ": set inside the CT by nexcage-init, which needs a process", 0)
			end
			plan.process.sysctl = plan.process.sysctl or {}
			plan.process.sysctl[#plan.process.sysctl + 1] = { k, value }
		elseif k == "kernel.hostname" or k == "kernel.domainname" then
			error(what .. ": use hostname (and a uts namespace) instead", 0)
		else
			error(what .. ": not a namespaced sysctl (it would change the host); a Proxmox CT may set "
				.. "kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.* and, with a network namespace, net.*", 0)
		end
	end
end

return M
