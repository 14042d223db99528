-- The root disk: `rootfs: <storage>:<size GiB>[,ro=1]`, from the site's
-- storage and rootfs_size (the annotations org.nexcage.storage and
-- org.nexcage.rootfs-size change them, see rules.annotations). The image's
-- files reach the disk through the template archive the core builds from
-- the bundle's rootfs (stored on config.template_storage).
local util = require "rules.util"
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

function M.value(storage, size, readonly)
	return string.format("%s:%d", storage, size) .. (readonly and ",ro=1" or "")
end

-- The parts of a rootfs value this rule wrote, for rules that change one.
function M.parse(value)
	local storage, size, rest = tostring(value or ""):match("^([^:,]+):(%d+)(.*)$")
	return storage, tonumber(size), rest == ",ro=1"
end

function M.apply(spec, ctx, plan)
	local storage = M.storage(util.config(ctx, "storage"), "config storage")
	local size = M.size(util.config(ctx, "rootfs_size"), "config rootfs_size")
	local root = util.opt_table(spec.root) or {}
	util.set(plan, "rootfs", M.value(storage, size, root.readonly == true))
end

return M
