-- hostname -> `hostname` (pct's DNS-name rules); the CT's type and console.
local util = require "nexcage.util"
local M = {}

function M.apply(spec, ctx, plan)
	if util.present(spec.hostname) then
		local name = util.clean(spec.hostname, "hostname")
		if not util.is_dns_name(name) then
			error(string.format("hostname %q is not a valid DNS name (labels of letters, digits and '-', "
				.. "dot-separated, each at most 63 and in all at most 255 characters)", name), 0)
		end
		util.set(plan, "hostname", name)
	end
	if util.present(spec.domainname) and spec.domainname ~= "" then
		-- The NIS domain name has no pct option nor a raw key Proxmox keeps.
		util.warn(plan, "domainname: not applied (Proxmox has no setting for the NIS domain name)")
	end
	-- Other platforms' sections: a Proxmox CT is a Linux container.
	for _, other in ipairs({ "vm", "windows", "solaris", "zos", "freebsd" }) do
		if util.opt_table(spec[other]) then
			-- decisive: nothing else in such a bundle matters
			error({ msg = other .. ": a " .. other .. " configuration cannot run as a Proxmox LXC container",
				decisive = true }, 0)
		end
	end
	-- An OCI image is not a distribution Proxmox should set up (network
	-- files, getty, ...): unmanaged leaves the rootfs as the image made it.
	util.set(plan, "ostype", "unmanaged")
	-- The CT's init is the application, not a getty: `pct console` must
	-- attach to /dev/console, as Proxmox does for OCI images itself.
	util.set(plan, "cmode", "console")
end

return M
