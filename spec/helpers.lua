-- Shared by the specs: a realistic spec, a context, translate() with fresh
-- modules (a site override in one spec must not leak into another), and
-- small accessors for the plan.
local M = {}

function M.fresh(name)
	for k in pairs(package.loaded) do
		if k == "translate" or k == "site" or k == "vmid" or k:match("^rules%.") then
			package.loaded[k] = nil
		end
	end
	return require(name)
end

local function copy(v)
	if type(v) ~= "table" then return v end
	local t = {}
	for k, x in pairs(v) do t[k] = copy(x) end
	return t
end
M.copy = copy

-- What `nexcage spec` and containerd produce for an ordinary service: its
-- own pid/ipc/uts/mount namespaces, no network or user namespace.
M.base = {
	ociVersion = "1.3.0",
	hostname = "web",
	root = { path = "rootfs" },
	process = {
		args = { "sh", "-c", "exec httpd -f" },
		env = { "PATH=/bin:/usr/bin", "TERM=xterm" },
		cwd = "/srv",
		user = { uid = 1000, gid = 1000, additionalGids = { 5 } },
	},
	linux = {
		namespaces = { { type = "pid" }, { type = "mount" }, { type = "ipc" }, { type = "uts" }, { type = "cgroup" } },
	},
	mounts = {},
}

-- A fresh copy of the base spec with top-level fields replaced.
function M.spec(overrides)
	local s = copy(M.base)
	for k, v in pairs(overrides or {}) do s[k] = v end
	return s
end

-- A fresh copy of the base spec with linux.* fields replaced (the base
-- namespaces are kept unless given).
function M.linux(fields, extra_namespaces)
	local s = M.spec()
	for k, v in pairs(fields or {}) do s.linux[k] = v end
	for _, t in ipairs(extra_namespaces or {}) do
		s.linux.namespaces[#s.linux.namespaces + 1] = { type = t }
	end
	return s
end

function M.ctx(config)
	local c = { storage = "local-lvm", bridge = "vmbr0", process_mode = "entrypoint", memory_default = 0,
		rootfs_size = 8, pve_version = "9.1", template_storage = "local", node = "pve",
		vmid_min = 100, vmid_max = 999999, rootfs_mode = "bind", network = "empty" }
	for k, v in pairs(config or {}) do c[k] = v end
	return { id = "c1", bundle = "/var/lib/bundles/c1", rootfs = "/var/lib/bundles/c1/rootfs", config = c,
		annotations = {} }
end

function M.translate(spec, ctx)
	return M.fresh("translate").translate(spec, ctx or M.ctx())
end

-- translate() expected to fail: returns the error table {rule=, msg=}.
function M.refuse(spec, ctx)
	local ok, err = pcall(M.translate, spec, ctx)
	assert(not ok, "translate should have failed")
	assert(type(err) == "table", "error should be {rule=, msg=}, got " .. tostring(err))
	return err
end

-- Every value of a raw key, in order.
function M.raw(plan, key)
	local out = {}
	for _, kv in ipairs(plan.lxc) do
		if kv[1] == key then out[#out + 1] = kv[2] end
	end
	return out
end

-- The raw keys, in order, as "key = value" strings.
function M.raw_lines(plan, prefix)
	local out = {}
	for _, kv in ipairs(plan.lxc) do
		if not prefix or kv[1]:sub(1, #prefix) == prefix then out[#out + 1] = kv[1] .. " = " .. kv[2] end
	end
	return out
end

-- A warning containing the plain text, or nil.
function M.warning(plan, text)
	for _, w in ipairs(plan.warnings) do
		if w:find(text, 1, true) then return w end
	end
	return nil
end

function M.read_json(path)
	local f = assert(io.open(path))
	local data = f:read("a")
	f:close()
	return require("cjson").decode(data)
end

return M
