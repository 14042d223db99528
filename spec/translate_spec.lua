local h = require "helpers"

describe("translate", function()
	it("runs the default rules in order over a fresh plan", function()
		local t = h.fresh("translate")
		assert.are.same({ "identity", "process", "resources", "namespaces", "network", "mounts", "security", "seccomp",
			"sysctl", "devices", "rootfs", "annotations" }, t.rules().order())
		local plan = t.translate(h.spec(), h.ctx())
		assert.are.equal("web", plan.options.hostname)
		assert.are.equal("identity", plan.origin.hostname)
		assert.is_nil(plan.current_rule)
	end)

	it("produces the exact plan for an ordinary service", function()
		local plan = h.translate(h.spec())
		assert.are.same({
			hostname = "web", ostype = "unmanaged", cmode = "console", entrypoint = "sh -c 'exec httpd -f'",
			unprivileged = 0, rootfs = "/var/lib/bundles/c1/rootfs",
		}, plan.options)
		assert.are.same({ { "lxc.environment.runtime", "PATH=/bin:/usr/bin" }, { "lxc.environment.runtime", "TERM=xterm" },
			{ "lxc.cgroup2.memory.max", "max" }, { "lxc.cgroup2.memory.high", "max" },
			{ "lxc.cgroup2.memory.swap.max", "max" }, { "lxc.net.0.type", "none" },
			{ "lxc.mount.auto", "" }, { "lxc.mount.auto", "proc:rw" } }, plan.lxc)
		assert.are.same({ "process", "process", "resources", "resources", "resources", "network", "mounts", "mounts" },
			plan.lxc_origin)
		assert.are.same({}, plan.warnings)
	end)

	it("names the rule that failed", function()
		local err = h.refuse(h.spec({ hostname = "bad_name!" }))
		assert.are.equal("identity", err.rule)
		assert.matches("not a valid DNS name", err.msg)
	end)

	it("refuses a spec that is not a table", function()
		assert.has_error(function() h.fresh("translate").translate("x", h.ctx()) end)
	end)

	-- spec/fixtures/full-config.json has every section of the runtime-spec's
	-- "Configuration Schema Example" (1.x shape), with values of our own.
	it("translates a full config (every section of the runtime-spec example) exactly", function()
		local plan = h.translate(h.read_json("spec/fixtures/full-config.json"))
		assert.are.equal("fixture-host", plan.options.hostname)
		assert.are.equal(1, plan.options.unprivileged)
		assert.is_nil(plan.options.net0)
		assert.are.equal(768, plan.options.memory)
		assert.are.equal(256, plan.options.swap)
		assert.are.equal(79, plan.options.cpuunits)
		assert.are.equal("1.5", plan.options.cpulimit)
		assert.are.equal("/var/lib/bundles/c1/rootfs", plan.options.rootfs)
		assert.is_true(plan.process.readonly_root)
		assert.are.equal("/var/lib/fixture/data,mp=/srv/data,ro=1", plan.options.mp0)
		assert.is_nil(plan.options.dev0)
		assert.are.same({ path = "/dev/fuse", type = "c", major = 10, minor = 229, mode = 438, uid = 0, gid = 0 },
			plan.process.devices[1])
		assert.are.same({ path = "/dev/net/tun", type = "c", major = 10, minor = 200, mode = 432, uid = 0, gid = 0 },
			plan.process.devices[2])
		assert.are.same({ "u 0 100000 65536", "g 0 100000 65536" }, h.raw(plan, "lxc.idmap"))
		assert.are.same({ "nexcage-default" }, h.raw(plan, "lxc.apparmor.profile"))
		assert.are.same({ "" }, h.raw(plan, "lxc.cap.drop"))
		assert.are.same({ "chown", "kill", "net_bind_service" }, plan.process.capabilities.bounding)
		assert.are.same({ "2048:4096" }, h.raw(plan, "lxc.prlimit.nofile"))
		assert.are.same({ "2048" }, h.raw(plan, "lxc.cgroup2.pids.max"))
		assert.are.same({ { "net.core.somaxconn", "1024" }, { "net.ipv4.ip_forward", "1" } }, plan.process.sysctl)
		assert.are.same({ "/bin/sh", "-c", "exec sleep infinity" }, plan.process.args)
		assert.is_true(plan.process.no_new_privileges)
		assert.are.equal(50, plan.process.oom_score_adj)
		assert.are.equal("nexcage-seccomp 1\ndefault allow\narch x86_64\narch x86\narch x32\nkexec_load errno 1\n",
			plan.seccomp)
		assert.truthy(h.warning(plan, "linux.mountLabel"))
	end)

	it("translates the example busybox bundle with no warning", function()
		local plan = h.translate(h.read_json("examples/busybox/config.json"))
		assert.is_table(plan.process)
		assert.are.same({}, plan.warnings)
	end)
end)

