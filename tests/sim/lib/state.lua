-- The simulated node's files under PVE_SIM_ROOT: paths, the <vmid>.conf
-- format, the cluster .vmlist, storage.cfg, and per-VMID flock locks.
local util = require("util")
local cjson = require("cjson")

local M = {}

function M.init(root, node)
  root = root or os.getenv("PVE_SIM_ROOT")
  if not root or root == "" then
    io.stderr:write("PVE_SIM_ROOT is not set: the simulator needs a root directory for its files\n")
    os.exit(2)
  end
  M.root = root:gsub("/+$", "")
  M.node = node or os.getenv("PVE_SIM_NODE") or "pve"
  if M.node == "" then M.node = "pve" end
  util.mkdir_p(M.root)
  -- Unprivileged containers run as uid 100000: the path to their root
  -- directory must be traversable for it, as /var/lib/vz is on a real node.
  util.run({ "chmod", "go+x", M.root })
  M.ensure_layout()
end

function M.path(rel) return M.root .. "/" .. rel end
function M.lxc_dir() return M.path("etc/pve/nodes/" .. M.node .. "/lxc") end
function M.conf_path(vmid) return M.lxc_dir() .. "/" .. vmid .. ".conf" end
function M.cfs_conf_path(vmid) return "nodes/" .. M.node .. "/lxc/" .. vmid .. ".conf" end
function M.lock_path(vmid) return M.path("run/lock/lxc/pve-config-" .. vmid .. ".lock") end
function M.lxcpath() return M.path("var/lib/lxc") end
function M.vmlist_path() return M.path("etc/pve/.vmlist") end

-- This root's directory in every cgroup hierarchy ("pve-sim/<hash of the
-- root>/"), below which the CTs get pve-container's lxc/<vmid> layout.
function M.cgroup_prefix()
  local h = 2166136261 -- FNV-1a, 32 bits
  for i = 1, #M.root do h = ((h ~ M.root:byte(i)) * 16777619) & 0xffffffff end
  return string.format("pve-sim/%08x/", h)
end

function M.ensure_layout()
  util.mkdir_p(M.lxc_dir())
  local link = M.path("etc/pve/lxc")
  -- -T: when a concurrent pct made the link between our check and ln,
  -- ln fails instead of making lxc/lxc inside the directory it points to
  if util.run({ "test", "-L", link }) ~= 0 and not util.exists(link) then
    util.run({ "ln", "-sT", "nodes/" .. M.node .. "/lxc", link }, " 2>/dev/null")
  end
  util.mkdir_p(M.path("run/lock/lxc"))
  util.mkdir_p(M.lxcpath(), "0755")
  -- pmxcfs always has a .vmlist; a cluster without guests: no ids key
  if not util.exists(M.vmlist_path()) then
    M.with_flock(M.path("run/lock/pve-vmlist.lock"), 10, function()
      if not util.exists(M.vmlist_path()) then util.write_atomic(M.vmlist_path(), '{"version":1}\n') end
    end)
  end
  if not util.exists(M.path("etc/pve/storage.cfg")) then
    util.write_atomic(M.path("etc/pve/storage.cfg"), "dir: local\n\tpath " .. M.path("var/lib/vz")
      .. "\n\tcontent vztmpl,rootdir,images,snippets,iso,backup\n")
  end
end

---------------------------------------------------------------------------
-- storage.cfg (section config: "type: id" then tab-indented "key value")

function M.storages()
  local text = util.read(M.path("etc/pve/storage.cfg")) or ""
  local res, cur = {}, nil
  for line in text:gmatch("[^\n]*") do
    local t, id = line:match("^(%S+):%s*(%S+)%s*$")
    if t then
      cur = { type = t, id = id, content = {} }
      res[id] = cur
    elseif cur then
      local k, v = line:match("^%s+(%S+)%s*(.*)$")
      if k == "content" then
        for c in v:gmatch("[^,%s]+") do cur.content[c] = true end
      elseif k then
        cur[k] = v
      end
    end
  end
  -- pve-storage forces the path of the storage `local` to /var/lib/vz
  -- (under the root here), whatever storage.cfg says.
  if res["local"] and res["local"].type == "dir" then res["local"].path = M.path("var/lib/vz") end
  return res
end

function M.storage(id)
  local s = M.storages()[id]
  if not s then error("storage '" .. id .. "' does not exist\n", 0) end
  if s.disable then error("storage '" .. id .. "' is disabled\n", 0) end
  if not s.path then error("storage '" .. id .. "' has no path (only 'dir' storages are simulated)\n", 0) end
  return s
end

