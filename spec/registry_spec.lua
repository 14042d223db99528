local h = require "helpers"

describe("nexcage.registry (site edits)", function()
	local f = function() end

	it("adds, replaces, reorders and drops single rules", function()
		local reg = require("nexcage.registry").new()
		reg.add("a", f)
		reg.add("c", f)
		reg.add("b", f, { after = "a" })
		reg.add("first", f, { before = "a" })
		reg.drop("c")
		local g = function() end
		reg.replace("b", g)
		assert.are.same({ "first", "a", "b" }, reg.order())
		assert.are.equal(g, reg.get("b"))
	end)

	it("refuses misuse with errors that say what is wrong", function()
		local reg = require("nexcage.registry").new()
		reg.add("a", f)
		assert.has_error(function() reg.add("a", f) end, "rule 'a' already exists (use replace)")
		assert.has_error(function() reg.drop("missing") end)
		assert.has_error(function() reg.add("x", "notafunction") end)
		assert.has_error(function() reg.add("x", f, { before = "a", after = "a" }) end)
		assert.has_error(function() reg.add("bad name", f) end)
		assert.has_error(function() reg.replace("a", 5) end)
		local ok, err = pcall(reg.get, "zz")
		assert.is_false(ok)
		assert.matches("no rule 'zz' to get %(rules: a%)", err)
	end)

	it("applies a site module to the defaults: a default wrapped with get, one added, one dropped", function()
		h.fresh("translate")
		package.loaded["site"] = function(rules)
			rules.drop("devices")
			local base = rules.get("identity")
			rules.replace("identity", function(spec, ctx, plan)
				base(spec, ctx, plan)
				plan.options.hostname = plan.options.hostname .. ".example.org"
			end)
			rules.add("stamp", function(spec, ctx, plan) plan.options.tags = "stamped" end, { after = "annotations" })
		end
		local t = require "translate"
		local order = t.rules().order()
		assert.are.equal("stamp", order[#order])
		local plan = t.translate(h.linux({ devices = { { path = "/dev/fuse" } } }), h.ctx())
		package.loaded["site"] = nil
		assert.are.equal("stamped", plan.options.tags)
		assert.are.equal("web.example.org", plan.options.hostname)
		assert.is_nil(plan.options.dev0)
	end)
end)
