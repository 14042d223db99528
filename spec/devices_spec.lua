local h = require "helpers"

describe("rules.devices", function()
	it("turns linux.devices into devN with mode, uid and gid", function()
		local plan = h.translate(h.linux({ devices = {
			{ path = "/dev/fuse", type = "c", major = 10, minor = 229, fileMode = 438, uid = 0, gid = 0 },
			{ path = "/dev/sda", type = "b", major = 8, minor = 0, fileMode = 432 },
			{ path = "/dev/net/tun", type = "c", major = 10, minor = 200 },
		} }))
		assert.are.equal("path=/dev/fuse,mode=0666,uid=0,gid=0", plan.options.dev0)
		assert.are.equal("path=/dev/sda,mode=0660", plan.options.dev1)
		assert.are.equal("path=/dev/net/tun", plan.options.dev2)
		assert.are.equal("devices", plan.origin.dev0)
	end)

	it("keeps only the permission bits of fileMode, with a warning", function()
		local plan = h.translate(h.linux({ devices = { { path = "/dev/null", type = "c", fileMode = 2534 } } }))
		assert.are.equal("path=/dev/null,mode=0746", plan.options.dev0)
		assert.truthy(h.warning(plan, "only the permission bits (0746)"))
	end)

	it("takes fileMode's file-type bits as part of the value, not a loss (Podman: 8576)", function()
		local plan = h.translate(h.linux({ devices = {
			{ path = "/dev/fuse", type = "c", fileMode = 8576 }, { path = "/dev/loop0", type = "b", fileMode = 25008 },
		} }))
		assert.are.equal("path=/dev/fuse,mode=0600", plan.options.dev0)
		assert.are.equal("path=/dev/loop0,mode=0660", plan.options.dev1)
		assert.are.same({}, plan.warnings)
		local err = h.refuse(h.linux({ devices = { { path = "/dev/sda", type = "c", fileMode = 25008 } } }))
		assert.matches("file%-type bits 060000 do not match type c", err.msg)
	end)

	it("hands a FIFO device to the init (mkfifo in the CT's /dev), not to Proxmox", function()
		local plan = h.translate(h.linux({ devices = { { path = "/dev/myfifo", type = "p", fileMode = 4516, uid = 7 },
			{ path = "/dev/fuse", type = "c" } } }))
		assert.are.same({ { path = "/dev/myfifo", mode = 420, uid = 7, gid = 0 } }, plan.process.fifos)
		assert.is_nil(plan.options.dev0)
		assert.are.equal("path=/dev/fuse", plan.options.dev1)
		local err = h.refuse(h.linux({ devices = { { path = "/dev/f", type = "p", fileMode = 8612 } } }))
		assert.matches("file%-type bits 020000 do not match type p", err.msg)
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