-- <storage>:vztmpl/<file> -> absolute path; errors like PVE::Storage.
function M.template_path(volid)
  local sid, volname = volid:match("^([^:]+):(.+)$")
  if not sid then
    if volid:sub(1, 1) == "/" then return volid end
    error("unable to parse volume ID '" .. volid .. "'\n", 0)
  end
  local s = M.storage(sid)
  local file = volname:match("^vztmpl/([^/]+)$")
  if not file or not (file:match("%.tar$") or file:match("%.tar%.gz$") or file:match("%.tar%.xz$")
      or file:match("%.tar%.zst$") or file:match("%.tgz$") or file:match("%.tar%.bz2$")) then
    error("unable to parse directory volume name '" .. volname .. "'\n", 0)
  end
  return s.path .. "/template/cache/" .. file, s
end

function M.snippet_path(volid)
  local sid, file = volid:match("^([^:]+):snippets/([^/]+)$")
  if not sid then error("unable to parse directory volume name '" .. volid .. "'\n", 0) end
  return M.storage(sid).path .. "/snippets/" .. file
end

-- Volume "local:100/subvol-100-disk-0.subvol" -> directory on the host.
function M.volume_path(volid)
  local sid, volname = volid:match("^([^:]+):(.+)$")
  if not sid then return volid end
  local s = M.storage(sid)
  local owner = volname:match("^(%d+)/")
  if owner then return s.path .. "/images/" .. volname, tonumber(owner) end
  return s.path .. "/images/" .. volname, nil
end

---------------------------------------------------------------------------
-- <vmid>.conf

local function decode_text(s)
  return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

function M.encode_text(s)
  return (s:gsub("[^\x20-\x24\x26-\x39\x3b-\x7e]", function(c) return string.format("%%%02X", c:byte()) end))
end

-- pve-container's $valid_lxc_conf_keys: 1 = allowed, a string = the error.
local VALID_LXC_KEYS = {}
for k in ([[lxc.apparmor.profile lxc.apparmor.allow_incomplete lxc.apparmor.allow_nesting lxc.apparmor.raw
  lxc.selinux.context lxc.include lxc.arch lxc.uts.name lxc.signal.halt lxc.signal.reboot lxc.signal.stop
  lxc.init.cmd lxc.init.cwd lxc.init.uid lxc.init.gid lxc.init.groups lxc.pty.max lxc.console.logfile
  lxc.console.path lxc.tty.max lxc.devtty.dir lxc.hook.autodev lxc.autodev lxc.kmsg lxc.mount.fstab
  lxc.mount.entry lxc.mount.auto lxc.rootfs.mount lxc.cap.drop lxc.cap.keep lxc.seccomp.profile
  lxc.seccomp.notify.proxy lxc.seccomp.notify.cookie lxc.idmap lxc.hook.pre-start lxc.hook.pre-mount
  lxc.hook.mount lxc.hook.start lxc.hook.stop lxc.hook.post-stop lxc.hook.clone lxc.hook.destroy
  lxc.hook.version lxc.log.level lxc.log.file lxc.start.auto lxc.start.delay lxc.start.order lxc.group
  lxc.environment lxc.environment.runtime lxc.environment.hooks lxc.sysctl.fs.mqueue lxc.sysctl.kernel.msgmax
  lxc.sysctl.kernel.msgmnb lxc.sysctl.kernel.msgmni lxc.sysctl.kernel.sem lxc.sysctl.kernel.shmall
  lxc.sysctl.kernel.shmmax lxc.sysctl.kernel.shmmni lxc.sysctl.kernel.shm_rmid_forced]]):gmatch("%S+") do
  VALID_LXC_KEYS[k] = 1
end
VALID_LXC_KEYS["lxc.rootfs.path"] = "lxc.rootfs.path is auto generated from rootfs"
VALID_LXC_KEYS["lxc.rootfs.options"] = 'lxc.rootfs.options is not supported, please use mount point options in the "rootfs" key'

-- Returns 1 (keep), or a warning to print and whether to keep the key.
local function check_lxc_key(vmid, key)
  if key:match("^lxc%.limit%.") then return true, "vm " .. vmid .. " - " .. key .. ": lxc.limit.* was renamed to lxc.prlimit.*" end
  local v = VALID_LXC_KEYS[key]
  if v == 1 then return true end
  if v then return false, "vm " .. vmid .. " - " .. key .. ": " .. v end
  if key:match("^lxc%.cgroup%.") then
    return true, "vm " .. vmid .. " - " .. key .. " is deprecated, this will be a hard error in the future!"
  end
  if key:match("^lxc%.cgroup2%.") or key:match("^lxc%.prlimit%.") or key:match("^lxc%.net%.") then return true end
  return false, nil
