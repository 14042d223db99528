-- The service manager (tests/sim/svcmgr), the simulator's systemd: CTs
-- started by `pct start` never descend from pct's caller, as on a real node
-- where pct start runs `systemctl start pve-container@<vmid>`.
local H = require("harness")
local util = require("util")
local test, eq, fails, contains, ok = H.test, H.eq, H.fails, H.contains, H.ok
local succeeds = H.succeeds

local function create(r, vmid)
  return succeeds(r:pct("create", tostring(vmid), r:template(), "--entrypoint", "/bin/sleep 1000"))
end

local function ppid(pid)
  local status = util.read("/proc/" .. pid .. "/status") or ""
  return tonumber(status:match("\nPPid:%s*(%d+)"))
end

-- The pids from pid up to init, following PPid.
local function ancestors(pid)
  local chain = {}
  local p = ppid(pid)
  while p and p > 0 do
    chain[#chain + 1] = p
    p = ppid(p)
  end
  return chain
end

local function ct_init_pid(r, vmid)
  local out = util.capture({ "lxc-info", "-P", r:path("var/lib/lxc"), "-n", tostring(vmid), "-p", "-H" }, false,
    " 2>/dev/null")
  return tonumber(util.trim(out))
end

-- Run `pct start vmid` under catatonit, a child subreaper as conmon and
-- containerd-shim are, which stays alive afterwards; returns its pid once
-- pct is done, and pct's exit status.
local function start_under_subreaper(r, vmid, env)
  local rc = r:path("start.rc")
  local parts = { "env", "PVE_SIM_ROOT=" .. r.dir }
  for k, v in pairs(env or {}) do parts[#parts + 1] = k .. "=" .. v end
  local pct = util.cmdline(parts) .. " " .. util.q(H.sim_dir .. "/pct") .. " start " .. vmid
  local inner = pct .. " >/dev/null 2>&1; echo $? > " .. util.q(rc) .. "; exec sleep 60"
  local out = util.capture({ "sh", "-c", "catatonit -- sh -c " .. util.q(inner) .. " >/dev/null 2>&1 & echo $!" })
  local reaper = util.trim(out)
  r.bg[#r.bg + 1] = reaper
  ok(r:wait_for(function() return util.exists(rc) end, 20), "pct start finished")
  return tonumber(reaper), tonumber(util.trim(util.read(rc)))
end

local function contains_pid(list, pid)
  for _, p in ipairs(list) do if p == pid then return true end end
  return false
end

test("pct start from a subreaper: the CT's init and LXC monitor are not the caller's descendants", function(r)
  create(r, 100)
  local reaper, code = start_under_subreaper(r, 100)
  eq(code, 0, "pct start exit")
  local init = ct_init_pid(r, 100)
  ok(init, "CT init pid")
  local chain = ancestors(init)
  ok(#chain >= 2, "the init has a monitor and more above it")
  ok(not contains_pid(chain, reaper), "subreaper " .. reaper .. " is not an ancestor of the CT's init (chain "
    .. table.concat(chain, " ") .. ")")
  eq(chain[#chain], 1, "the chain ends at init")
  -- The subreaper has no child other than its own command.
  local kids = util.capture({ "ps", "-o", "pid=", "--ppid", tostring(reaper) })
  eq(select(2, util.trim(kids):gsub("%d+", "")), 1, "children of the subreaper: " .. kids)
  succeeds(r:pct("stop", "100"))
end)

-- The test above can fail: without the service manager the CT is the
-- caller's (PVE_SIM_SVC=inline, documented as not faithful).
test("PVE_SIM_SVC=inline starts LXC under the caller: the subreaper adopts the monitor", function(r)
  create(r, 101)
  local reaper, code = start_under_subreaper(r, 101, { PVE_SIM_SVC = "inline" })
  eq(code, 0, "pct start exit")
  local chain = ancestors(ct_init_pid(r, 101))
  ok(contains_pid(chain, reaper), "inline: subreaper " .. reaper .. " is an ancestor (chain " .. table.concat(chain, " ") .. ")")
  succeeds(r:pct("stop", "101"))
end)

test("no service manager: pct start fails with a clear error and starts nothing", function(r)
  create(r, 102)
  eq(r:svcmgr("stop"), 0, "svcmgr stop")
  eq(r:svcmgr("status"), 1, "status after stop")
  local res = r:pct("start", "102")
  -- the task's output (stdout) says why; stderr has only the task's error
  fails(res, 255, "startup for container '102' failed\n")
  contains(res.out, "pve-sim: service manager not running for " .. r.dir)
  contains(res.out, "svcmgr start`")
  eq(succeeds(r:pct("status", "102")).out, "status: stopped\n", "status")
  eq(r:svcmgr("start"), 0, "svcmgr start again")
  succeeds(r:pct("start", "102"))
  eq(succeeds(r:pct("status", "102")).out, "status: running\n", "status once it serves")
end)

test("service manager: lxc-start errors come back to pct start as before", function(r)
  create(r, 103)
  local f = io.open(r:path("etc/pve/lxc/103.conf"), "a")
  f:write("lxc.init.cmd: /no/such/program\n")
  f:close()
  local res = r:pct("start", "103")
  -- as on a node: LXC's reasons on the task's stdout, one line on stderr
  fails(res, 255, "startup for container '103' failed\n")
  contains(res.out, "Failed to exec \"/no/such/program\"")
  eq(succeeds(r:pct("status", "103")).out, "status: stopped\n", "status")
end)

test("service manager: parallel starts of different CTs all succeed", function(r)
  local pids = {}
  for i = 110, 113 do create(r, i) end
  for i = 110, 113 do pids[#pids + 1] = r:pct_bg({}, "start", tostring(i)) end
  ok(r:wait_for(function()
    for i = 110, 113 do
      if util.trim(r:pct("status", tostring(i)).out) ~= "status: running" then return false end
    end
    return true
  end, 30), "all four running")
end)

test("service manager exits by itself once its root is gone", function(r)
  local other = util.trim((util.capture({ "mktemp", "-d", "/tmp/pve-sim-svc.XXXXXX" })))
  eq(util.run({ "env", "PVE_SIM_ROOT=" .. other, H.sim_dir .. "/svcmgr", "start" }), 0, "start")
  local pid = util.trim(util.read(other .. "/run/pve-sim/svc/pid") or "")
  ok(util.exists("/proc/" .. pid .. "/status"), "daemon " .. pid .. " runs")
  util.rm_rf(other)
  ok(r:wait_for(function() return not util.exists("/proc/" .. pid .. "/status") end, 5), "daemon gone")
end)
