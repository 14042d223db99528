-- The rule list a site edits without copying the defaults:
--   reg.add(name, fn [, {before = other} | {after = other}])
--   reg.replace(name, fn), reg.drop(name), reg.order() -> names
local M = {}

function M.new()
	local list = {}
	local reg = {}

	local function index_of(name)
		for i, r in ipairs(list) do
			if r.name == name then return i end
		end
		return nil
	end

	function reg.add(name, fn, where)
		assert(type(name) == "string" and type(fn) == "function", "add(name, function)")
		assert(not index_of(name), "rule '" .. name .. "' already exists (use replace)")
		local at = #list + 1
		if where and where.before then
			at = assert(index_of(where.before), "no rule '" .. tostring(where.before) .. "'")
		elseif where and where.after then
			at = assert(index_of(where.after), "no rule '" .. tostring(where.after) .. "'") + 1
		end
		table.insert(list, at, { name = name, fn = fn })
	end

	function reg.replace(name, fn)
		local i = assert(index_of(name), "no rule '" .. tostring(name) .. "' to replace")
		list[i].fn = fn
	end

	function reg.drop(name)
		local i = assert(index_of(name), "no rule '" .. tostring(name) .. "' to drop")
		table.remove(list, i)
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
