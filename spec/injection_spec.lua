-- Every way a bundle's text reaches the Proxmox config, tried with a value
-- that would end the `key: value` line and start a raw key of its own. Each
-- must be refused by the rule that reads it, never passed through.
local h = require "helpers"

local INJ = "x\nlxc.apparmor.profile: unconfined"

local cases = {
	{ "hostname", "identity", function(s) s.hostname = INJ end },
	{ "process.cwd", "process", function(s) s.process.cwd = "/" .. INJ end },
	{ "process.apparmorProfile", "security", function(s) s.process.apparmorProfile = INJ end },
	{ "process.capabilities", "security", function(s) s.process.capabilities = { bounding = { "CAP_" .. INJ } } end },
	{ "process.rlimits type", "security", function(s) s.process.rlimits = { { type = "RLIMIT_" .. INJ, soft = 1, hard = 1 } } end },
	{ "mounts destination", "mounts", function(s) s.mounts = { { destination = "/" .. INJ, type = "tmpfs", source = "t" } } end },
	{ "mounts source", "mounts", function(s) s.mounts = { { destination = "/d", type = "bind", source = "/" .. INJ } } end },
	{ "mounts options", "mounts", function(s) s.mounts = { { destination = "/d", type = "tmpfs", source = "t", options = { INJ } } } end },
	{ "mounts type", "mounts", function(s) s.mounts = { { destination = "/d", type = INJ, source = "t" } } end },
	{ "linux.sysctl value", "sysctl", function(s) s.linux.sysctl = { ["kernel.sem"] = INJ } end },
	{ "linux.sysctl key", "sysctl", function(s) s.linux.sysctl = { [INJ] = "1" } end },
	{ "linux.devices path", "devices", function(s) s.linux.devices = { { path = "/dev/" .. INJ } } end },
	{ "linux.maskedPaths", "security", function(s) s.linux.maskedPaths = { "/proc/" .. INJ } end },
	{ "linux.resources.cpu.cpus", "resources", function(s) s.linux.resources = { cpu = { cpus = INJ } } end },
	{ "linux.resources.unified", "resources", function(s) s.linux.resources = { unified = { ["memory.high"] = INJ } } end },
	{ "linux.resources.hugepageLimits", "resources", function(s) s.linux.resources = { hugepageLimits = { { pageSize = INJ, limit = 1 } } } end },
	{ "image title annotation", "annotations", function(s) s.annotations = { ["org.opencontainers.image.title"] = "a\rlxc.x: y" } end },
	{ "image source annotation", "annotations", function(s) s.annotations = { ["org.opencontainers.image.source"] = INJ } end },
	{ "org.nexcage.net0", "annotations", function(s) s.annotations = { ["org.nexcage.net0"] = "name=eth0\nlxc.apparmor.profile: unconfined" } end },
	{ "org.nexcage.tags", "annotations", function(s) s.annotations = { ["org.nexcage.tags"] = INJ } end },
	{ "org.nexcage.storage", "annotations", function(s) s.annotations = { ["org.nexcage.storage"] = INJ } end },
	{ "org.nexcage.bridge", "annotations", function(s) s.annotations = { ["org.nexcage.bridge"] = INJ } end },
}

describe("injection through the bundle", function()
	for _, c in ipairs(cases) do
		it("is refused through " .. c[1], function()
			local s = h.linux({}, { "network" })
			c[3](s)
			local err = h.refuse(s)
			assert.are.equal(c[2], err.rule)
			assert.matches("control character", err.msg)
		end)
	end

	-- args and env reach only the init's NUL-separated process file: a
	-- newline there is a multi-line script, never a config line.
	it("cannot reach a config line through process.args or process.env", function()
		local s = h.linux({}, { "network" })
		s.process.args = { "sh", "-c", INJ }
		s.process.env = { "A=" .. INJ, INJ .. "=1", "B=ok" }
		local plan = h.translate(s)
		assert.are.same({ "sh", "-c", INJ }, plan.process.args)
		assert.are.same({ "A=" .. INJ, INJ .. "=1", "B=ok" }, plan.process.env)
		assert.is_nil(plan.options.entrypoint)
		for _, kv in ipairs(plan.lxc) do
			assert.is_nil(kv[2]:find("%c"), kv[1] .. " = " .. kv[2])
		end
		assert.are.same({ "lxc.environment.runtime = B=ok" }, h.raw_lines(plan, "lxc.environment"))
	end)

	it("is refused through the site config (storage, bridge)", function()
		assert.matches("control character", h.refuse(h.spec(), h.ctx({ rootfs_mode = "copy", storage = INJ })).msg)
		assert.matches("control character",
			h.refuse(h.linux({}, { "network" }), h.ctx({ network = "bridge", bridge = INJ })).msg)
	end)

	it("cannot add property-string items through commas", function()
		local s = h.spec({ mounts = { { destination = "/d", type = "bind", source = "/srv,mp=/etc,ro=0" } } })
		assert.are.equal("mounts", h.refuse(s).rule)
		s = h.linux({ devices = { { path = "/dev/null,path=/dev/sda" } } })
		assert.are.equal("devices", h.refuse(s).rule)
	end)
end)
