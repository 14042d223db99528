-- Minimal test harness for the simulator: each test gets a fresh
-- PVE_SIM_ROOT, runs pct/pvesh as separate processes, and is cleaned up
-- (containers killed, root removed) whether it passes or not.
local util = require("util")

local H = { tests = {} }
local SIM_DIR

function H.init(sim_dir) SIM_DIR = sim_dir; H.sim_dir = sim_dir end

function H.test(name, fn) H.tests[#H.tests + 1] = { name = name, fn = fn } end

local Root = {}
Root.__index = Root

function H.new_root()
  local dir = util.trim((util.capture({ "mktemp", "-d", "/tmp/pve-sim-test.XXXXXX" })))
  local self = setmetatable({ dir = dir, env = {}, bg = {} }, Root)
  self:svcmgr("start")
  return self
end

-- Start/stop/query this root's service manager (the systemd stand-in that
-- runs lxc-start for pct start); returns svcmgr's exit code.
function Root:svcmgr(cmd)
  return util.run({ "env", "PVE_SIM_ROOT=" .. self.dir, SIM_DIR .. "/svcmgr", cmd })
end

function Root:path(rel) return self.dir .. "/" .. rel end

-- Put the busybox template into this root's `local` storage.
function Root:template(name)
  name = name or "busybox.tar.gz"
  local cache = self:path("var/lib/vz/template/cache")
  util.mkdir_p(cache)
  util.run({ "cp", H.template_dir .. "/" .. (name:match("%.tar$") and "busybox.tar" or "busybox.tar.gz"),
    cache .. "/" .. name })
  return "local:vztmpl/" .. name
end

local function env_prefix(self, extra)
  local parts = { "env", "PVE_SIM_ROOT=" .. self.dir }
  for k, v in pairs(self.env) do parts[#parts + 1] = k .. "=" .. v end
  for k, v in pairs(extra or {}) do parts[#parts + 1] = k .. "=" .. v end
  return util.cmdline(parts)
end

-- Run tests/sim/<prog> with args; returns {out=, err=, code=}.
function Root:run(prog, args, extra_env, stdin)
  local argv = { SIM_DIR .. "/" .. prog }
  for _, a in ipairs(args) do argv[#argv + 1] = a end
  local o, e = self:path(".out"), self:path(".err")
  local cmd = env_prefix(self, extra_env) .. " " .. util.cmdline(argv) .. " > " .. util.q(o) .. " 2> " .. util.q(e)
    .. " < " .. util.q(stdin or "/dev/null")
  local code = util.sh(cmd)
  local res = { out = util.read(o) or "", err = util.read(e) or "", code = code }
  os.remove(o); os.remove(e)
  return res
end

function Root:pct(...) return self:run("pct", { ... }) end
function Root:pct_env(env, ...) return self:run("pct", { ... }, env) end
function Root:pvesh(...) return self:run("pvesh", { ... }) end

-- Start pct in the background; returns its pid.
function Root:pct_bg(env, ...)
  local argv = { SIM_DIR .. "/pct", ... }
  local cmd = env_prefix(self, env) .. " " .. util.cmdline(argv) .. " >/dev/null 2>&1 </dev/null & echo $!"
  local out = util.capture({ "sh", "-c", cmd })
  local pid = util.trim(out)
  self.bg[#self.bg + 1] = pid
  return pid
end

function Root:wait_for(pred, seconds)
  local deadline = (seconds or 5) * 20
  for _ = 1, deadline do
    if pred() then return true end
    util.sleep(0.05)
  end
  return false
end

function Root:cleanup()
  for _, pid in ipairs(self.bg) do util.run({ "kill", "-9", pid }, " 2>/dev/null") end
  local lxcpath = self:path("var/lib/lxc")
  for _, name in ipairs(util.list_dir(lxcpath)) do
    if name:match("^%d+$") then
      util.run({ "lxc-unfreeze", "-P", lxcpath, "-n", name }, " >/dev/null 2>&1")
      util.run({ "lxc-stop", "-P", lxcpath, "-n", name, "--kill" }, " >/dev/null 2>&1")
    end
  end
  self:svcmgr("stop")
  -- what a killed pct left mounted (a raw image it was unpacking onto)
  for line in (util.read("/proc/self/mounts") or ""):gmatch("[^\n]+") do
    local target = line:match("^%S+ (%S+)")
    if target and target:sub(1, #self.dir + 1) == self.dir .. "/" then
      util.run({ "umount", "-l", target }, " >/dev/null 2>&1")
    end
  end
  util.rm_rf(self.dir)
end

-- Files under the root whose path mentions the VMID (the "nothing left" check).
function Root:leftovers(vmid)
  local out = util.capture({ "find", self.dir, "-path", "*" .. vmid .. "*" })
  local left = {}
  for line in out:gmatch("[^\n]+") do left[#left + 1] = line:sub(#self.dir + 2) end
  return left
end

---------------------------------------------------------------------------
-- assertions

function H.nothing_left(r, vmid)
  local left = r:leftovers(tostring(vmid))
  if #left > 0 then error("files left of " .. vmid .. ": " .. table.concat(left, " "), 2) end
end

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  return tostring(v)
end

function H.eq(got, want, what)
  if got ~= want then
    error((what or "value") .. ":\n  want " .. show(want) .. "\n   got " .. show(got), 2)
  end
end

function H.ok(cond, what)
  if not cond then error("expected: " .. (what or "condition"), 2) end
end

function H.contains(hay, needle, what)
  if not tostring(hay):find(needle, 1, true) then
    error((what or "text") .. " does not contain " .. show(needle) .. ":\n" .. tostring(hay), 2)
  end
end

function H.not_contains(hay, needle, what)
  if tostring(hay):find(needle, 1, true) then
    error((what or "text") .. " unexpectedly contains " .. show(needle) .. ":\n" .. tostring(hay), 2)
  end
end

-- Assert a command result: exit code and exact stderr.
function H.fails(res, code, err)
  if res.code ~= code then
    error("exit code: want " .. code .. " got " .. res.code .. "\nstdout: " .. res.out .. "\nstderr: " .. res.err, 2)
  end
  if err and res.err ~= err then
    error("stderr:\n  want " .. show(err) .. "\n   got " .. show(res.err), 2)
  end
end

function H.succeeds(res)
  if res.code ~= 0 then
    error("command failed (" .. res.code .. ")\nstdout: " .. res.out .. "\nstderr: " .. res.err, 2)
  end
  return res
end

---------------------------------------------------------------------------

function H.run_all(filter)
  local passed, failed = 0, 0
  for _, t in ipairs(H.tests) do
    if not filter or t.name:find(filter, 1, true) then
      local root = H.new_root()
      local ok, err = xpcall(t.fn, debug.traceback, root)
      root:cleanup()
      if ok then
        passed = passed + 1
        io.stdout:write("ok   " .. t.name .. "\n")
      else
        failed = failed + 1
        io.stdout:write("FAIL " .. t.name .. "\n" .. tostring(err):gsub("\n", "\n     ") .. "\n")
      end
      io.stdout:flush()
    end
  end
  return passed, failed
end

return H
