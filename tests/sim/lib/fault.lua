-- Fault injection and the call log.
--   PVE_SIM_FAIL=cmd:step[,cmd:step...]       fail there, every time
--   PVE_SIM_FAIL_ONCE=cmd:step[,...]          fail there once per root
--   PVE_SIM_HANG=cmd:step[,...]               block there until killed
-- A failure raises the same error the real step would, so the command's
-- own cleanup runs exactly as for a genuine failure.
local util = require("util")
local state = require("state")
local cjson = require("cjson")

local M = {}

local function listed(var, cmd, step)
  local v = os.getenv(var)
  if not v or v == "" then return false end
  for item in v:gmatch("[^,%s]+") do
    if item == cmd .. ":" .. step or item == cmd .. ":*" then return true end
  end
  return false
end

-- Opening a FIFO for reading blocks without a child process or busy loop,
-- so killing pct is all it takes to end the hang (and release its locks).
local function hang()
  local fifo = state.path("run/pve-sim-hang." .. util.pid())
  util.run({ "mkfifo", fifo }, " 2>/dev/null")
  io.stdout:flush()
  local f = io.open(fifo, "r")
  if f then f:close() end
  os.remove(fifo)
end

local function fired_once(cmd, step)
  local dir = state.path("run/pve-sim-fail-once")
  util.mkdir_p(dir)
  local marker = dir .. "/" .. cmd .. "-" .. step
  if util.exists(marker) then return true end
  util.write_atomic(marker, os.date("!%Y-%m-%dT%H:%M:%SZ") .. "\n")
  return false
end

-- Returns true when the step must fail; the caller raises its real error.
function M.check(cmd, step)
  if listed("PVE_SIM_HANG", cmd, step) then hang() end
  if listed("PVE_SIM_FAIL", cmd, step) then return true end
  if listed("PVE_SIM_FAIL_ONCE", cmd, step) and not fired_once(cmd, step) then return true end
  return false
end

-- Raise msg at a fault point (msg is what real pct says there).
function M.point(cmd, step, msg)
  if M.check(cmd, step) then error(msg, 0) end
end

function M.log_call(argv)
  local f = io.open(state.path("pct-calls.log"), "a")
  if not f then return end
  f:write((cjson.encode(argv):gsub("\\/", "/")) .. "\n")
  f:close()
end

return M
