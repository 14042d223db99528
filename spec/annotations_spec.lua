local h = require "helpers"

describe("rules.annotations", function()
	it("turns image title/description/source into the description and vendor/version into tags", function()
		local plan = h.translate(h.spec({ annotations = {
			["org.opencontainers.image.title"] = "Web server",
			["org.opencontainers.image.description"] = "Serves\nthings",
			["org.opencontainers.image.source"] = "https://example.com/web",
			["org.opencontainers.image.vendor"] = "Example Corp",
			["org.opencontainers.image.version"] = "2.4.1",
		} }))
		assert.are.equal("Web server\nServes things\nsource: https://example.com/web", plan.options.description)
		assert.are.equal("example-corp;2.4.1", plan.options.tags)
	end)

	it("applies the org.nexcage namespace: net0, onboot, cores, tags", function()
		local plan = h.translate(h.spec({ annotations = {
			["org.nexcage.net0"] = "name=eth0,bridge=vmbr2,ip=10.0.0.5/24,gw=10.0.0.1",
			["org.nexcage.onboot"] = "true",
			["org.nexcage.cores"] = "4",
			["org.nexcage.tags"] = "prod, Web",
		} }))
		assert.are.equal("name=eth0,bridge=vmbr2,ip=10.0.0.5/24,gw=10.0.0.1", plan.options.net0)
		assert.are.equal(1, plan.options.onboot)
		assert.are.equal(4, plan.options.cores)
		assert.are.equal("prod;web", plan.options.tags)
	end)

	it("refuses annotations that would inject config keys or are out of range", function()
		for key, value in pairs({
			["org.nexcage.net0"] = "name=eth0\nlxc.apparmor.profile: unconfined",
			["org.opencontainers.image.title"] = "x\rlxc.cap.keep: all",
			["org.nexcage.cores"] = "0",
			["org.nexcage.onboot"] = "maybe",
		}) do
			local ok, err = pcall(h.translate, h.spec({ annotations = { [key] = value } }))
			assert.is_false(ok, key)
			assert.are.equal("annotations", err.rule)
		end
	end)

	it("ignores unknown annotations", function()
		local plan = h.translate(h.spec({ annotations = { ["com.example.anything"] = "x\ny" } }))
		assert.is_nil(plan.options.description)
	end)
end)
