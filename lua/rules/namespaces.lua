-- linux.namespaces -> namespaces joined by path (plan.process.namespaces),
-- unprivileged and lxc.idmap. LXC gives a CT its own pid, ipc, uts, mount
-- and cgroup namespaces; one given by path, or left out (the caller's, as
-- runc shares it), replaces it. The network one is rules.network's concern.
local util = require "nexcage.util"
local network = require "rules.network"
local M = {}

-- Namespaces a CT can be given by path: network, ipc, uts and cgroup are
-- joined by the held init; a pid namespace is entered by the program,
-- which the stand-in then starts on the host (src/core/standin.c: a CT's init
-- cannot enter another pid namespace). Not a mount namespace (the CT's is
-- its own) nor a user namespace (give linux.uidMappings).
local joinable = { network = true, ipc = true, uts = true, cgroup = true, pid = true }
local joinable_hint = {
	mount = " (a CT always has its own mount namespace)",
	user = " (give linux.uidMappings instead)",
}

-- A namespace config.json leaves out is the caller's, as under runc: the
-- core opens /proc/self/ns/<type> (its own, the engine's) and the init
-- joins it; for pid, the program runs among the host's processes.
local shared_when_absent = { "pid", "ipc", "uts", "cgroup" }
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
	for _, t in ipairs(shared_when_absent) do
		if not have[t] and have.user then
			-- the init, root of the CT's own user namespace, cannot join a
			-- namespace the host's user namespace owns (setns: EPERM)
			if t ~= "cgroup" then
				error("linux.namespaces: no " .. t .. " namespace asks for the caller's, which a CT with a user "
					.. "namespace cannot join; give it a " .. t .. " namespace of its own", 0)
			end
			util.warn(plan, "linux.namespaces: no cgroup namespace: with a user namespace the CT keeps its own "
				.. "(its init cannot join the caller's)")
		elseif not have[t] then
			network.join(plan, t, "/proc/self/ns/" .. t, "linux.namespaces (no " .. t .. ")")
		end
	end
	-- runc: a hostname needs a uts namespace of the container's own
	if not have.uts and type(spec.hostname) == "string" and spec.hostname ~= "" then
		error("linux.namespaces: hostname is set without a uts namespace (it would rename the host)", 0)
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
