-- The ordered list of named rules a site edits without copying the
-- defaults (docs/plan.md, "Site edits"):
--   reg.add(name, fn [, {before = other} | {after = other}])
--   reg.replace(name, fn)   reg.drop(name)   reg.get(name) -> fn
--   reg.order() -> { names }
-- Every rule is fn(spec, ctx, plan) and mutates the plan.
local M = {}

local function check_name(name)
	if type(name) ~= "string" or not name:match("^[%w_.%-]+$") then
		error("rule names are words of letters, digits, '_', '.', '-' (got " .. tostring(name) .. ")", 3)
	end
end

local function check_fn(name, fn)
	if type(fn) ~= "function" then
		error("rule '" .. name .. "': expected a function, got " .. type(fn), 3)
	end
end

function M.new()
	local list = {}
	local reg = {}

	local function index_of(name)
		for i, r in ipairs(list) do
			if r.name == name then return i end
		end
		return nil
	end

	local function must_find(name, why)
		check_name(name)
		local i = index_of(name)
		if not i then
			error("no rule '" .. name .. "' to " .. why .. " (rules: " .. table.concat(reg.order(), ", ") .. ")", 3)
		end
		return i
	end

	function reg.add(name, fn, where)
		check_name(name)
		check_fn(name, fn)
		if index_of(name) then
			error("rule '" .. name .. "' already exists (use replace)", 2)
		end
		where = where or {}
		if type(where) ~= "table" or (where.before ~= nil and where.after ~= nil) then
			error("rule '" .. name .. "': give {before = name} or {after = name}, not both", 2)
		end
		local at = #list + 1
		if where.before ~= nil then
			at = must_find(where.before, "insert before")
		elseif where.after ~= nil then
			at = must_find(where.after, "insert after") + 1
		end
		table.insert(list, at, { name = name, fn = fn })
	end

	function reg.replace(name, fn)
		local i = must_find(name, "replace")
		check_fn(name, fn)
		list[i].fn = fn
	end

	function reg.drop(name)
		table.remove(list, must_find(name, "drop"))
	end

	-- The current function of a rule, so a site can wrap a default:
	--   local base = rules.get("mounts")
	--   rules.replace("mounts", function(s, c, p) base(s, c, p) ... end)
	function reg.get(name)
		return list[must_find(name, "get")].fn
	end

	function reg.order()
		local names = {}
		for i, r in ipairs(list) do names[i] = r.name end
		return names
	end

	function reg.list()
		return list
	end

	return reg
end

return M
