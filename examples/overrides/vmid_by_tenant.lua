-- Site override (install as /etc/nexcage/lua/vmid.lua): each tenant gets
-- its own VMID block, from the annotation com.example.tenant; the lowest
-- free id in the block wins. The core still checks the site's global range.
local blocks = {
	a = { 10000, 19999 },
	b = { 20000, 29999 },
}

local M = {}

function M.choose(req)
	local tenant = req.annotations and req.annotations["com.example.tenant"]
	local block = blocks[tenant]
	if not block then
		error("annotation com.example.tenant must name a tenant (a or b)", 0)
	end
	for v = math.max(block[1], req.min), math.min(block[2], req.max) do
		if not req.used[v] then
			return v
		end
	end
	error("tenant " .. tenant .. " has no free VMID left", 0)
end

return M
