-- Shared by the specs: a realistic spec, a context, and translate() with
-- fresh modules (site overrides in one spec must not leak into another).
local M = {}

function M.fresh(name)
	for k in pairs(package.loaded) do
		if k == "translate" or k == "site" or k == "vmid" or k:match("^rules%.") then
			package.loaded[k] = nil
		end
	end
	return require(name)
end

function M.spec(overrides)
	local s = {
		ociVersion = "1.3.0",
		hostname = "web",
		root = { path = "rootfs" },
		process = {
			args = { "sh", "-c", "exec httpd -f" },
			env = { "PATH=/bin:/usr/bin", "TERM=xterm" },
			cwd = "/srv",
			user = { uid = 1000, gid = 1000, additionalGids = { 5 } },
		},
		linux = { namespaces = { { type = "pid" }, { type = "mount" }, { type = "ipc" }, { type = "uts" } } },
		mounts = {},
	}
	for k, v in pairs(overrides or {}) do s[k] = v end
	return s
end

function M.ctx(config)
	local c = { storage = "local-lvm", bridge = "vmbr0", process_mode = "entrypoint", memory_default = 512,
		rootfs_size = 8 }
	for k, v in pairs(config or {}) do c[k] = v end
	return { id = "c1", bundle = "/b", rootfs = "/b/rootfs", config = c, annotations = {} }
end

function M.translate(spec, ctx)
	return M.fresh("translate").translate(spec, ctx or M.ctx())
end

function M.raw(plan, key)
	local out = {}
	for _, kv in ipairs(plan.lxc) do
		if kv[1] == key then out[#out + 1] = kv[2] end
	end
	return out
end

return M
