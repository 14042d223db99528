local h = require "helpers"

describe("rules.process", function()
	it("copies the process exactly into plan.process", function()
		local s = h.spec()
		s.process.user.umask = 18
		s.process.noNewPrivileges = true
		s.process.oomScoreAdj = -500
		local plan = h.translate(s)
		assert.are.same({
			args = { "sh", "-c", "exec httpd -f" },
			env = { "PATH=/bin:/usr/bin", "TERM=xterm" },
			cwd = "/srv",
			uid = 1000,
			gid = 1000,
			additional_gids = { 5 },
			umask = 18,
			terminal = false,
			no_new_privileges = true,
			oom_score_adj = -500,
			rlimits = {},
			hostname = "web",
		}, plan.process)
	end)

	it("defaults cwd to / and ids to root", function()
		local plan = h.translate(h.spec({ process = { args = { "/bin/true" } } }))
		assert.are.equal("/", plan.process.cwd)
		assert.are.equal(0, plan.process.uid)
		assert.are.equal(0, plan.process.gid)
		assert.are.same({}, plan.process.env)
		assert.are.equal("/bin/true", plan.options.entrypoint)
	end)

	it("has no process and no entrypoint without spec.process", function()
		local s = h.spec()
		s.process = nil
		local plan = h.translate(s)
		assert.is_nil(plan.process)
		assert.is_nil(plan.options.entrypoint)
	end)

	it("sets entrypoint (quoted for LXC) and lxc.environment.runtime keys on PVE >= 9.1", function()
		local plan = h.translate(h.spec())
		assert.are.equal("sh -c 'exec httpd -f'", plan.options.entrypoint)
		assert.are.equal("process", plan.origin.entrypoint)
		assert.are.same({ "lxc.environment.runtime = PATH=/bin:/usr/bin", "lxc.environment.runtime = TERM=xterm" },
			h.raw_lines(plan, "lxc.environment"))
		assert.are.same({}, h.raw(plan, "lxc.init.cmd"))
		assert.is_nil(plan.options.env)
	end)

	it("uses raw lxc.init.* and lxc.environment keys in raw mode", function()
		local plan = h.translate(h.spec(), h.ctx({ process_mode = "raw", pve_version = "8.4", memory_default = 512 }))
		assert.is_nil(plan.options.entrypoint)
		assert.are.same({
			"lxc.init.cmd = sh -c 'exec httpd -f'",
			"lxc.init.cwd = /srv",
			"lxc.init.uid = 1000",
			"lxc.init.gid = 1000",
			"lxc.environment = PATH=/bin:/usr/bin",
			"lxc.environment = TERM=xterm",
			"lxc.net.0.type = none", -- rules.network: no network namespace
			"lxc.mount.auto = ", -- rules.mounts: what the config mounts, not Proxmox's default
			"lxc.mount.auto = proc:rw",
		}, h.raw_lines(plan))
	end)

	it("refuses entrypoint mode on Proxmox VE before 9.1 and an unknown mode", function()
		local err = h.refuse(h.spec(), h.ctx({ pve_version = "8.4" }))
		assert.are.equal("process", err.rule)
		assert.matches("needs Proxmox VE 9.1", err.msg)
		assert.matches("must be \"entrypoint\" or \"raw\"", h.refuse(h.spec(), h.ctx({ process_mode = "shell" })).msg)
	end)

	describe("quoting for LXC's word splitting (no escapes, quotes only at a word's start)", function()
		local quote = require("rules.process").quote
		it("leaves plain words alone, also with inner quotes", function()
			assert.are.equal("/usr/bin/env", quote("/usr/bin/env"))
			assert.are.equal("it's", quote("it's"))
			assert.are.equal("a=\"b\"", quote("a=\"b\""))
		end)
		it("single-quotes white space and empty words, double-quotes when a ' is inside", function()
			assert.are.equal("'a b'", quote("a b"))
			assert.are.equal("''", quote(""))
			assert.are.equal("\"it's here\"", quote("it's here"))
			assert.are.equal("\"'x\"", quote("'x"))
			assert.are.equal("'\"x'", quote("\"x"))
		end)
		it("gives up on white space with both quotes", function()
			assert.is_nil(quote("it's \"here\""))
		end)
	end)

	it("warns and leaves out the entrypoint when LXC cannot express an argument", function()
		local plan = h.translate(h.spec({ process = { args = { "echo", "it's \"x\"" }, cwd = "/" } }))
		assert.is_nil(plan.options.entrypoint)
		assert.are.same({ "echo", "it's \"x\"" }, plan.process.args)
		assert.truthy(h.warning(plan, "both quote characters and white space"))
	end)

	it("refuses env entries that are not NAME=value (LXC would copy the host's variable)", function()
		for _, bad in ipairs({ "HOME", "=x" }) do
			local s = h.spec()
			s.process.env = { bad }
			local err = h.refuse(s)
			assert.are.equal("process", err.rule)
			assert.matches("must be NAME=value", err.msg)
		end
	end)

	it("keeps non-POSIX variable names with a warning", function()
		local s = h.spec()
		s.process.env = { "my-var=1" }
		local plan = h.translate(s)
		assert.are.same({ "my-var=1" }, plan.process.env)
		assert.truthy(h.warning(plan, "is not POSIX"))
	end)

	it("runs multi-line args and env exactly, keeping them out of every config line", function()
		local s = h.spec()
		s.process.env = { "KEY=-----BEGIN KEY-----\nabc\n-----END KEY-----" }
		s.process.args = { "sh", "-c", "echo one\necho two" }
		local plan = h.translate(s)
		assert.are.same({ "sh", "-c", "echo one\necho two" }, plan.process.args)
		assert.are.same({ "KEY=-----BEGIN KEY-----\nabc\n-----END KEY-----" }, plan.process.env)
		assert.is_nil(plan.options.entrypoint)
		assert.are.same({}, h.raw_lines(plan, "lxc.environment"))
		assert.truthy(h.warning(plan, "process.args[2] holds a control character"))
		s = h.spec()
		s.process.args = { "sh", "x\0y" }
		assert.matches("process.args%[1%]: contains a NUL byte", h.refuse(s).msg)
		s = h.spec()
		s.process.cwd = "/srv\nlxc.init.cwd: /"
		assert.matches("process.cwd: contains a control character", h.refuse(s).msg)
	end)

	it("refuses out-of-range ids, umask and oomScoreAdj, and a relative cwd", function()
		local cases = {
			{ function(s) s.process.user.uid = -1 end, "process.user.uid" },
			{ function(s) s.process.user.gid = 1.5 end, "process.user.gid" },
			{ function(s) s.process.user.additionalGids = { 5, "x" } end, "additionalGids%[1%]" },
			{ function(s) s.process.user.umask = 1000 end, "process.user.umask" },
			{ function(s) s.process.oomScoreAdj = 1001 end, "process.oomScoreAdj" },
			{ function(s) s.process.cwd = "srv" end, "process.cwd: must be an absolute path" },
			{ function(s) s.process.args = {} end, "process.args" },
		}
		for _, c in ipairs(cases) do
			local s = h.spec()
			c[1](s)
			assert.matches(c[2], h.refuse(s).msg)
		end
	end)

	it("carries terminal to the init silently, warns for ioPriority, scheduler and execCPUAffinity", function()
		local s = h.spec()
		s.process.terminal = true
		s.process.ioPriority = { class = "IOPRIO_CLASS_IDLE", priority = 4 }
		s.process.scheduler = { policy = "SCHED_BATCH" }
		s.process.execCPUAffinity = { initial = "0" }
		local plan = h.translate(s)
		assert.is_true(plan.process.terminal)
		for _, w in ipairs({ "process.ioPriority", "process.scheduler", "process.execCPUAffinity" }) do
			assert.truthy(h.warning(plan, w), w)
		end
		assert.is_nil(h.warning(plan, "process.terminal"))
	end)
end)
