local h = require "helpers"

describe("rules.rootfs", function()
	it("puts the root disk on the site storage with the site size", function()
		local plan = h.translate(h.spec(), h.ctx({ storage = "tank", rootfs_size = 4 }))
		assert.are.equal("tank:4", plan.options.rootfs)
		assert.are.equal("rootfs", plan.origin.rootfs)
	end)

	it("makes it read-only for root.readonly", function()
		local plan = h.translate(h.spec({ root = { path = "rootfs", readonly = true } }), h.ctx({ storage = "local" }))
		assert.are.equal("local:8,ro=1", plan.options.rootfs)
	end)

	it("falls back to the documented defaults when the config lacks a key or mistypes it", function()
		local ctx = h.ctx()
		ctx.config = { storage = 5 }
		assert.are.equal("local-lvm:8", h.translate(h.spec(), ctx).options.rootfs)
	end)

	it("refuses a site storage that is not a storage id", function()
		local err = h.refuse(h.spec(), h.ctx({ storage = "x,mp=/etc" }))
		assert.are.equal("rootfs", err.rule)
		assert.matches("is not a Proxmox storage id", err.msg)
	end)
end)
