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
-- repeatable. A PVE 9 node is cgroup v2: the cgroup2 key (translated for
-- this host's v1 cpuset controller with the other limits, see cgroupv1).
local function cpuset_line(cores)
  local cpus = host_cpus()
  local picked = {}
  for i = 1, math.min(cores, #cpus) do picked[i] = cpus[i] end
  return "lxc.cgroup2.cpuset.cpus = " .. table.concat(picked, ",")
end

-- get_device_mode_and_rdev: true, "b"|"c", major, minor for a device
-- node; false and pve-container's message otherwise.
function M.device(path)
  local st = util.capture({ "stat", "-L", "-c", "%F %t %T", path }, false, " 2>/dev/null")
  local kind, maj, min = st:match("^(.-) (%x+) (%x+)")
  if not kind then return false, "Device " .. path .. " does not exist\n" end
  if not kind:find("special file", 1, true) then return false, path .. " is not a device\n" end
  return true, kind:find("block") and "b" or "c", tonumber(maj, 16), tonumber(min, 16)
end

-- pve-container (6.1, LXC.pm update_lxc_config) looks for
-- <ostype>.common.conf with a file test that leaves errno ENOENT when it
-- is missing, as it is for `unmanaged` (no LXC ships one), and its device
-- check (get_device_mode_and_rdev) reads errno after a successful stat:
-- every devN of such a CT fails the start, although the device exists.
local function dev_lines(o)
  local out = {}
  for i = 0, 255 do
    local v = o["dev" .. i]
    if v then
      local d = parse_prop(schema.dev_desc, v)
      if (o.ostype or "unmanaged") == "unmanaged" then
        error("Device " .. tostring(d.path) .. " does not exist\n", 0)
      end
      local ok, c, maj, min = M.device(d.path or "")
      if not ok then error(c, 0) end
      local perms = d["deny-write"] == "1" and "r" or "rw"
      out[#out + 1] = "lxc.cgroup2.devices.allow = " .. c .. " " .. maj .. ":" .. min .. " " .. perms
      if d["deny-write"] == "1" then
        out[#out + 1] = "lxc.cgroup2.devices.deny = " .. c .. " " .. maj .. ":" .. min .. " w"
      end
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

-- pve-container's make_apparmor_config: the generated profile with its
-- extra rules, unless the CT names a profile of its own. AppArmor is
-- disabled on the test hosts, where LXC skips it: the lines are written as
-- a node would get them and nothing enforces them here.
local function apparmor_lines(conf, features)
  if has_lxc_entry(conf, "lxc.apparmor.profile") then return {} end
  local out = { "lxc.apparmor.profile = generated", "lxc.apparmor.raw = allow mqueue," }
  if features.nesting == "1" then
    out[#out + 1] = "lxc.apparmor.allow_nesting = 1"
    out[#out + 1] = "lxc.apparmor.raw = allow userns,"
  else
    out[#out + 1] = "lxc.apparmor.raw = deny mount -> /proc/,"
    out[#out + 1] = "lxc.apparmor.raw = deny mount -> /sys/,"
  end
  for fs in (features.mount or ""):gmatch("[^;%s]+") do out[#out + 1] = "lxc.apparmor.raw = mount fstype=" .. fs .. "," end
  return out
end

-- The simulator's share of the cgroup tree: pve-container's layout
-- (lxc/<vmid> with the CT in its "ns" child, the monitor in
-- lxc.monitor/<vmid>) below a directory of this root's own, since roots run
-- side by side with the same VMIDs and LXC refuses an explicit cgroup
-- directory that exists (docs/simulator.md).
function M.cgroup_base() return state.cgroup_prefix() end

function M.generate_config(vmid, conf)
  local o = conf.opts
  local major = M.lxc_version()
  local custom_idmap = has_lxc_entry(conf, "lxc.idmap")
  local unpriv = o.unprivileged == "1" or custom_idmap
  local ostype = o.ostype or "unmanaged"
  local L = {}
  local function add(s) L[#L + 1] = s end
  local cg = M.cgroup_base()
  add("lxc.cgroup.relative = 0")
  add("lxc.cgroup.dir.monitor = " .. cg .. "lxc.monitor/" .. vmid)
  add("lxc.cgroup.dir.container = " .. cg .. "lxc/" .. vmid)
  add("lxc.cgroup.dir.container.inner = ns")
  add("lxc.arch = " .. (o.arch or "amd64"))
  local inc = CFG .. "/" .. ostype .. ".common.conf"
  add("lxc.include = " .. (util.exists(inc) and inc or (CFG .. "/common.conf")))
  if unpriv then
    inc = CFG .. "/" .. ostype .. ".userns.conf"
    add("lxc.include = " .. (util.exists(inc) and inc or (CFG .. "/userns.conf")))
  end
  -- what pve-container's common.conf.d/01-pve.conf adds to every CT: its
  -- pre-start hook, which mounts the root and the mount points
  add("lxc.hook.pre-start = " .. M.prestart_hook() .. " " .. state.root .. " " .. state.node)
  local features = o.features and parse_prop(schema.features_desc, o.features) or {}
  if features.nesting == "1" then add("lxc.include = " .. CFG .. "/nesting.conf") end
  for _, l in ipairs(apparmor_lines(conf, features)) do add(l) end
  if features.fuse == "1" then
    add("lxc.apparmor.raw = mount fstype=fuse,")
    add("lxc.mount.entry = /dev/fuse dev/fuse none bind,create=file 0 0")
  end
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
  -- get_tty_count: the tty option (default 2), whatever cmode says
  add("lxc.tty.max = " .. (o.tty or "2"))
  add("lxc.environment = TERM=linux")
  add("lxc.uts.name = " .. (o.hostname or ("CT" .. vmid)))
  for _, l in ipairs(cgroup_lines(o)) do add(l) end
  -- the pre-start hook mounts rootfs (read-only for ro=1) and every mpN
  -- here before LXC makes its own mounts, as pve-container's does
  add("lxc.rootfs.path = " .. M.rootfs_mount(vmid))
  if o.entrypoint then add("lxc.init.cmd = " .. o.entrypoint) end
  for _, l in ipairs(net_lines(o)) do add(l) end
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
    if k == "lxc.cgroup2.cpuset.cpus" then had_cpuset = true end
    if k == "lxc.environment.runtime" and major < 6 then k = "lxc.environment" end
    add(k .. " = " .. e[2])
  end
  if not had_cpuset and o.cores then add(cpuset_line(tonumber(o.cores))) end
  return table.concat(require("cgroupv1").translate(L), "\n") .. "\n"
end

-- Where the pre-start hook mounts the CT's root (pve-container:
-- /var/lib/lxc/<vmid>/rootfs), which is LXC's rootfs.path.
function M.rootfs_mount(vmid) return state.lxcpath() .. "/" .. vmid .. "/rootfs" end

function M.prestart_hook()
  return (debug.getinfo(1, "S").source:match("^@(.*)/lib/[^/]*$") or ".") .. "/lxc-prestart-hook"
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
    local a = argv("lxc-start", vmid, "-d", "-o", M.log_path(vmid), "-l", "WARN")
    table.insert(a, 1, "--default-signal")
    table.insert(a, 1, "env")
    local out, code = util.capture(a, true)
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

-- lxc-start in the foreground (what a CRIU restore with --foreground
-- amounts to here), signals at their defaults.
function M.foreground_argv(vmid)
  local a = argv("lxc-start", vmid, "-F", "-o", M.log_path(vmid), "-l", "WARN")
  table.insert(a, 1, "--default-signal")
  table.insert(a, 1, "env")
  return a
end

function M.attach_argv(vmid, keep_env, cmd)
  local a = argv("lxc-attach", vmid)
  a[#a + 1] = keep_env and "--keep-env" or "--clear-env"
  a[#a + 1] = "--"
  for _, x in ipairs(cmd) do a[#a + 1] = x end
  return a
end

return M
