-- The entry point of the OCI -> Proxmox translation: runs the named rules in
-- order over a fresh plan (the format is docs/plan.md). The core validates
-- the plan it gets back; an error raised by a rule is reported naming it.
local registry = require "nexcage.registry"

local M = {}

-- The default rules, in order. Each is module rules.<name>, whose
-- apply(spec, ctx, plan) mutates the plan; later rules may refine what
-- earlier ones set (annotations last: a per-container choice wins).
M.default_order = {
	"identity", "process", "resources", "namespaces", "network", "mounts",
	"security", "seccomp", "sysctl", "devices", "rootfs", "annotations",
}

local function new_plan()
	return { options = {}, lxc = {}, warnings = {}, origin = {}, lxc_origin = {} }
end

-- The core's list of site files (absent when the rules run outside
-- nexcage, as in the specs).
local function site_files()
	local ok, files = pcall(require, "nexcage.site_files")
	return ok and files or nil
end

-- Marks the rules a site file adds or replaces with that file, so the
-- plan can say which file set each value.
local function stamped(reg, file)
	local function mark(name)
		for _, r in ipairs(reg.list()) do
			if r.name == name then r.file = file end
		end
	end
	local view = {}
	for k, f in pairs(reg) do view[k] = f end
	function view.add(name, fn, where)
		reg.add(name, fn, where)
		mark(name)
	end
	function view.replace(name, fn)
		reg.replace(name, fn)
		mark(name)
	end
	return view
end

local function apply_site(reg, edit, file)
	if type(edit) == "function" then
		local done, err = pcall(edit, stamped(reg, file))
		if not done then
			error({ rule = "site", msg = file .. ": " .. tostring(err) }, 0)
		end
	elseif edit ~= nil and edit ~= true then
		error({ rule = "site", msg = file .. ": must return a function(rules), got " .. type(edit) }, 0)
	end
end

-- The rule list: the defaults, then the site's edits: module `site` (a
-- no-op unless /etc/nexcage/lua/site.lua replaces it), then each file of
-- /etc/nexcage/lua/site.d/ in name order.
function M.rules()
	local files = site_files()
	local reg = registry.new()
	for _, name in ipairs(M.default_order) do
		reg.add(name, require("rules." .. name).apply)
	end
	local ok, site = pcall(require, "site")
	if not ok then
		error({ rule = "site", msg = tostring(site) }, 0)
	end
	apply_site(reg, site, files and files.origin("site") or "site")
	if files then
		for _, d in ipairs(files.dropins()) do
			apply_site(reg, d.value, d.file)
		end
	end
	return reg
end

local function snapshot(plan)
	local opts, lxc = {}, {}
	for k, v in pairs(plan.options) do opts[k] = v end
	for i, kv in ipairs(plan.lxc) do lxc[i] = kv end
	return opts, lxc
end

-- Which rule last changed each option and each raw entry, whether or not
-- the rule kept plan.origin itself: the core names it when it refuses a
-- value ("plan.options.x (set by rule 'y')").
local function record_origin(plan, name, opts, lxc)
	for k, v in pairs(plan.options) do
		if opts[k] ~= v then plan.origin[k] = name end
	end
	for k in pairs(plan.origin) do
		if plan.options[k] == nil then plan.origin[k] = nil end
	end
	for i, kv in ipairs(plan.lxc) do
		if lxc[i] ~= kv then plan.lxc_origin[i] = name end
	end
	for i = #plan.lxc + 1, #plan.lxc_origin do plan.lxc_origin[i] = nil end
end

-- What must still hold after any rule, site rules included, so that the
-- next rule and the origin bookkeeping can work. Values are checked by the
-- core (src/bridge/lua_bridge_plan.c), which names the rule through plan.origin.
local function check_shape(plan)
	if type(plan.options) ~= "table" then return "plan.options is no longer a table" end
	if type(plan.lxc) ~= "table" then return "plan.lxc is no longer a list" end
	if type(plan.warnings) ~= "table" then return "plan.warnings is no longer a list" end
	if type(plan.origin) ~= "table" then plan.origin = {} end
	if type(plan.lxc_origin) ~= "table" then plan.lxc_origin = {} end
	for i, kv in ipairs(plan.lxc) do
		if type(kv) ~= "table" or type(kv[1]) ~= "string" then
			return "plan.lxc[" .. i .. "] is not a {\"lxc.key\", value} pair"
		end
	end
	return nil
end

local function message(err)
	if type(err) == "table" then
		return tostring(err.msg or err.message or err[1] or "error")
	end
	return tostring(err)
end

-- Every refusal at once: the rules after a failed one still run, so the
-- user learns all that stands in the way in one go. Refusals a rule marks
-- decisive ({msg=, decisive=true}: what no edit of the bundle's details
-- can fix, like sharing the host's pid namespace) come first. The error
-- raised is {rule=, msg=, errors={{rule=, msg=}...}}: rule and msg are
-- the first refusal's, msg then lists the others, one per line.
local function refuse_all(errors)
	local decisive, rest = {}, {}
	for _, e in ipairs(errors) do
		table.insert(e.decisive and decisive or rest, { rule = e.rule, msg = e.msg })
	end
	for _, e in ipairs(rest) do decisive[#decisive + 1] = e end
	local lines = { decisive[1].msg }
	for i = 2, #decisive do
		lines[i] = "rule '" .. decisive[i].rule .. "': " .. decisive[i].msg
	end
	error({ rule = decisive[1].rule, msg = table.concat(lines, "\n"), errors = decisive }, 0)
end

function M.translate(spec, ctx)
	if type(spec) ~= "table" then
		error({ rule = "translate", msg = "the spec must be a table, got " .. type(spec) }, 0)
	end
	ctx = type(ctx) == "table" and ctx or {}
	local plan = new_plan()
	local rules = M.rules().list()
	local errors = {}
	for _, rule in ipairs(rules) do
		plan.current_rule = rule.name
		local opts, lxc = snapshot(plan)
		local ok, err = pcall(rule.fn, spec, ctx, plan)
		if not ok then
			-- Always the rule that ran, even if it raised {rule = "other"}.
			errors[#errors + 1] = { rule = rule.name, msg = message(err),
				decisive = type(err) == "table" and err.decisive == true }
		end
		local bad = check_shape(plan)
		if bad then
			-- the plan is no longer usable by the next rules
			errors[#errors + 1] = { rule = rule.name, msg = "returned garbage: " .. bad }
			refuse_all(errors)
		end
		if ok then record_origin(plan, rule.name, opts, lxc) end
	end
	plan.current_rule = nil
	if #errors > 0 then refuse_all(errors) end
	-- The file of each rule a site file added or replaced (the core looks
	-- up the others' modules when it shows origins).
	plan.rule_files = {}
	for _, rule in ipairs(rules) do
		if rule.file then plan.rule_files[rule.name] = rule.file end
	end
	return plan
end

-- For module `update` (the resources rule for nexcage update).
M.new_plan, M.check_shape, M.message = new_plan, check_shape, message

return M
