-- Small helpers shared by the simulator: shell quoting, running programs,
-- files written atomically, directories. Everything that reaches a shell
-- goes through util.q so no user input is ever interpreted by sh.
local M = {}

function M.q(s)
  s = tostring(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

function M.cmdline(argv)
  local parts = {}
  for i, a in ipairs(argv) do parts[i] = M.q(a) end
  return table.concat(parts, " ")
end

-- Decode os.execute/io.close results into one exit code (signals → 128+n).
local function status_code(ok, how, code)
  if how == "exit" then return code end
  if how == "signal" then return 128 + code end
  return ok and 0 or 1
end

-- Inside a task (util.task_mode), programs' stderr goes to stdout, as a
-- Proxmox task worker sends its stderr to stdout (pve-common's
-- fork_worker); only the task's final error reaches stderr.
M.task_mode = false

local function task_redirect(redirect)
  redirect = redirect or ""
  if M.task_mode and not redirect:find("2>", 1, true) then redirect = redirect .. " 2>&1" end
  return redirect
end

-- Run argv with inherited stdio; returns the exit code.
-- os.execute hands sh one -c string, which the kernel takes only up to
-- MAX_ARG_STRLEN (128 KiB); Proxmox runs a command as a list (an exec, no
-- shell), so a longer command line is read by sh from a file instead.
local function shell(cmd)
  if #cmd < 65536 then return os.execute(cmd) end
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write("rm -f ", M.q(path), "\n", cmd, "\n")
  f:close()
  return os.execute("sh " .. M.q(path))
end

function M.run(argv, redirect)
  local cmd = M.cmdline(argv) .. task_redirect(redirect)
  return status_code(shell(cmd))
end

-- Run a shell command line (already quoted); returns the exit code.
function M.sh(cmd)
  return status_code(shell(cmd))
end

-- Run argv, capturing stdout (and stderr when merge is true).
function M.capture(argv, merge, redirect)
  local cmd = M.cmdline(argv) .. (redirect or "") .. (merge and " 2>&1" or "")
  local p = assert(io.popen(cmd, "r"))
  local out = p:read("a")
  return out, status_code(p:close())
end

function M.exists(path)
  local f = io.open(path, "r")
  if f then f:close() return true end
  return false
end

function M.is_dir(path)
  return M.run({ "test", "-d", path }) == 0
end

function M.read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

-- Write via a temp file in the same directory and rename, so readers never
-- see a half-written file.
function M.write_atomic(path, data)
  local tmp = path .. ".tmp." .. M.pid()
  local f, err = io.open(tmp, "wb")
  if not f then error("unable to open file '" .. tmp .. "' - " .. tostring(err) .. "\n", 0) end
  f:write(data)
  f:close()
  local ok, rerr = os.rename(tmp, path)
  if not ok then
    os.remove(tmp)
    error("unable to rename '" .. tmp .. "' - " .. tostring(rerr) .. "\n", 0)
  end
end

function M.mkdir_p(path, mode)
  if M.is_dir(path) then return end
  local argv = { "mkdir", "-p" }
  if mode then argv[#argv + 1] = "-m"; argv[#argv + 1] = mode end
  argv[#argv + 1] = "--"
  argv[#argv + 1] = path
  if M.run(argv) ~= 0 then error("unable to create directory '" .. path .. "'\n", 0) end
end

function M.rm_rf(path)
  if path == nil or path == "" or path == "/" then error("refusing to remove '" .. tostring(path) .. "'\n", 0) end
  M.run({ "rm", "-rf", "--", path })
end

local cached_pid
function M.pid()
  if not cached_pid then
    local s = M.read("/proc/self/stat") or ""
    cached_pid = s:match("^(%d+)") or tostring(os.time())
  end
  return cached_pid
end

function M.split(s, sep)
  local out = {}
  if s == nil or s == "" then return out end
  local start = 1
  while true do
    local i, j = s:find(sep, start, true)
    if not i then out[#out + 1] = s:sub(start); break end
    out[#out + 1] = s:sub(start, i - 1)
    start = j + 1
  end
  return out
end

function M.sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  return keys
end

function M.list_dir(path)
  local out, code = M.capture({ "ls", "-1A", "--", path }, false, " 2>/dev/null")
  if code ~= 0 then return {} end
  local names = {}
  for line in out:gmatch("[^\n]+") do names[#names + 1] = line end
  return names
end

function M.sleep(seconds)
  M.run({ "sleep", tostring(seconds) })
end

function M.trim(s)
  return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

return M
