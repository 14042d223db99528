-- pct: the subcommands a runtime uses, with pct's syntax, checks, messages
-- and exit codes (see /work/shared/pve-facts.md and pve-container).
local util = require("util")
local state = require("state")
local schema = require("schema")
local cli = require("cli")
local lxc = require("lxc")
local fault = require("fault")
local volume = require("volume")

local M = {}
local S = schema

local hotpluggable, pending_undelete, pending_delete, apply_pending, check_devices

local function die(msg, exit) error({ msg = msg, exit = exit or 255 }, 0) end

local function bool(extra) return S.with({ type = "boolean", optional = true }, extra or {}) end
local vmid_prop = S.vmid_schema

---------------------------------------------------------------------------
-- command definitions (positional args + option schema)

local defs = {}

local function confprops(extra)
  local p = S.confdesc()
  p.lock = nil
  for k, v in pairs(extra) do p[k] = v end
  return p
end

defs.create = { args = { "vmid", "ostemplate" }, task = true, props = confprops({
  vmid = vmid_prop,
  ostemplate = { type = "string", maxLength = 255 },
  storage = { type = "string", optional = true, format = S.fmt_storage_id },
  password = { type = "string", optional = true, minLength = 5 },
  ["ssh-public-keys"] = { type = "string", optional = true },
  force = bool(), unique = bool(), restore = bool(), start = bool(),
  ["ignore-unpack-errors"] = bool(), ["ha-managed"] = bool(),
  pool = { type = "string", optional = true },
  bwlimit = { type = "number", optional = true, minimum = 0 },
}) }
defs.set = { args = { "vmid" }, props = confprops({
  vmid = vmid_prop,
  delete = { type = "string", optional = true, format = S.fmt_configid_list },
  revert = { type = "string", optional = true, format = S.fmt_configid_list },
  digest = { type = "string", optional = true, maxLength = 40 },
}) }
defs.start = { args = { "vmid" }, task = true, props = { vmid = vmid_prop, skiplock = bool(), debug = bool() } }
defs.stop = { args = { "vmid" }, task = true,
  props = { vmid = vmid_prop, skiplock = bool(), ["overrule-shutdown"] = bool(), timeout = { type = "integer", optional = true, minimum = 0 } } }
defs.shutdown = { args = { "vmid" }, task = true,
  props = { vmid = vmid_prop, forceStop = bool(), timeout = { type = "integer", optional = true, minimum = 0 } } }
defs.suspend = { args = { "vmid" }, task = true, props = { vmid = vmid_prop } }
defs.resume = { args = { "vmid" }, task = true, props = { vmid = vmid_prop } }
defs.destroy = { args = { "vmid" }, task = true,
  props = { vmid = vmid_prop, force = bool(), purge = bool(), ["destroy-unreferenced-disks"] = bool() } }
defs.status = { args = { "vmid" }, props = { vmid = vmid_prop, verbose = bool() } }
defs.list = { args = {}, props = {} }
defs.config = { args = { "vmid" }, props = { vmid = vmid_prop, current = bool(),
  snapshot = { type = "string", optional = true, maxLength = 40 } } }
defs.exec = { args = { "vmid", "extra-args" }, props = { vmid = vmid_prop, ["keep-env"] = bool() } }
defs.push = { args = { "vmid", "file", "destination" }, props = { vmid = vmid_prop,
  file = { type = "string" }, destination = { type = "string" },
  user = { type = "string", optional = true }, group = { type = "string", optional = true },
  perms = { type = "string", optional = true } } }
defs.pull = { args = { "vmid", "path", "destination" }, props = { vmid = vmid_prop,
  path = { type = "string" }, destination = { type = "string" },
  user = { type = "string", optional = true }, group = { type = "string", optional = true },
  perms = { type = "string", optional = true } } }
defs.unlock = { args = { "vmid" }, props = { vmid = vmid_prop } }
M.defs = defs

---------------------------------------------------------------------------
-- helpers

