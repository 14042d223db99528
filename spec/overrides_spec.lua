-- The example site overrides in examples/overrides, loaded as a site would.
local h = require "helpers"

local function site(file)
	local chunk = assert(loadfile("examples/overrides/" .. file))
	return chunk()
end

local function translate_with(file, spec, ctx)
	h.fresh("translate")
	package.loaded["site"] = site(file)
	return pcall(require("translate").translate, spec, ctx or h.ctx())
end

describe("examples/overrides", function()
	after_each(function() package.loaded["site"] = nil end)

	describe("storage_bridge.lua", function()
		it("picks storage and bridge by tier, keeping size and the read-only root", function()
			local s = h.linux({}, { "network" })
			s.annotations = { ["com.example.tier"] = "gold" }
			s.root.readonly = true
			local ok, plan = translate_with("storage_bridge.lua", s, h.ctx({ rootfs_size = 16 }))
			assert.is_true(ok)
			assert.are.equal("nvme-pool:16", plan.options.rootfs)
			assert.is_true(plan.process.readonly_root)
			assert.are.equal("name=eth0,bridge=vmbr10,ip=dhcp", plan.options.net0)
			assert.are.equal("tier", plan.origin.rootfs)
			assert.are.equal("tier", plan.origin.net0)
		end)

		it("keeps a CT on the host's network there", function()
			local ok, plan = translate_with("storage_bridge.lua", h.spec({ annotations = { ["com.example.tier"] = "bronze" } }))
			assert.is_true(ok)
			assert.are.equal("hdd-pool:8", plan.options.rootfs)
			assert.is_nil(plan.options.net0)
		end)

		it("changes nothing without the annotation and refuses unknown tiers", function()
			local ok, plan = translate_with("storage_bridge.lua", h.spec())
			assert.is_true(ok)
			assert.are.equal("/var/lib/bundles/c1/rootfs", plan.options.rootfs)
			local err
			ok, err = translate_with("storage_bridge.lua", h.spec({ annotations = { ["com.example.tier"] = "tin" } }))
			assert.is_false(ok)
			assert.are.same({ rule = "tier", msg = "unknown tier 'tin' (gold or bronze)" }, { rule = err.rule, msg = err.msg })
		end)
	end)

	describe("image_tags.lua", function()
		it("turns every image label into a tag, after the default annotations rule", function()
			local ok, plan = translate_with("image_tags.lua", h.spec({ annotations = {
				["org.opencontainers.image.version"] = "1.2",
				["org.opencontainers.image.licenses"] = "MIT",
				["org.opencontainers.image.title"] = "Web",
				["org.nexcage.storage"] = "tank",
			} }))
			assert.is_true(ok)
			assert.are.equal("licenses-mit;title-web;version-1.2", plan.options.tags)
			assert.are.equal("tank:8", plan.options.rootfs)
			assert.are.equal("Web\nversion: 1.2\nlicenses: MIT", plan.options.description)
		end)

		it("still refuses a label with a control character (the default rule runs first)", function()
			local ok, err = translate_with("image_tags.lua",
				h.spec({ annotations = { ["org.opencontainers.image.version"] = "1\nlxc.x: y" } }))
			assert.is_false(ok)
			assert.are.equal("annotations", err.rule)
		end)
	end)

	describe("vmid_by_tenant.lua", function()
		it("allocates inside the tenant's block", function()
			local vmid = site("vmid_by_tenant.lua")
			assert.are.equal(20001, vmid.choose({ min = 100, max = 999999, used = { [20000] = true },
				annotations = { ["com.example.tenant"] = "b" } }))
			assert.are.equal(10000, vmid.choose({ min = 100, max = 999999, used = {},
				annotations = { ["com.example.tenant"] = "a" } }))
		end)

		it("refuses a missing tenant and a full block", function()
			local vmid = site("vmid_by_tenant.lua")
			assert.has_error(function() vmid.choose({ min = 100, max = 999999, used = {}, annotations = {} }) end,
				"annotation com.example.tenant must name a tenant (a or b)")
			assert.has_error(function() vmid.choose({ min = 100, max = 10001, used = { [10000] = true, [10001] = true },
				annotations = { ["com.example.tenant"] = "a" } }) end, "tenant a has no free VMID left")
		end)
	end)
end)
