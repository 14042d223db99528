-- Site override (install as /etc/nexcage/lua/site.lua): the annotation
-- com.example.tier copies the root disk onto the tier's storage (instead of
-- using the bundle's rootfs in place) and puts a CT with a network
-- namespace of its own on the tier's bridge, after the default rules ran.
-- Unknown tiers are refused, not defaulted. Read-only-ness of the root disk
-- stays as the defaults made it; a CT on the host's network, or in a
-- namespace an engine prepared, keeps it.
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
	local default_size = type(ctx.config) == "table" and ctx.config.rootfs_size or 8
	plan.options.rootfs = rootfs.value(tier.storage, size or default_size, ro)
	local joined = false
	for _, ns in ipairs(plan.process and plan.process.namespaces or {}) do
		joined = joined or ns.type == "network"
	end
	local has_netns = false
	for _, ns in ipairs(type(spec.linux) == "table" and type(spec.linux.namespaces) == "table"
		and spec.linux.namespaces or {}) do
		has_netns = has_netns or (type(ns) == "table" and ns.type == "network")
	end
	if has_netns and not joined then
		plan.options.net0 = network.default_net0(tier.bridge)
	end
end

return function(rules)
	rules.add("tier", tier_rule, { after = "annotations" })
end
