local h = require "helpers"

describe("vmid.choose", function()
	it("returns the lowest free id in the range", function()
		local vmid = h.fresh("vmid")
		assert.are.equal(100, vmid.choose({ id = "a", min = 100, max = 200, used = {}, attempt = 1 }))
		assert.are.equal(102, vmid.choose({ id = "a", min = 100, max = 200, used = { [100] = true, [101] = true },
			attempt = 1 }))
	end)

	it("skips an id pct refused on an earlier attempt (the core adds it to used)", function()
		local vmid = h.fresh("vmid")
		assert.are.equal(101, vmid.choose({ min = 100, max = 200, used = { [100] = true }, attempt = 2 }))
	end)

	it("fails when the range is full or broken", function()
		local vmid = h.fresh("vmid")
		assert.has_error(function() vmid.choose({ min = 100, max = 101, used = { [100] = true, [101] = true } }) end,
			"no free VMID between 100 and 101")
		assert.has_error(function() vmid.choose({ min = 300, max = 200, used = {} }) end, "vmid rule: bad range 300-200")
	end)

	it("honours org.nexcage.vmid inside the range when free", function()
		local vmid = h.fresh("vmid")
		local ann = { ["org.nexcage.vmid"] = "4242" }
		assert.are.equal(4242, vmid.choose({ min = 100, max = 999999, used = {}, annotations = ann }))
		assert.has_error(function() vmid.choose({ min = 100, max = 999999, used = { [4242] = true }, annotations = ann }) end,
			"annotation org.nexcage.vmid: VMID 4242 is already in use")
		assert.has_error(function() vmid.choose({ min = 5000, max = 6000, used = {}, annotations = ann }) end,
			"annotation org.nexcage.vmid: 4242 is outside the VMID range 5000-6000")
		assert.has_error(function() vmid.choose({ min = 100, max = 999, used = {}, annotations = { ["org.nexcage.vmid"] = "x" } }) end,
			"annotation org.nexcage.vmid: not a whole number: x")
	end)
end)
