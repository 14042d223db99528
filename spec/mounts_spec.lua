local h = require "helpers"

describe("rules.mounts", function()
	it("turns bind mounts into mpN, with ro", function()
		local plan = h.translate(h.spec({ mounts = {
			{ destination = "/data", type = "bind", source = "/srv/data", options = { "rbind", "rw" } },
			{ destination = "/etc/app", source = "/etc/app-conf", options = { "bind", "ro" } },
		} }))
		assert.are.equal("/srv/data,mp=/data", plan.options.mp0)
		assert.are.equal("/etc/app-conf,mp=/etc/app,ro=1", plan.options.mp1)
		assert.are.equal("mounts", plan.origin.mp0)
	end)

	it("leaves the standard kernel filesystems to LXC and makes other tmpfs mounts raw entries", function()
		local plan = h.translate(h.spec({ mounts = {
			{ destination = "/proc", type = "proc", source = "proc" },
			{ destination = "/dev/shm", type = "tmpfs", source = "shm" },
			{ destination = "/run", type = "tmpfs", source = "tmpfs", options = { "nosuid", "mode=755" } },
		} }))
		assert.is_nil(plan.options.mp0)
		assert.are.same({ "tmpfs run tmpfs nosuid,mode=755,create=dir 0 0" }, h.raw(plan, "lxc.mount.entry"))
	end)

	it("refuses unsupported types and injection through paths and options", function()
		local cases = {
			{ destination = "/x", type = "nfs", source = "srv:/x" },
			{ destination = "/x\nlxc.hook.start: /bin/sh", type = "bind", source = "/x" },
			{ destination = "/x", type = "bind", source = "/x,mp=/etc" },
			{ destination = "/x", type = "bind", source = "/srv/../etc" },
			{ destination = "/run", type = "tmpfs", source = "t", options = { "size=1m\nlxc.cap.keep: all" } },
		}
		for _, m in ipairs(cases) do
			local ok, err = pcall(h.translate, h.spec({ mounts = { m } }))
			assert.is_false(ok)
			assert.are.equal("mounts", err.rule)
		end
	end)
end)
