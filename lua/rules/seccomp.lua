-- linux.seccomp -> an LXC seccomp profile (version 2 text), carried as
-- plan.seccomp. The core checks it, writes it into the container's state
-- directory and names it with lxc.seccomp.profile (docs/plan.md).
--
-- LXC's grammar (src/lxc/seccomp.c, lxc.container.conf(5)):
--   2
--   allowlist <default action>
--   [all]
--   <syscall> <action> [<index>,<value>,<op>(,<mask>)]...
-- actions: allow, kill (the thread), trap, errno N; at most 6 comparisons
-- per line, ANDed. What the profile asks and LXC cannot do is an error
-- naming the JSON path: a weaker filter is never applied in its place.
local util = require "rules.util"
local M = {}

local EPERM = 1

-- OCI action -> LXC action word; nil: LXC cannot apply it.
M.actions = {
	SCMP_ACT_ALLOW = "allow",
	SCMP_ACT_ERRNO = "errno",
	SCMP_ACT_KILL = "kill", -- the thread, as libseccomp's SCMP_ACT_KILL
	SCMP_ACT_KILL_THREAD = "kill",
	SCMP_ACT_TRAP = "trap",
}

local refused_actions = {
	SCMP_ACT_KILL_PROCESS = "LXC kills only the calling thread",
	SCMP_ACT_TRACE = "LXC has no trace action",
	SCMP_ACT_LOG = "LXC has no log action",
	SCMP_ACT_NOTIFY = "Proxmox keeps no seccomp notify proxy for a container",
}

M.operators = {
	SCMP_CMP_NE = true, SCMP_CMP_LT = true, SCMP_CMP_LE = true, SCMP_CMP_EQ = true,
	SCMP_CMP_GE = true, SCMP_CMP_GT = true, SCMP_CMP_MASKED_EQ = true,
}

-- Flags: LXC loads the filter in the container's single-threaded setup
-- process, so TSYNC holds by construction; the others change what the
-- kernel does and LXC cannot set them.
M.flags = { SECCOMP_FILTER_FLAG_TSYNC = true }

-- The architectures LXC filters for a CT of each Proxmox arch: on an
-- x86_64 host LXC always adds the x86 and x32 compat filters (and likewise
-- for arm). runc kills system calls of an architecture the profile does
-- not list; LXC would filter them with the same rules instead, so the
-- profile must list all of them.
M.arch_family = {
	amd64 = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32" },
	i386 = { "SCMP_ARCH_X86" },
	arm64 = { "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM" },
	armhf = { "SCMP_ARCH_ARM" },
}

-- Architectures LXC knows ([section] names); others cannot run on a
-- Proxmox CT and are ignored, as libseccomp ignores an arch never used.
M.architectures = {
	SCMP_ARCH_X86 = "x86", SCMP_ARCH_X86_64 = "x86_64", SCMP_ARCH_X32 = "x32",
	SCMP_ARCH_ARM = "arm", SCMP_ARCH_AARCH64 = "arm64", SCMP_ARCH_PPC = "ppc",
	SCMP_ARCH_PPC64 = "ppc64", SCMP_ARCH_PPC64LE = "ppc64le", SCMP_ARCH_MIPS = "mips",
	SCMP_ARCH_MIPS64 = "mips64", SCMP_ARCH_MIPS64N32 = "mips64n32", SCMP_ARCH_MIPSEL = "mipsel",
	SCMP_ARCH_MIPSEL64 = "mipsel64", SCMP_ARCH_MIPSEL64N32 = "mipsel64n32",
	SCMP_ARCH_S390 = "s390", SCMP_ARCH_S390X = "s390x",
}

local function fail(what, fmt, ...)
	error(what .. ": " .. string.format(fmt, ...), 0)
end

-- A uint64 from JSON in decimal (cjson hands values above 2^63 over as floats).
local function u64(v, what)
	if type(v) ~= "number" or v < 0 or v ~= math.floor(v) or v > 18446744073709551615.0 then
		fail(what, "must be a whole number from 0 to 2^64-1")
	end
	-- 2^64-1 arrives as the float 2^64, the nearest double.
	if v >= 18446744073709551615.0 then return "18446744073709551615" end
	return util.udec(v)
end

local function errno_of(v, what)
	if v == nil or not util.present(v) then return EPERM end
	local n = math.tointeger(v)
	if not n or n < 0 or n > 65535 then
		fail(what, "must be an errno number from 0 to 65535 (LXC's errno action), got %s", tostring(v))
	end
	return n
end

-- The LXC action text of an OCI action at `what` (".action"/".defaultAction").
local function action(act, errno_ret, what, errno_what)
	if type(act) ~= "string" then fail(what, "must be a string") end
	local word = M.actions[act]
	if not word then
		if refused_actions[act] then
			fail(what, "%s cannot be applied: %s", act, refused_actions[act])
		end
		fail(what, "%q is not a seccomp action", act)
	end
	if word == "errno" then
		return "errno " .. errno_of(errno_ret, errno_what)
	end
	if util.present(errno_ret) then
		fail(errno_what, "only SCMP_ACT_ERRNO returns an errno (the action is %s)", act)
	end
	return word
end

