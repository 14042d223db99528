local h = require "helpers"

local HEAD = "nexcage-seccomp 1\n"

local function profile(seccomp)
	return h.translate(h.linux({ seccomp = seccomp })).seccomp
end

local function refusal(seccomp)
	local err = h.refuse(h.linux({ seccomp = seccomp }))
	assert.are.equal("seccomp", err.rule)
	return err.msg
end

-- The text after the default line (and any arch/flag lines).
local function rules(p)
	local out = {}
	for line in p:gmatch("[^\n]+") do
		if not line:match("^nexcage%-seccomp ") and not line:match("^default ") and not line:match("^arch ")
			and not line:match("^flag ") then
			out[#out + 1] = line
		end
	end
	return table.concat(out, "\n")
end

describe("rules.seccomp", function()
	it("sets no filter without linux.seccomp, as runc", function()
		assert.is_nil(h.translate(h.spec()).seccomp)
	end)

	it("writes the default action, EPERM when errnoRet is absent", function()
		assert.are.equal(HEAD .. "default errno 38\n", profile({ defaultAction = "SCMP_ACT_ERRNO", defaultErrnoRet = 38 }))
		assert.are.equal(HEAD .. "default errno 1\n", profile({ defaultAction = "SCMP_ACT_ERRNO" }))
		assert.are.equal(HEAD .. "default allow\n", profile({ defaultAction = "SCMP_ACT_ALLOW" }))
		assert.are.equal(HEAD .. "default kill_thread\n", profile({ defaultAction = "SCMP_ACT_KILL" }))
		assert.are.equal(HEAD .. "default kill_thread\n", profile({ defaultAction = "SCMP_ACT_KILL_THREAD" }))
		assert.are.equal(HEAD .. "default kill_process\n", profile({ defaultAction = "SCMP_ACT_KILL_PROCESS" }))
		assert.are.equal(HEAD .. "default trap\n", profile({ defaultAction = "SCMP_ACT_TRAP" }))
		assert.are.equal(HEAD .. "default trace 1\n", profile({ defaultAction = "SCMP_ACT_TRACE" }))
		assert.are.equal(HEAD .. "default trace 9\n", profile({ defaultAction = "SCMP_ACT_TRACE", defaultErrnoRet = 9 }))
		assert.are.equal(HEAD .. "default log\n", profile({ defaultAction = "SCMP_ACT_LOG" }))
	end)

	it("writes every action runc applies, one rule per name", function()
		local p = profile({ defaultAction = "SCMP_ACT_ERRNO", defaultErrnoRet = 38, syscalls = {
			{ names = { "read", "write" }, action = "SCMP_ACT_ALLOW" },
			{ names = { "kexec_load" }, action = "SCMP_ACT_ERRNO" },
			{ names = { "reboot" }, action = "SCMP_ACT_ERRNO", errnoRet = 13 },
			{ names = { "ptrace" }, action = "SCMP_ACT_KILL" },
			{ names = { "acct" }, action = "SCMP_ACT_KILL_THREAD" },
			{ names = { "swapon" }, action = "SCMP_ACT_KILL_PROCESS" },
			{ names = { "swapoff" }, action = "SCMP_ACT_TRAP" },
			{ names = { "mount" }, action = "SCMP_ACT_TRACE" },
			{ names = { "umount2" }, action = "SCMP_ACT_TRACE", errnoRet = 5 },
			{ names = { "sync" }, action = "SCMP_ACT_LOG" },
		} })
		assert.are.equal(table.concat({ "read allow", "write allow", "kexec_load errno 1", "reboot errno 13",
			"ptrace kill_thread", "acct kill_thread", "swapon kill_process", "swapoff trap", "mount trace 1",
			"umount2 trace 5", "sync log" }, "\n"), rules(p))
	end)

	it("keeps rules with the default action and names the kernel may lack (the core skips them, as runc)", function()
		local p = profile({ defaultAction = "SCMP_ACT_ERRNO", defaultErrnoRet = 38, syscalls = {
			{ names = { "bpf" }, action = "SCMP_ACT_ERRNO", errnoRet = 38 },
			{ names = { "not_a_syscall_yet" }, action = "SCMP_ACT_ALLOW" },
		} })
		assert.are.equal("bpf errno 38\nnot_a_syscall_yet allow", rules(p))
	end)

	it("writes the native architecture alone without architectures, and adds the listed ones", function()
		assert.are.equal(HEAD .. "default allow\n", profile({ defaultAction = "SCMP_ACT_ALLOW" }))
		assert.are.equal(HEAD .. "default allow\n", profile({ defaultAction = "SCMP_ACT_ALLOW", architectures = {} }))
		assert.are.equal(HEAD .. "default allow\narch x86_64\n",
			profile({ defaultAction = "SCMP_ACT_ALLOW", architectures = { "SCMP_ARCH_X86_64" } }))
		assert.are.equal(HEAD .. "default allow\narch aarch64\narch arm\narch riscv64\narch x32\n",
			profile({ defaultAction = "SCMP_ACT_ALLOW",
				architectures = { "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_RISCV64", "SCMP_ARCH_ARM", "SCMP_ARCH_X32" } }))
		assert.are.equal('linux.seccomp.architectures[1]: "x86" is not a seccomp architecture',
			refusal({ defaultAction = "SCMP_ACT_ALLOW", architectures = { "SCMP_ARCH_X86_64", "x86" } }))
		assert.are.equal("linux.seccomp.architectures[0]: SCMP_ARCH_SHEB is not an architecture libseccomp 2.5 knows",
			refusal({ defaultAction = "SCMP_ACT_ALLOW", architectures = { "SCMP_ARCH_SHEB" } }))
	end)

	it("writes every libseccomp name as the core resolves it", function()
		for oci, name in pairs(require("rules.seccomp").architectures) do
			assert.are.equal("SCMP_ARCH_" .. name:upper(), oci)
		end
	end)

	it("passes TSYNC, LOG and SPEC_ALLOW to the init, each once", function()
		assert.are.equal(HEAD .. "default allow\nflag tsync\nflag log\nflag spec_allow\n",
			profile({ defaultAction = "SCMP_ACT_ALLOW", flags = { "SECCOMP_FILTER_FLAG_TSYNC",
				"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_LOG" } }))
		assert.are.equal(HEAD .. "default allow\narch x86_64\nflag log\n",
			profile({ defaultAction = "SCMP_ACT_ALLOW", flags = { "SECCOMP_FILTER_FLAG_LOG" },
				architectures = { "SCMP_ARCH_X86_64" } }))
	end)

	it("refuses the flags and the listener that need a notify agent, naming the path", function()
		assert.are.equal("linux.seccomp.flags[1]: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV cannot be applied: it "
			.. "applies to a notify listener, and nexcage has no seccomp notify agent to hand a listener to",
			refusal({ defaultAction = "SCMP_ACT_ALLOW",
				flags = { "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" } }))
		assert.are.equal("linux.seccomp.listenerPath: a seccomp notify listener cannot be applied: "
			.. "nexcage has no seccomp notify agent to hand a listener to",
			refusal({ defaultAction = "SCMP_ACT_ALLOW", listenerPath = "/run/agent.sock" }))
		assert.are.equal("linux.seccomp.syscalls[1].action: SCMP_ACT_NOTIFY cannot be applied: "
			.. "nexcage has no seccomp notify agent to hand a listener to",
			refusal({ defaultAction = "SCMP_ACT_ALLOW", syscalls = {
				{ names = { "read" }, action = "SCMP_ACT_ERRNO" },
				{ names = { "ioctl" }, action = "SCMP_ACT_NOTIFY" } } }))
		assert.are.equal("linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be applied: "
			.. "nexcage has no seccomp notify agent to hand a listener to",
			refusal({ defaultAction = "SCMP_ACT_NOTIFY" }))
		assert.are.equal('linux.seccomp.defaultAction: "SCMP_ACT_MAYBE" is not a seccomp action',
			refusal({ defaultAction = "SCMP_ACT_MAYBE" }))
	end)

	it("writes every comparison operator, MASKED_EQ in OCI's order (arg & value) == valueTwo", function()
		local ops = { "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT" }
		local calls = {}
		for i, op in ipairs(ops) do
			calls[i] = { names = { "personality" }, action = "SCMP_ACT_ALLOW",
				args = { { index = i - 1, value = 8 * i, op = op } } }
		end
		calls[#calls + 1] = { names = { "clone" }, action = "SCMP_ACT_ALLOW",
			args = { { index = 0, value = 2114060288, valueTwo = 0, op = "SCMP_CMP_MASKED_EQ" } } }
		calls[#calls + 1] = { names = { "clone3" }, action = "SCMP_ACT_ALLOW",
			args = { { index = 1, value = 255, valueTwo = 17, op = "SCMP_CMP_MASKED_EQ" } } }
		calls[#calls + 1] = { names = { "socket" }, action = "SCMP_ACT_ERRNO", errnoRet = 22,
			args = { { index = 0, value = 16, op = "SCMP_CMP_EQ" }, { index = 2, value = 9, op = "SCMP_CMP_EQ" } } }
		calls[#calls + 1] = { names = { "mmap" }, action = "SCMP_ACT_ALLOW",
			args = { { index = 1, value = 18446744073709551615.0, op = "SCMP_CMP_LE" } } }
		-- libseccomp ignores the second datum of the other operators, and so does runc
		calls[#calls + 1] = { names = { "kill" }, action = "SCMP_ACT_ALLOW",
			args = { { index = 1, value = 9, valueTwo = 3, op = "SCMP_CMP_NE" } } }
		local p = profile({ defaultAction = "SCMP_ACT_ERRNO", syscalls = calls })
		assert.are.equal(table.concat({
			"personality allow [0,ne,8]",
			"personality allow [1,lt,16]",
			"personality allow [2,le,24]",
			"personality allow [3,eq,32]",
			"personality allow [4,ge,40]",
			"personality allow [5,gt,48]",
			"clone allow [0,masked_eq,2114060288,0]",
			"clone3 allow [1,masked_eq,255,17]",
			"socket errno 22 [0,eq,16] [2,eq,9]",
			"mmap allow [1,le,18446744073709551615]",
			"kill allow [1,ne,9]",
		}, "\n"), rules(p))
	end)

	it("writes values past 2^53 exactly, as the bridge hands them over", function()
		local p = profile({ defaultAction = "SCMP_ACT_ALLOW", syscalls = {
			{ names = { "getppid" }, action = "SCMP_ACT_ERRNO", args = {
				{ index = 0, value = 9007199254740993, op = "SCMP_CMP_EQ" },
				{ index = 1, value = 9223372036854775807, op = "SCMP_CMP_EQ" },
				{ index = 2, value = 9223372036854775808.0, op = "SCMP_CMP_EQ" },
				{ index = 3, value = 18446744069414584320.0, valueTwo = 18446744073709551615.0,
					op = "SCMP_CMP_MASKED_EQ" } } } } })
		assert.are.equal(table.concat({
			"getppid errno 1 [0,eq,9007199254740993] [1,eq,9223372036854775807] "
				.. "[2,eq,9223372036854775808] [3,masked_eq,18446744069414584320,18446744073709551615]",
		}, "\n"), rules(p))
	end)

	it("splits comparisons on a repeated argument into one rule each (ORed, as runc does)", function()
		local p = profile({ defaultAction = "SCMP_ACT_ALLOW", syscalls = {
			{ names = { "setns", "unshare" }, action = "SCMP_ACT_ERRNO", args = {
				{ index = 1, value = 1, op = "SCMP_CMP_EQ" }, { index = 0, value = 3, op = "SCMP_CMP_GT" },
				{ index = 1, value = 2, op = "SCMP_CMP_EQ" } } },
		} })
		assert.are.equal(table.concat({
			"setns errno 1 [1,eq,1]", "setns errno 1 [0,gt,3]", "setns errno 1 [1,eq,2]",
			"unshare errno 1 [1,eq,1]", "unshare errno 1 [0,gt,3]", "unshare errno 1 [1,eq,2]" }, "\n"), rules(p))
	end)

	it("refuses errno values and comparisons the filter cannot carry, naming the path", function()
		assert.are.equal("linux.seccomp.defaultErrnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE return an errno "
			.. "(the action is SCMP_ACT_ALLOW)",
			refusal({ defaultAction = "SCMP_ACT_ALLOW", defaultErrnoRet = 1 }))
		assert.are.equal("linux.seccomp.syscalls[0].errnoRet: must be a number from 0 to 65535 "
			.. "(the filter returns 16 bits), got 70000",
			refusal({ defaultAction = "SCMP_ACT_ALLOW", syscalls = {
				{ names = { "read" }, action = "SCMP_ACT_ERRNO", errnoRet = 70000 } } }))
		assert.are.equal('linux.seccomp.syscalls[0].args[0].op: "SCMP_CMP_LIKE" is not a seccomp comparison operator',
			refusal({ defaultAction = "SCMP_ACT_ALLOW", syscalls = { { names = { "read" }, action = "SCMP_ACT_ERRNO",
				args = { { index = 0, value = 1, op = "SCMP_CMP_LIKE" } } } } }))
		assert.are.equal("linux.seccomp.syscalls[0].args[0].index: must be an argument index from 0 to 5",
			refusal({ defaultAction = "SCMP_ACT_ALLOW", syscalls = { { names = { "read" }, action = "SCMP_ACT_ERRNO",
				args = { { index = 6, value = 1, op = "SCMP_CMP_EQ" } } } } }))
		assert.are.equal("linux.seccomp.syscalls[0].args[1].value: must be a whole number from 0 to 2^64-1",
			refusal({ defaultAction = "SCMP_ACT_ALLOW", syscalls = { { names = { "read" }, action = "SCMP_ACT_ERRNO",
				args = { { index = 0, value = 1, op = "SCMP_CMP_EQ" }, { index = 1, value = -1, op = "SCMP_CMP_EQ" } } } } }))
		assert.are.equal("linux.seccomp.syscalls[0].names: must name at least one system call",
			refusal({ defaultAction = "SCMP_ACT_ALLOW", syscalls = { { names = {}, action = "SCMP_ACT_ERRNO" } } }))
	end)

	it("refuses names that would change the rule's meaning", function()
		assert.are.equal('linux.seccomp.syscalls[0].names[1]: "read allow" is not a system call name ([a-z0-9_], at most 63)',
			refusal({ defaultAction = "SCMP_ACT_ERRNO", syscalls = {
				{ names = { "write", "read allow" }, action = "SCMP_ACT_ALLOW" } } }))
		assert.are.equal('linux.seccomp.syscalls[0].names[0]: "open\\\nkill" is not a system call name ([a-z0-9_], at most 63)',
			refusal({ defaultAction = "SCMP_ACT_ERRNO", syscalls = {
				{ names = { "open\nkill" }, action = "SCMP_ACT_ALLOW" } } }))
	end)

	it("is a rule a site can wrap to add its own denials", function()
		local t = h.fresh("translate")
		package.loaded.site = function(r)
			local base = r.get("seccomp")
			r.replace("seccomp", function(s, c, p)
				base(s, c, p)
				if p.seccomp then p.seccomp = p.seccomp .. "keyctl errno 1\n" end
			end)
		end
		local s = h.linux({ seccomp = { defaultAction = "SCMP_ACT_ALLOW", architectures = { "SCMP_ARCH_X86_64" } } })
		assert.are.equal(HEAD .. "default allow\narch x86_64\nkeyctl errno 1\n", t.translate(s, h.ctx()).seccomp)
		package.loaded.site = nil
	end)

	it("translates Podman's default profile as the engine resolves it for amd64", function()
		local podman = dofile("tests/e2e/podman_seccomp.lua")
		local f = io.open("/usr/share/containers/seccomp.json")
		if not f then return pending("containers-common is not installed") end
		local oci = podman.resolve(require("cjson").decode(f:read("a")), "amd64", podman.default_caps)
		f:close()
		local p = profile(oci)
		local head = HEAD .. "default errno 38\narch x86_64\narch x86\narch x32\n"
		assert.are.equal(head, p:sub(1, #head))
		assert.truthy(p:find("\nread allow\n", 1, true))
		assert.truthy(p:find("\npersonality allow [0,eq,8]\n", 1, true))
		assert.truthy(p:find("\nsocket errno 22 [0,eq,16] [2,eq,9]\n", 1, true))
		assert.truthy(p:find("\nsetns errno 1\n", 1, true)) -- without CAP_SYS_ADMIN
		assert.truthy(p:find("\nchroot allow\n", 1, true)) -- with CAP_SYS_CHROOT
		assert.falsy(p:find("\nchroot errno", 1, true))
	end)
end)
