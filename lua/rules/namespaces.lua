-- linux.namespaces -> unprivileged, lxc.idmap, network.
local util = require "rules.util"
local M = {}

local function map_lines(plan, kind, maps, what)
	for i, m in ipairs(maps or {}) do
		if type(m) ~= "table" or type(m.containerID) ~= "number" or type(m.hostID) ~= "number"
			or type(m.size) ~= "number" then
			error(string.format("%s[%d]: needs containerID, hostID and size", what, i - 1), 0)
		end
		util.raw(plan, "lxc.idmap", string.format("%s %d %d %d", kind, m.containerID, m.hostID, m.size))
	end
end

function M.apply(spec, ctx, plan)
	local linux = util.linux(spec)
	local have = {}
	for i, ns in ipairs(linux.namespaces or {}) do
		if type(ns.path) == "string" and ns.path ~= "" then
			error(string.format("linux.namespaces[%d]: joining an existing %s namespace (%s) is not supported on Proxmox",
				i - 1, ns.type, ns.path), 0)
		end
		have[ns.type] = true
	end
	if have.user then
		util.set(plan, "unprivileged", 1)
		map_lines(plan, "u", linux.uidMappings, "linux.uidMappings")
		map_lines(plan, "g", linux.gidMappings, "linux.gidMappings")
	else
		util.set(plan, "unprivileged", 0)
	end
	if have.network then
		local bridge = ctx.config and ctx.config.bridge or "vmbr0"
		util.set(plan, "net0", "name=eth0,bridge=" .. util.prop(bridge, "bridge") .. ",ip=dhcp")
	else
		-- No network namespace in the spec: the container shares the host's.
		util.raw(plan, "lxc.net.0.type", "none")
	end
end

return M