end

local function new_section()
  return { opts = {}, lxc = {}, descr = nil }
end

-- Returns {opts=..., lxc={{k,v}...}, pending=section|nil, snapshots={name=section}, raw=text}
function M.parse_conf(text, vmid)
  local conf = new_section()
  conf.snapshots, conf.raw = {}, text
  local cur, descr = conf, nil
  local function flush_descr()
    if descr then cur.opts.description = descr:gsub("\n$", "") end
    descr = nil
  end
  for line in text:gmatch("[^\n]+") do
    if line:match("^%s*$") then
      -- skip
    elseif line:match("^%[pve:pending%]%s*$") then
      flush_descr(); cur = new_section(); conf.pending = cur
    elseif line:match("^%[([%a][%w_%-]+)%]%s*$") then
      flush_descr(); cur = new_section(); conf.snapshots[line:match("^%[(.-)%]")] = cur
    elseif line:match("^#") then
      descr = (descr or "") .. decode_text(line:sub(2)) .. "\n"
    else
      local k, v = line:match("^(lxc%.[a-z0-9_%-%.]+)%s*[:=]%s*(.-)%s*$")
      if k == "lxc.environment.runtime" then
        cur.opts.env = cur.opts.env and (cur.opts.env .. "\0" .. v) or v
      elseif k then
        local keep, warning = check_lxc_key(vmid or "?", k)
        if not keep and not warning then warning = "vm " .. (vmid or "?") .. " - unable to parse config: " .. line end
        if warning then io.stderr:write(warning .. "\n") end
        if keep then cur.lxc[#cur.lxc + 1] = { k, v } end
      else
        k, v = line:match("^([a-z][a-z_]*%d*):%s*(.-)%s*$")
        if k == "description" then
          descr = (descr or "") .. decode_text(v)
        elseif k then
          cur.opts[k] = v
        end
      end
    end
  end
  flush_descr()
  return conf
end

local function section_text(sec)
  local out = {}
  if sec.opts.description then
    for l in (sec.opts.description .. "\n"):gmatch("(.-)\n") do out[#out + 1] = "#" .. M.encode_text(l) end
  end
  for _, k in ipairs(util.sorted_keys(sec.opts)) do
    if k ~= "description" and k ~= "env" then out[#out + 1] = k .. ": " .. sec.opts[k] end
  end
  if sec.opts.env then
    for _, var in ipairs(util.split(sec.opts.env, "\0")) do
      if var ~= "" then out[#out + 1] = "lxc.environment.runtime: " .. var end
    end
  end
  for _, e in ipairs(sec.lxc) do
    if e[1] ~= "lxc.environment.runtime" then out[#out + 1] = e[1] .. ": " .. e[2] end
  end
  return table.concat(out, "\n") .. (#out > 0 and "\n" or "")
end

function M.format_conf(conf)
  local raw = section_text(conf)
  if conf.pending and (next(conf.pending.opts) or #conf.pending.lxc > 0) then
    raw = raw .. "\n[pve:pending]\n" .. section_text(conf.pending)
  end
  for _, name in ipairs(util.sorted_keys(conf.snapshots or {})) do
    raw = raw .. "\n[" .. name .. "]\n" .. section_text(conf.snapshots[name])
  end
  return raw
end

function M.conf_exists(vmid) return util.exists(M.conf_path(vmid)) end

function M.load_config(vmid)
  local text = util.read(M.conf_path(vmid))
  if not text then
    error({ msg = "Configuration file '" .. M.cfs_conf_path(vmid) .. "' does not exist\n", exit = 2 }, 0)
  end
  return M.parse_conf(text, vmid)
end

function M.write_config(vmid, conf)
  util.write_atomic(M.conf_path(vmid), M.format_conf(conf))
end

function M.check_lock(conf)
  local lock = conf.opts.lock
  if lock then error("CT is locked (" .. lock .. ")\n", 0) end
end

---------------------------------------------------------------------------
-- .vmlist: cluster-wide, rewritten atomically under a node-wide lock so
-- concurrent creates in one root do not lose each other's entries.

function M.read_vmlist()
  local text = util.read(M.vmlist_path())
  if not text or text == "" then return { version = 0, ids = {} } end
  local ok, data = pcall(cjson.decode, text)
  if not ok or type(data) ~= "table" then return { version = 0, ids = {} } end
  data.ids = data.ids or {}
  data.version = data.version or 0
  return data
end

-- A cluster without guests has no "ids" key at all (pmxcfs writes only
-- {"version": N}).
local function write_vmlist(list)
  list.version = (list.version or 0) + 1
  if next(list.ids) == nil then list.ids = nil end
  local text = cjson.encode(list)
  util.write_atomic(M.vmlist_path(), text .. "\n")
end

function M.vmlist_update(fn)
  return M.with_flock(M.path("run/lock/pve-vmlist.lock"), 10, function()
    local list = M.read_vmlist()
    fn(list)
    write_vmlist(list)
  end)
end

-- The exit status real pct dies with: errno, which is ENOENT (2) when the
-- guest is on another node (create_vm's file test of this node's config
-- path failed just before) and unset (255) on this node.
local function vmid_used(kind, vmid, node)
  error({ msg = kind .. " " .. vmid .. " already exists on node '" .. tostring(node) .. "'\n",
    exit = node == M.node and 255 or 2 }, 0)
end

function M.check_vmid_unused(vmid)
  local d = M.read_vmlist().ids[tostring(vmid)]
  if d then vmid_used(d.type == "qemu" and "VM" or "CT", vmid, d.node) end
  -- A config file without a vmlist entry still occupies the id, on any
  -- node: pmxcfs keeps a VMID unique across the cluster's node dirs.
  for _, node in ipairs(util.list_dir(M.path("etc/pve/nodes"))) do
    for _, kind in ipairs({ "lxc", "qemu-server" }) do
      if util.exists(M.path("etc/pve/nodes/" .. node .. "/" .. kind .. "/" .. vmid .. ".conf")) then
        vmid_used(kind == "lxc" and "CT" or "VM", vmid, node)
      end
    end
  end
end

-- Claim a VMID cluster-wide: the check and the first config write as one
-- step, as pmxcfs makes creating nodes/<node>/lxc/<vmid>.conf (several
-- nodes share one etc/pve here, each with its own PVE_SIM_NODE).
function M.claim_vmid(write)
  local got, err = M.with_flock(M.path("run/lock/pve-vmlist.lock"), 60, write)
  if not got then error("cluster file system: got timeout\n", 0) end
  return err
end

---------------------------------------------------------------------------
-- flock: Lua cannot hold a lock itself, so a helper `flock` process holds
-- it for us and exits as soon as this process is gone (tail --pid), so
-- killing pct (a caller's timeout) never leaves a stale lock behind.

local held = {}

-- The helper tries the lock without waiting first, so a caller can say
-- that it waits (on_wait), as pve-common's lock_file_full prints "trying
-- to acquire lock..." before it blocks.
function M.with_flock(path, timeout, fn, on_wait)
  if held[path] then return fn() end
  local script = 'exec 9>>"$1" || exit 1; if ! flock -x -n 9; then echo waiting; '
    .. 'flock -x -w "$2" 9 || exit 75; fi; echo "locked $$"; exec tail --pid="$3" -s 0.1 -f /dev/null'
  local helper = util.cmdline({ "sh", "-c", script, "sh", path, tostring(timeout), util.pid() })
  local p = assert(io.popen(helper .. " 2>/dev/null", "r"))
  local line = p:read("l")
  if line == "waiting" then
    if on_wait then on_wait() end
    line = p:read("l")
  end
  local shpid = line and line:match("^locked (%d+)$")
  if not shpid then
    p:close()
    return nil, "timeout"
  end
  held[path] = true
  local ok, res = pcall(fn)
  held[path] = nil
  util.run({ "kill", shpid }, " 2>/dev/null")
  p:close()
  if not ok then error(res, 0) end
  return true, res
end

-- What lock_file_full prints before it blocks on a held lock.
function M.say_waiting() io.stderr:write("trying to acquire lock...\n") end

-- A lock timeout as pve-common raises it: the alarm interrupts flock, so
-- Perl's die exits with errno EINTR (4) where no task worker turns it
-- into 255. prefix: the caller's context ("unable to create CT N - ").
function M.lock_timeout(vmid, prefix)
  error({ msg = (prefix or "") .. "can't lock file '" .. M.lock_path(vmid) .. "' - got timeout\n", exit = 4 }, 0)
end

-- timeout: seconds (PVE_SIM_LOCK_TIMEOUT, else the caller's, else 10 as
-- lock_config's); prefix as for lock_timeout.
function M.lock_config(vmid, fn, timeout, prefix)
  timeout = tonumber(os.getenv("PVE_SIM_LOCK_TIMEOUT") or "") or timeout or 10
  local got, res = M.with_flock(M.lock_path(vmid), timeout, fn, M.say_waiting)
  if not got then M.lock_timeout(vmid, prefix) end
  return res
end

return M
