-- hostname -> `hostname` (DNS name rules, as pct checks them); the CT type.
local util = require "rules.util"
local M = {}

function M.apply(spec, ctx, plan)
	if spec.hostname ~= nil then
		local name = util.clean(spec.hostname, "hostname")
		if not util.is_dns_name(name) then
			error(string.format("hostname %q is not a valid DNS name (labels of letters, digits and '-')", name), 0)
		end
		util.set(plan, "hostname", name)
	end
	-- An OCI image is not a distribution Proxmox should manage.
	util.set(plan, "ostype", "unmanaged")
end

return M
