-- process.capabilities, apparmorProfile, selinuxLabel, rlimits;
-- linux.maskedPaths, readonlyPaths, personality, mountLabel (linux.seccomp:
-- rules.seccomp).
-- noNewPrivileges and oomScoreAdj are carried in plan.process (rules.process)
-- and applied by nexcage-init: Proxmox drops lxc.no_new_privs and lxc.proc.*.
local util = require "nexcage.util"
local M = {}

-- The capability names LXC 6 knows (capabilities(7) without CAP_).
M.capabilities = {}
for name in ([[chown dac_override dac_read_search fowner fsetid kill setgid setuid setpcap
	linux_immutable net_bind_service net_broadcast net_admin net_raw ipc_lock ipc_owner
	sys_module sys_rawio sys_chroot sys_ptrace sys_pacct sys_admin sys_boot sys_nice
	sys_resource sys_time sys_tty_config mknod lease audit_write audit_control setfcap
	mac_override mac_admin syslog wake_alarm block_suspend audit_read perfmon bpf
	checkpoint_restore]]):gmatch("%S+") do
	M.capabilities[name] = true
end

-- The resources lxc.prlimit.<name> takes (setrlimit(2) without RLIMIT_).
M.rlimits = {}
for name in ([[as core cpu data fsize locks memlock msgqueue nice nofile nproc rss
	rtprio rttime sigpending stack]]):gmatch("%S+") do
	M.rlimits[name] = true
end

local function cap_names(list, what)
	local out, seen = {}, {}
	for i, c in ipairs(util.list(list)) do
		local w = what .. "[" .. (i - 1) .. "]"
		util.clean(c, w)
		local name = c:match("^CAP_([%u%d_]+)$")
		name = name and name:lower()
		if not name or not M.capabilities[name] then
			error(string.format("%s: %q is not a capability this host's LXC knows", w, c), 0)
		end
		if not seen[name] then
			seen[name] = true
			out[#out + 1] = name
		end
	end
	return out
end

-- The five sets are applied by nexcage-init, as runc applies them, right
-- before it execs the program (and by `nexcage exec` for each new process):
-- LXC could only bound the CT, and the init still needs CAP_SYS_ADMIN and
-- CAP_NET_ADMIN to join the namespaces an engine prepared and to write
-- sysctls. An empty lxc.cap.drop clears Proxmox's default drop list, so the
-- init starts with every capability and keeps exactly the spec's.
function M.caps(p, plan)
	local caps = p and util.opt_table(p.capabilities)
	if not caps then return end
	local sets = {}
	for _, set in ipairs({ "bounding", "effective", "permitted", "inheritable", "ambient" }) do
		sets[set] = cap_names(caps[set], "process.capabilities." .. set)
	end
	util.raw(plan, "lxc.cap.drop", "")
	if plan.process then
		plan.process.capabilities = sets
	end
end

-- soft/hard as lxc.prlimit takes them: numbers, or "unlimited" for
-- RLIM_INFINITY (2^64-1, which JSON hands over as a float).
local function rlim(v, what)
	if type(v) ~= "number" or v < 0 or v ~= math.floor(v) then
		error(what .. ": must be a whole number >= 0", 0)
	end
	if v >= 18446744073709551615.0 then return "unlimited" end
	return util.udec(v)
end

function M.rlimits_apply(p, plan)
	local seen = {}
	for i, r in ipairs(util.list(p and p.rlimits)) do
		local what = "process.rlimits[" .. (i - 1) .. "]"
		if type(r) ~= "table" then error(what .. ": must be an object", 0) end
		local name = util.clean(r.type, what .. ".type"):match("^RLIMIT_(%u+)$")
		if not name or not M.rlimits[name:lower()] then
			error(string.format("%s.type: %q is not an RLIMIT_* resource", what, tostring(r.type)), 0)
		end
		if seen[name] then error(what .. ".type: " .. r.type .. " given twice", 0) end
		seen[name] = true
		local soft, hard = rlim(r.soft, what .. ".soft"), rlim(r.hard, what .. ".hard")
		if r.soft > r.hard then
			error(what .. ": soft limit above the hard limit", 0)
		end
		util.raw(plan, "lxc.prlimit." .. name:lower(), soft .. ":" .. hard)
		if plan.process then
			plan.process.rlimits[#plan.process.rlimits + 1] = { type = r.type, soft = r.soft, hard = r.hard }
		end
	end
end

-- maskedPaths and readonlyPaths: nexcage-init applies them inside the CT,
-- after the sysctls, as runc does (src/init/setup.c): plan.masked_paths and
-- plan.readonly_paths carry the checked paths.
local function paths(list, what)
	local out = {}
	for i, path in ipairs(list) do
		local w = what .. "[" .. (i - 1) .. "]"
		util.clean(path, w)
		if path:sub(1, 1) ~= "/" or (path .. "/"):find("/%.%.?/") or path:find("[%s,\\]") or path == "/" then
			error(w .. ": must be an absolute path without . or .., white space, ',' or '\\'", 0)
		end
		out[#out + 1] = path
	end
	return out
end

function M.masked(list, plan)
	plan.masked_paths = paths(list, "linux.maskedPaths")
end

function M.readonly(list, plan)
	plan.readonly_paths = paths(list, "linux.readonlyPaths")
end

-- An AppArmor profile name as the kernel takes it: printable, no spaces.
local function profile(v)
	util.clean(v, "process.apparmorProfile")
	if not v:match("^[%w_%-%.:/+@]+$") then
		error("process.apparmorProfile: not a profile name (" .. string.format("%q", v) .. ")", 0)
	end
	return v
end

function M.apply(spec, ctx, plan)
	local p = util.process(spec)
	M.caps(p, plan)
	if p and type(p.apparmorProfile) == "string" and p.apparmorProfile ~= "" then
		util.raw(plan, "lxc.apparmor.profile", profile(p.apparmorProfile))
	end
	if p and type(p.selinuxLabel) == "string" and p.selinuxLabel ~= "" then
		-- Proxmox hosts run AppArmor; runc also skips labels without SELinux.
		util.clean(p.selinuxLabel, "process.selinuxLabel")
		util.warn(plan, "process.selinuxLabel: not applied (Proxmox VE uses AppArmor, not SELinux)")
	end
	M.rlimits_apply(p, plan)

	local linux = util.linux(spec)
	M.masked(util.list(linux.maskedPaths), plan)
	M.readonly(util.list(linux.readonlyPaths), plan)
	if type(linux.mountLabel) == "string" and linux.mountLabel ~= "" then
		util.warn(plan, "linux.mountLabel: not applied (no SELinux on Proxmox VE)")
	end
	local persona = util.opt_table(linux.personality)
	if persona and util.present(persona.domain) then
		local d = util.clean(persona.domain, "linux.personality.domain")
		if d == "LINUX32" then
			util.raw(plan, "lxc.arch", "linux32")
		elseif d ~= "LINUX" then
			error("linux.personality.domain: must be LINUX or LINUX32 (got " .. d .. ")", 0)
		end
		if #util.list(persona.flags) > 0 then
			util.warn(plan, "linux.personality.flags: not applied")
		end
	end
	if type(linux.rootfsPropagation) == "string" and linux.rootfsPropagation ~= ""
		and not linux.rootfsPropagation:match("private$") then
		util.warn(plan, "linux.rootfsPropagation " .. util.clean(linux.rootfsPropagation, "linux.rootfsPropagation")
			.. ": not applied (the CT's root is private)")
	end
end

return M
