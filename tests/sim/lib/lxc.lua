-- The LXC side: generating /var/lib/lxc/<vmid>/config the way
-- PVE::LXC::update_lxc_config does, and driving lxc-start/-stop/-info/
-- -attach/-freeze against the simulator's LXC path.
local util = require("util")
local state = require("state")
local schema = require("schema")

local M = {}

local CFG = "/usr/share/lxc/config"

function M.lxc_version()
  local out = util.capture({ "lxc-start", "--version" }, true)
  local major, minor = out:match("(%d+)%.(%d+)")
  return tonumber(major) or 0, tonumber(minor) or 0
end

local function parse_prop(desc, value)
  local ok, res = pcall(schema.parse_property_string, desc, value, "")
  return ok and res or {}
end

local function has_lxc_entry(conf, key)
  for _, e in ipairs(conf.lxc) do if e[1] == key then return true end end
  return false
end

-- PVE 9 runs on cgroup v2 only, so the generated config always carries the
-- cgroup2 keys; LXC ignores them (with a warning) on a legacy host.
local function cgroup_lines(o)
  local out = {}
  local memory = tonumber(o.memory) or 512
  local swap = tonumber(o.swap) or 0
  local max = memory * 1024 * 1024
  out[#out + 1] = "lxc.cgroup2.memory.max = " .. max
  local high = memory >= 16 * 1024 and (memory - 128) * 1024 * 1024 or memory * 1024 * 1016
  out[#out + 1] = "lxc.cgroup2.memory.high = " .. math.floor(high)
  out[#out + 1] = "lxc.cgroup2.memory.swap.max = " .. math.floor(swap * 1024 * 1024)
  local cpulimit = tonumber(o.cpulimit)
  if cpulimit and cpulimit > 0 then
    out[#out + 1] = "lxc.cgroup2.cpu.max = " .. math.floor(100000 * cpulimit) .. " 100000"
  end
  if o.cpuunits then
    local shares = math.max(1, math.min(10000, tonumber(o.cpuunits)))
    out[#out + 1] = "lxc.cgroup2.cpu.weight = " .. shares
  end
  return out
end

local function host_cpus()
  local text = util.read("/sys/fs/cgroup/cpuset.cpus.effective")
      or util.read("/sys/fs/cgroup/cpuset/cpuset.effective_cpus")
      or util.read("/sys/devices/system/cpu/online") or "0"
  local cpus = {}
  for part in util.trim(text):gmatch("[^,]+") do
    local a, b = part:match("^(%d+)%-(%d+)$")
    if a then for c = tonumber(a), tonumber(b) do cpus[#cpus + 1] = c end
    else cpus[#cpus + 1] = tonumber(part) end
  end
  return cpus
end

-- Real PVE picks random CPUs; the simulator takes the first N so tests are
-- repeatable. cgroup v1 hosts get the v1 key, as PVE does.
local function cpuset_line(cores)
  local cpus = host_cpus()
  local picked = {}
  for i = 1, math.min(cores, #cpus) do picked[i] = cpus[i] end
  local ver = util.exists("/sys/fs/cgroup/cpuset/cpuset.cpus") and "" or "2"
  return "lxc.cgroup" .. ver .. ".cpuset.cpus = " .. table.concat(picked, ",")
end

local function mount_lines(vmid, o)
  local out = {}
  for i = 0, 255 do
    local v = o["mp" .. i]
    if v then
      local mp = parse_prop(schema.mp_desc, v)
      local src = mp.volume or ""
      if not src:match("^/") then
        src = state.volume_path(src)
      elseif not src:match("^/dev/") and not util.is_dir(src) then
        -- pve-container's __mountpoint_mount binds a host path only when
        -- it is a directory, in the pre-start hook
        error("directory '" .. src .. "' does not exist\n", 0)
      end
      local target = (mp.mp or ""):gsub("^/+", "")
      local opts = "bind,create=dir"
      if mp.ro == "1" then opts = opts .. ",ro" end
      if mp.mountoptions then opts = opts .. "," .. mp.mountoptions:gsub(";", ",") end
      out[#out + 1] = "lxc.mount.entry = " .. src .. " " .. target .. " none " .. opts .. " 0 0"
    end
  end
  return out
end

local function dev_lines(o)
  local out = {}
  for i = 0, 255 do
    local v = o["dev" .. i]
    if v then
      local d = parse_prop(schema.dev_desc, v)
      local st = util.capture({ "stat", "-L", "-c", "%F %t %T", d.path or "" }, false, " 2>/dev/null")
      local kind, maj, min = st:match("^(.-) (%x+) (%x+)")
      if not kind then error("Path " .. tostring(d.path) .. " is not a device\n", 0) end
      local c = kind:find("block") and "b" or "c"
      local perms = d["deny-write"] == "1" and "r" or "rw"
      maj, min = tonumber(maj, 16), tonumber(min, 16)
      out[#out + 1] = "lxc.cgroup2.devices.allow = " .. c .. " " .. maj .. ":" .. min .. " " .. perms
      out[#out + 1] = "lxc.mount.entry = " .. d.path .. " " .. d.path:sub(2) .. " none bind,optional,create=file 0 0"
    end
  end
  return out
end

-- The host's bridges are never touched: by default a netN becomes an
-- `empty` network (loopback only); PVE_SIM_NET=veth gives a real veth pair
-- with an auto-named host end that is not attached to any bridge.
local function net_lines(o)
  local out = {}
  local mode = os.getenv("PVE_SIM_NET") or "empty"
  for i = 0, 31 do
    local v = o["net" .. i]
    if v then
      local d = parse_prop(schema.net_desc, v)
      if mode == "veth" then
        out[#out + 1] = "lxc.net." .. i .. ".type = veth"
        if d.hwaddr then out[#out + 1] = "lxc.net." .. i .. ".hwaddr = " .. d.hwaddr end
        if d.name then out[#out + 1] = "lxc.net." .. i .. ".name = " .. d.name end
        out[#out + 1] = "lxc.net." .. i .. ".mtu = " .. (d.mtu or "1500")
        if d["host-managed"] == "1" and d.link_down ~= "1" then
          if d.ip and d.ip ~= "dhcp" and d.ip ~= "manual" then
            out[#out + 1] = "lxc.net." .. i .. ".ipv4.address = " .. d.ip
          end
          if d.gw then out[#out + 1] = "lxc.net." .. i .. ".ipv4.gateway = " .. d.gw end
          out[#out + 1] = "lxc.net." .. i .. ".flags = up"
        end
      else
        out[#out + 1] = "lxc.net." .. i .. ".type = empty"
      end
    end
  end
  return out
end

function M.generate_config(vmid, conf, rootfs_dir)
  local o = conf.opts
  local major = M.lxc_version()
  local custom_idmap = has_lxc_entry(conf, "lxc.idmap")
  local unpriv = o.unprivileged == "1" or custom_idmap
  local ostype = o.ostype or "unmanaged"
  local L = {}
  local function add(s) L[#L + 1] = s end
  add("lxc.arch = " .. (o.arch or "amd64"))
  local inc = CFG .. "/" .. ostype .. ".common.conf"
  add("lxc.include = " .. (util.exists(inc) and inc or (CFG .. "/common.conf")))
  if unpriv then
    inc = CFG .. "/" .. ostype .. ".userns.conf"
    add("lxc.include = " .. (util.exists(inc) and inc or (CFG .. "/userns.conf")))
  end
  local features = o.features and parse_prop(schema.features_desc, o.features) or {}
  if features.nesting == "1" then add("lxc.include = " .. CFG .. "/nesting.conf") end
  if features.fuse == "1" then add("lxc.mount.entry = /dev/fuse dev/fuse none bind,create=file,optional 0 0") end
  if unpriv and features.force_rw_sys ~= "1" then add("lxc.mount.auto = sys:mixed") end
  if o.entrypoint and o.entrypoint ~= "/sbin/init" then
    add("lxc.mount.entry = shm dev/shm tmpfs rw,nosuid,nodev,create=dir 0 0")
  end
  for _, l in ipairs(dev_lines(o)) do add(l) end
  add("lxc.monitor.unshare = 1")
  if unpriv and not custom_idmap then
    add("lxc.idmap = u 0 100000 65536")
    add("lxc.idmap = g 0 100000 65536")
  end
  if o.console == "0" then
    add("lxc.console.path = none")
    add("lxc.cgroup2.devices.deny = c 5:1 rwm")
  end
  local tty = o.tty or "2"
  if o.cmode == "console" then tty = "0" end
  add("lxc.tty.max = " .. tty)
  add("lxc.environment = TERM=linux")
  add("lxc.uts.name = " .. (o.hostname or ("CT" .. vmid)))
  for _, l in ipairs(cgroup_lines(o)) do add(l) end
  add("lxc.rootfs.path = " .. rootfs_dir)
  -- pve-container's pre-start hook mounts the root read-only for ro=1,
  -- before LXC makes its own mounts (whose mount points must then exist)
  local root = o.rootfs and parse_prop(schema.rootfs_desc, o.rootfs) or {}
  if root.ro == "1" then add("lxc.rootfs.options = ro") end
  if o.entrypoint then add("lxc.init.cmd = " .. o.entrypoint) end
  for _, l in ipairs(net_lines(o)) do add(l) end
  for _, l in ipairs(mount_lines(vmid, o)) do add(l) end
  -- LXC < 6 has no lxc.environment.runtime; lxc.environment is its equivalent.
  local envkey = major >= 6 and "lxc.environment.runtime" or "lxc.environment"
  if o.env then
    for _, var in ipairs(util.split(o.env, "\0")) do
      if var ~= "" then add(envkey .. " = " .. var) end
    end
  end
  local had_cpuset = false
  for _, e in ipairs(conf.lxc) do
    local k = e[1]
    if k == "lxc.cgroup2.cpuset.cpus" or k == "lxc.cgroup.cpuset.cpus" then had_cpuset = true end
    if k == "lxc.environment.runtime" and major < 6 then k = "lxc.environment" end
    add(k .. " = " .. e[2])
  end
  if not had_cpuset and o.cores then add(cpuset_line(tonumber(o.cores))) end
  return table.concat(L, "\n") .. "\n"
end

---------------------------------------------------------------------------

local function base(vmid) return { "-P", state.lxcpath(), "-n", tostring(vmid) } end

local function argv(prog, vmid, ...)
  local a = { prog }
  for _, x in ipairs(base(vmid)) do a[#a + 1] = x end
  for _, x in ipairs({ ... }) do a[#a + 1] = x end
  return a
end

-- "RUNNING", "FROZEN", "STOPPED", ... or nil when LXC does not know it.
function M.state(vmid)
  if not util.exists(state.lxcpath() .. "/" .. vmid .. "/config") then return "STOPPED" end
  local out = util.capture(argv("lxc-info", vmid, "-s", "-H"), false, " 2>/dev/null")
  out = util.trim(out)
  return out ~= "" and out or "STOPPED"
end

function M.is_running(vmid)
  local s = M.state(vmid)
  return s == "RUNNING" or s == "FROZEN" or s == "FREEZING" or s == "THAWED" or s == "STOPPING"
end

function M.pid(vmid)
  local out = util.capture(argv("lxc-info", vmid, "-p", "-H"), false, " 2>/dev/null")
  return tonumber(util.trim(out))
end

function M.log_path(vmid) return state.lxcpath() .. "/" .. vmid .. "/lxc.log" end

-- Real PVE starts a CT through systemd (pve-container@<vmid>), so its
-- monitor and init never descend from pct's caller; the simulator's service
-- manager (tests/sim/svcmgr) does the same. PVE_SIM_SVC=inline runs
-- lxc-start under pct instead: not faithful, for debugging only.
function M.start(vmid)
  os.remove(M.log_path(vmid))
  if os.getenv("PVE_SIM_SVC") == "inline" then
    local out, code = util.capture(argv("lxc-start", vmid, "-d", "-o", M.log_path(vmid), "-l", "WARN"), true)
    return code, out
  end
  local svc = require("svc")
  if not svc.serving() then
    io.stderr:write("pve-sim: " .. svc.not_running_error() .. "\n")
    return 1, ""
  end
  return svc.lxc_start(vmid)
end

function M.errors_from_log(vmid)
  local lines = {}
  for line in (util.read(M.log_path(vmid)) or ""):gmatch("[^\n]+") do
    local msg = line:match("ERROR%s+%S+%s+%-%s+[^:]+:([^%s].*)$") or line:match("ERROR%s+(.*)$")
    if msg then lines[#lines + 1] = msg end
  end
  return lines
end

function M.stop(vmid, kill, timeout)
  local a = argv("lxc-stop", vmid)
  if kill then a[#a + 1] = "--kill"
  else
    a[#a + 1] = "--nokill"
    if timeout then a[#a + 1] = "--timeout"; a[#a + 1] = tostring(timeout) end
  end
  return util.capture(a, true)
end

function M.freeze(vmid) return util.capture(argv("lxc-freeze", vmid), true) end
function M.unfreeze(vmid) return util.capture(argv("lxc-unfreeze", vmid), true) end

function M.attach_argv(vmid, keep_env, cmd)
  local a = argv("lxc-attach", vmid)
  a[#a + 1] = keep_env and "--keep-env" or "--clear-env"
  a[#a + 1] = "--"
  for _, x in ipairs(cmd) do a[#a + 1] = x end
  return a
end

return M
