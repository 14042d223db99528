-- linux.seccomp -> plan.seccomp, the filter as text (docs/plan.md). The
-- core checks the text, compiles it with libseccomp at create, before any
-- pct call, into <ctr_dir>/seccomp.bpf, and nexcage-init loads that last,
-- right before the program, as runc does: the runtime's own setup never
-- runs under the program's filter. No linux.seccomp: no filter (LXC's own
-- profile only where config.lua's lxc_seccomp asks for it).
--
-- The text, one statement a line:
--   nexcage-seccomp 1
--   default <action>
--   arch <libseccomp name>         (none: the native architecture only)
--   flag tsync|log|spec_allow
--   <syscall> <action> [<index>,<op>,<value>]...   (one libseccomp rule)
-- actions allow, errno N, kill_thread, kill_process, trap, trace N, log;
-- ops eq ne lt le ge gt, [<index>,masked_eq,<mask>,<value>] for
-- (arg & mask) == value. The semantics are runc's (libcontainer/seccomp):
-- every name of every entry is written, even a rule with the default
-- action or a name this kernel lacks (the core skips them when compiling,
-- and they still count for runc's -ENOSYS stub).
local util = require "nexcage.util"
local M = {}

local EPERM = 1

-- OCI action -> the text's action word; errno and trace take a number.
M.actions = {
	SCMP_ACT_ALLOW = "allow",
	SCMP_ACT_ERRNO = "errno",
	SCMP_ACT_KILL = "kill_thread", -- libseccomp's SCMP_ACT_KILL, as runc maps it
	SCMP_ACT_KILL_THREAD = "kill_thread",
	SCMP_ACT_KILL_PROCESS = "kill_process",
	SCMP_ACT_TRAP = "trap",
	SCMP_ACT_TRACE = "trace",
	SCMP_ACT_LOG = "log",
}

local NO_NOTIFY = "nexcage has no seccomp notify agent to hand a listener to"

M.operators = {
	SCMP_CMP_NE = "ne", SCMP_CMP_LT = "lt", SCMP_CMP_LE = "le", SCMP_CMP_EQ = "eq",
	SCMP_CMP_GE = "ge", SCMP_CMP_GT = "gt", SCMP_CMP_MASKED_EQ = "masked_eq",
}

-- Flags nexcage-init passes to seccomp(2).
M.flags = {
	SECCOMP_FILTER_FLAG_TSYNC = "tsync",
	SECCOMP_FILTER_FLAG_LOG = "log",
	SECCOMP_FILTER_FLAG_SPEC_ALLOW = "spec_allow",
}

local refused_flags = {
	SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV = "it applies to a notify listener, and " .. NO_NOTIFY,
}

-- The architectures libseccomp 2.5 knows, with its names; listed ones are
-- added to the filter beside the native one.
M.architectures = {
	SCMP_ARCH_X86 = "x86", SCMP_ARCH_X86_64 = "x86_64", SCMP_ARCH_X32 = "x32",
	SCMP_ARCH_ARM = "arm", SCMP_ARCH_AARCH64 = "aarch64",
	SCMP_ARCH_MIPS = "mips", SCMP_ARCH_MIPS64 = "mips64", SCMP_ARCH_MIPS64N32 = "mips64n32",
	SCMP_ARCH_MIPSEL = "mipsel", SCMP_ARCH_MIPSEL64 = "mipsel64", SCMP_ARCH_MIPSEL64N32 = "mipsel64n32",
	SCMP_ARCH_PPC = "ppc", SCMP_ARCH_PPC64 = "ppc64", SCMP_ARCH_PPC64LE = "ppc64le",
	SCMP_ARCH_S390 = "s390", SCMP_ARCH_S390X = "s390x",
	SCMP_ARCH_PARISC = "parisc", SCMP_ARCH_PARISC64 = "parisc64", SCMP_ARCH_RISCV64 = "riscv64",
}

local function fail(what, fmt, ...)
	error(what .. ": " .. string.format(fmt, ...), 0)
end

-- A uint64 from JSON in decimal. The bridge hands integers up to 2^63-1
-- over exact (Lua integers); above, floats a double holds exactly, and the
-- float 2^64 for 2^64-1 (it refuses every other literal there).
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
		fail(what, "must be a number from 0 to 65535 (the filter returns 16 bits), got %s", tostring(v))
	end
	return n
end

-- The text of an OCI action at `what` (".action"/".defaultAction").
local function action(act, errno_ret, what, errno_what)
	if type(act) ~= "string" then fail(what, "must be a string") end
	if act == "SCMP_ACT_NOTIFY" then fail(what, "SCMP_ACT_NOTIFY cannot be applied: %s", NO_NOTIFY) end
	local word = M.actions[act]
	if not word then fail(what, "%q is not a seccomp action", act) end
	if word == "errno" or word == "trace" then
		-- runc's default for both is EPERM
		return word .. " " .. errno_of(errno_ret, errno_what)
	end
	if util.present(errno_ret) then
		fail(errno_what, "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE return an errno (the action is %s)", act)
	end
	return word
end

-- One comparison as the text writes it, and its argument index.
local function comparison(a, what)
	if type(a) ~= "table" then fail(what, "must be an object") end
	local index = math.tointeger(a.index)
	if not index or index < 0 or index > 5 then
		fail(what .. ".index", "must be an argument index from 0 to 5")
	end
	local op = type(a.op) == "string" and M.operators[a.op]
	if not op then fail(what .. ".op", "%q is not a seccomp comparison operator", tostring(a.op)) end
	local value = u64(a.value, what .. ".value")
	local two = util.present(a.valueTwo) and u64(a.valueTwo, what .. ".valueTwo") or "0"
	if op == "masked_eq" then
		-- (arg & value) == valueTwo, libseccomp's (mask, datum)
		return index, string.format("[%d,masked_eq,%s,%s]", index, value, two)
	end
	-- libseccomp ignores the second datum of the other operators; so does runc
	return index, string.format("[%d,%s,%s]", index, op, value)
end

-- The argument lists of one syscalls[] entry, one per rule: all ANDed in
-- one, or, as runc does when an index repeats, one rule per comparison
-- (ORed).
local function arg_sets(args, what)
	local cmps, count, repeated = {}, {}, false
	for i, a in ipairs(util.list(args)) do
		local index, text = comparison(a, what .. ".args[" .. (i - 1) .. "]")
		cmps[#cmps + 1] = text
		count[index] = (count[index] or 0) + 1
		if count[index] > 1 then repeated = true end
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
	if type(name) ~= "string" or #name > 63 or not name:match("^[%l%d_]+$") then
		fail(what, "%q is not a system call name ([a-z0-9_], at most 63)", tostring(name))
	end
	return name
end

local function architectures(seccomp, out)
	local seen = {}
	for i, a in ipairs(util.list(seccomp.architectures)) do
		local what = "linux.seccomp.architectures[" .. (i - 1) .. "]"
		if type(a) ~= "string" or not a:match("^SCMP_ARCH_[%u%d_]+$") then
			fail(what, "%q is not a seccomp architecture", tostring(a))
		end
		local name = M.architectures[a]
		if not name then fail(what, "%s is not an architecture libseccomp 2.5 knows", a) end
		if not seen[name] then
			seen[name] = true
			out[#out + 1] = "arch " .. name
		end
	end
end

local function flags(seccomp, out)
	local seen = {}
	for i, f in ipairs(util.list(seccomp.flags)) do
		local what = "linux.seccomp.flags[" .. (i - 1) .. "]"
		if refused_flags[f] then fail(what, "%s cannot be applied: %s", f, refused_flags[f]) end
		local word = M.flags[f]
		if not word then fail(what, "%q is not a seccomp filter flag", tostring(f)) end
		if not seen[word] then
			seen[word] = true
			out[#out + 1] = "flag " .. word
		end
	end
end

-- The filter's text for linux.seccomp (a table), or an error naming the path.
function M.profile(seccomp)
	local root = "linux.seccomp"
	if util.present(seccomp.listenerPath) then
		fail(root .. ".listenerPath", "a seccomp notify listener cannot be applied: %s", NO_NOTIFY)
	end
	local default = action(seccomp.defaultAction, seccomp.defaultErrnoRet, root .. ".defaultAction",
		root .. ".defaultErrnoRet")
	local out = { "nexcage-seccomp 1", "default " .. default }
	architectures(seccomp, out)
	flags(seccomp, out)
	for i, sc in ipairs(util.list(seccomp.syscalls)) do
		local what = root .. ".syscalls[" .. (i - 1) .. "]"
		if type(sc) ~= "table" then fail(what, "must be an object") end
		local act = action(sc.action, sc.errnoRet, what .. ".action", what .. ".errnoRet")
		local sets = arg_sets(sc.args, what)
		local names = util.list(sc.names)
		if #names == 0 then fail(what .. ".names", "must name at least one system call") end
		for j, name in ipairs(names) do
			check_name(name, what .. ".names[" .. (j - 1) .. "]")
			for _, args in ipairs(sets) do
				out[#out + 1] = name .. " " .. act .. args
			end
		end
	end
	return table.concat(out, "\n") .. "\n"
end

function M.apply(spec, ctx, plan)
	local seccomp = util.linux(spec).seccomp
	if not util.present(seccomp) then return end
	if type(seccomp) ~= "table" then fail("linux.seccomp", "must be an object") end
	plan.seccomp = M.profile(seccomp)
end

return M
