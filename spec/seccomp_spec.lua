local h = require "helpers"

local ARCHS = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32" }

local function profile(seccomp)
	if seccomp.architectures == nil then seccomp.architectures = ARCHS end
	return h.translate(h.linux({ seccomp = seccomp })).seccomp
end

local function refusal(seccomp)
	if seccomp.architectures == nil then seccomp.architectures = ARCHS end
	local err = h.refuse(h.linux({ seccomp = seccomp }))
	assert.are.equal("seccomp", err.rule)
	return err.msg
end

local function body(p)
	return p:match("^2\n[^\n]*\n%[all%]\n(.*)$")
end

describe("rules.seccomp", function()
	it("leaves Proxmox's profile alone without linux.seccomp", function()
		assert.is_nil(h.translate(h.spec()).seccomp)
	end)

	it("writes LXC's version-2 allowlist with the default action and errno", function()
		assert.are.equal("2\nallowlist errno 38\n[all]\n",
			profile({ defaultAction = "SCMP_ACT_ERRNO", defaultErrnoRet = 38 }))
		assert.are.equal("2\nallowlist errno 1\n[all]\n", profile({ defaultAction = "SCMP_ACT_ERRNO" }))
		assert.are.equal("2\nallowlist allow\n[all]\n", profile({ defaultAction = "SCMP_ACT_ALLOW" }))
		assert.are.equal("2\nallowlist kill\n[all]\n", profile({ defaultAction = "SCMP_ACT_KILL" }))
		assert.are.equal("2\nallowlist kill\n[all]\n", profile({ defaultAction = "SCMP_ACT_KILL_THREAD" }))
		assert.are.equal("2\nallowlist trap\n[all]\n", profile({ defaultAction = "SCMP_ACT_TRAP" }))
	end)

	it("maps every action LXC has, one line per name", function()
		local p = profile({ defaultAction = "SCMP_ACT_ERRNO", defaultErrnoRet = 38, syscalls = {
			{ names = { "read", "write" }, action = "SCMP_ACT_ALLOW" },
			{ names = { "kexec_load" }, action = "SCMP_ACT_ERRNO" },
			{ names = { "reboot" }, action = "SCMP_ACT_ERRNO", errnoRet = 13 },
			{ names = { "ptrace" }, action = "SCMP_ACT_KILL" },
			{ names = { "acct" }, action = "SCMP_ACT_KILL_THREAD" },
			{ names = { "swapon" }, action = "SCMP_ACT_TRAP" },
		} })
		assert.are.equal("read allow\nwrite allow\nkexec_load errno 1\nreboot errno 13\nptrace kill\n"
			.. "acct kill\nswapon trap\n", body(p))
	end)

	it("drops rules whose action is the default (libseccomp refuses them, runc skips them)", function()
		local p = profile({ defaultAction = "SCMP_ACT_ERRNO", defaultErrnoRet = 38, syscalls = {
			{ names = { "bpf" }, action = "SCMP_ACT_ERRNO", errnoRet = 38 },
			{ names = { "chroot" }, action = "SCMP_ACT_ERRNO", errnoRet = 1 },
		} })
		assert.are.equal("chroot errno 1\n", body(p))
	end)

	it("writes every comparison operator, MASKED_EQ as LXC's [index,datum,op,mask]", function()
		local ops = { "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT" }
		local calls = {}
		for i, op in ipairs(ops) do
			calls[i] = { names = { "personality" }, action = "SCMP_ACT_ALLOW",
				args = { { index = i - 1, value = 8 * i, op = op } } }
		end
		calls[#calls + 1] = { names = { "clone" }, action = "SCMP_ACT_ALLOW",
			args = { { index = 0, value = 2114060288, valueTwo = 0, op = "SCMP_CMP_MASKED_EQ" } } }
		calls[#calls + 1] = { names = { "socket" }, action = "SCMP_ACT_ERRNO", errnoRet = 22,
			args = { { index = 0, value = 16, op = "SCMP_CMP_EQ" }, { index = 2, value = 9, op = "SCMP_CMP_EQ" } } }
		calls[#calls + 1] = { names = { "mmap" }, action = "SCMP_ACT_ALLOW",
			args = { { index = 1, value = 18446744073709551615.0, op = "SCMP_CMP_LE" } } }
		local p = profile({ defaultAction = "SCMP_ACT_ERRNO", syscalls = calls })
		assert.are.equal(table.concat({
			"personality allow [0,8,SCMP_CMP_NE]",
			"personality allow [1,16,SCMP_CMP_LT]",
			"personality allow [2,24,SCMP_CMP_LE]",
			"personality allow [3,32,SCMP_CMP_EQ]",
			"personality allow [4,40,SCMP_CMP_GE]",
			"personality allow [5,48,SCMP_CMP_GT]",
			"clone allow [0,0,SCMP_CMP_MASKED_EQ,2114060288]",
			"socket errno 22 [0,16,SCMP_CMP_EQ] [2,9,SCMP_CMP_EQ]",
			"mmap allow [1,18446744073709551615,SCMP_CMP_LE]",
		}, "\n") .. "\n", body(p))
	end)

	it("splits comparisons on a repeated argument into one line each (ORed, as runc does)", function()
		local p = profile({ defaultAction = "SCMP_ACT_ALLOW", syscalls = {
			{ names = { "setns" }, action = "SCMP_ACT_ERRNO", args = {
				{ index = 1, value = 1, op = "SCMP_CMP_EQ" }, { index = 1, value = 2, op = "SCMP_CMP_EQ" } } },
		} })
		assert.are.equal("setns errno 1 [1,1,SCMP_CMP_EQ]\nsetns errno 1 [1,2,SCMP_CMP_EQ]\n", body(p))
	end)

	it("accepts SECCOMP_FILTER_FLAG_TSYNC (LXC loads the filter single-threaded)", function()
		assert.are.equal("2\nallowlist allow\n[all]\n",
			profile({ defaultAction = "SCMP_ACT_ALLOW", flags = { "SECCOMP_FILTER_FLAG_TSYNC" } }))
	end)

	it("ignores architectures foreign to the CT and requires the ones LXC filters", function()
		assert.is_string(profile({ defaultAction = "SCMP_ACT_ALLOW",
			architectures = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64" } }))
		assert.are.equal("linux.seccomp.architectures: must list SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32: "
			.. "LXC filters all of them in an amd64 CT with the same rules, runc would kill the system calls of an "
			.. "unlisted one (missing SCMP_ARCH_X86, SCMP_ARCH_X32)",
			refusal({ defaultAction = "SCMP_ACT_ALLOW", architectures = { "SCMP_ARCH_X86_64" } }))
		assert.are.equal("linux.seccomp.architectures: must list SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32: "
			.. "LXC filters all of them in an amd64 CT with the same rules, runc would kill the system calls of an "
			.. "unlisted one (missing SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32)",
			refusal({ defaultAction = "SCMP_ACT_ALLOW", architectures = {} }))
		assert.are.equal('linux.seccomp.architectures[1]: "x86" is not a seccomp architecture',
			refusal({ defaultAction = "SCMP_ACT_ALLOW", architectures = { "SCMP_ARCH_X86_64", "x86" } }))
	end)

	it("refuses each action LXC cannot apply, naming the path", function()
		assert.are.equal("linux.seccomp.defaultAction: SCMP_ACT_KILL_PROCESS cannot be applied: "
			.. "LXC kills only the calling thread", refusal({ defaultAction = "SCMP_ACT_KILL_PROCESS" }))
		assert.are.equal("linux.seccomp.syscalls[1].action: SCMP_ACT_TRACE cannot be applied: LXC has no trace action",
			refusal({ defaultAction = "SCMP_ACT_ALLOW", syscalls = {
				{ names = { "read" }, action = "SCMP_ACT_ERRNO" },
				{ names = { "ptrace" }, action = "SCMP_ACT_TRACE" } } }))
		assert.are.equal("linux.seccomp.syscalls[0].action: SCMP_ACT_LOG cannot be applied: LXC has no log action",
			refusal({ defaultAction = "SCMP_ACT_ALLOW", syscalls = { { names = { "read" }, action = "SCMP_ACT_LOG" } } }))
		assert.are.equal("linux.seccomp.syscalls[0].action: SCMP_ACT_NOTIFY cannot be applied: "
			.. "Proxmox keeps no seccomp notify proxy for a container",
			refusal({ defaultAction = "SCMP_ACT_ALLOW", syscalls = { { names = { "read" }, action = "SCMP_ACT_NOTIFY" } } }))
		assert.are.equal('linux.seccomp.defaultAction: "SCMP_ACT_MAYBE" is not a seccomp action',
			refusal({ defaultAction = "SCMP_ACT_MAYBE" }))
	end)

	it("refuses flags and a listener LXC cannot apply", function()
		for _, f in ipairs({ "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
			"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" }) do
			assert.are.equal("linux.seccomp.flags[1]: " .. f .. " cannot be applied: LXC sets no seccomp filter flags",
				refusal({ defaultAction = "SCMP_ACT_ALLOW", flags = { "SECCOMP_FILTER_FLAG_TSYNC", f } }))
		end
		assert.are.equal("linux.seccomp.listenerPath: a seccomp notify listener cannot be applied: "
			.. "Proxmox keeps no seccomp notify proxy for a container",
			refusal({ defaultAction = "SCMP_ACT_ALLOW", listenerPath = "/run/agent.sock" }))
	end)

	it("refuses errno values and comparisons LXC cannot write", function()
		assert.are.equal("linux.seccomp.defaultErrnoRet: only SCMP_ACT_ERRNO returns an errno (the action is SCMP_ACT_ALLOW)",
			refusal({ defaultAction = "SCMP_ACT_ALLOW", defaultErrnoRet = 1 }))
		assert.are.equal("linux.seccomp.syscalls[0].errnoRet: must be an errno number from 0 to 65535 "
			.. "(LXC's errno action), got 70000",
			refusal({ defaultAction = "SCMP_ACT_ALLOW", syscalls = {
				{ names = { "read" }, action = "SCMP_ACT_ERRNO", errnoRet = 70000 } } }))
		assert.are.equal("linux.seccomp.syscalls[0].args[0].valueTwo: only SCMP_CMP_MASKED_EQ uses valueTwo "
			.. "(the operator is SCMP_CMP_EQ)",
			refusal({ defaultAction = "SCMP_ACT_ALLOW", syscalls = { { names = { "read" }, action = "SCMP_ACT_ERRNO",
				args = { { index = 0, value = 1, valueTwo = 2, op = "SCMP_CMP_EQ" } } } } }))
		assert.are.equal('linux.seccomp.syscalls[0].args[0].op: "SCMP_CMP_LIKE" is not a seccomp comparison operator',
			refusal({ defaultAction = "SCMP_ACT_ALLOW", syscalls = { { names = { "read" }, action = "SCMP_ACT_ERRNO",
				args = { { index = 0, value = 1, op = "SCMP_CMP_LIKE" } } } } }))
		assert.are.equal("linux.seccomp.syscalls[0].args[0].index: must be an argument index from 0 to 5",
			refusal({ defaultAction = "SCMP_ACT_ALLOW", syscalls = { { names = { "read" }, action = "SCMP_ACT_ERRNO",
				args = { { index = 6, value = 1, op = "SCMP_CMP_EQ" } } } } }))
		assert.are.equal("linux.seccomp.syscalls[0].args[0].value: must be a whole number from 0 to 2^64-1",
			refusal({ defaultAction = "SCMP_ACT_ALLOW", syscalls = { { names = { "read" }, action = "SCMP_ACT_ERRNO",
				args = { { index = 0, value = -1, op = "SCMP_CMP_EQ" } } } } }))
	end)

	it("refuses names that would change the line's meaning", function()
		assert.are.equal('linux.seccomp.syscalls[0].names[1]: "read allow" is not a system call name ([a-z0-9_])',
			refusal({ defaultAction = "SCMP_ACT_ERRNO", syscalls = {
				{ names = { "write", "read allow" }, action = "SCMP_ACT_ALLOW" } } }))
		assert.are.equal('linux.seccomp.syscalls[0].names[0]: "open\\\nkill" is not a system call name ([a-z0-9_])',
			refusal({ defaultAction = "SCMP_ACT_ERRNO", syscalls = {
				{ names = { "open\nkill" }, action = "SCMP_ACT_ALLOW" } } }))
	end)

	it("is a rule a site can wrap to add its own denials", function()
		local t = h.fresh("translate")
		package.loaded.site = function(rules)
			local base = rules.get("seccomp")
			rules.replace("seccomp", function(s, c, p)
				base(s, c, p)
				if p.seccomp then p.seccomp = p.seccomp .. "keyctl errno 1\n" end
			end)
		end
		local s = h.linux({ seccomp = { defaultAction = "SCMP_ACT_ALLOW", architectures = ARCHS } })
		assert.are.equal("2\nallowlist allow\n[all]\nkeyctl errno 1\n", t.translate(s, h.ctx()).seccomp)
		package.loaded.site = nil
	end)

	it("translates Podman's default profile as the engine resolves it for amd64", function()
		local podman = dofile("tests/e2e/podman_seccomp.lua")
		local f = io.open("/usr/share/containers/seccomp.json")
		if not f then return pending("containers-common is not installed") end
		local oci = podman.resolve(require("cjson").decode(f:read("a")), "amd64", podman.default_caps)
		f:close()
		local p = profile(oci)
		assert.are.equal("2\nallowlist errno 38\n", p:sub(1, 21))
		assert.truthy(p:find("\nread allow\n", 1, true))
		assert.truthy(p:find("\npersonality allow [0,8,SCMP_CMP_EQ]\n", 1, true))
		assert.truthy(p:find("\nsocket errno 22 [0,16,SCMP_CMP_EQ] [2,9,SCMP_CMP_EQ]\n", 1, true))
		assert.truthy(p:find("\nsetns errno 1\n", 1, true)) -- without CAP_SYS_ADMIN
		assert.truthy(p:find("\nchroot allow\n", 1, true)) -- with CAP_SYS_CHROOT
		assert.falsy(p:find("\nchroot errno", 1, true))
	end)
end)
