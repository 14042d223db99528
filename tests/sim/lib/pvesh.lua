-- pvesh: the two API paths a runtime needs, /cluster/nextid and
-- /cluster/resources, computed from the cluster .vmlist like pve-manager.
local util = require("util")
local state = require("state")
local cli = require("cli")
local cjson = require("cjson")
local schema = require("schema")

local M = {}

local FORMAT = { ["output-format"] = { type = "string", optional = true, enum = { "text", "json", "json-pretty", "yaml" } },
  noborder = { type = "boolean", optional = true }, noheader = { type = "boolean", optional = true },
  quiet = { type = "boolean", optional = true }, ["human-readable"] = { type = "boolean", optional = true } }

local function with_format(props)
  local p = {}
  for k, v in pairs(props) do p[k] = v end
  for k, v in pairs(FORMAT) do p[k] = v end
  return p
end

-- datacenter.cfg "next-id: lower=N,upper=M"
local function next_id_range()
  local text = util.read(state.path("etc/pve/datacenter.cfg")) or ""
  local spec = text:match("\nnext%-id:%s*([^\n]+)") or text:match("^next%-id:%s*([^\n]+)") or ""
  return tonumber(spec:match("lower=(%d+)")) or 100, tonumber(spec:match("upper=(%d+)")) or 1000000
end

local function nextid(param)
  local ids = state.read_vmlist().ids
  if param.vmid then
    if ids[param.vmid] == nil then return param.vmid end
    cli.raise(400, "Parameter verification failed.", { vmid = "VM " .. param.vmid .. " already exists" })
  end
  local lower, upper = next_id_range()
  for i = lower, upper - 1 do
    if ids[tostring(i)] == nil then return i end
  end
  error({ msg = "unable to get any free VMID in range [" .. lower .. ", " .. upper .. "]\n", exit = 255 }, 0)
end

local function remote_conf(node, vmid, kind)
  local dir = kind == "qemu" and "qemu-server" or "lxc"
  local text = util.read(state.path("etc/pve/nodes/" .. node .. "/" .. dir .. "/" .. vmid .. ".conf"))
  return text and state.parse_conf(text, vmid) or { opts = {}, lxc = {} }
end

local function resource_of(vmid, d)
  local pct = require("pct")
  local conf = remote_conf(d.node, vmid, d.type)
  local r = { id = d.type .. "/" .. vmid, type = d.type, vmid = tonumber(vmid), node = d.node }
  if d.node == state.node and d.type == "lxc" then
    local s = pct.vmstatus(vmid, conf)
    r.status, r.name, r.maxmem, r.maxdisk, r.maxcpu = s.status, s.name, s.maxmem, s.maxdisk, s.cpus
    r.mem, r.disk, r.cpu, r.uptime = s.mem, s.disk, 0, s.uptime
    r.netin, r.netout, r.diskread, r.diskwrite = 0, 0, 0, 0
  else
    r.status = "unknown"
    r.name = conf.opts.hostname or conf.opts.name
  end
  r.template = conf.opts.template == "1" and 1 or 0
  if conf.opts.tags then r.tags = conf.opts.tags end
  if conf.opts.lock then r.lock = conf.opts.lock end
  return r
end

local function resources(param)
  local res = {}
  if param.type and param.type ~= "vm" then return res end
  local ids = state.read_vmlist().ids
  local keys = util.sorted_keys(ids)
  table.sort(keys, function(a, b) return tonumber(a) < tonumber(b) end)
  for _, vmid in ipairs(keys) do res[#res + 1] = resource_of(vmid, ids[vmid]) end
  return res
end

local PATHS = {
  ["/cluster/nextid"] = { fn = nextid, props = { vmid = schema.with(schema.vmid_schema, { optional = true }) } },
  ["/cluster/resources"] = { fn = resources,
    props = { type = { type = "string", optional = true, enum = { "vm", "storage", "node", "sdn" } } } },
}

local function print_result(res, fmt)
  if type(res) == "table" and next(res) == nil then
    -- this lua-cjson has no array marker: an empty list would print as {}
    if fmt == "json" or fmt == "json-pretty" then print("[]") end
    return
  end
  if fmt == "json" then
    print((cjson.encode(res):gsub("\\/", "/")))
  elseif fmt == "json-pretty" then
    -- pretty printing is cosmetic here: one item per line is enough
    if type(res) == "table" then
      local parts = {}
      for i, item in ipairs(res) do parts[i] = "   " .. (cjson.encode(item):gsub("\\/", "/")) end
      print("[\n" .. table.concat(parts, ",\n") .. "\n]")
    else
      print((cjson.encode(res)))
    end
  elseif type(res) == "table" then
    for _, item in ipairs(res) do
      print(string.format("%-12s %-6s %-10s %-10s %s", item.id, item.type, item.node, item.status, item.name or ""))
    end
  else
    print(tostring(res))
  end
end

function M.main(argv)
  local verb, path = argv[1], argv[2]
  if verb ~= "get" then
    io.stderr:write("ERROR: unknown command 'pvesh " .. tostring(verb) .. "' (the simulator implements only 'get')\n")
    return 255
  end
  if not path then
    io.stderr:write("400 not enough arguments\npvesh get <api_path> [OPTIONS] [FORMAT_OPTIONS]\n")
    return 255
  end
  path = "/" .. path:gsub("^/+", ""):gsub("/+$", "")
  local h = PATHS[path]
  if not h then
    io.stderr:write("No 'get' handler defined for '" .. path .. "'\n")
    return 255
  end
  local def = { args = {}, props = with_format(h.props) }
  local ok, res = pcall(function()
    local param = cli.parse("pvesh", "get " .. path, def, { table.unpack(argv, 3) })
    local fmt = param["output-format"] or "text"
    print_result(h.fn(param), fmt)
    return 0
  end)
  if ok then return res end
  if type(res) ~= "table" then res = { msg = tostring(res) } end
  if res.code == 400 then res.usage = "pvesh get " .. path .. " [OPTIONS] [FORMAT_OPTIONS]" end
  io.stderr:write(cli.format_error(res))
  return res.exit or 255
end

return M
