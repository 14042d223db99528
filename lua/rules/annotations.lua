-- Annotations: the documented org.opencontainers.image.* keys become the
-- description and tags; the org.nexcage.* namespace sets per-container
-- Proxmox options. Unknown annotations are ignored, as the spec says.
local util = require "rules.util"
local M = {}

-- A label value as a Proxmox tag: lower case, [a-z0-9_-+.] only.
function M.tag(value)
	local t = value:lower():gsub("[^%w_%-%+%.]", "-"):gsub("^[^%w_]+", "")
	return t ~= "" and t:sub(1, 64) or nil
end

local function bool01(v, what)
	if v == "1" or v == "true" or v == "yes" then return 1 end
	if v == "0" or v == "false" or v == "no" then return 0 end
	error(what .. ": must be true or false", 0)
end

function M.apply(spec, ctx, plan)
	local ann = type(spec.annotations) == "table" and spec.annotations or {}
	local lines = {}
	local title = ann["org.opencontainers.image.title"]
	local descr = ann["org.opencontainers.image.description"]
	for _, v in ipairs({ title, descr }) do
		if type(v) == "string" and v ~= "" then
			-- the description may span lines; other control characters are refused
			lines[#lines + 1] = util.clean((v:gsub("\n", " ")), "annotation org.opencontainers.image.*")
		end
	end
	local src = ann["org.opencontainers.image.source"]
	if type(src) == "string" then
		lines[#lines + 1] = "source: " .. util.clean(src, "annotation org.opencontainers.image.source")
	end
	if #lines > 0 then
		util.set(plan, "description", table.concat(lines, "\n"))
	end
	local tags = {}
	for _, key in ipairs({ "org.opencontainers.image.vendor", "org.opencontainers.image.version" }) do
		local v = ann[key]
		if type(v) == "string" then tags[#tags + 1] = M.tag(util.clean(v, "annotation " .. key)) end
	end
	if type(ann["org.nexcage.tags"]) == "string" then
		for t in util.clean(ann["org.nexcage.tags"], "annotation org.nexcage.tags"):gmatch("[^,;%s]+") do
			tags[#tags + 1] = M.tag(t)
		end
	end
	if #tags > 0 then
		util.set(plan, "tags", table.concat(tags, ";"))
	end
	if ann["org.nexcage.net0"] ~= nil then
		util.set(plan, "net0", util.clean(ann["org.nexcage.net0"], "annotation org.nexcage.net0"))
	end
	if ann["org.nexcage.onboot"] ~= nil then
		util.set(plan, "onboot", bool01(ann["org.nexcage.onboot"], "annotation org.nexcage.onboot"))
	end
	if ann["org.nexcage.cores"] ~= nil then
		local c = tonumber(ann["org.nexcage.cores"])
		if not c or c < 1 or c ~= math.floor(c) then
			error("annotation org.nexcage.cores: must be a whole number >= 1", 0)
		end
		util.set(plan, "cores", c)
	end
end

return M
