-- The example site overrides in examples/overrides, loaded as a site would.
local h = require "helpers"

local function site(file)
	local chunk = assert(loadfile("examples/overrides/" .. file))
	return chunk()
end

describe("examples/overrides", function()
	after_each(function() package.loaded["site"] = nil end)

	it("storage_bridge picks storage and bridge by tier", function()
		h.fresh("translate")
		package.loaded["site"] = site("storage_bridge.lua")
		local t = require "translate"
		local plan = t.translate(h.spec({ annotations = { ["com.example.tier"] = "gold" } }), h.ctx())
		assert.are.equal("nvme-pool:8", plan.options.rootfs)
		assert.are.equal("name=eth0,bridge=vmbr10,ip=dhcp", plan.options.net0)
		local ok, err = pcall(t.translate, h.spec({ annotations = { ["com.example.tier"] = "tin" } }), h.ctx())
		assert.is_false(ok)
		assert.are.same({ rule = "tier", msg = "unknown tier 'tin' (gold or bronze)" }, err)
	end)

	it("image_tags turns image labels into tags", function()
		h.fresh("translate")
		package.loaded["site"] = site("image_tags.lua")
		local plan = require("translate").translate(h.spec({ annotations = {
			["org.opencontainers.image.version"] = "1.2",
			["org.opencontainers.image.licenses"] = "MIT",
		} }), h.ctx())
		assert.are.equal("licenses-mit;version-1.2", plan.options.tags)
	end)

	it("vmid_by_tenant allocates inside the tenant's block", function()
		local vmid = site("vmid_by_tenant.lua")
		assert.are.equal(20001, vmid.choose({ min = 100, max = 999999, used = { [20000] = true },
			annotations = { ["com.example.tenant"] = "b" } }))
		assert.has_error(function() vmid.choose({ min = 100, max = 999999, used = {}, annotations = {} }) end,
			"annotation com.example.tenant must name a tenant (a or b)")
	end)
end)
