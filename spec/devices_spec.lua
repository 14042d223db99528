local h = require "helpers"

describe("rules.devices", function()
	it("hands linux.devices to the init with type, numbers, mode and owner (no devN)", function()
		local plan = h.translate(h.linux({ devices = {
			{ path = "/dev/fuse", type = "c", major = 10, minor = 229, fileMode = 438, uid = 0, gid = 0 },
			{ path = "/dev/sda", type = "b", major = 8, minor = 0, fileMode = 432 },
			{ path = "/dev/net/tun", type = "u", major = 10, minor = 200, uid = 5, gid = 6 },
			{ path = "/dev/mynull", type = "c", major = 1, minor = 3 },
		} }))
		assert.are.same({
			{ path = "/dev/fuse", type = "c", major = 10, minor = 229, mode = 438, uid = 0, gid = 0 },
			{ path = "/dev/sda", type = "b", major = 8, minor = 0, mode = 432, uid = 0, gid = 0 },
			{ path = "/dev/net/tun", type = "c", major = 10, minor = 200, mode = 438, uid = 5, gid = 6 },
			{ path = "/dev/mynull", type = "c", major = 1, minor = 3, mode = 438, uid = 0, gid = 0 },
		}, plan.process.devices)
		for k in pairs(plan.options) do assert.is_nil(k:match("^dev%d"), k) end
	end)

	it("keeps fileMode's permission and setuid/setgid/sticky bits, as runc does", function()
		local plan = h.translate(h.linux({ devices = { { path = "/dev/null", type = "c", major = 1, minor = 3,
			fileMode = 2534 } } }))
		assert.are.equal(2534, plan.process.devices[1].mode)
		assert.are.same({}, plan.warnings)
	end)

	it("takes fileMode's file-type bits as part of the value, not a loss (Podman: 8576)", function()
		local plan = h.translate(h.linux({ devices = {
			{ path = "/dev/fuse", type = "c", major = 10, minor = 229, fileMode = 8576 },
			{ path = "/dev/loop0", type = "b", major = 7, minor = 0, fileMode = 25008 },
		} }))
		assert.are.equal(384, plan.process.devices[1].mode)
		assert.are.equal(432, plan.process.devices[2].mode)
		assert.are.same({}, plan.warnings)
		local err = h.refuse(h.linux({ devices = { { path = "/dev/sda", type = "c", major = 8, minor = 0,
			fileMode = 25008 } } }))
		assert.matches("file%-type bits 060000 do not match type c", err.msg)
	end)

	it("makes FIFOs without numbers, and needs numbers for the others", function()
		local plan = h.translate(h.linux({ devices = { { path = "/dev/myfifo", type = "p", fileMode = 4516, uid = 7 } } }))
		assert.are.same({ { path = "/dev/myfifo", type = "p", major = 0, minor = 0, mode = 420, uid = 7, gid = 0 } },
			plan.process.devices)
		local err = h.refuse(h.linux({ devices = { { path = "/dev/f", type = "p", fileMode = 8612 } } }))
		assert.matches("file%-type bits 020000 do not match type p", err.msg)
		err = h.refuse(h.linux({ devices = { { path = "/dev/fuse", type = "c" } } }))
		assert.matches("linux.devices%[0%]%.major: must be a whole number", err.msg)
		err = h.refuse(h.linux({ devices = { { path = "/dev/fuse", type = "x", major = 1, minor = 1 } } }))
		assert.matches("linux.devices%[0%]%.type: must be c, u, b or p", err.msg)
	end)

	it("refuses paths outside /dev and injection, FIFOs included", function()
		for _, d in ipairs({
			{ path = "/etc/shadow" }, { path = "/dev/../etc/shadow" }, { path = "/dev/x,mode=0777" },
			{ path = "/dev/x\nlxc.cgroup2.devices.allow: a" }, { path = "/dev/../fifo", type = "p" },
			{ path = "/dev/x y" },
		}) do
			local err = h.refuse(h.linux({ devices = { d } }))
			assert.are.equal("devices", err.rule, d.path)
		end
	end)

	it("translates cgroup device rules, a leading deny-all adding nothing (LXC's list starts there)", function()
		local plan = h.translate(h.linux({ resources = { devices = {
			{ allow = false, access = "rwm" },
			{ allow = true, type = "c", major = 10, minor = 229, access = "rw" },
			{ allow = true, type = "b", major = 8, minor = 0, access = "r" },
			{ allow = false, type = "c", major = 5, access = "w" },
		} } }))
		assert.are.same({
			"lxc.cgroup2.devices.allow = c 10:229 rw",
			"lxc.cgroup2.devices.allow = b 8:0 r",
			"lxc.cgroup2.devices.deny = c 5:* w",
		}, h.raw_lines(plan, "lxc.cgroup2.devices"))
	end)

	it("lets a later deny-all discard earlier rules, and warns for allow-all", function()
		local plan = h.translate(h.linux({ resources = { devices = {
			{ allow = true, type = "c", major = 1, minor = 3, access = "rwm" },
			{ allow = false },
			{ allow = true, access = "rwm" },
		} } }))
		assert.are.same({ "lxc.cgroup2.devices.allow = a" }, h.raw_lines(plan, "lxc.cgroup2.devices"))
		assert.truthy(h.warning(plan, "allows every device"))
	end)

	it("refuses malformed cgroup device rules", function()
		assert.matches("access: must be letters of rwm",
			h.refuse(h.linux({ resources = { devices = { { allow = true, type = "c", access = "rwx" } } } })).msg)
		assert.matches("must be a, c or b",
			h.refuse(h.linux({ resources = { devices = { { allow = true, type = "p" } } } })).msg)
		assert.matches("cannot name a major",
			h.refuse(h.linux({ resources = { devices = { { allow = true, type = "a", major = 1 } } } })).msg)
	end)
end)
