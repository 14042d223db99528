local h = require "helpers"

describe("rules.identity", function()
	it("sets hostname, ostype unmanaged and the console mode", function()
		local plan = h.translate(h.spec({ hostname = "api-1.example.com" }))
		assert.are.equal("api-1.example.com", plan.options.hostname)
		assert.are.equal("unmanaged", plan.options.ostype)
		assert.are.equal("console", plan.options.cmode)
		assert.are.equal("identity", plan.origin.hostname)
		assert.are.same({}, plan.warnings)
	end)

	it("leaves the hostname to Proxmox (CT<vmid>) when the spec has none", function()
		local s = h.spec()
		s.hostname = nil
		assert.is_nil(h.translate(s).options.hostname)
	end)

	it("treats JSON null as absent", function()
		local s = h.spec()
		s.hostname = require("cjson").null
		assert.is_nil(h.translate(s).options.hostname)
	end)

	it("accepts the longest valid names", function()
		local label = string.rep("a", 63)
		local name = label .. "." .. label .. "." .. label .. "." .. string.rep("b", 63)
		assert.are.equal(255, #name)
		assert.are.equal(name, h.translate(h.spec({ hostname = name })).options.hostname)
	end)

	it("refuses invalid DNS names with a clear error", function()
		for _, bad in ipairs({ "", "-web", "web-", "we_b", "a..b", ".a", "a.", "web server", string.rep("a", 64),
			string.rep("a.", 127) .. "ab" }) do
			local err = h.refuse(h.spec({ hostname = bad }))
			assert.are.equal("identity", err.rule, bad)
			assert.matches("is not a valid DNS name", err.msg)
		end
		assert.matches("must be a string", h.refuse(h.spec({ hostname = 42 })).msg)
	end)

	it("refuses a hostname that would inject a config key", function()
		for _, bad in ipairs({ "x\nlxc.apparmor.profile: unconfined", "x\rlxc.cap.keep: all", "x\0y" }) do
			local err = h.refuse(h.spec({ hostname = bad }))
			assert.are.equal("identity", err.rule)
			assert.matches("control character", err.msg)
		end
	end)

	it("warns for domainname", function()
		local s = h.spec({ domainname = "example.org" })
		local plan = h.translate(s)
		assert.are.equal("web", plan.options.hostname)
		assert.truthy(h.warning(plan, "domainname: not applied"))
	end)

	it("refuses the sections of other platforms (VM-based, Windows, Solaris, z/OS, FreeBSD), first", function()
		for _, other in ipairs({ "vm", "windows", "solaris", "zos", "freebsd" }) do
			local s = h.spec({ [other] = {} })
			s.linux.namespaces = {} -- more refusals, reported after this one
			local err = h.refuse(s)
			assert.are.equal("identity", err.rule)
			assert.matches("^" .. other .. ": a " .. other .. " configuration cannot run", err.msg)
			assert.are.equal("namespaces", err.errors[2].rule)
		end
	end)
end)
