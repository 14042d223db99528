-- What a cgroup v2 node enforces, through this host's cgroup v1
-- controllers. PVE 9 runs on cgroup v2 only and pve-container (like
-- nexcage's rules) writes lxc.cgroup2.* keys, which LXC ignores on a
-- legacy or hybrid host ("Ignoring cgroup2 limits on legacy cgroup
-- system"): nothing would be enforced in the tests. Each such key gets its
-- v1 equivalent (lxc.cgroup.*) beside it, with v2's semantics:
--   memory.max        -> memory.limit_in_bytes ("max": -1)
--   memory.swap.max   -> memory.memsw.limit_in_bytes = memory + swap (v1
--                        counts them together), written after the limit
--   memory.low        -> memory.soft_limit_in_bytes (what runc writes for
--                        a reservation on v1)
--   memory.high       -> nothing: v1 has no throttling limit
--   cpu.max "Q P"     -> cpu.cfs_period_us P, cpu.cfs_quota_us Q ("max": -1)
--   cpu.max.burst     -> cpu.cfs_burst_us
--   cpu.weight W      -> cpu.shares (the inverse of runc's shares->weight)
--   pids.max, cpuset.cpus, cpuset.mems, devices.allow, devices.deny -> the
--                        same v1 file
-- Keys with no v1 equivalent (io.*, cpu.idle, rdma, hugetlb where the
-- controller is not mounted) stay v2-only and unenforced here.
local util = require("util")

local M = {}

local V1 = "/sys/fs/cgroup"

-- Files only a child cgroup has (the root's limit cannot be set).
local CHILD_ONLY = { ["pids.max"] = true }

local function has(controller, file)
  local dir = V1 .. "/" .. controller .. "/"
  return util.exists(dir .. file) or (CHILD_ONLY[file] and util.exists(dir .. "cgroup.procs"))
end

-- Is this host's layout one where LXC ignores lxc.cgroup2.* keys?
function M.legacy_host()
  return has("memory", "memory.limit_in_bytes") or has("cpu", "cpu.shares") or has("pids", "pids.max")
end

local function v1_max(v)
  return v == "max" and "-1" or v
end

local function shares_of_weight(w)
  w = math.max(1, math.min(10000, math.floor(tonumber(w) or 100)))
  return tostring(2 + ((w - 1) * 262142) // 9999)
end

-- The v1 lines for one v2 key and value, in place (memory is handled at
-- the end: limit before memsw, from the final values).
local function in_place(key, value)
  local out = {}
  local function add(ctl, file, v)
    if has(ctl, file) then out[#out + 1] = "lxc.cgroup." .. file .. " = " .. v end
  end
  if key == "cpu.max" then
    local quota, period = value:match("^(%S+)%s+(%d+)$")
    quota = quota or value:match("^(%S+)$")
    if period then add("cpu", "cpu.cfs_period_us", period) end
    if quota then add("cpu", "cpu.cfs_quota_us", v1_max(quota)) end
  elseif key == "cpu.max.burst" then
    add("cpu", "cpu.cfs_burst_us", value)
  elseif key == "cpu.weight" then
    add("cpu", "cpu.shares", shares_of_weight(value))
  elseif key == "pids.max" then
    add("pids", "pids.max", value)
  elseif key == "cpuset.cpus" or key == "cpuset.mems" then
    add("cpuset", key, value)
  elseif key == "devices.allow" or key == "devices.deny" then
    add("devices", key, value)
  elseif key:match("^hugetlb%.[^.]+%.max$") then
    add("hugetlb", key:gsub("%.max$", ".limit_in_bytes"), v1_max(value))
  end
  return out
end

local function bytes(v)
  if v == nil or v == "max" then return nil end
  return tonumber(v)
end

-- lines: the generated config's "key = value" lines; returns them with
-- the v1 equivalents added (unchanged on a pure cgroup v2 host).
function M.translate(lines)
  if not M.legacy_host() then return lines end
  local out, mem = {}, {}
  for _, line in ipairs(lines) do
    out[#out + 1] = line
    local key, value = line:match("^lxc%.cgroup2%.([%w._]+)%s*=%s*(.-)%s*$")
    if key == "memory.max" or key == "memory.swap.max" or key == "memory.low" then
      mem[key] = value
    elseif key then
      for _, l in ipairs(in_place(key, value)) do out[#out + 1] = l end
    end
  end
  if mem["memory.max"] and has("memory", "memory.limit_in_bytes") then
    out[#out + 1] = "lxc.cgroup.memory.limit_in_bytes = " .. v1_max(mem["memory.max"])
    local limit, swap = bytes(mem["memory.max"]), mem["memory.swap.max"]
    if swap and has("memory", "memory.memsw.limit_in_bytes") then
      local total = (limit and bytes(swap)) and math.floor(limit + bytes(swap)) or -1
      out[#out + 1] = "lxc.cgroup.memory.memsw.limit_in_bytes = " .. total
    end
  end
  if mem["memory.low"] and has("memory", "memory.soft_limit_in_bytes") then
    out[#out + 1] = "lxc.cgroup.memory.soft_limit_in_bytes = " .. v1_max(mem["memory.low"])
  end
  return out
end

return M
