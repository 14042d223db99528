-- nexcage update: new linux.resources for a running CT, through the
-- site's "resources" rule (the one create used, site edits included).
local translate = require "translate"

local M = {}

-- Only what the given fields lead to changes: the rule fills defaults (memory_default, swap 0) that would
-- otherwise reset what the CT has (a 2 GiB CT set to 512 MiB at once).
-- M.update_fields names the field behind each option the default rule
-- sets; any other option (a site rule's) is kept when it differs from what
-- the rule makes of no resources at all.
M.update_fields = {
	memory = { "memory", "limit" }, swap = { "memory", "swap" },
	cpuunits = { "cpu", "shares" }, cpulimit = { "cpu", "quota" },
}

-- Largest values an update accepts: beyond them a value is a mistake, and
-- Proxmox would apply it to the running CT at once.
local TiB = 1024 * 1024 * 1024 * 1024
M.update_limits = {
	{ "memory", "limit", 16 * 1024 * 1024, 64 * TiB, "bytes" },
	{ "memory", "swap", 16 * 1024 * 1024, 64 * TiB, "bytes" },
	{ "memory", "reservation", 0, 64 * TiB, "bytes" },
	{ "cpu", "shares", 2, 262144, "" },
	{ "cpu", "quota", 1000, 8192 * 1000000, "microseconds" },
	{ "cpu", "period", 1000, 1000000, "microseconds" },
	{ "pids", "limit", 1, 4194304, "" },
}

local function given(res, section, field)
	local t = res[section]
	if type(t) ~= "table" then return nil end
	local v = t[field]
	if type(v) == "number" or type(v) == "string" or type(v) == "boolean" then return v end
	return nil
end

local function check_update(res)
	for _, l in ipairs(M.update_limits) do
		local v = given(res, l[1], l[2])
		local what = "linux.resources." .. l[1] .. "." .. l[2]
		-- -1 is OCI's "unlimited" for the limits that have one
		local unlimited = v == -1 and (l[2] == "swap" or l[2] == "quota" or (l[1] == "pids" and l[2] == "limit"))
		if v ~= nil and not unlimited then
			if math.type(v) ~= "integer" and not (type(v) == "number" and v == math.floor(v)) then
				error(what .. ": must be a whole number (got " .. tostring(v) .. ")", 0)
			end
			if v < l[3] or v > l[4] then
				error(string.format("%s: %s is out of range (%s..%s%s)", what, string.format("%.0f", v),
					string.format("%.0f", l[3]), string.format("%.0f", l[4]), l[5] ~= "" and " " .. l[5] or ""), 0)
			end
		end
	end
	if given(res, "memory", "swap") and not given(res, "memory", "limit") then
		error("linux.resources.memory.swap: give memory.limit too (OCI swap counts memory and swap together)", 0)
	end
end

function M.update(json, ctx)
	local ok, res = pcall(require("cjson").decode, json)
	if not ok then error({ rule = "update", msg = "resources are not valid JSON: " .. tostring(res) }, 0) end
	if type(res) ~= "table" then error({ rule = "update", msg = "resources must be a JSON object" }, 0) end
	local checked, why = pcall(check_update, res)
	if not checked then error({ rule = "update", msg = tostring(why) }, 0) end
	local fn = translate.rules().get("resources")
	local function run(r)
		local plan = translate.new_plan()
		plan.current_rule = "resources"
		local done, err = pcall(fn, { linux = { resources = r } }, ctx, plan)
		if not done then error({ rule = "resources", msg = translate.message(err) }, 0) end
		local bad = translate.check_shape(plan)
		if bad then error({ rule = "resources", msg = "returned garbage: " .. bad }, 0) end
		plan.current_rule = nil
		return plan
	end
	local plan, base = run(res), run({})
	for k, v in pairs(plan.options) do
		local f = M.update_fields[k]
		local keep
		if f then
			keep = given(res, f[1], f[2]) ~= nil
		else
			keep = base.options[k] ~= v
		end
		if not keep then plan.options[k] = nil end
	end
	if given(res, "cpu", "quota") == -1 then
		plan.options.cpulimit = 0 -- Proxmox: no CPU limit
	end
	return plan
end

return M
