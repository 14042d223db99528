-- Small pure helpers shared by the rules. No rule state lives here: every
-- function works on the values and the plan it is given.
local M = {}

-- JSON null (cjson's lightuserdata) and any other non-data value count as
-- "absent" wherever a field is optional.
function M.present(v)
	local t = type(v)
	return t == "string" or t == "number" or t == "boolean" or t == "table"
end

function M.opt_table(v)
	return type(v) == "table" and v or nil
end

function M.list(v)
	return type(v) == "table" and v or {}
end

-- A value reaches a Proxmox config file as one `key: value` line: a control
-- character could end that line and start a new key, so it is refused,
-- never passed through or stripped.
function M.clean(value, what)
	if type(value) ~= "string" then
		error(what .. ": must be a string (got " .. type(value) .. ")", 0)
	end
	if value:find("%c") then
		error(what .. ": contains a control character (refused: it could inject config keys)", 0)
	end
	return value
end

-- A value that never reaches a Proxmox config line, only the init's
-- process file (NUL-separated): any string without a NUL byte (the args
-- and env of a multi-line `sh -c` script, a PEM value in a variable).
function M.text(value, what)
	if type(value) ~= "string" then
		error(what .. ": must be a string (got " .. type(value) .. ")", 0)
	end
	if value:find("%z") then
		error(what .. ": contains a NUL byte", 0)
	end
	return value
end

-- Property strings (`mp0: a,mp=/b,ro=1`) separate items with commas: a
-- value inside one may not carry a comma (nor `=` where noted).
function M.prop(value, what)
	M.clean(value, what)
	if value:find(",", 1, true) then
		error(what .. ": must not contain ',' (it would add property-string items)", 0)
	end
	return value
end

-- A single word for space-separated LXC values (mount entries, idmap, cap
-- lists): no white space, which would shift the fields.
function M.word(value, what)
	M.clean(value, what)
	if value == "" or value:find("%s") then
		error(what .. ": must be one word, without white space", 0)
	end
	return value
end

-- A whole number, from a JSON number (which cjson may hand over as a float).
function M.int(v, what, lo, hi)
	local i = type(v) == "number" and math.tointeger(v) or nil
	if not i then
		error(what .. ": must be a whole number (got " .. tostring(v) .. ")", 0)
	end
	if lo and i < lo then
		error(string.format("%s: must be at least %d (got %d)", what, lo, i), 0)
	end
	if hi and i > hi then
		error(string.format("%s: must be at most %d (got %d)", what, hi, i), 0)
	end
	return i
end

-- A non-negative JSON number in decimal, also when it is too large for a
-- Lua integer (cjson decodes 2^64-1 as a float).
function M.udec(v)
	local i = math.tointeger(v)
	if i then return tostring(i) end
	return string.format("%.0f", v)
end

-- Sets a pct option; the rule's name is recorded as its origin, so the core
-- can name the rule when it refuses the value.
function M.set(plan, key, value)
	plan.options[key] = value
	plan.origin[key] = plan.current_rule
end

-- Appends a raw `lxc.*` key (ordered, repeatable).
function M.raw(plan, key, value)
	plan.lxc[#plan.lxc + 1] = { key, value }
end

-- Removes every raw entry with this key (e.g. a later rule overriding it).
function M.unraw(plan, key)
	local kept = {}
	for _, kv in ipairs(plan.lxc) do
		if kv[1] ~= key then kept[#kept + 1] = kv end
	end
	for i = #plan.lxc, 1, -1 do plan.lxc[i] = nil end
	for i, kv in ipairs(kept) do plan.lxc[i] = kv end
end

function M.warn(plan, msg)
	plan.warnings[#plan.warnings + 1] = msg
end

-- What a field became that an engine sets on every container and that is
-- no loss (create does not print it; the dry run shows it).
function M.note(plan, msg)
	plan.notes = plan.notes or {}
	plan.notes[#plan.notes + 1] = msg
end

-- bytes -> MiB, rounded up
function M.mib(bytes)
	local m = (bytes + 1048575) // 1048576
	return math.tointeger(m) or m -- an integer also when cjson gave a float
end

-- pct's hostname check: DNS labels of letters, digits and '-', dot-joined.
function M.is_dns_name(name)
	if #name == 0 or #name > 255 then return false end
	for label in (name .. "."):gmatch("([^.]*)%.") do
		if #label == 0 or #label > 63 or not label:match("^%w") or not label:match("%w$")
			or label:find("[^%w%-]") then
			return false
		end
	end
	return true
end

function M.linux(spec)
	return type(spec.linux) == "table" and spec.linux or {}
end

function M.process(spec)
	return type(spec.process) == "table" and spec.process or nil
end

-- The namespaces a spec asks for: type -> the entry ({type=, path=}).
function M.namespaces(spec)
	local have = {}
	for _, ns in ipairs(M.list(M.linux(spec).namespaces)) do
		if type(ns) == "table" and type(ns.type) == "string" then
			have[ns.type] = ns
		end
	end
	return have
end

-- Annotations come from config.json; ctx.annotations is the same table
-- (the core passes it for hooks and the VMID rule).
function M.annotations(spec, ctx)
	if type(spec.annotations) == "table" then return spec.annotations end
	return type(ctx) == "table" and type(ctx.annotations) == "table" and ctx.annotations or {}
end

-- The site configuration, read defensively: a missing or mistyped key falls
-- back to the documented default (docs/plan.md, "ctx.config").
local defaults = {
	storage = "local-lvm",
	bridge = "vmbr0",
	process_mode = "entrypoint",
	pve_version = "9.1",
	memory_default = 0,
	rootfs_size = 8,
	rootfs_mode = "bind",
	network = "empty",
}

function M.config(ctx, key)
	local cfg = type(ctx) == "table" and type(ctx.config) == "table" and ctx.config or {}
	local v = cfg[key]
	local d = defaults[key]
	if type(v) ~= type(d) then return d end
	return v
end

-- Sorted keys of a map, so the plan never depends on hash order.
function M.sorted_keys(t)
	local keys = {}
	for k in pairs(t) do
		if type(k) == "string" then keys[#keys + 1] = k end
	end
	table.sort(keys)
	return keys
end

-- "1.2.3" -> {1, 2, 3} compared numerically.
function M.version_at_least(have, want)
	local a, b = {}, {}
	for n in tostring(have):gmatch("%d+") do a[#a + 1] = tonumber(n) end
	for n in tostring(want):gmatch("%d+") do b[#b + 1] = tonumber(n) end
	for i = 1, math.max(#a, #b) do
		local x, y = a[i] or 0, b[i] or 0
		if x ~= y then return x > y end
	end
	return true
end

return M
