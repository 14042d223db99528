-- The core runs every module in a sandbox: only some globals readable,
-- reading an undefined one is an error, assigning one is an error, no io,
-- os, load, debug. This loads lua/ the same way and translates the
-- runtime-spec example and the busybox bundle through it.
local h = require "helpers"

local allowed = {}
for name in ([[assert error ipairs next pairs pcall xpcall rawequal rawget rawlen rawset select
	setmetatable getmetatable tonumber tostring type _VERSION string table math utf8]]):gmatch("%S+") do
	allowed[name] = _G[name]
end

local function sandbox()
	local loaded = {}
	local env
	local function sandboxed_require(name)
		if loaded[name] ~= nil then return loaded[name] end
		if name == "cjson" then return require("cjson") end
		local path = "lua/" .. name:gsub("%.", "/") .. ".lua"
		local f = assert(io.open(path), "no module " .. name)
		local src = f:read("a")
		f:close()
		local chunk = assert(load(src, "@" .. path, "t", env))
		local result = chunk(name)
		loaded[name] = result == nil and true or result
		return loaded[name]
	end
	local globals = {}
	for k, v in pairs(allowed) do globals[k] = v end
	globals.require = sandboxed_require
	env = setmetatable({}, {
		__index = function(_, k)
			if globals[k] ~= nil then return globals[k] end
			error("read of undefined global '" .. tostring(k) .. "'", 2)
		end,
		__newindex = function(_, k)
			error("assignment to global '" .. tostring(k) .. "'", 2)
		end,
	})
	return sandboxed_require, env
end

describe("the rules in the core's sandbox", function()
	it("translate the full config and the busybox bundle without touching a global", function()
		local req = sandbox()
		local t = req("translate")
		local plan = t.translate(h.read_json("spec/fixtures/full-config.json"), h.ctx())
		assert.are.equal("fixture-host", plan.options.hostname)
		plan = t.translate(h.read_json("examples/busybox/config.json"), h.ctx({ process_mode = "raw" }))
		assert.is_table(plan.process)
		plan = t.translate(h.read_json("spec/fixtures/full-config.json"), h.ctx())
		assert.is_table(plan.process)
	end)

	it("runs the VMID rule", function()
		assert.are.equal(101, sandbox()("vmid").choose({ min = 100, max = 200, used = { [100] = true } }))
	end)

	it("is strict: io, os and undefined globals are errors, so are new globals", function()
		local _, env = sandbox()
		for _, src in ipairs({ "return os.time()", "return io.open('/etc/passwd')", "return undefined_name",
			"x = 1", "return load('return 1')" }) do
			local chunk = assert(load(src, "=probe", "t", env))
			assert.is_false(pcall(chunk), src)
		end
	end)
end)
