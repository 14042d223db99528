-- mounts -> Proxmox mount points and raw LXC mount entries:
--   bind/rbind of a host directory -> mpN: <source>,mp=<dest>[,ro=1][,mountoptions=...]
--   bind of a file (the host says so, or a well-known one: /etc/hosts, ...)
--     -> lxc.mount.entry ... create=file (a Proxmox mount point is a
--     directory); bind under /dev, /proc, /sys ->
--     lxc.mount.entry ... create=dir (LXC mounts those over Proxmox's mount points)
--   tmpfs, mqueue -> lxc.mount.entry (LXC mounts neither /dev/shm nor /dev/mqueue)
--   proc, sysfs, cgroup at their usual place -> lxc.mount.auto as the config
--     asks (read-only or not); devpts, tmpfs on /dev -> nothing: LXC mounts
--     them in every CT (autodev, devpts)
--   anything else -> error
--   anything at or below /dev/.nexcage -> error: nexcage-init's directory
local util = require "nexcage.util"
local M = {}

-- Where the core mounts nexcage-init's directory, in the CT's /dev
-- (src/init/protocol.h, NX_INIT_DIR): a mount there would hide it from
-- create, start and exec.
M.init_dir = "/dev/.nexcage"

local function refuse_init_dir(dest, what)
	if dest == M.init_dir or dest:sub(1, #M.init_dir + 1) == M.init_dir .. "/" then
		error(string.format("%s.destination: %s is reserved: nexcage-init's directory is mounted at %s",
			what, dest, M.init_dir), 0)
	end
end

-- The host's view of a bind source (nexcage.stat); absent outside nexcage
-- (busted), where every source counts as a directory.
local has_nx, nx = pcall(require, "nexcage")
function M.source_type(path)
	if not has_nx or type(nx) ~= "table" or type(nx.stat) ~= "function" then return nil end
	return (nx.stat(path))
end

-- What LXC itself mounts, by destination and the types it uses there.
local lxc_provides = {
	["/proc"] = { proc = true },
	["/sys"] = { sysfs = true },
	["/dev"] = { tmpfs = true, devtmpfs = true },
	["/dev/pts"] = { devpts = true },
	["/sys/fs/cgroup"] = { cgroup = true, cgroup2 = true },
}

-- Files container engines bind into every container (Podman, containerd,
-- CRI-O, Kubernetes). The rules cannot stat the host, so a bind of one of
-- these is mounted as a file; every other bind is a directory.
M.file_destinations = {
	["/etc/hosts"] = true, ["/etc/hostname"] = true, ["/etc/resolv.conf"] = true,
	["/run/.containerenv"] = true, ["/.dockerenv"] = true, ["/dev/termination-log"] = true,
	["/etc/localtime"] = true, ["/etc/timezone"] = true,
}

-- Mount options Proxmox's mountoptions key takes (pve-container).
local pve_mountoptions = { noatime = true, nodev = true, nosuid = true, noexec = true, lazytime = true }
-- Options that only say how to bind or propagate: nothing to carry.
local bind_noise = {
	bind = true, rbind = true, rw = true, ro = true, private = true, rprivate = true, shared = true,
	rshared = true, slave = true, rslave = true, unbindable = true, runbindable = true,
	relatime = true, norelatime = true, strictatime = true, nostrictatime = true,
	atime = true, diratime = true, nodiratime = true, dev = true, suid = true, exec = true,
	async = true, sync = true, defaults = true, z = true, Z = true,
	-- runc/crun-specific idmap and copy-up options
	idmap = true, ridmap = true, tmpcopyup = true, notmpcopyup = true, copy = true, nocopy = true,
}

-- Each option is one word: "ro,nosuid" or "ro " as one entry is not an
-- option Proxmox or LXC knows, and dropping it would turn a read-only
-- mount read-write.
local function options(m, what)
	local out = {}
	for i, o in ipairs(util.list(m.options)) do
		local w = what .. ".options[" .. (i - 1) .. "]"
		out[i] = util.word(o, w)
		if o:find(",", 1, true) then
			error(w .. ": must not contain ',' (give each option on its own)", 0)
		end
	end
	return out
end

local function has(opts, name)
	for _, o in ipairs(opts) do
		if o == name then return true end
	end
	return false
end

-- A path as pve-container and LXC accept it: absolute, no . or ..
-- components, nothing that would split a property string or an fstab line.
function M.path(p, what)
	util.clean(p, what)
	if p:sub(1, 1) ~= "/" then
		error(what .. ": must be an absolute path", 0)
	end
	if (p .. "/"):find("/%.%.?/") then
		error(what .. ": must not contain . or .. components", 0)
	end
	if p:find("[%s,]") then
		error(what .. ": must not contain white space or ',' (" .. string.format("%q", p) .. ")", 0)
	end
	p = p:gsub("/+", "/")
	if #p > 1 then p = p:gsub("/$", "") end
	return p
end

-- OCI: a relative bind source is relative to the bundle.
local function bind_source(m, ctx, what)
	local src = util.clean(util.present(m.source) and m.source or "", what .. ".source")
	if src == "" then
		error(what .. ".source: a bind mount needs a source", 0)
	end
	if src:sub(1, 1) ~= "/" then
		local bundle = type(ctx.bundle) == "string" and ctx.bundle or ""
		if bundle:sub(1, 1) ~= "/" then
			error(what .. ".source: relative, and the bundle path is unknown", 0)
		end
		src = bundle .. "/" .. src
	end
	return M.path(src, what .. ".source")
end

-- The fstab options for an LXC mount entry: the given ones that are words,
-- without propagation noise, plus what LXC needs.
local function entry_options(opts, what, extra)
	local out = {}
	for i, o in ipairs(opts) do
		util.word(o, what .. ".options[" .. (i - 1) .. "]")
		if o:find(",", 1, true) then
			error(what .. ".options[" .. (i - 1) .. "]: must not contain ','", 0)
		end
		if not bind_noise[o] or o == "ro" then out[#out + 1] = o end
	end
	for _, e in ipairs(extra) do
		if not has(out, e) then out[#out + 1] = e end
	end
	return table.concat(out, ",")
end

local function bind(m, opts, dest, ctx, plan, n, what)
	local src = bind_source(m, ctx, what)
	if dest == "/" then
		error(what .. ".destination: cannot bind over the root", 0)
	end
	-- Proxmox mounts its mount points before LXC mounts /dev (autodev),
	-- /proc and /sys, which would hide one placed there; LXC mount entries
	-- come after those.
	local under_kernel_fs = dest:match("^/dev/") or dest:match("^/proc/") or dest:match("^/sys/")
	-- A Proxmox mount point is a directory (pve-container refuses any
	-- other source at start): a file, socket or device is bound by an
	-- LXC mount entry that creates a file to mount on (Podman's --init
	-- binds catatonit at /run/podman-init).
	local stype = M.source_type(src)
	local is_file = M.file_destinations[dest] or (stype ~= nil and stype ~= "directory")
	if is_file or under_kernel_fs then
		local flags = { has(opts, "rbind") and "rbind" or "bind", is_file and "create=file" or "create=dir" }
		local rest = entry_options(opts, what, {})
		local value = table.concat(flags, ",") .. (rest ~= "" and "," .. rest or "")
		util.raw(plan, "lxc.mount.entry", string.format("%s %s none %s 0 0", src, dest:sub(2), value))
		return n
	end
	local value = src .. ",mp=" .. dest
	if has(opts, "ro") then value = value .. ",ro=1" end
	local mo = {}
	for _, o in ipairs(opts) do
		if pve_mountoptions[o] and not has(mo, o) then mo[#mo + 1] = o end
	end
	if #mo > 0 then value = value .. ",mountoptions=" .. table.concat(mo, ";") end
	if n > 255 then
		error(what .. ": more than 256 bind mounts (mp0..mp255)", 0)
	end
	util.set(plan, "mp" .. n, value)
	return n + 1
end

-- /proc, /sys and /sys/fs/cgroup as the config mounts them, through LXC's
-- lxc.mount.auto (replacing the ro /proc/sys and sys:mixed of Proxmox's
-- default, which runc's containers do not have: what is read-only in them
-- is what linux.readonlyPaths says, applied by nexcage-init after the
-- sysctls are written). /proc is always mounted: the init needs it.
function M.auto_mounts(kernel, plan)
	local auto = { "proc:rw" }
	if kernel["/sys"] then auto[#auto + 1] = "sys:" .. kernel["/sys"] end
	if kernel["/sys/fs/cgroup"] then
		-- read-write: the CT's own cgroup only, as LXC's mixed mode gives it
		auto[#auto + 1] = "cgroup:" .. (kernel["/sys/fs/cgroup"] == "ro" and "ro" or "mixed") .. ":force"
	end
	util.raw(plan, "lxc.mount.auto", "") -- clears the default (common.conf's)
	util.raw(plan, "lxc.mount.auto", table.concat(auto, " "))
end

function M.apply(spec, ctx, plan)
	local n = 0
	local copyup = {}
	local kernel = {}
	for i, m in ipairs(util.list(spec.mounts)) do
		local what = "mounts[" .. (i - 1) .. "]"
		if type(m) ~= "table" then error(what .. ": must be an object", 0) end
		local dest = M.path(util.present(m.destination) and m.destination or "", what .. ".destination")
		refuse_init_dir(dest, what)
		local opts = options(m, what)
		local mtype = util.present(m.type) and util.clean(m.type, what .. ".type") or ""
		if mtype == "bind" or has(opts, "bind") or has(opts, "rbind") then
			n = bind(m, opts, dest, ctx, plan, n, what)
		elseif lxc_provides[dest] and lxc_provides[dest][mtype] then
			-- LXC mounts it (auto_mounts below says how).
			kernel[dest] = has(opts, "ro") and "ro" or "rw"
		elseif mtype == "tmpfs" or mtype == "mqueue" then
			local source = mtype == "tmpfs" and "tmpfs" or "mqueue"
			if has(opts, "tmpcopyup") then copyup[#copyup + 1] = dest end
			util.raw(plan, "lxc.mount.entry", string.format("%s %s %s %s 0 0", source, dest:sub(2), mtype,
				entry_options(opts, what, { "create=dir" })))
		elseif mtype == "proc" or mtype == "sysfs" or mtype == "devpts" or mtype == "cgroup" or mtype == "cgroup2" then
			error(string.format("%s: a %s mount at %s is not supported (LXC mounts %s at its usual place only)",
				what, mtype, dest, mtype), 0)
		else
			error(string.format("%s: mount type %q is not supported on Proxmox (bind, tmpfs and mqueue are)",
				what, mtype), 0)
		end
	end
	M.auto_mounts(kernel, plan)
	-- LXC has no copy-up: an image's files under these are hidden.
	if #copyup > 0 then
		util.warn(plan, "mounts: tmpcopyup not applied: the tmpfs at " .. table.concat(copyup, ", ")
			.. " starts empty (the image's files there are hidden, not copied in)")
	end
end

return M
