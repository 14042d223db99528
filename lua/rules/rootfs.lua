-- The root disk. By default the bundle's rootfs is used in place, as runc
-- uses it: `rootfs: <root.path>[,ro=1]`, a bind mount point that Proxmox
-- never deletes, so engines see what the program writes and create costs
-- the same for any image size. A site that wants Proxmox to own the disk
-- (backup, migration) sets config rootfs_mode = "copy" (or a bundle the
-- annotation org.nexcage.rootfs = "copy"): then `rootfs:
-- <storage>:<size GiB>[,ro=1]` from the site's storage and rootfs_size
-- (org.nexcage.storage and org.nexcage.rootfs-size change them and imply a
-- copy, see rules.annotations), filled from a template archive the core
-- builds from the bundle's rootfs.
local util = require "nexcage.util"
local M = {}

-- pve-storage's storage id: [a-z][a-z0-9\-\_\.]*[a-z0-9], case-insensitive.
function M.storage(name, what)
	util.clean(name, what)
	if not (name:match("^%a[%w%-_.]*%w$") or name:match("^%a$")) then
		error(what .. ": " .. string.format("%q", name) .. " is not a Proxmox storage id", 0)
	end
	return name
end

function M.size(v, what)
	local n = type(v) == "string" and tonumber(v) or v
	n = type(n) == "number" and math.tointeger(n) or nil
	if not n or n < 0 or n > 131072 then
		error(what .. ": must be a whole number of GiB between 0 and 131072 (got " .. tostring(v) .. ")", 0)
	end
	return n
end

-- The bundle's rootfs as a bind mount point: pct parses the value as a
-- property string, so the path may not carry its separators.
function M.bind_value(path, readonly, what)
	util.clean(path, what)
	if path:sub(1, 1) ~= "/" or path:find("[,;=%s]") then
		error(what .. ": " .. string.format("%q", path) .. " cannot be a Proxmox bind mount point "
			.. "(',', ';', '=' or whitespace in the path); use rootfs_mode \"copy\"", 0)
	end
	return path .. (readonly and ",ro=1" or "")
end

function M.is_bind(value)
	return type(value) == "string" and value:sub(1, 1) == "/"
end

function M.value(storage, size, readonly)
	return string.format("%s:%d", storage, size) .. (readonly and ",ro=1" or "")
end

-- The parts of a rootfs value this rule wrote, for rules that change one.
function M.parse(value)
	if M.is_bind(value) then return nil, nil, value:sub(-5) == ",ro=1" end
	local storage, size, rest = tostring(value or ""):match("^([^:,]+):(%d+)(.*)$")
	return storage, tonumber(size), rest == ",ro=1"
end

function M.mode(v, what)
	if v ~= "bind" and v ~= "copy" then
		error(what .. ": must be \"bind\" or \"copy\" (got " .. string.format("%q", tostring(v)) .. ")", 0)
	end
	return v
end

-- root.readonly is applied by nexcage-init, which remounts / read-only
-- once the CT is finished, as runc does: Proxmox's ro=1 makes the root
-- read-only before LXC's mount entries, which then cannot create their
-- mount points (Podman's /run/.containerenv, /etc/hosts in an image
-- without one).
function M.apply(spec, ctx, plan)
	local root = util.opt_table(spec.root) or {}
	if root.readonly == true and plan.process then plan.process.readonly_root = true end
	if M.mode(util.config(ctx, "rootfs_mode"), "config rootfs_mode") == "bind" then
		util.set(plan, "rootfs", M.bind_value(ctx.rootfs, false, "root.path"))
		return
	end
	M.copy(spec, ctx, plan)
end

function M.copy(spec, ctx, plan)
	local storage = M.storage(util.config(ctx, "storage"), "config storage")
	local size = M.size(util.config(ctx, "rootfs_size"), "config rootfs_size")
	util.set(plan, "rootfs", M.value(storage, size, false))
end

return M
