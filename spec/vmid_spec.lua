local h = require "helpers"

describe("vmid.choose", function()
	it("returns the lowest free id in the range", function()
		local vmid = h.fresh("vmid")
		assert.are.equal(100, vmid.choose({ min = 100, max = 200, used = {} }))
		assert.are.equal(102, vmid.choose({ min = 100, max = 200, used = { [100] = true, [101] = true } }))
	end)

	it("fails when the range is full", function()
		local vmid = h.fresh("vmid")
		assert.has_error(function() vmid.choose({ min = 100, max = 101, used = { [100] = true, [101] = true } }) end,
			"no free VMID between 100 and 101")
	end)
end)
