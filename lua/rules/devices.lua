-- linux.devices -> devN (device passthrough).
local util = require "rules.util"
local M = {}

function M.apply(spec, ctx, plan)
	for i, d in ipairs(util.linux(spec).devices or {}) do
		local what = "linux.devices[" .. (i - 1) .. "]"
		local path = util.prop(d.path or "", what .. ".path")
		if path:sub(1, 5) ~= "/dev/" or path:find("/%.%.?/") then
			error(what .. ".path: must be a path under /dev/", 0)
		end
		local value = "path=" .. path
		if type(d.fileMode) == "number" then
			value = value .. string.format(",mode=0%o", d.fileMode)
		end
		if type(d.uid) == "number" then value = value .. ",uid=" .. d.uid end
		if type(d.gid) == "number" then value = value .. ",gid=" .. d.gid end
		util.set(plan, "dev" .. (i - 1), value)
	end
end

return M
