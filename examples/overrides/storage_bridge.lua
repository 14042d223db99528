-- Site override (install as /etc/nexcage/lua/site.lua): the annotation
-- com.example.tier picks the root disk's storage and the bridge of the
-- default network device, after the default rules ran. Unknown tiers are
-- refused, not defaulted. Size and read-only-ness of the root disk stay as
-- the defaults made them; a CT on the host's network keeps it.
local rootfs = require "rules.rootfs"
local network = require "rules.network"

local tiers = {
	gold = { storage = "nvme-pool", bridge = "vmbr10" },
	bronze = { storage = "hdd-pool", bridge = "vmbr20" },
}

local function tier_rule(spec, ctx, plan)
	local ann = type(spec.annotations) == "table" and spec.annotations or {}
	local name = ann["com.example.tier"]
	if name == nil then
		return
	end
	local tier = tiers[name]
	if not tier then
		error("unknown tier '" .. tostring(name) .. "' (gold or bronze)", 0)
	end
	local _, size, ro = rootfs.parse(plan.options.rootfs)
	plan.options.rootfs = rootfs.value(tier.storage, size or 8, ro)
	if plan.options.net0 then
		plan.options.net0 = network.default_net0(tier.bridge)
	end
end

return function(rules)
	rules.add("tier", tier_rule, { after = "annotations" })
end
