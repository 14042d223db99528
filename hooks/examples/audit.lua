-- One audit line per lifecycle step: who, what, which CT. With
-- `--log journald` it lands in the journal with NEXCAGE_ID/NEXCAGE_VMID.
local nx = require "nexcage"

return function(h)
	local vmid = h.vmid and (" vmid=" .. h.vmid) or ""
	local status = h.state and (" status=" .. h.state.status) or ""
	nx.log("info", string.format("audit: %s id=%s%s%s bundle=%s", h.phase, h.id, vmid, status, h.bundle))
end
