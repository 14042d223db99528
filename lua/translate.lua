-- The entry point of the OCI -> Proxmox translation: runs the named rules
-- in order over a fresh plan (docs/plan.md). The core validates the plan;
-- a rule that raises is reported by name.
local registry = require "rules.registry"

local M = {}

M.api_version = 1

-- The default rules, in order. Each module's `apply(spec, ctx, plan)`
-- mutates the plan; later rules may refine earlier ones.
M.default_order = {
	"identity", "process", "resources", "namespaces", "mounts",
	"security", "devices", "rootfs", "annotations",
}

local function new_plan()
	return { options = {}, lxc = {}, warnings = {}, origin = {} }
end

-- Builds the rule list: the defaults, then the site's edits (module `site`,
-- a no-op unless /etc/nexcage/lua/site.lua replaces it).
function M.rules()
	local reg = registry.new()
	for _, name in ipairs(M.default_order) do
		reg.add(name, require("rules." .. name).apply)
	end
	local site = require "site"
	if type(site) == "function" then
		site(reg)
	end
	return reg
end

-- Which rule last changed each option: the core names it when the value
-- is refused, whether or not the rule kept plan.origin itself.
local function record_origin(plan, before, name)
	for k, v in pairs(plan.options) do
		if before[k] ~= v then
			plan.origin[k] = name
		end
	end
end

function M.translate(spec, ctx)
	local plan = new_plan()
	for _, rule in ipairs(M.rules().list()) do
		plan.current_rule = rule.name
		local before = {}
		for k, v in pairs(plan.options) do before[k] = v end
		local ok, err = pcall(rule.fn, spec, ctx, plan)
		record_origin(plan, before, rule.name)
		if not ok then
			if type(err) == "table" and err.rule then
				error(err, 0)
			end
			error({ rule = rule.name, msg = tostring(err) }, 0)
		end
	end
	plan.current_rule = nil
	return plan
end

return M
