-- Client of the simulator's service manager (tests/sim/svcmgr), the
-- stand-in for systemd: `pct start` asks it to run lxc-start so the CT's
-- monitor and init never descend from pct's caller, as on a real node
-- where pct runs `systemctl start pve-container@<vmid>`.
local util = require("util")
local state = require("state")

local M = {}

local function dir() return state.path("run/pve-sim/svc") end

local function svcmgr_path()
  return (debug.getinfo(1, "S").source:match("^@(.*)/lib/[^/]*$") or ".") .. "/svcmgr"
end

-- The daemon named in the pid file is alive and is the service manager
-- (no process is spawned: this runs on every start).
function M.serving()
  local pid = util.trim(util.read(dir() .. "/pid") or "")
  if pid == "" then return false end
  local cmdline = util.read("/proc/" .. pid .. "/cmdline")
  return cmdline ~= nil and cmdline:find("/svcmgr\0run\0", 1, true) ~= nil
end

function M.not_running_error()
  return "service manager not running for " .. state.root .. " (start it with `PVE_SIM_ROOT="
      .. state.root .. " " .. svcmgr_path() .. " start`, or set PVE_SIM_SVC=inline to start "
      .. "LXC under the caller, which real Proxmox never does)"
end

-- Run `lxc-start -d` for vmid through the service manager; returns the exit
-- status and lxc-start's output, or 1 and the reason it could not ask.
function M.lxc_start(vmid)
  if not M.serving() then return 1, M.not_running_error() end
  local reply = dir() .. "/reply." .. util.pid()
  os.remove(reply)
  if util.run({ "mkfifo", "-m", "0600", reply }) ~= 0 then return 1, "cannot create " .. reply end
  -- Read-write opens of a FIFO never block: neither end waits for the other
  -- to show up, and the reply stays in the pipe until we read it.
  local r = io.open(reply, "r+")
  local c = io.open(dir() .. "/control", "r+")
  if not r or not c then
    if r then r:close() end
    if c then c:close() end
    os.remove(reply)
    return 1, M.not_running_error()
  end
  c:setvbuf("no") -- one write(2) of less than PIPE_BUF: requests never interleave
  c:write("start " .. vmid .. " " .. reply .. "\n")
  local head = r:read("l") or ""
  local code, len = head:match("^(%d+) (%d+)$")
  -- read(0) would wait for a byte that never comes (we hold a write end)
  local out = (len and len ~= "0") and r:read(tonumber(len)) or ""
  r:close()
  -- Closed only now: a daemon that is still coming up finds the request
  -- in the FIFO, which would drop it if no end were open.
  c:close()
  os.remove(reply)
  os.remove(reply .. ".out")
  if not code then return 1, "service manager gave no answer" end
  return tonumber(code), out or ""
end

return M
