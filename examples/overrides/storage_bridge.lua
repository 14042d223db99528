-- Site override (install as /etc/nexcage/lua/site.lua): the annotation
-- com.example.tier picks the root disk's storage and net0's bridge, after
-- the default rules ran. Unknown tiers are refused, not defaulted.
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
	local size = (plan.options.rootfs or ""):match(":(%d+)") or "8"
	plan.options.rootfs = tier.storage .. ":" .. size
	plan.options.net0 = "name=eth0,bridge=" .. tier.bridge .. ",ip=dhcp"
end

return function(rules)
	rules.add("tier", tier_rule, { after = "annotations" })
end
