-- Site override (install as /etc/nexcage/lua/site.lua): every
-- org.opencontainers.image.* label becomes a Proxmox tag "<label>-<value>"
-- (e.g. licenses-mit, version-1.2), in place of the default annotations
-- rule's vendor/version tags. The default rule still runs first (storage,
-- net, description...): this wraps it instead of copying it.
local tag = require("rules.annotations").tag
local PREFIX = "org.opencontainers.image."

return function(rules)
	local default = rules.get("annotations")
	rules.replace("annotations", function(spec, ctx, plan)
		default(spec, ctx, plan)
		local ann = type(spec.annotations) == "table" and spec.annotations or {}
		local keys = {}
		for k, v in pairs(ann) do
			if type(k) == "string" and k:sub(1, #PREFIX) == PREFIX and type(v) == "string" then
				keys[#keys + 1] = k
			end
		end
		table.sort(keys)
		local tags = {}
		for _, k in ipairs(keys) do
			-- tag() keeps [a-z0-9_-+.] only: a newline in a label cannot survive it
			local t = tag(k:sub(#PREFIX + 1) .. "-" .. ann[k])
			if t then tags[#tags + 1] = t end
		end
		plan.options.tags = #tags > 0 and table.concat(tags, ";") or nil
	end)
end
