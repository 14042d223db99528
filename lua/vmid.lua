-- The VMID rule. The core calls choose(req) under its node-wide VMID lock:
--   req = { id = "<oci id>", min = n, max = n, attempt = 1.., annotations = {...},
--           used = { [vmid] = true, ... } }   -- every guest of the cluster, the
--                                              -- ids nexcage has mapped, and any id
--                                              -- pct refused on an earlier attempt
-- and re-checks the answer (in range, unused); when `pct create` then finds
-- the id taken after all, it calls again with attempt + 1 and that id in
-- `used`. Default: the annotation org.nexcage.vmid if given, else the lowest
-- free id in [min, max] (what `pvesh get /cluster/nextid` answers).
-- A site replaces the module with /etc/nexcage/lua/vmid.lua.
local M = {}

M.annotation = "org.nexcage.vmid"

local function fixed(req)
	local ann = type(req.annotations) == "table" and req.annotations or {}
	local v = ann[M.annotation]
	if v == nil then return nil end
	local n = type(v) == "string" and math.tointeger(tonumber(v) or 0 / 0) or nil
	if not n then
		error("annotation " .. M.annotation .. ": not a whole number: " .. tostring(v), 0)
	end
	if n < req.min or n > req.max then
		error(string.format("annotation %s: %d is outside the VMID range %d-%d", M.annotation, n, req.min, req.max), 0)
	end
	if req.used[n] then
		error(string.format("annotation %s: VMID %d is already in use", M.annotation, n), 0)
	end
	return n
end

function M.lowest_free(used, min, max)
	for v = min, max do
		if not used[v] then return v end
	end
	return nil
end

function M.choose(req)
	local min, max = math.tointeger(req.min), math.tointeger(req.max)
	if not min or not max or min > max then
		error("vmid rule: bad range " .. tostring(req.min) .. "-" .. tostring(req.max), 0)
	end
	req.used = type(req.used) == "table" and req.used or {}
	req.min, req.max = min, max
	local v = fixed(req) or M.lowest_free(req.used, min, max)
	if not v then
		error(string.format("no free VMID between %d and %d", min, max), 0)
	end
	return v
end

return M