-- Run fn as a "task" (pve-common's fork_worker in the CLI): the worker's
-- stderr is its stdout, so everything it prints (warnings, LXC's reasons
-- for a failed start, "trying to acquire lock...") goes to stdout; only
-- the task's error reaches stderr, as one line (newlines folded to spaces,
-- as the task log's TASK ERROR is), and the exit status is 255.
local function task(fn)
  local stderr = io.stderr
  io.stderr, util.task_mode = io.stdout, true
  local ok, err = pcall(fn)
  io.stderr, util.task_mode = stderr, false
  io.stdout:flush()
  if ok then return 0 end
  if type(err) == "table" then err = err.msg or tostring(err) end
  err = tostring(err):gsub("\n+$", ""):gsub("\n", " ")
  io.stderr:write(err .. "\n")
  return 255
end

local parse_mp = volume.parse

local function print_mp(key, mp)
  local parts = { mp.volume }
  local order = { "mp" }
  for _, k in ipairs(util.sorted_keys(mp)) do
    if k ~= "volume" and k ~= "mp" and k ~= "kind" then order[#order + 1] = k end
  end
  for _, k in ipairs(order) do
    if mp[k] ~= nil and (k ~= "mp" or key ~= "rootfs") then parts[#parts + 1] = k .. "=" .. mp[k] end
  end
  return table.concat(parts, ",")
end

-- A dir storage's volume names: a raw image for a sized disk, a subvol
-- directory for size 0 (pve-container's alloc_disk).
local function disk_name(vmid, n, raw)
  if raw then return "vm-" .. vmid .. "-disk-" .. n .. ".raw" end
  return "subvol-" .. vmid .. "-disk-" .. n .. ".subvol"
end

local function used_disk_numbers(vmid)
  local used = {}
  local s = state.storages()
  for _, st in pairs(s) do
    if st.path then
      for _, name in ipairs(util.list_dir(st.path .. "/images/" .. vmid)) do
        local n = name:match("%-disk%-(%d+)")
        if n then used[tonumber(n)] = true end
      end
    end
  end
  return used
end

-- mkfs (format_disk): ext4 owned by the CT's root, printing the lines
-- pve-container keeps of mke2fs's output. lazy_journal_init keeps the
-- image sparse (a simulator's choice: tests make many).
local function format_disk(path, uid, gid)
  local out, code = util.capture({ "mkfs.ext4", "-O", "mmp", "-E",
    "root_owner=" .. uid .. ":" .. gid .. ",lazy_journal_init=1", path }, true)
  for line in out:gmatch("[^\n]+") do
    if line:match("^Creating filesystem") or line:match("^Filesystem UUID") or line:match("^Superblock backups")
        or line:match("^%s+%d+, %d") then print(line) end
  end
  if code ~= 0 then error("command 'mkfs.ext4 -O mmp -E root_owner=" .. uid .. ":" .. gid .. " " .. path
    .. "' failed: exit code " .. code .. "\n", 0) end
end

-- Allocate "storage:size" on a dir storage: a sparse raw image with an
-- ext4 file system (what qemu-img and mkfs.ext4 make on a node) when the
-- size is above 0, else a subvol directory; returns the volid.
local function alloc_disk(vmid, storage_id, size_gib, unpriv)
  local st = state.storage(storage_id)
  if not st.content.rootdir then
    error("storage '" .. storage_id .. "' does not allow content type 'rootdir' (Container)\n", 0)
  end
  local used = used_disk_numbers(vmid)
  local n = 0
  while used[n] do n = n + 1 end
  local dir = st.path .. "/images/" .. vmid
  util.mkdir_p(st.path .. "/images", "0755")
  util.mkdir_p(dir, "0755")
  local size_kb = math.floor(tonumber(size_gib) * 1024) * 1024
  local raw = size_kb > 0
  local name = disk_name(vmid, n, raw)
  local path = dir .. "/" .. name
  local uid = unpriv and 100000 or 0
  if raw then
    if util.run({ "truncate", "-s", tostring(size_kb * 1024), path }) ~= 0 then
      error("unable to create image '" .. path .. "'\n", 0)
    end
    local ok, err = pcall(format_disk, path, uid, uid)
    if not ok then os.remove(path); error(err, 0) end
  else
    util.mkdir_p(path, "0755")
    if unpriv then util.run({ "chown", "100000:100000", path }) end
  end
  return storage_id .. ":" .. vmid .. "/" .. name, size_gib
end

local function free_volume(volid)
  local path, owner = state.volume_path(volid)
  if owner and path:match("/images/%d+/[^/]+$") then
    util.rm_rf(path)
    local parent = path:match("^(.*)/[^/]+$")
    os.remove(parent) -- only succeeds when empty
  end
end

local function volumes_of(conf)
  local vols = {}
  for k, v in pairs(conf.opts) do
    if k == "rootfs" or k:match("^mp%d+$") then
      local ok, mp = pcall(parse_mp, k, v)
      if ok and mp.kind == "volume" then vols[#vols + 1] = mp.volume end
    elseif k:match("^unused%d+$") then
      vols[#vols + 1] = v
    end
  end
  return vols
end

-- The CT's root directory while create unpacks the template: the volume
-- or host directory itself, or a raw image mounted at LXC's rootfs.path
-- (mount_all); returns the directory and a function that unmounts.
local function mount_rootfs(vmid, conf)
  local src = volume.source(parse_mp("rootfs", conf.opts.rootfs))
  if not volume.is_image(src) then return src, function() end end
  local dir = lxc.rootfs_mount(vmid)
  util.mkdir_p(dir, "0755")
  volume.mount(src, dir, false)
  return dir, function() volume.umount(dir) end
end

local function check_hookscript(volid)
  local path = state.snippet_path(volid)
  if not util.exists(path) then error("script '" .. volid .. "' does not exist\n", 0) end
  if util.run({ "test", "-x", path }) ~= 0 then error("script '" .. volid .. "' is not executable\n", 0) end
  return path
end

local function exec_hookscript(conf, vmid, phase, stop_on_error)
  if not conf.opts.hookscript then return end
  local ok, err = pcall(function()
    local path = check_hookscript(conf.opts.hookscript)
    local code = util.run({ path, tostring(vmid), phase })
    if code ~= 0 then
      error("command '" .. path .. " " .. vmid .. " " .. phase .. "' failed: exit code " .. code .. "\n", 0)
    end
  end)
  if not ok then
    local msg = "hookscript error for " .. vmid .. " on " .. phase .. ": " .. tostring(err)
    if stop_on_error then error(msg, 0) end
    io.stderr:write(msg)
  end
end

local function vmlist_set(vmid, present)
  state.vmlist_update(function(list)
    local key = tostring(vmid)
    if present then
      local old = list.ids[key]
      list.ids[key] = { node = state.node, type = "lxc", version = ((old and old.version) or 0) + 1 }
    elseif list.ids[key] and list.ids[key].node == state.node then
      list.ids[key] = nil
    end
  end)
end

local function write_config(vmid, conf)
  state.write_config(vmid, conf)
  vmlist_set(vmid, true)
end

local function destroy_config(vmid)
  os.remove(state.conf_path(vmid))
  vmlist_set(vmid, false)
end

---------------------------------------------------------------------------
-- create

local function detect_ostype(root)
  local osr = util.read(root .. "/etc/os-release")
  if osr then
    local id = osr:match("\nID=\"?([%w%-_]+)") or osr:match("^ID=\"?([%w%-_]+)")
    local known = { debian = 1, devuan = 1, ubuntu = 1, centos = 1, fedora = 1, opensuse = 1, archlinux = 1,
      alpine = 1, gentoo = 1, nixos = 1 }
    local alias = { arch = "archlinux", almalinux = "centos", rocky = "centos", ["opensuse-leap"] = "opensuse",
      ["opensuse-tumbleweed"] = "opensuse" }
    if id and known[id] then return id end
    if id and alias[id] then return alias[id] end
    if id then io.stderr:write("unknown ID '" .. id .. "' in /etc/os-release file, trying fallback detection\n") end
  end
  local checks = { { "etc/debian_version", "debian" }, { "etc/devuan_version", "devuan" },
    { "etc/SuSE-brand", "opensuse" }, { "etc/fedora-release", "fedora" }, { "etc/centos-release", "centos" },
    { "etc/redhat-release", "centos" }, { "etc/arch-release", "archlinux" }, { "etc/alpine-release", "alpine" },
    { "etc/gentoo-release", "gentoo" } }
  for _, c in ipairs(checks) do
    if util.exists(root .. "/" .. c[1]) then return c[2] end
  end
  if osr then error("unable to detect OS distribution\n", 0) end
  io.stderr:write("/etc/os-release file not found and autodetection failed, falling back to 'unmanaged'\n")
  return "unmanaged"
end

local function detect_arch(root)
  local sh = root .. "/bin/sh"
  local target = util.trim(util.capture({ "readlink", "-f", sh }, false, " 2>/dev/null"))
  -- an absolute symlink inside the rootfs points into the container, not the host
  if target ~= "" and target:sub(1, #root) ~= root then target = root .. target end
  local f = io.open(target ~= "" and target or sh, "rb")
  local hdr = f and f:read(20)
  if f then f:close() end
  if hdr and hdr:sub(1, 4) == "\127ELF" then
    local machine = hdr:byte(19) + 256 * hdr:byte(20)
    local arch = ({ [62] = "amd64", [3] = "i386", [183] = "arm64", [40] = "armhf", [243] = "riscv64" })[machine]
    if arch then
      print("Detected container architecture: " .. arch)
      return arch
    end
  end
  print("Falling back to amd64.\nUse `pct set VMID --arch ARCH` to change.")
  return "amd64"
end

local function tar_compression(path)
  if path:match("%.gz$") or path:match("%.tgz$") then return "-z" end
  if path:match("%.xz$") then return "-J" end
  if path:match("%.zst$") then return "--zstd" end
  if path:match("%.bz2$") then return "-j" end
  return nil
end

local function extract(vmid, archive_volid, archive, root, unpriv)
  if not util.exists(archive) then error("can't find file '" .. archive_volid .. "'\n", 0) end
  local cmd = {}
  if unpriv then
    cmd = { "lxc-usernsexec", "-m", "u:0:100000:65536", "-m", "g:0:100000:65536", "--" }
    -- a simulator-only trap: a PVE_SIM_ROOT below a 0700 directory (e.g.
    -- /root) cannot be reached by the container's root, uid 100000
    if util.run({ cmd[1], cmd[2], cmd[3], cmd[4], cmd[5], cmd[6], "test", "-w", root }, " 2>/dev/null") ~= 0 then
      error("directory '" .. root .. "' is not reachable for uid 100000 (the unprivileged container's root); "
        .. "put PVE_SIM_ROOT below world-searchable directories such as /tmp\n", 0)
    end
  end
  for _, a in ipairs({ "tar", "xpf", "-" }) do cmd[#cmd + 1] = a end
  local comp = tar_compression(archive)
  if comp then cmd[#cmd + 1] = comp end
  for _, a in ipairs({ "--totals", "--one-file-system", "-p", "--sparse", "--numeric-owner",
    "--xattrs", "--xattrs-include=user.*", "--xattrs-include=security.capability",
    "--warning=no-file-ignored", "--warning=no-xattr-write", "-C", root, "--skip-old-files",
    "--anchored", "--exclude", "./dev/*" }) do cmd[#cmd + 1] = a end
  print("extracting archive '" .. archive .. "'")
  io.stdout:flush()
  local failed = fault.check("create", "extract")
  local out, code = util.capture(cmd, true, " < " .. util.q(archive))
  if failed and code == 0 then code = 2; out = out .. "tar: simulated failure (PVE_SIM_FAIL)\n" end
  io.stdout:write(out)
  if code ~= 0 then
    error("command '" .. table.concat(cmd, " ") .. "' failed: exit code " .. code .. "\n", 0)
  end
end

-- Split create parameters into mount points and plain options like
-- API2::LXC::create_vm does.
local function split_create_params(param, storage)
  local mp_param, plain = {}, {}
  local skip = { vmid = 1, ostemplate = 1, storage = 1, password = 1, ["ssh-public-keys"] = 1, force = 1,
    unique = 1, restore = 1, start = 1, ["ignore-unpack-errors"] = 1, ["ha-managed"] = 1, pool = 1,
    bwlimit = 1, unprivileged = 1 }
  for k, v in pairs(param) do
    if k == "rootfs" or k:match("^mp%d+$") then
      mp_param[k] = v:match("^%d+%.?%d*$") and (storage .. ":" .. v) or v
    elseif k:match("^unused%d+$") then
      io.stderr:write("ignoring '" .. k .. "', cannot create/restore with unused volume\n")
    elseif not skip[k] then
      plain[k] = v
    end
  end
  return mp_param, plain
end

local function check_storage_for_ct(sid)
  local ok, st = pcall(state.storage, sid)
  if not ok then error(st, 0) end
  if not st.content.rootdir then
    cli.raise(400, "Parameter verification failed.",
      { storage = "storage '" .. sid .. "' does not support container directories" })
  end
end

-- rootfs, then mp0..mp255 (foreach_volume's order: disk numbers follow it)
local function volume_keys(t)
  local keys = { t.rootfs and "rootfs" or nil }
  for i = 0, 255 do if t["mp" .. i] then keys[#keys + 1] = "mp" .. i end end
  return keys
end

local function create_disks(vmid, mp_param, conf, unpriv, vollist)
  for _, key in ipairs(volume_keys(mp_param)) do
    local mp = parse_mp(key, mp_param[key])
    if mp.kind == "volume" and mp.volume:match("^[^:]+:%d+%.?%d*$") then
      local sid, size = mp.volume:match("^([^:]+):(.+)$")
      fault.point("create", "alloc", "unable to create directory '" .. state.storage(sid).path .. "/images/"
        .. vmid .. "' - No space left on device\n")
      local volid = alloc_disk(vmid, sid, size, unpriv)
      vollist[#vollist + 1] = volid
      mp.volume = volid
      mp.size = S.format_size(tonumber(size) * 1024 * 1024 * 1024)
    end
    conf.opts[key] = print_mp(key, mp)
  end
end

-- get_device_mode_and_rdev for every devN of the parameters.
function check_devices(opts)
  for i = 0, 255 do
    local v = opts["dev" .. i]
    if v then
      local d = S.parse_property_string(S.dev_desc, v, "dev" .. i)
      if not d.path then die("Path is not defined for passthrough device dev" .. i) end
      local ok, why = lxc.device(d.path)
      if not ok then die(why, why:match("does not exist") and 2 or 255) end
    end
  end
end

-- mount_all at create: a bind mount point's source must be a directory
-- (__mountpoint_mount), checked before the template is unpacked.
local function check_bind_sources(conf)
  for _, key in ipairs(util.sorted_keys(conf.opts)) do
    if key:match("^mp%d+$") then
      local mp = parse_mp(key, conf.opts[key])
      if mp.kind == "bind" and not util.is_dir(mp.volume) then
        error("directory '" .. mp.volume .. "' does not exist\n", 0)
      end
    end
  end
end

local function create_task(vmid, param, archive_volid, archive, mp_param, plain, unpriv)
  local emsg = "unable to create CT " .. vmid .. " - "
  local vollist = {}
  local ok, err = pcall(function()
    local conf = state.load_config(vmid)
    conf.opts = {}
    for k, v in pairs(plain) do conf.opts[k] = v end
    if unpriv then conf.opts.unprivileged = "1" end
    conf.opts.lock = "create"
    create_disks(vmid, mp_param, conf, unpriv, vollist)
    write_config(vmid, conf)
    check_bind_sources(conf)
    local root, umount = mount_rootfs(vmid, conf)
    local done, uerr = pcall(function()
      extract(vmid, archive_volid, archive, root, unpriv)
      fault.point("create", "setup", "unable to detect OS distribution\n")
      if conf.opts.ostype ~= "unmanaged" then
        local detected = detect_ostype(root)
        if not conf.opts.ostype then conf.opts.ostype = detected
        elseif conf.opts.ostype ~= detected then
          io.stderr:write("got unexpected ostype (" .. detected .. " != " .. conf.opts.ostype .. ")\n")
        end
      end
      if not conf.opts.arch then conf.opts.arch = detect_arch(root) end
    end)
    umount()
    if not done then error(uerr, 0) end
    conf.opts.hostname = conf.opts.hostname or ("CT" .. vmid)
    conf.opts.memory = conf.opts.memory or "512"
    conf.opts.swap = conf.opts.swap or "512"
    fault.point("create", "config", "unable to write '/etc/pve/" .. state.cfs_conf_path(vmid)
      .. ".tmp." .. util.pid() .. "' - Input/output error\n")
    conf.opts.lock = nil
    write_config(vmid, conf)
  end)
  if not ok then
    if type(err) == "table" then err = err.msg end
    for _, volid in ipairs(vollist) do free_volume(volid) end
    util.rm_rf(state.lxcpath() .. "/" .. vmid)
    destroy_config(vmid)
    error(emsg .. tostring(err), 0)
  end
end

function M.create(param)
  local vmid = param.vmid
  local unpriv = param.unprivileged ~= "0"
  state.check_vmid_unused(vmid)
  local storage = param.storage or "local"
  local archive_volid = param.ostemplate
  local archive = state.template_path(archive_volid)
  local mp_param, plain = split_create_params(param, storage)
  local storage_only = next(mp_param) == nil
  if not storage_only and not mp_param.rootfs then
    die("mount points configured, but 'rootfs' not set - aborting\n")
  end
  for _, key in ipairs(util.sorted_keys(mp_param)) do
    local mp = parse_mp(key, mp_param[key])
    if mp.kind == "volume" then check_storage_for_ct(mp.volume:match("^([^:]+):") or storage) end
  end
  if storage_only then check_storage_for_ct(storage); mp_param.rootfs = storage .. ":4" end
  if plain.hookscript then check_hookscript(plain.hookscript) end
  if plain.tags then plain.tags = table.concat(S.split_list(plain.tags), ";") end
  if plain.cpuunits then plain.cpuunits = tostring(math.max(1, math.min(10000, tonumber(plain.cpuunits)))) end
  -- update_pct_config checks every devN before anything is written
  -- (get_device_mode_and_rdev: Perl's die exits with ENOENT, 2)
  check_devices(plain)
  -- create_and_lock_config: under the config lock (5 s, before the task:
  -- a timeout exits 4), the config file claims the VMID cluster-wide
  local emsg = "unable to create CT " .. vmid .. " - "
  if fault.check("create", "lock") then
    state.say_waiting()
    state.lock_timeout(vmid, emsg)
  end
  local ok, err = pcall(state.lock_config, vmid, function()
    state.claim_vmid(function()
      state.check_vmid_unused(vmid)
      write_config(vmid, { opts = { lock = "create" }, lxc = {}, snapshots = {} })
    end)
  end, 5, emsg)
  if not ok then
    if type(err) ~= "table" then err = { msg = tostring(err) } end
    if not err.msg:find(emsg, 1, true) then err.msg = emsg .. err.msg end
    die(err.msg, err.exit)
  end
  return task(function()
    local locked, lerr = pcall(function()
      state.lock_config(vmid, function()
        create_task(vmid, param, archive_volid, archive, mp_param, plain, unpriv)
      end)
    end)
    if not locked then
      -- aborted before touching the container: drop the create lock's config
      local conf = state.conf_exists(vmid) and state.load_config(vmid)
      if conf and conf.opts.lock == "create" and not conf.opts.rootfs then destroy_config(vmid) end
      -- a failed create leaves nothing of the VMID behind, lock file included
      if not state.conf_exists(vmid) then os.remove(state.lock_path(vmid)) end
      error(lerr, 0)
    end
    if param.start == "1" then M.start_task(vmid, false) end
  end)
end

---------------------------------------------------------------------------
-- start / stop / shutdown / suspend / resume

function M.start_task(vmid, skiplock)
  state.lock_config(vmid, function()
    local conf = state.load_config(vmid)
    if conf.opts.template == "1" then error("you can't start a CT if it's a template\n", 0) end
    if not skiplock and conf.opts.lock ~= "mounted" then state.check_lock(conf) end
    if conf.opts.unprivileged == "1" then
      for k, v in pairs(conf.opts) do
        if (k == "rootfs" or k:match("^mp%d+$")) and parse_mp(k, v).quota == "1" then
          error("Quotas are not supported by unprivileged containers.\n", 0)
        end
      end
    end
    if apply_pending(vmid, conf) then state.write_config(vmid, conf) end
    local dir = state.lxcpath() .. "/" .. vmid
    util.mkdir_p(dir, "0755")
    util.write_atomic(dir .. "/config", lxc.generate_config(vmid, conf))
    util.mkdir_p(lxc.rootfs_mount(vmid), "0755")
    fault.point("start", "pre-start", "hookscript error for " .. vmid
      .. " on pre-start: command 'pre-start' failed: exit code 1\n")
    exec_hookscript(conf, vmid, "pre-start", true)
    local code, out = lxc.start(vmid)
    local faulted = fault.check("start", "lxc-start")
    if faulted then
      if code == 0 then lxc.stop(vmid, true) end
      code = 1
    end
    if code ~= 0 then
      -- what lxc-start printed (the pre-start hook's error first), on the
      -- task's stdout as print_ct_stderr_log does
      for l in (util.read(dir .. "/prestart.err") or ""):gmatch("[^\n]+") do io.stderr:write(l .. "\n") end
      for _, l in ipairs(lxc.errors_from_log(vmid)) do io.stderr:write(l .. "\n") end
      -- what LXC says when a CT's setup fails, for the injected failure
      if faulted then io.stderr:write("__lxc_start:2107 - Failed to spawn container \"" .. vmid .. "\" (PVE_SIM_FAIL)\n") end
      error("startup for container '" .. vmid .. "' failed\n", 0)
    end
    exec_hookscript(conf, vmid, "post-start", false)
  end)
end

function M.start(param)
  local vmid = param.vmid
  if lxc.is_running(vmid) then die("CT " .. vmid .. " already running\n") end
  return task(function() M.start_task(vmid, param.skiplock == "1") end)
end

local function stop_container(vmid, kill, timeout, force_after)
  if not lxc.is_running(vmid) then return end
  local conf = state.load_config(vmid)
  exec_hookscript(conf, vmid, "pre-stop", false)
  local cmdname = kill and "stop" or "shutdown"
  fault.point(cmdname, "lxc-stop", "command 'lxc-stop -n " .. vmid .. (kill and " --kill" or " --nokill")
    .. "' failed: exit code 1\n")
  local out, code = lxc.stop(vmid, kill, timeout)
  if code ~= 0 and not kill and force_after then out, code = lxc.stop(vmid, true) end
  if lxc.is_running(vmid) then error("container did not stop\n", 0) end
  exec_hookscript(conf, vmid, "post-stop", false)
end

function M.stop(param)
  local vmid = param.vmid
  if not lxc.is_running(vmid) then die("CT " .. vmid .. " not running\n") end
  return task(function()
    fault.point("stop", "lock", "can't lock file '" .. state.lock_path(vmid) .. "' - got timeout\n")
    state.lock_config(vmid, function()
      local conf = state.load_config(vmid)
      if param.skiplock ~= "1" then state.check_lock(conf) end
      stop_container(vmid, true)
    end)
  end)
end

function M.shutdown(param)
  local vmid = param.vmid
  local timeout = tonumber(param.timeout) or 60
  if not lxc.is_running(vmid) then die("CT " .. vmid .. " not running\n") end
  return task(function()
    state.lock_config(vmid, function()
      local conf = state.load_config(vmid)
      state.check_lock(conf)
      stop_container(vmid, false, timeout, param.forceStop == "1")
    end)
  end)
end

-- pve-container's vm_suspend and vm_resume are CRIU: `lxc-checkpoint -s`
-- dumps the CT into /var/lib/vz/dump and stops it; `lxc-checkpoint -r
-- --foreground` restores it from there and runs it in the foreground of
-- the task until it stops. CRIU is not available here, so the dump is a
-- marker file naming the CT (inventory.img, the file CRIU writes first)
-- and the restore starts the CT afresh: like a CRIU restore it comes back
-- with new host pids, under pct resume rather than the service manager.
local function dump_dir() return state.path("var/lib/vz/dump") end

local function checkpoint_cmd(vmid, restore)
  return "lxc-checkpoint -n " .. vmid .. (restore and " -r --foreground" or " -s") .. " -D " .. dump_dir()
end

function M.suspend(param)
  local vmid = param.vmid
  if not lxc.is_running(vmid) then die("CT " .. vmid .. " not running\n") end
  return task(function()
    state.lock_config(vmid, function()
      local conf = state.load_config(vmid)
      state.check_lock(conf)
      fault.point("suspend", "checkpoint", "command '" .. checkpoint_cmd(vmid) .. "' failed: exit code 1\n")
      util.mkdir_p(dump_dir())
      util.write_atomic(dump_dir() .. "/inventory.img", "pve-sim checkpoint of CT " .. vmid .. "\n")
      lxc.stop(vmid, true)
      exec_hookscript(conf, vmid, "post-stop", false)
    end)
  end)
end

function M.resume(param)
  local vmid = param.vmid
  if lxc.is_running(vmid) then die("CT " .. vmid .. " already running\n") end
  return task(function()
    local cmd = checkpoint_cmd(vmid, true)
    local dump = util.read(dump_dir() .. "/inventory.img")
    if fault.check("resume", "restore") or dump ~= "pve-sim checkpoint of CT " .. vmid .. "\n" then
      print("lxc-checkpoint: " .. vmid .. ": criu.c: do_restore: restore failed (no checkpoint of CT " .. vmid
        .. " in " .. dump_dir() .. ")")
      error("command '" .. cmd .. "' failed: exit code 1\n", 0)
    end
    io.stdout:flush()
    local code = util.run(lxc.foreground_argv(vmid), " </dev/null")
    if code ~= 0 then error("command '" .. cmd .. "' failed: exit code " .. code .. "\n", 0) end
  end)
end

---------------------------------------------------------------------------
-- destroy

local function early_destroy_checks(vmid, conf)
  if conf.opts.protection == "1" then die("can't remove CT " .. vmid .. " - protection mode enabled\n") end
  state.check_lock(conf)
end

function M.destroy(param)
  local vmid = param.vmid
  local conf = state.load_config(vmid)
  early_destroy_checks(vmid, conf)
  local running_msg = "unable to destroy CT " .. vmid .. " - container is running\n"
  if param.force ~= "1" and lxc.is_running(vmid) then die(running_msg) end
  return task(function()
    fault.point("destroy", "lock", "can't lock file '" .. state.lock_path(vmid) .. "' - got timeout\n")
    state.lock_config(vmid, function()
      conf = state.load_config(vmid)
      early_destroy_checks(vmid, conf)
      if lxc.is_running(vmid) then
        if param.force ~= "1" then error(running_msg, 0) end
        io.stderr:write("forced to stop CT " .. vmid .. " before destroying!\n")
        stop_container(vmid, true)
      end
      fault.point("destroy", "remove", "unable to remove volume: rm -rf failed: Device or resource busy\n")
      for _, volid in ipairs(volumes_of(conf)) do free_volume(volid) end
      -- a node would leave what a pct create killed while unpacking left
      -- mounted there (and its loop device); the simulator unmounts it
      util.run({ "umount", "-l", lxc.rootfs_mount(vmid) }, " >/dev/null 2>&1")
      util.rm_rf(state.lxcpath() .. "/" .. vmid)
      -- pve-container writes a replacement config holding only the lock
      -- (destroy_lxc_container's $replacement_conf): no description, no
      -- raw lxc keys, no snapshots are left in it
      state.write_config(vmid, state.parse_conf("lock: destroyed\n", vmid))
      -- PVE purges backup/replication jobs before the zombie config goes:
      -- a destroy killed here leaves `lock: destroyed` (pct unlock clears it).
      fault.point("destroy", "purge", "unable to remove job entries: got timeout\n")
      if param.purge == "1" then print("purging CT " .. vmid .. " from related configurations..") end
      destroy_config(vmid)
    end)
    -- PVE keeps lock files forever; the simulator removes it so a purged
    -- VMID leaves nothing behind in the root.
    os.remove(state.lock_path(vmid))
  end)
end

---------------------------------------------------------------------------
-- status / list / config

local function vmstatus(vmid, conf)
  local d = { vmid = vmid, type = "lxc" }
  local st = lxc.state(vmid)
  local running = st == "RUNNING" or st == "FROZEN" or st == "FREEZING"
  if running then d.pid = lxc.pid(vmid) end
  d.status = d.pid and "running" or "stopped"
  local o = conf.opts
  d.name = (o.hostname or ("CT" .. vmid)):gsub("%s", "")
  d.cpus = tonumber(o.cores) or tonumber(o.cpulimit)
  if not d.cpus or d.cpus == 0 then d.cpus = tonumber(util.trim((util.capture({ "nproc" })))) or 1 end
  d.lock = o.lock
  d.tags = o.tags
  d.template = o.template == "1" and 1 or nil
  d.maxmem = (tonumber(o.memory) or 512) * 1024 * 1024
  d.maxswap = (tonumber(o.swap) or 0) * 1024 * 1024
  local size = 4 * 1024 ^ 3
  if o.rootfs then
    local ok, mp = pcall(parse_mp, "rootfs", o.rootfs)
    if ok and mp.size then size = S.parse_size(mp.size) or size end
  end
  d.maxdisk, d.disk = math.floor(size), 0
  d.mem, d.swap, d.uptime, d.netin, d.netout, d.diskread, d.diskwrite = 0, 0, 0, 0, 0, 0, 0
  if d.pid then
    local stat = util.read("/proc/" .. d.pid .. "/stat") or ""
    local start = tonumber(stat:match("^%d+ %b() %S+" .. string.rep(" %S+", 18) .. " (%d+)") or "")
    local up = tonumber((util.read("/proc/uptime") or "0"):match("^(%S+)")) or 0
    if start then d.uptime = math.max(0, math.floor(up - start / 100)) end
  end
  return d
end

function M.status(param)
  local vmid = param.vmid
  local conf = state.load_config(vmid)
  local d = vmstatus(vmid, conf)
  if param.verbose == "1" then
    for _, k in ipairs(util.sorted_keys(d)) do print(k .. ": " .. tostring(d[k])) end
  else
    print("status: " .. d.status)
  end
  return 0
end

local function local_vmids()
  local ids = {}
  for _, name in ipairs(util.list_dir(state.lxc_dir())) do
    local id = name:match("^(%d+)%.conf$")
    if id then ids[#ids + 1] = tonumber(id) end
  end
  table.sort(ids)
  return ids
end
M.local_vmids = local_vmids
M.vmstatus = vmstatus

function M.list()
  local ids = local_vmids()
  if #ids == 0 then return 0 end
  local fmt = "%-10s %-10s %-12s %-20s\n"
  io.stdout:write(string.format(fmt, "VMID", "Status", "Lock", "Name"))
  for _, id in ipairs(ids) do
    local ok, conf = pcall(state.load_config, id)
    if ok then
      local d = vmstatus(id, conf)
      io.stdout:write(string.format(fmt, id, d.status, d.lock or "", d.name))
    end
  end
  return 0
end

function M.config(param)
  local conf = state.load_config(param.vmid)
  local sec = conf
  if param.snapshot then
    sec = conf.snapshots[param.snapshot]
    if not sec then die("snapshot '" .. param.snapshot .. "' does not exist\n") end
  elseif param.current ~= "1" and conf.pending then
    -- without --current pending values are shown as they would apply
    sec = { opts = {}, lxc = conf.lxc }
    for k, v in pairs(conf.opts) do sec.opts[k] = v end
    for k, v in pairs(conf.pending.opts) do if k ~= "delete" then sec.opts[k] = v end end
    for _, k in ipairs(S.split_list(conf.pending.opts.delete or "")) do sec.opts[k] = nil end
  end
  for _, k in ipairs(util.sorted_keys(sec.opts)) do
    local v = sec.opts[k]
    if k == "description" then v = state.encode_text(v) end
    print(k .. ": " .. v)
  end
  for _, e in ipairs(sec.lxc) do print(e[1] .. ": " .. e[2]) end
  return 0
end

---------------------------------------------------------------------------
-- set

local function apply_delete(vmid, conf, opt)
  if conf.opts[opt] == nil then
    io.stderr:write("cannot delete '" .. opt .. "' - not set in current configuration!\n")
    return
  end
  if opt == "memory" or opt == "rootfs" or opt == "ostype" then
    error("unable to delete required option '" .. opt .. "'\n", 0)
  elseif opt == "unprivileged" then
    error("unable to delete read-only option: '" .. opt .. "'\n", 0)
  elseif opt:match("^mp%d+$") or opt:match("^unused%d+$") then
    if conf.opts.protection == "1" then error("can't remove CT " .. vmid .. " drive '" .. opt .. "' - protection mode enabled\n", 0) end
  end
  if opt:match("^mp%d+$") then
    local mp = parse_mp(opt, conf.opts[opt])
    if mp.kind == "volume" then
      local i = 0
      while conf.opts["unused" .. i] do i = i + 1 end
      conf.opts["unused" .. i] = mp.volume
    end
  elseif opt:match("^unused%d+$") then
    free_volume(conf.opts[opt])
  end
  conf.opts[opt] = nil
end

local function apply_set(vmid, conf, key, value)
  if key == "unprivileged" then error("unable to modify read-only option: '" .. key .. "'\n", 0) end
  if key == "rootfs" or key:match("^mp%d+$") then
    if conf.opts.protection == "1" then error("can't update CT " .. vmid .. " drive '" .. key .. "' - protection mode enabled\n", 0) end
    local mp = parse_mp(key, value)
    if mp.kind == "volume" then
      local sid = mp.volume:match("^([^:]+):")
      local st = state.storage(sid)
      if not st.content.rootdir then error("storage '" .. sid .. "' does not allow content type 'rootdir' (Container)\n", 0) end
      if mp.volume:match("^[^:]+:%d+%.?%d*$") then
        local size = mp.volume:match(":(.+)$")
        mp.volume = alloc_disk(vmid, sid, size, conf.opts.unprivileged == "1")
        mp.size = S.format_size(tonumber(size) * 1024 ^ 3)
      end
    end
    value = print_mp(key, mp)
  elseif key == "hookscript" then
    check_hookscript(value)
  elseif key == "tags" then
    value = table.concat(S.split_list(value), ";")
  elseif key == "cpuunits" then
    value = tostring(math.max(1, math.min(10000, tonumber(value))))
  elseif key:match("^net%d+$") then
    local net = S.parse_property_string(S.net_desc, value, key)
    if net.mtu and tonumber(net.mtu) > 1500 then
      error(key .. ": MTU size '" .. net.mtu .. "' is bigger than bridge MTU '1500'\n", 0)
    end
  end
  conf.opts[key] = value
end

-- What update_pct_config changes on a running CT right away (fast-plug
-- options and cgroup limits); everything else waits in [pve:pending] for
-- the next start. Hot-plugging mount points and devices is not simulated.
local FASTPLUG = { description = 1, onboot = 1, startup = 1, protection = 1, hostname = 1, hookscript = 1,
  cores = 1, tags = 1, lock = 1 }

function hotpluggable(opt, conf, deleting)
  if FASTPLUG[opt] or opt == "swap" or opt == "cpulimit" or opt == "cpuunits" or opt:match("^net%d+$") then
    return true
  end
  if deleting then return opt:match("^unused%d+$") ~= nil end
  return opt == "memory"
end

function pending_undelete(conf, opt)
  if not (conf.pending and conf.pending.opts.delete) then return end
  local keep = {}
  for _, d in ipairs(S.split_list(conf.pending.opts.delete)) do if d ~= opt then keep[#keep + 1] = d end end
  conf.pending.opts.delete = #keep > 0 and table.concat(keep, ",") or nil
end

function pending_delete(vmid, conf, opt)
  if conf.opts[opt] == nil and not (conf.pending and conf.pending.opts[opt]) then
    io.stderr:write("cannot delete '" .. opt .. "' - not set in current configuration!\n")
    return
  end
  if opt == "memory" or opt == "rootfs" or opt == "ostype" then
    error("unable to delete required option '" .. opt .. "'\n", 0)
  elseif opt == "unprivileged" then
    error("unable to delete read-only option: '" .. opt .. "'\n", 0)
  end
  conf.pending = conf.pending or { opts = {}, lxc = {} }
  conf.pending.opts[opt] = nil
  pending_undelete(conf, opt)
  local list = conf.pending.opts.delete
  conf.pending.opts.delete = list and (list .. "," .. opt) or opt
end

-- vm_start applies pending changes before it generates the LXC config.
function apply_pending(vmid, conf)
  if not conf.pending then return false end
  local p = conf.pending.opts
  for _, opt in ipairs(S.split_list(p.delete or "")) do
    if conf.opts[opt] ~= nil then apply_delete(vmid, conf, opt) end
  end
  for _, k in ipairs(util.sorted_keys(p)) do
    if k ~= "delete" then apply_set(vmid, conf, k, p[k]) end
  end
  conf.pending = nil
  return true
end

function M.set(param)
  local vmid = param.vmid
  local changes = {}
  for k, v in pairs(param) do
    if k ~= "vmid" and k ~= "delete" and k ~= "revert" and k ~= "digest" and k ~= "skiplock" then changes[k] = v end
  end
  local deletes = param.delete and S.split_list(param.delete) or {}
  if next(changes) == nil and #deletes == 0 and not param.revert then die("no options specified\n") end
  for _, opt in ipairs(deletes) do
    if changes[opt] then
      cli.raise(400, "Parameter verification failed.",
        { delete = "you can't use '-" .. opt .. "' and -delete " .. opt .. "' at the same time" })
    end
  end
  state.lock_config(vmid, function()
    local conf = state.load_config(vmid)
    state.check_lock(conf)
    check_devices(changes)
    if param.digest and param.digest ~= util.trim(util.capture({ "sha1sum" }, false, " < " .. util.q(state.conf_path(vmid)))):match("^(%x+)") then
      error("detected modified configuration - file changed by other user? Try again.\n", 0)
    end
    if conf.pending then
      for _, opt in ipairs(S.split_list(param.revert or "")) do
        conf.pending.opts[opt] = nil
        pending_undelete(conf, opt)
      end
    end
    local running = lxc.is_running(vmid)
    for _, opt in ipairs(deletes) do
      if running and not hotpluggable(opt, conf, true) then pending_delete(vmid, conf, opt)
      else apply_delete(vmid, conf, opt) end
    end
    for _, k in ipairs(util.sorted_keys(changes)) do
      if running and not hotpluggable(k, conf, false) then
        conf.pending = conf.pending or { opts = {}, lxc = {} }
        conf.pending.opts[k] = changes[k]
        pending_undelete(conf, k)
      else
        apply_set(vmid, conf, k, changes[k])
      end
    end
    state.write_config(vmid, conf)
  end)
  return 0
end

---------------------------------------------------------------------------
-- exec / push / pull / unlock

function M.exec(param)
  local vmid = param.vmid
  state.load_config(vmid)
  if not lxc.is_running(vmid) then die("container '" .. vmid .. "' not running!\n") end
  local cmd = param["extra-args"] or {}
  if #cmd == 0 then die("missing command at /usr/share/perl5/PVE/CLI/pct.pm line 291.\n") end
  if fault.check("exec", "attach") then
    io.stderr:write("lxc-attach: " .. vmid .. ": ../src/lxc/attach.c: lxc_attach: 1470 Connection refused - Failed to get attach context\n")
    return 1
  end
  local keep_env = param["keep-env"] ~= "0"
  io.stdout:flush()
  return util.run(lxc.attach_argv(vmid, keep_env, cmd))
end

local function file_ops_prelude(vmid, what)
  local ok, err = pcall(state.lock_config, vmid, function()
    if not lxc.is_running(vmid) then error("can only " .. what .. " a running CT\n", 0) end
    state.load_config(vmid)
  end)
  if not ok then error(err, 0) end
end

function M.push(param)
  local vmid = param.vmid
  return task(function()
    file_ops_prelude(vmid, "push files to")
    local src = io.open(param.file, "rb")
    if not src then error("failed to open " .. param.file .. " for reading\n", 0) end
    src:close()
    local script = 'cat > "$1" || exit 1; if [ -n "$2" ]; then chmod "$2" "$1" || exit 1; fi; '
      .. 'if [ -n "$3" ]; then chown "$3" "$1" || exit 1; fi'
    local owner = ""
    if param.user or param.group then owner = (param.user or "") .. ":" .. (param.group or "") end
    local perms = param.perms and (param.perms:match("^0") and param.perms or ("0" .. param.perms)) or ""
    local argv = lxc.attach_argv(vmid, false, { "/bin/sh", "-c", script, "sh", param.destination, perms, owner })
    local out, code = util.capture(argv, true, " < " .. util.q(param.file))
    if code ~= 0 then error("failed to create file: " .. param.destination .. ": " .. util.trim(out) .. "\n", 0) end
  end)
end

function M.pull(param)
  local vmid = param.vmid
  return task(function()
    file_ops_prelude(vmid, "pull files from")
    local tmp = param.destination .. ".pct-pull." .. util.pid()
    local argv = lxc.attach_argv(vmid, false, { "/bin/cat", "--", param.path })
    local code = util.run(argv, " > " .. util.q(tmp) .. " 2>/dev/null")
    if code ~= 0 then
      os.remove(tmp)
      error("failed to open " .. param.path .. " for reading\n", 0)
    end
    local ok, err = os.rename(tmp, param.destination)
    if not ok then os.remove(tmp); error("failed to create file: " .. param.destination .. ": " .. tostring(err) .. "\n", 0) end
    if param.perms then
      util.run({ "chmod", param.perms:match("^0") and param.perms or ("0" .. param.perms), param.destination })
    end
  end)
end

function M.unlock(param)
  state.lock_config(param.vmid, function()
    local conf = state.load_config(param.vmid)
    conf.opts.lock = nil
    state.write_config(param.vmid, conf)
  end)
  return 0
end

---------------------------------------------------------------------------

local ORDER = { "config", "create", "destroy", "exec", "list", "pull", "push", "resume", "set", "shutdown",
  "start", "status", "stop", "suspend", "unlock" }

local function usage_all()
  local s = "USAGE: pct <COMMAND> [ARGS] [OPTIONS]\n\n"
  for _, name in ipairs(ORDER) do s = s .. "       " .. cli.usage_str("pct", name, defs[name]) .. "\n" end
  s = s .. "\n       pct help [<extra-args>] [OPTIONS]\n"
  return s
end

-- Unique prefixes expand to the full command, as in CLIHandler.
local function resolve_cmd(name)
  if defs[name] then return name end
  local found = {}
  for k in pairs(defs) do if k:sub(1, #name) == name then found[#found + 1] = k end end
  if #found == 1 then return found[1] end
  return nil
end

function M.main(argv)
  local name = argv[1]
  if not name then
    io.stderr:write("ERROR: no command specified\n" .. usage_all())
    return 255
  end
  if name == "help" then io.stdout:write(usage_all()); return 0 end
  local cmd = resolve_cmd(name)
  if not cmd then
    io.stderr:write("ERROR: unknown command 'pct " .. name .. "'\n" .. usage_all())
    return 255
  end
  local rest = { table.unpack(argv, 2) }
  local ok, res = pcall(function()
    local param = cli.parse("pct", cmd, defs[cmd], rest)
    return M[cmd](param)
  end)
  if ok then return res or 0 end
  -- parameter errors raised by the handler itself also get the usage line
  if type(res) == "table" and res.code == 400 and not res.usage then res.usage = cli.usage_str("pct", cmd, defs[cmd]) end
  if type(res) ~= "table" then res = { msg = tostring(res) } end
  io.stdout:flush()
  io.stderr:write(cli.format_error(res))
  return res.exit or 255
end

return M
