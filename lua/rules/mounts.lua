-- mounts: bind mounts of host paths -> mpN; tmpfs -> raw mount entries;
-- the standard kernel filesystems are LXC's own (left to it).
local util = require "rules.util"
local M = {}

-- What LXC mounts itself in every container.
local lxc_provides = {
	["/proc"] = true, ["/sys"] = true, ["/dev"] = true, ["/dev/pts"] = true,
	["/dev/shm"] = true, ["/dev/mqueue"] = true, ["/sys/fs/cgroup"] = true,
}
local kernel_types = { proc = true, sysfs = true, devpts = true, mqueue = true, cgroup = true, cgroup2 = true }

local function has_option(m, opt)
	for _, o in ipairs(m.options or {}) do
		if o == opt then return true end
	end
	return false
end

local function is_bind(m)
	return m.type == "bind" or has_option(m, "bind") or has_option(m, "rbind")
end

local function clean_path(p, what)
	util.prop(p, what)
	if p:sub(1, 1) ~= "/" then
		error(what .. ": must be an absolute path", 0)
	end
	if ("/" .. p .. "/"):find("/%.%.?/") then
		error(what .. ": must not contain . or .. components", 0)
	end
	if p:find("%s") then
		error(what .. ": must not contain white space", 0)
	end
	return p
end

function M.apply(spec, ctx, plan)
	local n = 0
	for i, m in ipairs(spec.mounts or {}) do
		local what = "mounts[" .. (i - 1) .. "]"
		local dest = clean_path(m.destination, what .. ".destination")
		if is_bind(m) then
			local src = clean_path(m.source or "", what .. ".source")
			local value = src .. ",mp=" .. dest
			if has_option(m, "ro") then value = value .. ",ro=1" end
			util.set(plan, "mp" .. n, value)
			n = n + 1
		elseif lxc_provides[dest] or kernel_types[m.type] then
			-- LXC mounts these itself, the way every Proxmox CT has them.
		elseif m.type == "tmpfs" then
			local opts = {}
			for _, o in ipairs(m.options or {}) do
				opts[#opts + 1] = util.prop(o, what .. ".options")
			end
			opts[#opts + 1] = "create=dir"
			util.raw(plan, "lxc.mount.entry",
				string.format("tmpfs %s tmpfs %s 0 0", dest:sub(2), table.concat(opts, ",")))
		else
			error(string.format("%s: mount type %q is not supported on Proxmox (bind and tmpfs are)",
				what, tostring(m.type)), 0)
		end
	end
end

return M
