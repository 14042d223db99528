local util = require "nexcage.util"

describe("nexcage.util", function()
	it("refuses control characters, including DEL and NUL", function()
		for _, bad in ipairs({ "a\nb", "a\rb", "a\0b", "a\27[0m", "a\127", "a\tb" }) do
			assert.has_error(function() util.clean(bad, "v") end)
		end
		assert.are.equal("ünïcode ok", util.clean("ünïcode ok", "v"))
	end)

	it("converts bytes to MiB rounding up", function()
		assert.are.equal(1, util.mib(1))
		assert.are.equal(1, util.mib(1048576))
		assert.are.equal(2, util.mib(1048577))
		assert.are.equal("integer", math.type(util.mib(268435456.0))) -- cjson may hand over floats
	end)

	it("takes whole numbers from floats cjson decodes, and prints large ones exactly", function()
		assert.are.equal(5, util.int(5.0, "v"))
		assert.has_error(function() util.int(5.5, "v") end, "v: must be a whole number (got 5.5)")
		assert.has_error(function() util.int(1, "v", 2) end, "v: must be at least 2 (got 1)")
		assert.are.equal("18446744073709551616", util.udec(2.0 ^ 64))
		assert.are.equal("42", util.udec(42))
	end)

	it("reads the site config defensively", function()
		assert.are.equal("vmbr0", util.config({ config = { bridge = 3 } }, "bridge"))
		assert.are.equal("vmbr9", util.config({ config = { bridge = "vmbr9" } }, "bridge"))
		assert.are.equal(0, util.config({}, "memory_default"))
	end)

	it("compares Proxmox versions numerically", function()
		assert.is_true(util.version_at_least("9.1", "9.1"))
		assert.is_true(util.version_at_least("10.0", "9.1"))
		assert.is_true(util.version_at_least("9.1.2", "9.1"))
		assert.is_false(util.version_at_least("8.4", "9.1"))
		assert.is_false(util.version_at_least("9", "9.1"))
	end)
end)
