-- The network namespace -> net0. With one, the CT gets a veth on the site's
-- bridge with DHCP (the annotation org.nexcage.bridge picks another bridge,
-- org.nexcage.net0..net31 replace the whole device, see rules.annotations).
-- Without one, OCI means "the host's network": LXC's `lxc.net.0.type =
-- none` shares the host's network namespace, and no netN is set.
local util = require "rules.util"
local M = {}

-- pve-container's bridge pattern: [-_.\w\d]+
function M.bridge(name, what)
	util.clean(name, what)
	if not name:match("^[%w_.%-]+$") then
		error(what .. ": not a bridge name (letters, digits, '-', '_', '.')", 0)
	end
	return name
end

function M.default_net0(bridge)
	return "name=eth0,bridge=" .. bridge .. ",ip=dhcp"
end

function M.apply(spec, ctx, plan)
	local netns = util.namespaces(spec).network
	if netns then
		util.set(plan, "net0", M.default_net0(M.bridge(util.config(ctx, "bridge"), "config bridge")))
	else
		util.raw(plan, "lxc.net.0.type", "none")
	end
	local devs = util.opt_table(util.linux(spec).netDevices)
	if devs and next(devs) ~= nil then
		error("linux.netDevices: moving host network devices into a CT is not supported on Proxmox", 0)
	end
end

return M