describe("origins", function()
	it("records the rule that last set each option and raw key, also for site rules", function()
		h.fresh("translate")
		package.loaded["site"] = function(rules)
			rules.add("late", function(spec, ctx, plan)
				plan.options.hostname = "renamed"
				plan.options.memory = nil
				plan.lxc[#plan.lxc + 1] = { "lxc.cgroup2.pids.max", "64" }
			end)
		end
		local plan = require("translate").translate(h.spec(), h.ctx())
		package.loaded["site"] = nil
		assert.are.equal("late", plan.origin.hostname)
		assert.is_nil(plan.origin.memory)
		assert.are.equal("late", plan.lxc_origin[#plan.lxc])
		assert.are.equal("process", plan.lxc_origin[1])
	end)

	it("reports a rule that breaks the plan's shape by name", function()
		h.fresh("translate")
		package.loaded["site"] = function(rules)
			rules.add("broken", function(spec, ctx, plan) plan.lxc[1] = "lxc.x = y" end)
		end
		local ok, err = pcall(require("translate").translate, h.spec(), h.ctx())
		package.loaded["site"] = nil
		assert.is_false(ok)
		assert.are.same({ rule = "broken", msg = "returned garbage: plan.lxc[1] is not a {\"lxc.key\", value} pair" }, { rule = err.rule, msg = err.msg })
	end)

	it("reports every refusal at once, the decisive ones first", function()
		local s = h.spec()
		s.linux.sysctl = { ["vm.swappiness"] = "1" }
		s.mounts = { { destination = "/x", type = "nfs", source = "srv:/x" } }
		s.vm = {}
		local err = h.refuse(s)
		assert.are.equal("identity", err.rule)
		assert.are.same({ "identity", "mounts", "sysctl" },
			{ err.errors[1].rule, err.errors[2].rule, err.errors[3].rule })
		local lines = {}
		for l in err.msg:gmatch("[^\n]+") do lines[#lines + 1] = l end
		assert.are.equal(3, #lines)
		assert.matches("^vm: a vm configuration cannot run as a Proxmox LXC container", lines[1])
		assert.matches("^rule 'mounts': mounts%[0%]: mount type \"nfs\"", lines[2])
		assert.matches("^rule 'sysctl': linux.sysctl.vm.swappiness: not a namespaced sysctl", lines[3])
	end)

	it("names the rule that raised, even when it claims another name", function()
		h.fresh("translate")
		package.loaded["site"] = function(rules)
			rules.add("liar", function() error({ rule = "identity", msg = "boom" }) end, { before = "identity" })
		end
		local ok, err = pcall(require("translate").translate, h.spec(), h.ctx())
		package.loaded["site"] = nil
		assert.is_false(ok)
		assert.are.same({ rule = "liar", msg = "boom" }, { rule = err.rule, msg = err.msg })
	end)

	it("reports a failing or malformed site module as rule 'site'", function()
		h.fresh("translate")
		package.loaded["site"] = function(rules) rules.drop("nosuchrule") end
		local ok, err = pcall(require("translate").translate, h.spec(), h.ctx())
		assert.is_false(ok)
		assert.are.equal("site", err.rule)
		assert.matches("no rule 'nosuchrule' to drop", err.msg)
		h.fresh("translate")
		package.loaded["site"] = { "not a function" }
		ok, err = pcall(require("translate").translate, h.spec(), h.ctx())
		package.loaded["site"] = nil
		assert.are.equal("site", err.rule)
		assert.matches("must return a function", err.msg)
	end)
end)

describe("a config as container engines write it (spec/fixtures/engine-default.json)", function()
	it("translates with the expected options, raw keys and warnings", function()
		local plan = h.translate(h.read_json("spec/fixtures/engine-default.json"))
		assert.are.same({
			hostname = "web-1", ostype = "unmanaged", cmode = "console", entrypoint = "nginx -g 'daemon off;'",
			memory = 256, swap = 256, cpuunits = 39, cpulimit = "1", unprivileged = 0,
			mp0 = "/srv/www,mp=/usr/share/nginx/html,ro=1",
			rootfs = "/var/lib/bundles/c1/rootfs",
			description = "nginx\nversion: 1.27.0\nsource: https://github.com/nginxinc/docker-nginx",
			tags = "1.27.0",
		}, plan.options)
		assert.are.same({
			"mqueue dev/mqueue mqueue nosuid,noexec,nodev,create=dir 0 0",
			"/var/lib/containers/storage/overlay-containers/abc/userdata/shm dev/shm none bind,create=dir,nosuid,noexec,nodev 0 0",
			"/run/containers/storage/overlay-containers/abc/userdata/resolv.conf etc/resolv.conf none bind,create=file 0 0",
			"/run/containers/storage/overlay-containers/abc/userdata/hosts etc/hosts none bind,create=file 0 0",
			"/run/containers/storage/overlay-containers/abc/userdata/hostname etc/hostname none bind,create=file 0 0",
			"/run/containers/storage/overlay-containers/abc/userdata/.containerenv run/.containerenv none bind,create=file 0 0",
		}, { table.unpack(h.raw(plan, "lxc.mount.entry"), 1, 6) })
		assert.are.equal(6, #h.raw(plan, "lxc.mount.entry"))
		assert.are.equal(11, #plan.masked_paths)
		assert.are.equal(6, #plan.readonly_paths)
		assert.are.same({ "lxc.cap.drop = " }, h.raw_lines(plan, "lxc.cap."))
		assert.are.same({ "chown", "dac_override", "fsetid", "fowner", "mknod", "net_raw", "setgid", "setuid",
			"setfcap", "setpcap", "net_bind_service", "sys_chroot", "kill", "audit_write" },
			plan.process.capabilities.bounding)
		assert.are.same({ "1048576:1048576" }, h.raw(plan, "lxc.prlimit.nofile"))
		assert.are.same({ "2048" }, h.raw(plan, "lxc.cgroup2.pids.max"))
		assert.are.same({}, h.raw(plan, "lxc.cgroup2.devices.deny"))
		assert.are.same({ { "net.ipv4.ping_group_range", "0 0" } }, plan.process.sysctl)
		assert.are.same({
		}, plan.warnings)
		assert.are.equal("nexcage-seccomp 1\ndefault errno 38\narch x86_64\narch x86\narch x32\nread allow\n"
			.. "write allow\n", plan.seccomp)
	end)
end)