local function comparison(a, what)
	if type(a) ~= "table" then fail(what, "must be an object") end
	local index = math.tointeger(a.index)
	if not index or index < 0 or index > 5 then
		fail(what .. ".index", "must be an argument index from 0 to 5")
	end
	if type(a.op) ~= "string" or not M.operators[a.op] then
		fail(what .. ".op", "%q is not a seccomp comparison operator", tostring(a.op))
	end
	local value = u64(a.value, what .. ".value")
	local two = util.present(a.valueTwo) and u64(a.valueTwo, what .. ".valueTwo") or "0"
	if a.op == "SCMP_CMP_MASKED_EQ" then
		-- OCI: (arg & value) == valueTwo; LXC: [index,datum,op,mask].
		return index, string.format("[%d,%s,SCMP_CMP_MASKED_EQ,%s]", index, two, value)
	end
	if two ~= "0" then
		fail(what .. ".valueTwo", "only SCMP_CMP_MASKED_EQ uses valueTwo (the operator is %s)", a.op)
	end
	return index, string.format("[%d,%s,%s]", index, value, a.op)
end

-- The comparisons of one syscalls[] entry as the argument lists of its
-- lines: all ANDed on one line, or, as runc does when an argument index
-- repeats, one line per comparison (ORed).
local function arg_sets(args, what)
	local cmps, count, repeated = {}, {}, false
	for i, a in ipairs(util.list(args)) do
		local index, text = comparison(a, what .. ".args[" .. (i - 1) .. "]")
		cmps[#cmps + 1] = text
		count[index] = (count[index] or 0) + 1
		if count[index] > 1 then repeated = true end
	end
	if #cmps > 6 and not repeated then
		fail(what .. ".args", "LXC takes at most 6 comparisons per system call (got %d)", #cmps)
	end
	if #cmps == 0 then return { "" } end
	if repeated then
		local sets = {}
		for i, c in ipairs(cmps) do sets[i] = " " .. c end
		return sets
	end
	return { " " .. table.concat(cmps, " ") }
end

local function check_name(name, what)
	if type(name) ~= "string" or not name:match("^[%l%d_]+$") then
		fail(what, "%q is not a system call name ([a-z0-9_])", tostring(name))
	end
	return name
end

local function check_architectures(seccomp, plan)
	local listed = {}
	for i, a in ipairs(util.list(seccomp.architectures)) do
		local what = "linux.seccomp.architectures[" .. (i - 1) .. "]"
		if type(a) ~= "string" or not a:match("^SCMP_ARCH_[%u%d_]+$") then
			fail(what, "%q is not a seccomp architecture", tostring(a))
		end
		listed[a] = true
	end
	local arch = plan.options.arch or "amd64"
	local family = M.arch_family[arch]
	if not family then
		fail("linux.seccomp", "nexcage applies seccomp profiles to amd64, i386, arm64 and armhf CTs, not %s", arch)
	end
	local missing = {}
	for _, a in ipairs(family) do
		if not listed[a] then missing[#missing + 1] = a end
	end
	if #missing > 0 then
		fail("linux.seccomp.architectures",
			"must list %s: LXC filters all of them in an %s CT with the same rules, runc would kill the system calls of an unlisted one (missing %s)",
			table.concat(family, ", "), arch, table.concat(missing, ", "))
	end
end

-- The profile text for linux.seccomp (a table), or an error naming the path.
function M.profile(seccomp, plan)
	local root = "linux.seccomp"
	if util.present(seccomp.listenerPath) then
		fail(root .. ".listenerPath", "a seccomp notify listener cannot be applied: Proxmox keeps no seccomp notify proxy for a container")
	end
	for i, f in ipairs(util.list(seccomp.flags)) do
		if not M.flags[f] then
			fail(root .. ".flags[" .. (i - 1) .. "]", "%s cannot be applied: LXC sets no seccomp filter flags", tostring(f))
		end
	end
	check_architectures(seccomp, plan)
	local default = action(seccomp.defaultAction, seccomp.defaultErrnoRet, root .. ".defaultAction",
		root .. ".defaultErrnoRet")
	local out = { "2", "allowlist " .. default, "[all]" }
	for i, sc in ipairs(util.list(seccomp.syscalls)) do
		local what = root .. ".syscalls[" .. (i - 1) .. "]"
		if type(sc) ~= "table" then fail(what, "must be an object") end
		local act = action(sc.action, sc.errnoRet, what .. ".action", what .. ".errnoRet")
		local sets = arg_sets(sc.args, what)
		local names = util.list(sc.names)
		if #names == 0 then fail(what .. ".names", "must name at least one system call") end
		for j, name in ipairs(names) do
			check_name(name, what .. ".names[" .. (j - 1) .. "]")
			-- A rule whose action is the default changes nothing, and
			-- libseccomp refuses it (runc skips it too).
			if act ~= default then
				for _, args in ipairs(sets) do
					out[#out + 1] = name .. " " .. act .. args
				end
			end
		end
	end
	return table.concat(out, "\n") .. "\n"
end

function M.apply(spec, ctx, plan)
	local seccomp = util.linux(spec).seccomp
	if not util.present(seccomp) then return end
	if type(seccomp) ~= "table" then fail("linux.seccomp", "must be an object") end
	plan.seccomp = M.profile(seccomp, plan)
end

return M
