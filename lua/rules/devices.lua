-- linux.devices -> devN (Proxmox device passthrough: it creates the node in
-- the CT and allows it in the CT's device cgroup), and
-- linux.resources.devices (the device cgroup rules) -> raw
-- lxc.cgroup2.devices.allow/deny.
local util = require "rules.util"
local M = {}

local kinds = { c = true, b = true, u = true }

-- pve-container's dev path: under /dev/, no . or .. components.
local function dev_path(p, what)
	util.prop(util.present(p) and p or "", what)
	if p:sub(1, 5) ~= "/dev/" or (p .. "/"):find("/%.%.?/") or p:find("[%s=]") then
		error(what .. ": must be a path under /dev/ without . or .., white space or '='", 0)
	end
	return p
end

-- The file-type bits of each device type (S_IFCHR, S_IFBLK, S_IFIFO):
-- engines write them into fileMode (Podman: 8576 = S_IFCHR | 0600).
local type_bits = { c = 0x2000, u = 0x2000, b = 0x6000, p = 0x1000 }

-- fileMode -> ",mode=0NNN": the type bits say what the node is, which
-- Proxmox takes from the host's node; they are no loss when they agree
-- with the type. setuid/setgid/sticky bits are dropped, with a warning.
function M.file_mode(d, what, plan)
	local mode = util.int(d.fileMode, what .. ".fileMode", 0, 0xFFFF)
	local ftype = mode & 0xF000
	if ftype ~= 0 and util.present(d.type) and type_bits[d.type] and ftype ~= type_bits[d.type] then
		error(string.format("%s.fileMode: file-type bits 0%o do not match type %s", what, ftype, d.type), 0)
	end
	if mode & 0xE00 ~= 0 then
		util.warn(plan, what .. ".fileMode: setuid/setgid/sticky bits dropped, only the permission bits ("
			.. string.format("0%03o", mode & 511) .. ") are applied")
	end
	return string.format(",mode=0%03o", mode & 511)
end

function M.passthrough(list, plan)
	for i, d in ipairs(list) do
		local what = "linux.devices[" .. (i - 1) .. "]"
		if type(d) ~= "table" then error(what .. ": must be an object", 0) end
		local path = dev_path(d.path, what .. ".path")
		if d.type == "p" then
			-- Proxmox's devN passes the host's char/block nodes only: a FIFO
			-- is made in the CT's /dev by nexcage-init before start
			M.fifo(d, path, what, plan)
			goto next
		elseif util.present(d.type) and not kinds[d.type] then
			error(what .. ".type: " .. tostring(d.type) .. " is not a character or block device", 0)
		end
		-- Proxmox passes the host's node at the same path: its type and
		-- numbers are the host's (the core's simulator and pct check it exists).
		local value = "path=" .. path
		if util.present(d.fileMode) then
			value = value .. M.file_mode(d, what, plan)
		end
		if util.present(d.uid) then value = value .. ",uid=" .. util.int(d.uid, what .. ".uid", 0, 4294967295) end
		if util.present(d.gid) then value = value .. ",gid=" .. util.int(d.gid, what .. ".gid", 0, 4294967295) end
		if i > 256 then error(what .. ": more than 256 devices (dev0..dev255)", 0) end
		util.set(plan, "dev" .. (i - 1), value)
		::next::
	end
end

-- A FIFO in linux.devices: made with mkfifo in the CT's /dev by the init,
-- with fileMode's permission bits (0666 when absent, as runc) and owner.
function M.fifo(d, path, what, plan)
	local mode = 438 -- 0666
	if util.present(d.fileMode) then
		local m = util.int(d.fileMode, what .. ".fileMode", 0, 0xFFFF)
		if m & 0xF000 ~= 0 and m & 0xF000 ~= type_bits.p then
			error(string.format("%s.fileMode: file-type bits 0%o do not match type p", what, m & 0xF000), 0)
		end
		mode = m & 511
	end
	local uid = util.present(d.uid) and util.int(d.uid, what .. ".uid", 0, 4294967295) or 0
	local gid = util.present(d.gid) and util.int(d.gid, what .. ".gid", 0, 4294967295) or 0
	plan.process = plan.process or {}
	plan.process.fifos = plan.process.fifos or {}
	table.insert(plan.process.fifos, { path = path, mode = mode, uid = uid, gid = gid })
end

-- One cgroup rule as LXC writes it: "<type> <major>:<minor> <access>".
local function rule_value(r, what)
	local t = util.present(r.type) and r.type or "a"
	if t ~= "a" and t ~= "c" and t ~= "b" then
		error(what .. ".type: must be a, c or b (got " .. tostring(t) .. ")", 0)
	end
	local access = util.present(r.access) and util.clean(r.access, what .. ".access") or "rwm"
	if not access:match("^[rwm]+$") then
		error(what .. ".access: must be letters of rwm (got " .. access .. ")", 0)
	end
	local major = util.present(r.major) and util.int(r.major, what .. ".major", -1) or -1
	local minor = util.present(r.minor) and util.int(r.minor, what .. ".minor", -1) or -1
	if t == "a" then
		if major >= 0 or minor >= 0 then
			error(what .. ": a rule for all device types cannot name a major or minor number", 0)
		end
		return "a", true
	end
	local function n(x) return x < 0 and "*" or tostring(x) end
	return string.format("%s %s:%s %s", t, n(major), n(minor), access), false
end

-- OCI lists the rules in order, usually "deny all" first. LXC's and
-- Proxmox's own list already starts from "deny all" and allows the
-- devices every CT needs (null, zero, tty, ptmx, ...), which the runtime
-- spec requires anyway; writing another "deny all" after them would take
-- those away. So a "deny all" discards the rules before it and adds nothing.
function M.cgroup_rules(list, plan)
	local out = {}
	for i, r in ipairs(list) do
		local what = "linux.resources.devices[" .. (i - 1) .. "]"
		if type(r) ~= "table" then error(what .. ": must be an object", 0) end
		local value, everything = rule_value(r, what)
		if r.allow == true then
			out[#out + 1] = { "lxc.cgroup2.devices.allow", value }
		elseif everything then
			out = {}
		else
			out[#out + 1] = { "lxc.cgroup2.devices.deny", value }
		end
	end
	for _, kv in ipairs(out) do
		if kv[1] == "lxc.cgroup2.devices.allow" and kv[2] == "a" then
			util.warn(plan, "linux.resources.devices allows every device: the CT can use all host devices it can open")
		end
		util.raw(plan, kv[1], kv[2])
	end
end

function M.apply(spec, ctx, plan)
	local linux = util.linux(spec)
	M.passthrough(util.list(linux.devices), plan)
	local res = util.opt_table(linux.resources) or {}
	M.cgroup_rules(util.list(res.devices), plan)
end

return M
