-- linux.devices -> plan.process.devices: nexcage-init makes each node in
-- the CT's /dev with mknod, from the config's type and numbers, as runc
-- does (so /dev/mynull can be the host's /dev/null, and nothing depends on
-- the host having a node at that path). Proxmox's devN is not used: it
-- passes the host's node at the same path, and on a CT of ostype
-- `unmanaged` pve-container refuses it at start.
-- linux.resources.devices (the device cgroup rules) -> raw
-- lxc.cgroup2.devices.allow/deny.
local util = require "nexcage.util"
local M = {}

-- "u" is an unbuffered character device: a character node.
local node_types = { c = "c", u = "c", b = "b", p = "p" }

-- The device path: under /dev/, no . or .. components, nothing that would
-- split the init's entry.
local function dev_path(p, what)
	util.clean(util.present(p) and p or "", what)
	if p:sub(1, 5) ~= "/dev/" or (p .. "/"):find("/%.%.?/") or p:find("%s") then
		error(what .. ": must be a path under /dev/ without . or .. or white space", 0)
	end
	return p
end

-- The file-type bits of each device type (S_IFCHR, S_IFBLK, S_IFIFO):
-- engines write them into fileMode (Podman: 8576 = S_IFCHR | 0600).
local type_bits = { c = 0x2000, b = 0x6000, p = 0x1000 }

-- fileMode's permission bits (runc: 0666 when absent); the type bits,
-- when given, must agree with the type.
function M.file_mode(d, node, what)
	if not util.present(d.fileMode) then return 438 end -- 0666
	local mode = util.int(d.fileMode, what .. ".fileMode", 0, 0xFFFF)
	local ftype = mode & 0xF000
	if ftype ~= 0 and ftype ~= type_bits[node] then
		error(string.format("%s.fileMode: file-type bits 0%o do not match type %s", what, ftype, d.type), 0)
	end
	return mode & 4095
end

function M.passthrough(list, plan)
	for i, d in ipairs(list) do
		local what = "linux.devices[" .. (i - 1) .. "]"
		if type(d) ~= "table" then error(what .. ": must be an object", 0) end
		local path = dev_path(d.path, what .. ".path")
		local node = node_types[d.type]
		if not node then
			error(what .. ".type: must be c, u, b or p (got " .. tostring(d.type) .. ")", 0)
		end
		local dev = {
			path = path,
			type = node,
			mode = M.file_mode(d, node, what),
			uid = util.present(d.uid) and util.int(d.uid, what .. ".uid", 0, 4294967295) or 0,
			gid = util.present(d.gid) and util.int(d.gid, what .. ".gid", 0, 4294967295) or 0,
			major = 0,
			minor = 0,
		}
		if node ~= "p" then
			dev.major = util.int(d.major, what .. ".major", 0, 4294967295)
			dev.minor = util.int(d.minor, what .. ".minor", 0, 4294967295)
		end
		if not plan.process then
			error(what .. ": made in the CT by nexcage-init, which needs a process", 0)
		end
		plan.process.devices = plan.process.devices or {}
		table.insert(plan.process.devices, dev)
	end
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
