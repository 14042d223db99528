local h = require "helpers"

local function with(mounts)
	return h.spec({ mounts = mounts })
end

describe("rules.mounts", function()
	it("turns bind mounts of host directories into mpN, with ro and Proxmox's mount options", function()
		local plan = h.translate(with({
			{ destination = "/data", type = "bind", source = "/srv/data", options = { "rbind", "rw" } },
			{ destination = "/etc/app", source = "/etc/app-conf", options = { "bind", "ro", "nosuid", "nodev", "rprivate" } },
			{ destination = "/cache/", type = "none", source = "//var//cache", options = { "rbind", "noexec", "noatime" } },
		}))
		assert.are.equal("/srv/data,mp=/data", plan.options.mp0)
		assert.are.equal("/etc/app-conf,mp=/etc/app,ro=1,mountoptions=nosuid;nodev", plan.options.mp1)
		assert.are.equal("/var/cache,mp=/cache,mountoptions=noexec;noatime", plan.options.mp2)
		assert.are.equal("mounts", plan.origin.mp0)
	end)

	it("resolves a relative bind source against the bundle", function()
		local plan = h.translate(with({ { destination = "/cfg", type = "bind", source = "config/app" } }))
		assert.are.equal("/var/lib/bundles/c1/config/app,mp=/cfg", plan.options.mp0)
	end)

	it("binds the files engines provide (/etc/hosts, resolv.conf, ...) as files", function()
		local plan = h.translate(with({
			{ destination = "/etc/resolv.conf", type = "bind", source = "/run/containers/x/resolv.conf", options = { "rbind", "ro" } },
			{ destination = "/etc/hosts", type = "bind", source = "/run/containers/x/hosts", options = { "bind" } },
		}))
		assert.is_nil(plan.options.mp0)
		assert.are.same({
			"/run/containers/x/resolv.conf etc/resolv.conf none rbind,create=file,ro 0 0",
			"/run/containers/x/hosts etc/hosts none bind,create=file 0 0",
		}, h.raw(plan, "lxc.mount.entry"))
	end)

	it("binds under /dev, /proc and /sys as raw entries (LXC mounts those over Proxmox's mount points)", function()
		local plan = h.translate(with({
			{ destination = "/dev/shm", type = "bind", source = "/var/lib/ctr/shm", options = { "bind", "rprivate", "nosuid", "noexec", "nodev" } },
			{ destination = "/dev/termination-log", type = "bind", source = "/var/lib/ctr/log", options = { "rbind", "rw" } },
		}))
		assert.is_nil(plan.options.mp0)
		assert.are.same({
			"/var/lib/ctr/shm dev/shm none bind,create=dir,nosuid,noexec,nodev 0 0",
			"/var/lib/ctr/log dev/termination-log none rbind,create=file 0 0",
		}, h.raw(plan, "lxc.mount.entry"))
	end)

	it("leaves proc, sysfs, devpts, cgroup and /dev to LXC, without a warning", function()
		local plan = h.translate(with({
			{ destination = "/proc", type = "proc", source = "proc" },
			{ destination = "/dev", type = "tmpfs", source = "tmpfs", options = { "nosuid", "strictatime", "mode=755", "size=65536k" } },
			{ destination = "/dev/pts", type = "devpts", source = "devpts", options = { "newinstance", "ptmxmode=0666" } },
			{ destination = "/sys", type = "sysfs", source = "sysfs", options = { "nosuid", "ro" } },
			{ destination = "/sys/fs/cgroup", type = "cgroup", source = "cgroup", options = { "ro" } },
		}))
		assert.are.same({}, h.raw(plan, "lxc.mount.entry"))
		assert.are.same({}, plan.warnings)
	end)

	it("mounts tmpfs (also /dev/shm) and mqueue as raw entries, dropping atime and propagation options", function()
		local plan = h.translate(with({
			{ destination = "/dev/shm", type = "tmpfs", source = "shm", options = { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" } },
			{ destination = "/dev/mqueue", type = "mqueue", source = "mqueue", options = { "nosuid", "noexec", "nodev" } },
			{ destination = "/run", type = "tmpfs", source = "tmpfs", options = { "nosuid", "strictatime", "rprivate", "mode=755" } },
			{ destination = "/tmp", type = "tmpfs", source = "tmpfs" },
		}))
		assert.are.same({
			"tmpfs dev/shm tmpfs nosuid,noexec,nodev,mode=1777,size=65536k,create=dir 0 0",
			"mqueue dev/mqueue mqueue nosuid,noexec,nodev,create=dir 0 0",
			"tmpfs run tmpfs nosuid,mode=755,create=dir 0 0",
			"tmpfs tmp tmpfs create=dir 0 0",
		}, h.raw(plan, "lxc.mount.entry"))
	end)

	it("refuses unsupported types and kernel filesystems at other places", function()
		assert.matches('mount type "nfs" is not supported', h.refuse(with({ { destination = "/x", type = "nfs", source = "srv:/x" } })).msg)
		assert.matches("a proc mount at /host/proc", h.refuse(with({ { destination = "/host/proc", type = "proc", source = "proc" } })).msg)
		assert.matches("needs a source", h.refuse(with({ { destination = "/x", type = "bind" } })).msg)
		assert.matches("cannot bind over the root", h.refuse(with({ { destination = "/", type = "bind", source = "/srv" } })).msg)
	end)

	it("refuses options with a comma or white space on every kind of mount (never drops ro)", function()
		local cases = {
			{ destination = "/data", type = "bind", source = "/srv/data", options = { "rbind", "ro,nosuid" } },
			{ destination = "/data", type = "bind", source = "/srv/data", options = { "rbind", "ro " } },
			{ destination = "/data", type = "bind", source = "/srv/data", options = { " ro" } },
			{ destination = "/etc/hosts", type = "bind", source = "/srv/hosts", options = { "bind", "ro,nosuid" } },
			{ destination = "/run", type = "tmpfs", source = "t", options = { "size=1m", "mode=755 " } },
		}
		for i, m in ipairs(cases) do
			local err = h.refuse(with({ m }))
			assert.are.equal("mounts", err.rule, "case " .. i)
			assert.truthy(err.msg:find("options%[%d%]: must"), "case " .. i .. ": " .. tostring(err.msg))
		end
	end)

	it("refuses injection through paths and options", function()
		local cases = {
			{ destination = "/x\nlxc.hook.start: /bin/sh", type = "bind", source = "/x" },
			{ destination = "/x", type = "bind", source = "/x\nlxc.hook.pre-start: /bin/sh" },
			{ destination = "/x", type = "bind", source = "/x,mp=/etc" },
			{ destination = "/x", type = "bind", source = "/srv/../etc" },
			{ destination = "/x/.", type = "bind", source = "/srv" },
			{ destination = "/x y", type = "tmpfs", source = "t" },
			{ destination = "x", type = "tmpfs", source = "t" },
			{ destination = "/run", type = "tmpfs", source = "t", options = { "size=1m\nlxc.cap.keep: all" } },
			{ destination = "/run", type = "tmpfs", source = "t", options = { "size=1m 0 0" } },
			{ destination = "/run", type = "tmpfs", source = "t", options = { "size=1m,uid=0" } },
			{ destination = "/x", type = "bind\nlxc.x: y", source = "/x" },
		}
		for i, m in ipairs(cases) do
			local err = h.refuse(with({ m }))
			assert.are.equal("mounts", err.rule, "case " .. i)
		end
	end)

	it("says what it does not apply: tmpcopyup", function()
		local plan = h.translate(h.spec({ mounts = {
			{ destination = "/tmp", type = "tmpfs", source = "tmpfs", options = { "rw", "nosuid", "tmpcopyup" } },
			{ destination = "/run", type = "tmpfs", source = "tmpfs", options = { "tmpcopyup" } },
		} }))
		assert.truthy(h.warning(plan, "tmpcopyup not applied: the tmpfs at /tmp, /run starts empty"))
	end)

	it("mounts /proc, /sys and /sys/fs/cgroup as the config does, replacing Proxmox's read-only /proc/sys", function()
		local plan = h.translate(h.spec({ mounts = {
			{ destination = "/proc", type = "proc", source = "proc" },
			{ destination = "/sys", type = "sysfs", source = "sysfs", options = { "nosuid", "rw" } },
			{ destination = "/sys/fs/cgroup", type = "cgroup", source = "cgroup", options = { "ro" } },
		} }))
		assert.are.same({ "lxc.mount.auto = ", "lxc.mount.auto = proc:rw sys:rw cgroup:ro:force" },
			h.raw_lines(plan, "lxc.mount.auto"))
		assert.are.same({}, plan.warnings)
		plan = h.translate(h.spec({ mounts = {
			{ destination = "/sys", type = "sysfs", source = "sysfs", options = { "ro" } },
			{ destination = "/sys/fs/cgroup", type = "cgroup2", source = "cgroup" } } }))
		assert.are.same({ "lxc.mount.auto = ", "lxc.mount.auto = proc:rw sys:ro cgroup:mixed:force" },
			h.raw_lines(plan, "lxc.mount.auto"))
	end)

	it("binds a source the host says is not a directory as a file (Podman --init), not as mpN", function()
		local types = { ["/usr/bin/catatonit"] = "file", ["/run/app.sock"] = "socket", ["/srv/data"] = "directory" }
		package.loaded["nexcage"] = { stat = function(p)
			if types[p] then return types[p] end
			return nil, p .. ": No such file or directory"
		end }
		h.fresh("rules.mounts")
		local ok, plan = pcall(h.translate, with({
			{ destination = "/run/podman-init", type = "bind", source = "/usr/bin/catatonit", options = { "bind", "ro" } },
			{ destination = "/run/app.sock", type = "bind", source = "/run/app.sock", options = { "bind" } },
			{ destination = "/data", type = "bind", source = "/srv/data", options = { "rbind" } },
			{ destination = "/missing", type = "bind", source = "/srv/missing", options = { "rbind" } },
		}))
		package.loaded["nexcage"] = nil
		h.fresh("rules.mounts")
		assert.is_true(ok, tostring(plan))
		assert.are.same({
			"/usr/bin/catatonit run/podman-init none bind,create=file,ro 0 0",
			"/run/app.sock run/app.sock none bind,create=file 0 0",
		}, h.raw(plan, "lxc.mount.entry"))
		-- a directory, and a source that is not there (Proxmox says so at start), stay mount points
		assert.are.equal("/srv/data,mp=/data", plan.options.mp0)
		assert.are.equal("/srv/missing,mp=/missing", plan.options.mp1)
	end)

	it("refuses a mount at or below /dev/.nexcage, where nexcage-init's directory is mounted", function()
		for _, m in ipairs({
			{ destination = "/dev/.nexcage", type = "tmpfs", source = "tmpfs" },
			{ destination = "/dev//.nexcage/", type = "bind", source = "/srv/x", options = { "rbind" } },
			{ destination = "/dev/.nexcage/init", type = "bind", source = "/srv/init", options = { "bind" } },
		}) do
			local err = h.refuse(with({ m }))
			assert.matches("mounts%[0%]%.destination: /dev/%.nexcage[^ ]* is reserved: nexcage%-init's directory is mounted at /dev/%.nexcage", err.msg)
		end
		-- a neighbour of it is any other path under /dev
		local plan = h.translate(with({ { destination = "/dev/.nexcage2", type = "tmpfs", source = "tmpfs" } }))
		assert.are.same({ "tmpfs dev/.nexcage2 tmpfs create=dir 0 0" }, h.raw(plan, "lxc.mount.entry"))
	end)
end)
