-- Site override (install as /etc/nexcage/lua/site.lua): every
-- org.opencontainers.image.* label becomes a Proxmox tag "<label>-<value>",
-- replacing the default annotations rule's vendor/version tags.
local default_annotations = require("rules.annotations")

local function tag(s)
	return default_annotations.tag(s)
end

local function image_tags(spec, ctx, plan)
	default_annotations.apply(spec, ctx, plan)
	local ann = type(spec.annotations) == "table" and spec.annotations or {}
	local keys = {}
	for k in pairs(ann) do
		if k:match("^org%.opencontainers%.image%.") and type(ann[k]) == "string" then
			keys[#keys + 1] = k
		end
	end
	table.sort(keys)
	local tags = {}
	for _, k in ipairs(keys) do
		local t = tag(k:sub(#"org.opencontainers.image." + 1) .. "-" .. ann[k])
		if t then tags[#tags + 1] = t end
	end
	plan.options.tags = #tags > 0 and table.concat(tags, ";") or nil
end

return function(rules)
	rules.replace("annotations", image_tags)
end
