local h = require "helpers"

describe("translate", function()
	it("runs the default rules in order over a fresh plan", function()
		local t = h.fresh("translate")
		assert.are.same({ "identity", "process", "resources", "namespaces", "mounts", "security",
			"devices", "rootfs", "annotations" }, t.rules().order())
		local plan = t.translate(h.spec(), h.ctx())
		assert.are.equal("web", plan.options.hostname)
		assert.are.equal("identity", plan.origin.hostname)
		assert.is_nil(plan.current_rule)
	end)

	it("names the rule that failed", function()
		local ok, err = pcall(h.translate, h.spec({ hostname = "bad_name!" }))
		assert.is_false(ok)
		assert.are.equal("identity", err.rule)
		assert.matches("not a valid DNS name", err.msg)
	end)

	it("translates a full config (every section of the runtime-spec example) without error", function()
		local f = assert(io.open("spec/fixtures/full-config.json"))
		local spec = require("cjson").decode(f:read("a"))
		f:close()
		local plan = h.translate(spec)
		assert.are.equal("fixture-host", plan.options.hostname)
		assert.is_table(plan.process)
	end)
end)

describe("site edits through the rule registry", function()
	it("adds, replaces, reorders and drops single rules", function()
		local reg = require("rules.registry").new()
		local f = function() end
		reg.add("a", f)
		reg.add("c", f)
		reg.add("b", f, { after = "a" })
		reg.add("first", f, { before = "a" })
		reg.drop("c")
		reg.replace("b", function() end)
		assert.are.same({ "first", "a", "b" }, reg.order())
		assert.has_error(function() reg.add("a", f) end)
		assert.has_error(function() reg.drop("missing") end)
	end)

	it("applies a site module to the defaults", function()
		h.fresh("translate")
		package.loaded["site"] = function(rules)
			rules.drop("devices")
			rules.add("stamp", function(spec, ctx, plan) plan.options.tags = "stamped" end,
				{ after = "annotations" })
		end
		local t = require "translate"
		assert.are.same("stamp", t.rules().order()[9])
		local plan = t.translate(h.spec(), h.ctx())
		assert.are.equal("stamped", plan.options.tags)
		package.loaded["site"] = nil
	end)
end)
