-- Small pure helpers shared by the rules.
local M = {}

-- Values reach a Proxmox config file: a control character could start a
-- new key there, so it is refused, never passed through.
function M.clean(value, what)
	if type(value) ~= "string" then
		error(what .. ": must be a string", 0)
	end
	if value:find("[%c]") then
		error(what .. ": contains a control character (refused: it could inject config keys)", 0)
	end
	return value
end

-- Property strings separate items with commas: a value may not carry one.
function M.prop(value, what)
	M.clean(value, what)
	if value:find(",", 1, true) then
		error(what .. ": must not contain ',' (it would add property-string items)", 0)
	end
	return value
end

function M.set(plan, key, value)
	plan.options[key] = value
	plan.origin[key] = plan.current_rule
end

function M.raw(plan, key, value)
	plan.lxc[#plan.lxc + 1] = { key, value }
end

function M.warn(plan, msg)
	plan.warnings[#plan.warnings + 1] = msg
end

-- bytes -> MiB, rounded up
function M.mib(bytes)
	return (bytes + 1048575) // 1048576
end

function M.is_dns_name(name)
	if #name == 0 or #name > 255 then return false end
	for label in (name .. "."):gmatch("([^.]*)%.") do
		if #label == 0 or #label > 63 or not label:match("^[%w]") or not label:match("[%w]$")
			or label:find("[^%w%-]") then
			return false
		end
	end
	return true
end

function M.linux(spec)
	return type(spec.linux) == "table" and spec.linux or {}
end

return M
