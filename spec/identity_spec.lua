local h = require "helpers"

describe("rules.identity", function()
	it("sets hostname and ostype", function()
		local plan = h.translate(h.spec({ hostname = "api-1.example.com" }))
		assert.are.equal("api-1.example.com", plan.options.hostname)
		assert.are.equal("unmanaged", plan.options.ostype)
	end)

	it("refuses invalid DNS names", function()
		for _, bad in ipairs({ "-web", "web-", "we_b", "a..b", string.rep("a", 64) }) do
			local ok, err = pcall(h.translate, h.spec({ hostname = bad }))
			assert.is_false(ok, bad)
			assert.are.equal("identity", err.rule)
		end
	end)

	it("refuses a hostname that would inject a config key", function()
		local ok, err = pcall(h.translate, h.spec({ hostname = "x\nlxc.apparmor.profile: unconfined" }))
		assert.is_false(ok)
		assert.matches("control character", err.msg)
	end)
end)
