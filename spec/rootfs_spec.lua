local h = require "helpers"

describe("rules.rootfs", function()
	it("uses the bundle's rootfs in place by default (a bind mount point)", function()
		local plan = h.translate(h.spec())
		assert.are.equal("/var/lib/bundles/c1/rootfs", plan.options.rootfs)
		assert.are.equal("rootfs", plan.origin.rootfs)
		-- read-only once the CT is finished, by the init (not Proxmox's ro=1,
		-- which comes before LXC's mount points are made)
		plan = h.translate(h.spec({ root = { path = "rootfs", readonly = true } }))
		assert.are.equal("/var/lib/bundles/c1/rootfs", plan.options.rootfs)
		assert.is_true(plan.process.readonly_root)
	end)

	it("refuses a rootfs path pct would read as several properties", function()
		local ctx = h.ctx()
		ctx.rootfs = "/b/root,mp=/etc"
		local err = h.refuse(h.spec(), ctx)
		assert.are.equal("rootfs", err.rule)
		assert.matches("cannot be a Proxmox bind mount point", err.msg)
	end)

	it("copies onto the site storage with the site size where the site asks", function()
		local plan = h.translate(h.spec(), h.ctx({ rootfs_mode = "copy", storage = "tank", rootfs_size = 4 }))
		assert.are.equal("tank:4", plan.options.rootfs)
		assert.are.equal("rootfs", plan.origin.rootfs)
	end)

	it("makes the copy read-only for root.readonly, through the init", function()
		local plan = h.translate(h.spec({ root = { path = "rootfs", readonly = true } }),
			h.ctx({ rootfs_mode = "copy", storage = "local" }))
		assert.are.equal("local:8", plan.options.rootfs)
		assert.is_true(plan.process.readonly_root)
	end)

	it("falls back to the documented defaults when the config lacks a key or mistypes it", function()
		local ctx = h.ctx()
		ctx.config = { storage = 5 }
		assert.are.equal("/var/lib/bundles/c1/rootfs", h.translate(h.spec(), ctx).options.rootfs)
		ctx.config = { storage = 5, rootfs_mode = "copy" }
		assert.are.equal("local-lvm:8", h.translate(h.spec(), ctx).options.rootfs)
	end)

	it("copies per bundle with the annotations (rootfs, storage, rootfs-size)", function()
		local s = h.spec({ annotations = { ["org.nexcage.rootfs"] = "copy" } })
		assert.are.equal("local-lvm:8", h.translate(s).options.rootfs)
		s = h.spec({ annotations = { ["org.nexcage.storage"] = "tank" } })
		assert.are.equal("tank:8", h.translate(s).options.rootfs)
		s = h.spec({ annotations = { ["org.nexcage.rootfs"] = "bind" } })
		assert.are.equal("/var/lib/bundles/c1/rootfs", h.translate(s, h.ctx({ rootfs_mode = "copy" })).options.rootfs)
		assert.matches('must be "bind" or "copy"', h.refuse(h.spec({ annotations = { ["org.nexcage.rootfs"] = "move" } })).msg)
	end)

	it("refuses a site storage that is not a storage id", function()
		local err = h.refuse(h.spec(), h.ctx({ rootfs_mode = "copy", storage = "x,mp=/etc" }))
		assert.are.equal("rootfs", err.rule)
		assert.matches("is not a Proxmox storage id", err.msg)
	end)
end)
