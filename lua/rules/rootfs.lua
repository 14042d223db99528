-- The root disk: storage and size from the site config (annotations may
-- override them, see rules.annotations), read-only when root.readonly.
local util = require "rules.util"
local M = {}

function M.apply(spec, ctx, plan)
	local cfg = ctx.config or {}
	local ann = ctx.annotations or {}
	local storage = util.prop(ann["org.nexcage.storage"] or cfg.storage or "local-lvm", "rootfs storage")
	if not storage:match("^[%a][%w%-_.]*$") then
		error("rootfs storage: invalid storage name " .. storage, 0)
	end
	local size = cfg.rootfs_size or 8
	local asize = ann["org.nexcage.rootfs-size"]
	if asize ~= nil then
		size = tonumber(asize)
		if not size or size < 0 or size ~= math.floor(size) then
			error("annotation org.nexcage.rootfs-size: must be a whole number of GiB", 0)
		end
	end
	local value = string.format("%s:%d", storage, size)
	if type(spec.root) == "table" and spec.root.readonly == true then
		value = value .. ",ro=1"
	end
	util.set(plan, "rootfs", value)
end

return M
