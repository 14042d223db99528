-- The VMID rule: the core calls choose{id, min, max, used, attempt,
-- annotations} under its node-wide lock, then re-checks the answer.
-- Default: the lowest free id in the range (what `pvesh get
-- /cluster/nextid` answers). A site may replace this module.
local M = {}

function M.choose(req)
	for v = req.min, req.max do
		if not req.used[v] then
			return v
		end
	end
	error(string.format("no free VMID between %d and %d", req.min, req.max), 0)
end

return M
