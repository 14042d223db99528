-- linux.namespaces -> unprivileged and lxc.idmap. A Proxmox CT always gets
-- its own pid, ipc, uts, mount and cgroup namespaces; the network one is
-- rules.network's concern.
local util = require "rules.util"
local network = require "rules.network"
local M = {}

-- Namespaces the held init can join by descriptor before the program runs
-- (network is rules.network's). A pid or mount namespace cannot be entered
-- that way by a CT's init, nor a user namespace by a privileged one.
local joinable = { network = true, ipc = true, uts = true, cgroup = true }
local joinable_hint = {
	pid = " (a CT always has its own pid namespace: run the containers as one CT, or use runc)",
	mount = " (a CT always has its own mount namespace)",
	user = " (give linux.uidMappings instead)",
}

-- Namespaces a CT cannot share with the host: asking to share them (leaving
-- them out) changes what the program sees, so it is an error.
local must_have = {
	pid = "the program would see the host's processes; instead give it a pid namespace (without --pid host): "
		.. "`nexcage exec` and `pct exec` reach the CT's processes",
	ipc = "the program would share System V IPC and POSIX queues with the host; instead give it an ipc "
		.. "namespace (without --ipc host) and share through a bind-mounted directory or a socket",
}
-- Leaving out cgroup is harmless and common (Docker with cgroupns=host):
-- the CT has its own anyway, silently. Leaving out uts (Podman --uts
-- host) asks for the host's hostname, which the CT does not get: a
-- warning. A spec without a mount namespace is unusual enough to say so.
local known = { pid = true, network = true, mount = true, ipc = true, uts = true, user = true, cgroup = true, time = true }

local function map_lines(plan, kind, maps, what)
	local covers_root = false
	for i, m in ipairs(maps) do
		local w = string.format("%s[%d]", what, i - 1)
		if type(m) ~= "table" then error(w .. ": must be an object", 0) end
		local c = util.int(m.containerID, w .. ".containerID", 0, 4294967294)
		local h = util.int(m.hostID, w .. ".hostID", 0, 4294967294)
		local n = util.int(m.size, w .. ".size", 1, 4294967295)
		if c == 0 then covers_root = true end
		util.raw(plan, "lxc.idmap", string.format("%s %d %d %d", kind, c, h, n))
	end
	return covers_root
end

function M.apply(spec, ctx, plan)
	local linux = util.linux(spec)
	local have = {}
	for i, ns in ipairs(util.list(linux.namespaces)) do
		local what = "linux.namespaces[" .. (i - 1) .. "]"
		if type(ns) ~= "table" or type(ns.type) ~= "string" then
			error(what .. ": must be an object with a type", 0)
		end
		if not known[ns.type] then
			error(what .. ".type: unknown namespace type " .. string.format("%q", ns.type), 0)
		end
		if type(ns.path) == "string" and ns.path ~= "" and not joinable[ns.type] then
			error(string.format("%s: joining an existing %s namespace (%s) is not supported on Proxmox%s",
				what, ns.type, util.clean(ns.path, what .. ".path"), joinable_hint[ns.type] or ""), 0)
		end
		if type(ns.path) == "string" and ns.path ~= "" and ns.type ~= "network" then
			network.join(plan, ns.type, ns.path, what .. ".path")
		end
		have[ns.type] = true
	end
	-- Decisive: no other change makes such a bundle run on Proxmox.
	local shared = {}
	for _, t in ipairs({ "pid", "ipc" }) do
		if not have[t] then
			shared[#shared + 1] = "linux.namespaces: no " .. t .. " namespace asks to share the host's, which a "
				.. "Proxmox CT cannot do (" .. must_have[t] .. ")"
		end
	end
	if #shared > 0 then
		error({ msg = table.concat(shared, "\n"), decisive = true }, 0)
	end
	-- (with a hostname, rules.identity says it)
	if not have.uts and not (type(spec.hostname) == "string" and spec.hostname ~= "") then
		util.warn(plan, "linux.namespaces: no uts namespace (the host's hostname) is not applied: the CT has "
			.. "its own, named CT<vmid> by Proxmox")
	end
	if not have.mount then
		util.warn(plan, "linux.namespaces: no mount namespace: the CT always has its own")
	end

	-- A user namespace is Proxmox's custom idmap: raw lxc.idmap lines with
	-- `unprivileged: 0`, so pct create unpacks nothing as uid 100000 into
	-- the root (the bundle's, used in place as runc uses it: never
	-- re-owned); at start pve-container sees the lxc.idmap lines and runs
	-- the CT in a user namespace (userns.conf) with exactly that map.
	util.set(plan, "unprivileged", 0)
	local uids, gids = util.list(linux.uidMappings), util.list(linux.gidMappings)
	if have.user then
		if #uids == 0 and #gids == 0 then
			-- Proxmox's own range for unprivileged CTs (root:100000:65536)
			uids = { { containerID = 0, hostID = 100000, size = 65536 } }
			gids = uids
		end
		if #uids == 0 or #gids == 0 then
			error("linux.uidMappings and linux.gidMappings: give both or neither (LXC maps both)", 0)
		end
		-- LXC needs the CT's root mapped to start an unprivileged CT.
		if not map_lines(plan, "u", uids, "linux.uidMappings") then
			error("linux.uidMappings: must map container uid 0 (LXC starts the CT as its root)", 0)
		end
		if not map_lines(plan, "g", gids, "linux.gidMappings") then
			error("linux.gidMappings: must map container gid 0 (LXC starts the CT as its root)", 0)
		end
	elseif #uids > 0 or #gids > 0 then
		util.warn(plan, "linux.uidMappings/gidMappings without a user namespace: ignored (the CT is privileged)")
	end

	if have.time then
		local offsets = util.opt_table(linux.timeOffsets)
		if offsets and next(offsets) ~= nil then
			util.warn(plan, "linux.timeOffsets: not applied (Proxmox drops lxc.time.offset.*); the CT sees the host's clocks")
		end
	elseif util.opt_table(linux.timeOffsets) and next(linux.timeOffsets) ~= nil then
		error("linux.timeOffsets: needs a time namespace", 0)
	end
end

return M
