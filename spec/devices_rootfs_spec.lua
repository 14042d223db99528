local h = require "helpers"

describe("rules.devices", function()
	it("turns linux.devices into devN", function()
		local plan = h.translate(h.spec({ linux = { devices = {
			{ path = "/dev/fuse", type = "c", major = 10, minor = 229, fileMode = 438, uid = 0, gid = 0 },
		} } }))
		assert.are.equal("path=/dev/fuse,mode=0666,uid=0,gid=0", plan.options.dev0)
	end)

	it("refuses paths outside /dev", function()
		assert.is_false(pcall(h.translate, h.spec({ linux = { devices = { { path = "/etc/shadow" } } } })))
		assert.is_false(pcall(h.translate, h.spec({ linux = { devices = { { path = "/dev/../etc/shadow" } } } })))
	end)
end)

describe("rules.rootfs", function()
	it("puts the root disk on the site storage, read-only when root.readonly", function()
		local plan = h.translate(h.spec({ root = { path = "rootfs", readonly = true } }), h.ctx({ storage = "tank", rootfs_size = 4 }))
		assert.are.equal("tank:4,ro=1", plan.options.rootfs)
	end)

	it("takes storage and size from org.nexcage annotations", function()
		local ctx = h.ctx()
		ctx.annotations = { ["org.nexcage.storage"] = "fast-ssd", ["org.nexcage.rootfs-size"] = "20" }
		assert.are.equal("fast-ssd:20", h.translate(h.spec(), ctx).options.rootfs)
		ctx.annotations = { ["org.nexcage.storage"] = "x,mp=/etc" }
		assert.is_false(pcall(h.translate, h.spec(), ctx))
	end)
end)
