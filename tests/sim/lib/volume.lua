-- Mount points as pve-container mounts them: rootfs and mpN parsed and
-- classified (classify_mountpoint), and mounted by the pre-start hook (and
-- by create, to unpack a template onto a disk image): rootfs first at the
-- CT's root directory, then mp0, mp1, ... below it, each read-only with
-- ro=1, before LXC makes any mount of its own.
local util = require("util")
local state = require("state")
local schema = require("schema")

local M = {}

function M.parse(key, value)
  local desc = key == "rootfs" and schema.rootfs_desc or schema.mp_desc
  local mp = schema.parse_property_string(desc, value, key)
  local vol = mp.volume or ""
  if vol:match("^/dev/") then mp.kind = "device"
  elseif vol:match("^/") then mp.kind = "bind"
  else mp.kind = "volume" end
  return mp
end

-- The host path of a mount point's source: a storage volume (a subvol
-- directory or a raw image file) or the host path itself.
function M.source(mp)
  if mp.kind == "volume" then return (state.volume_path(mp.volume)) end
  return mp.volume
end

function M.is_image(path) return path:match("%.raw$") ~= nil end

local function run(argv)
  local out, code = util.capture(argv, true)
  if code ~= 0 then
    error("command '" .. table.concat(argv, " ") .. "' failed: exit code " .. code .. "\n" .. out, 0)
  end
end

-- Mount one source at target (which exists): a raw image through a loop
-- device (util-linux sets autoclear, so the device goes with the mount),
-- a directory as a bind mount, remounted read-only for ro.
function M.mount(src, target, ro, options)
  local opts = options and options:gsub(";", ",") or nil
  if M.is_image(src) then
    run({ "mount", "-o", "loop" .. (ro and ",ro" or "") .. (opts and ("," .. opts) or ""), src, target })
  elseif src:match("^/dev/") then
    run({ "mount", "-o", (ro and "ro" or "rw") .. (opts and ("," .. opts) or ""), src, target })
  else
    if not util.is_dir(src) then error("directory '" .. src .. "' does not exist\n", 0) end
    run({ "mount", "--bind", src, target })
    if ro or opts then
      run({ "mount", "-o", "remount,bind" .. (ro and ",ro" or "") .. (opts and ("," .. opts) or ""), target })
    end
  end
end

-- Unmount target, retrying while something still uses it (a process of the
-- unpacking just ending); an image left mounted would not be written out.
function M.umount(target)
  local out, code
  for _ = 1, 50 do
    out, code = util.capture({ "umount", target }, true)
    if code == 0 then return end
    util.sleep(0.1)
  end
  util.run({ "umount", "-l", target }, " >/dev/null 2>&1")
  error("unable to unmount '" .. target .. "': " .. util.trim(out) .. "\n", 0)
end

-- rootfs, then mp0..mp255 in that order (foreach_volume), each below the
-- root directory; a missing mount point directory is created (owned by
-- the CT's root, as walk_tree_nofollow_fd makes it).
function M.mount_all(conf, rootdir, root_uid, root_gid)
  local root = M.parse("rootfs", conf.opts.rootfs)
  M.mount(M.source(root), rootdir, root.ro == "1", root.mountoptions)
  for i = 0, 255 do
    local v = conf.opts["mp" .. i]
    if v then
      local mp = M.parse("mp" .. i, v)
      local target = rootdir .. "/" .. (mp.mp or ""):gsub("^/+", "")
      if not util.is_dir(target) then
        util.mkdir_p(target)
        util.run({ "chown", (root_uid or 0) .. ":" .. (root_gid or 0), target })
      end
      M.mount(M.source(mp), target, mp.ro == "1", mp.mountoptions)
    end
  end
end

-- The CT's root uid and gid (parse_id_maps): lxc.idmap's entry for 0, or
-- 100000 for an unprivileged CT without one.
function M.root_ids(conf)
  local uid, gid = 0, 0
  if conf.opts.unprivileged == "1" then uid, gid = 100000, 100000 end
  for _, e in ipairs(conf.lxc) do
    if e[1] == "lxc.idmap" then
      local t, ct, host = e[2]:match("^([ug])%s+(%d+)%s+(%d+)")
      if ct == "0" then
        if t == "u" then uid = tonumber(host) else gid = tonumber(host) end
      end
    end
  end
  return uid, gid
end

return M
