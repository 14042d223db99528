-- The network namespace, as an engine means it:
--  * with a path (Podman's networks, CNI, a Kubernetes pod): the program
--    joins that namespace; nexcage-init is handed it as a descriptor before
--    start (Proxmox's raw keys cannot share one), and the CT gets no NIC;
--  * without a path: a new, empty namespace (only lo), as runc makes it:
--    no netN (LXC then gives the CT its own namespace with loopback only).
--    A site whose CTs should sit on a Proxmox bridge sets config network =
--    "bridge" (a veth on config bridge with DHCP); the annotations
--    org.nexcage.bridge and org.nexcage.net0..net31 ask for it per bundle;
--  * none in the spec: "the host's network", LXC's `lxc.net.0.type = none`.
local util = require "nexcage.util"
local M = {}

-- pve-container's bridge pattern: [-_.\w\d]+
function M.bridge(name, what)
	util.clean(name, what)
	if not name:match("^[%w_.%-]+$") then
		error(what .. ": not a bridge name (letters, digits, '-', '_', '.')", 0)
	end
	return name
end

-- A namespace the program joins by path (the core opens it on the host
-- and checks its kind on the descriptor).
function M.join(plan, kind, path, what)
	util.clean(path, what)
	if path:sub(1, 1) ~= "/" then error(what .. ": must be an absolute path", 0) end
	plan.process = plan.process or {}
	plan.process.namespaces = plan.process.namespaces or {}
	table.insert(plan.process.namespaces, { type = kind, path = path })
end

function M.default_net0(bridge)
	return "name=eth0,bridge=" .. bridge .. ",ip=dhcp"
end

function M.apply(spec, ctx, plan)
	local netns = util.namespaces(spec).network
	if netns and type(netns.path) == "string" and netns.path ~= "" then
		M.join(plan, "network", netns.path, "linux.namespaces network path")
	elseif netns then
		if util.config(ctx, "network") == "bridge" then
			util.set(plan, "net0", M.default_net0(M.bridge(util.config(ctx, "bridge"), "config bridge")))
		end
	else
		util.raw(plan, "lxc.net.0.type", "none")
	end
	local devs = util.opt_table(util.linux(spec).netDevices)
	if devs and next(devs) ~= nil then
		error("linux.netDevices: moving host network devices into a CT is not supported on Proxmox", 0)
	end
end

return M
