local h = require "helpers"

describe("rules.namespaces", function()
	it("maps a user namespace with mappings to unprivileged and lxc.idmap lines", function()
		local plan = h.translate(h.linux({
			uidMappings = { { containerID = 0, hostID = 100000, size = 65536 } },
			gidMappings = { { containerID = 0, hostID = 100000, size = 65536 }, { containerID = 65536, hostID = 300000, size = 1 } },
		}, { "user" }))
		assert.are.equal(1, plan.options.unprivileged)
		assert.are.equal("namespaces", plan.origin.unprivileged)
		assert.are.same({ "u 0 100000 65536", "g 0 100000 65536", "g 65536 300000 1" }, h.raw(plan, "lxc.idmap"))
	end)

	it("leaves the map to Proxmox (0 -> 100000, 65536 ids) without mappings", function()
		local plan = h.translate(h.linux({}, { "user" }))
		assert.are.equal(1, plan.options.unprivileged)
		assert.are.same({}, h.raw(plan, "lxc.idmap"))
	end)

	it("is privileged without a user namespace, ignoring mappings with a warning", function()
		assert.are.equal(0, h.translate(h.spec()).options.unprivileged)
		local plan = h.translate(h.linux({ uidMappings = { { containerID = 0, hostID = 1000, size = 1 } } }))
		assert.are.equal(0, plan.options.unprivileged)
		assert.are.same({}, h.raw(plan, "lxc.idmap"))
		assert.truthy(h.warning(plan, "without a user namespace"))
	end)

	it("refuses mappings LXC cannot start with", function()
		local only_uid = h.linux({ uidMappings = { { containerID = 0, hostID = 1000, size = 10 } } }, { "user" })
		assert.matches("give both or neither", h.refuse(only_uid).msg)
		local no_root = h.linux({ uidMappings = { { containerID = 1, hostID = 1000, size = 10 } },
			gidMappings = { { containerID = 0, hostID = 1000, size = 10 } } }, { "user" })
		assert.matches("must map container uid 0", h.refuse(no_root).msg)
		local bad = h.linux({ uidMappings = { { containerID = 0, hostID = -5, size = 10 } },
			gidMappings = { { containerID = 0, hostID = 1000, size = 10 } } }, { "user" })
		assert.matches("uidMappings%[0%].hostID", h.refuse(bad).msg)
		local zero = h.linux({ uidMappings = { { containerID = 0, hostID = 5, size = 0 } },
			gidMappings = { { containerID = 0, hostID = 1000, size = 10 } } }, { "user" })
		assert.matches("size: must be at least 1", h.refuse(zero).msg)
	end)

	it("joins ipc, uts and pid namespaces given by path (pods share them), refuses mount", function()
		local s = h.linux({}, {})
		for i, ns in ipairs(s.linux.namespaces) do
			if ns.type == "ipc" then s.linux.namespaces[i] = { type = "ipc", path = "/proc/7/ns/ipc" } end
			if ns.type == "pid" then s.linux.namespaces[i] = { type = "pid", path = "/proc/7/ns/pid" } end
		end
		s.linux.namespaces[#s.linux.namespaces + 1] = { type = "uts", path = "/proc/7/ns/uts" }
		local plan = h.translate(s)
		assert.are.same({ { type = "pid", path = "/proc/7/ns/pid" }, { type = "ipc", path = "/proc/7/ns/ipc" },
			{ type = "uts", path = "/proc/7/ns/uts" } }, plan.process.namespaces)
		s = h.linux({}, {})
		for i, ns in ipairs(s.linux.namespaces) do
			if ns.type == "mount" then s.linux.namespaces[i] = { type = "mount", path = "/proc/1/ns/mnt" } end
		end
		local err = h.refuse(s)
		assert.are.equal("namespaces", err.rule)
		assert.matches("joining an existing mount namespace %(/proc/1/ns/mnt%) is not supported on Proxmox", err.msg)
	end)

	it("shares the caller's pid, ipc, uts and cgroup namespaces when the config leaves them out, as runc", function()
		local s = h.spec()
		s.hostname = nil
		s.linux.namespaces = { { type = "mount" } }
		local plan = h.translate(s)
		assert.are.same({ { type = "pid", path = "/proc/self/ns/pid" }, { type = "ipc", path = "/proc/self/ns/ipc" },
			{ type = "uts", path = "/proc/self/ns/uts" }, { type = "cgroup", path = "/proc/self/ns/cgroup" } },
			plan.process.namespaces)
		assert.are.same({}, plan.warnings)
		s.linux.namespaces = { { type = "pid" }, { type = "ipc" }, { type = "bogus" } }
		assert.matches("unknown namespace type", h.refuse(s).msg)
	end)

	it("refuses a hostname without a uts namespace of the container's own (runc does), warns for mount", function()
		local s = h.spec()
		s.linux.namespaces = { { type = "pid" }, { type = "ipc" }, { type = "mount" } }
		assert.matches("hostname is set without a uts namespace", h.refuse(s).msg)
		s.hostname = nil
		s.linux.namespaces = { { type = "pid" }, { type = "ipc" }, { type = "uts" }, { type = "cgroup" } }
		assert.are.same({ "linux.namespaces: no mount namespace: the CT always has its own" }, h.translate(s).warnings)
	end)

	it("warns for time offsets with a time namespace, refuses them without", function()
		local offsets = { monotonic = { secs = 172800, nanosecs = 0 } }
		local plan = h.translate(h.linux({ timeOffsets = offsets }, { "time" }))
		assert.truthy(h.warning(plan, "linux.timeOffsets: not applied"))
		assert.matches("needs a time namespace", h.refuse(h.linux({ timeOffsets = offsets })).msg)
	end)
end)
