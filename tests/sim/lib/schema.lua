-- A small re-implementation of the parts of PVE::JSONSchema that pct's
-- parameter checking shows to the user: the check order (type, format,
-- pattern, length, range, enumeration), the error texts, and property
-- strings with their "format error" sub-errors.
local M = {}

local function is_integer(v) return v:match("^[+-]?%d+$") ~= nil end

local function is_number(v)
  return v:match("^[+-]?%d+%.%d+$") or v:match("^[+-]?%d+%.$") or v:match("^[+-]?%.%d+$")
      or v:match("^[+-]?%d+$") or v:match("^[+-]?%d+%.?%d*[eE][+-]?%d+$")
end
M.is_number = is_number

function M.parse_boolean(v)
  local l = tostring(v):lower()
  if l == "1" or l == "on" or l == "yes" or l == "true" then return 1 end
  if l == "0" or l == "off" or l == "no" or l == "false" then return 0 end
  return nil
end

-- Thrown by format checks that collect sub-errors (property strings).
local FormatError = {}
FormatError.__index = FormatError
FormatError.__tostring = function(e)
  local s = "format error\n"
  for _, k in ipairs(require("util").sorted_keys(e.errors)) do
    s = s .. k .. ": " .. e.errors[k] .. "\n"
  end
  return s
end

local function add_error(errors, path, msg)
  if path == nil or path == "" then path = "_root" end
  if errors[path] then errors[path] = errors[path] .. "\\n" .. msg else errors[path] = msg end
end
M.add_error = add_error

local function err_text(e)
  if type(e) == "table" and getmetatable(e) == FormatError then return tostring(e) end
  return tostring(e)
end

local check_prop

-- Validate a parsed property-string table against its descriptor.
local function check_object(path, desc, value, errors)
  for _, k in ipairs(require("util").sorted_keys(desc)) do
    local sub = path ~= "" and (path .. "." .. k) or k
    check_prop(value[k], desc[k], sub, errors)
  end
  for _, k in ipairs(require("util").sorted_keys(value)) do
    if not desc[k] then
      local sub = path ~= "" and (path .. "." .. k) or k
      add_error(errors, sub, "property is not defined in schema and the schema does not allow additional properties")
    end
  end
end
M.check_object = check_object

function M.parse_property_string(desc, data, path)
  local res = {}
  local default_key
  for _, part in ipairs(require("util").split(data, ",")) do
    if not part:match("^%s*$") then
      local k, v = part:match("^([^=]+)=(.+)$")
      if k then
        if res[k] ~= nil then error("duplicate key in comma-separated list property: " .. k .. "\n", 0) end
        local schema = desc[k]
        if not schema then error("invalid key in comma-separated list property: " .. k .. "\n", 0) end
        if schema.type == "boolean" then
          local b = M.parse_boolean(v)
          if b ~= nil then v = tostring(b) end
        end
        res[k] = v
      elseif not part:find("=", 1, true) then
        if default_key then error("duplicate key in comma-separated list property: " .. default_key .. "\n", 0) end
        for key, schema in pairs(desc) do
          if schema.default_key then
            default_key = key
            if res[key] ~= nil then error("duplicate key in comma-separated list property: " .. key .. "\n", 0) end
            res[key] = part
          end
        end
        if not default_key then error("value without key, but schema does not define a default key\n", 0) end
      else
        error("missing key in comma-separated list property\n", 0)
      end
    end
  end
  local errors = {}
  check_object(path or "", desc, res, errors)
  if next(errors) then error(setmetatable({ errors = errors }, FormatError), 0) end
  return res
end

local function check_format(fmt, value, path)
  if type(fmt) == "table" then return M.parse_property_string(fmt, value, path) end
  return fmt(value)
end

local function check_type(path, t, value, errors)
  if t == "boolean" then
    if value == "1" or value == "0" then return true end
  elseif t == "integer" then
    if is_integer(value) then return true end
  elseif t == "number" then
    if is_number(value) then return true end
  else
    return true
  end
  add_error(errors, path, "type check ('" .. t .. "') failed - got '" .. value .. "'")
  return false
end

function check_prop(value, schema, path, errors)
  if value == nil then
    if not schema.optional then add_error(errors, path, "property is missing and it is not optional") end
    return
  end
  value = tostring(value)
  if not check_type(path, schema.type, value, errors) then return end
  if schema.format then
    local ok, e = pcall(check_format, schema.format, value, path)
    if not ok then
      add_error(errors, path, "invalid format - " .. err_text(e))
      return
    end
  end
  if schema.pattern and not schema.pattern(value) then
    add_error(errors, path, "value does not match the regex pattern")
    return
  end
  if schema.maxLength and #value > schema.maxLength then
    add_error(errors, path, "value may only be " .. schema.maxLength .. " characters long")
    return
  end
  if is_number(value) then
    local n = tonumber(value)
    if schema.maximum and n > schema.maximum then
      add_error(errors, path, "value must have a maximum value of " .. schema.maximum)
      return
    end
    if schema.minimum and n < schema.minimum then
      add_error(errors, path, "value must have a minimum value of " .. schema.minimum)
      return
    end
  end
  if schema.enum then
    for _, ev in ipairs(schema.enum) do if ev == value then return end end
    add_error(errors, path, "value '" .. value .. "' does not have a value in the enumeration '"
      .. table.concat(schema.enum, ", ") .. "'")
  end
end
M.check_prop = check_prop

-- Validate a whole parameter table; returns the errors table (possibly empty).
function M.validate(params, properties)
  local errors = {}
  for _, k in ipairs(require("util").sorted_keys(params)) do
    local schema = properties[k]
    if schema then
      check_prop(params[k], schema, k, errors)
    else
      add_error(errors, k, "property is not defined in schema and the schema does not allow additional properties")
    end
  end
  for _, k in ipairs(require("util").sorted_keys(properties)) do
    if params[k] == nil and not properties[k].optional then
      add_error(errors, k, "property is missing and it is not optional")
    end
  end
  return errors
end

---------------------------------------------------------------------------
-- Formats (the verifier texts are the ones pve-common/pve-container die with)

local function fail(msg) error(msg .. "\n", 0) end

local function dns_label_ok(l)
  if l == "" then return false end
  if not l:match("^[a-zA-Z0-9]") or not l:match("[a-zA-Z0-9]$") then return false end
  return l:match("^[a-zA-Z0-9%-]+$") ~= nil
end

function M.fmt_dns_name(v)
  if v == "" then fail("value does not look like a valid DNS name") end
  for _, label in ipairs(require("util").split(v, ".")) do
    if not dns_label_ok(label) then fail("value does not look like a valid DNS name") end
  end
  return v
end

function M.fmt_vmid(v)
  if not v:match("^[1-9]%d%d%d?%d?%d?%d?%d?%d?$") then fail("value does not look like a valid VM ID") end
  return v
end

function M.fmt_storage_id(v)
  if #v < 2 then fail("storage ID '" .. v .. "' cannot be shorter than 2 characters") end
  if not (v:match("^[a-zA-Z][a-zA-Z0-9%-_%.]*[a-zA-Z0-9]$")) then
    fail("storage ID '" .. v .. "' contains illegal characters")
  end
  return v
end

function M.fmt_configid(v)
  if not v:match("^[a-zA-Z][a-zA-Z0-9_%-]+$") then fail("invalid configuration ID '" .. v .. "'") end
  return v
end

function M.fmt_configid_list(v)
  for _, item in ipairs(M.split_list(v)) do M.fmt_configid(item) end
  return v
end

-- PVE::Tools::split_list: separators are NUL, comma, semicolon and blanks.
function M.split_list(v)
  local out = {}
  for item in v:gmatch("[^%z,;%s]+") do out[#out + 1] = item end
  return out
end

function M.fmt_tag_list(v)
  for _, tag in ipairs(M.split_list(v)) do
    if not tag:match("^[a-zA-Z0-9_][a-zA-Z0-9_%-%+%.]*$") then fail("invalid characters in tag") end
  end
  return v
end

function M.fmt_volume_id(v)
  if not v:match("^[a-zA-Z][a-zA-Z0-9%-_%.]*[a-zA-Z0-9]:.+$") then
    fail("unable to parse volume ID '" .. v .. "'")
  end
  return v
end

function M.fmt_mp_string(v)
  if v:find("/%.%.?/") or v:find("/%.%.?$") or v:find("^%.%./") then
    fail(v .. " contains illegal character sequences")
  end
  return v
end

function M.fmt_dev_string(v)
  if v:find("/%.%.?/") or v:find("/%.%.?$") or not v:find("^/dev/") then
    fail(v .. " is not a valid device path")
  end
  return v
end

function M.parse_size(v)
  local num, unit = v:match("^(%d+%.?%d*)([KMGT]?i?B?)$")
  if not num or (unit ~= "" and not ({ K = 1, M = 1, G = 1, T = 1, KiB = 1, MiB = 1, GiB = 1, TiB = 1 })[unit]) then
    return nil
  end
  if num:match("%.$") then return nil end
  local mult = ({ [""] = 1, K = 2 ^ 10, M = 2 ^ 20, G = 2 ^ 30, T = 2 ^ 40 })[unit:sub(1, 1)]
  return math.floor(tonumber(num) * mult)
end

function M.format_size(size)
  size = math.floor(size)
  local kb = size // 1024
  if kb * 1024 ~= size then return tostring(size) end
  local mb = kb // 1024
  if mb * 1024 ~= kb then return kb .. "K" end
  local gb = mb // 1024
  if gb * 1024 ~= mb then return mb .. "M" end
  local tb = gb // 1024
  if tb * 1024 ~= gb then return gb .. "G" end
  return tb .. "T"
end

function M.fmt_disk_size(v)
  if not M.parse_size(v) then fail("value does not look like a valid disk size: " .. v) end
  return v
end

local function ipv4_ok(a)
  local parts = { a:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$") }
  if #parts ~= 4 then return false end
  for _, p in ipairs(parts) do if tonumber(p) > 255 then return false end end
  return true
end

local function ipv6_ok(a)
  if not a:match("^[%x:%.]+$") or not a:find(":") then return false end
  if select(2, a:gsub("::", "")) > 1 then return false end
  return true
end

function M.fmt_ipv4(v)
  if not ipv4_ok(v) then fail("value does not look like a valid IPv4 address") end
  return v
end

function M.fmt_ipv6(v)
  if not ipv6_ok(v) then fail("value does not look like a valid IPv6 address") end
  return v
end

function M.fmt_ipv4_config(v)
  if v == "dhcp" or v == "manual" then return v end
  local a, m = v:match("^(.+)/(%d+)$")
  if a and ipv4_ok(a) and tonumber(m) <= 32 then return v end
  fail("value does not look like a valid IPv4 network configuration")
end

function M.fmt_ipv6_config(v)
  if v == "auto" or v == "dhcp" or v == "manual" then return v end
  local a, m = v:match("^(.+)/(%d+)$")
  if a and ipv6_ok(a) and tonumber(m) <= 128 then return v end
  fail("value does not look like a valid IPv6 network configuration")
end

function M.fmt_mac(v)
  if not v:match("^%x%x:%x%x:%x%x:%x%x:%x%x:%x%x$") then fail("value does not look like a valid MAC address") end
  local first = tonumber(v:sub(1, 2), 16)
  if first & 1 == 1 then fail("value is not a valid unicast MAC address") end
  return v
end

-- Lua has no regular expressions; patterns from the real schema become
-- predicates over the whole value (the real ones are anchored too).
local function matches_all(lua_pattern)
  return function(v) return v:match("^" .. lua_pattern .. "$") ~= nil end
end

local function mount_options(valid)
  return function(v)
    for _, o in ipairs(require("util").split(v, ";")) do
      if not valid[o] then return false end
    end
    return true
  end
end

local MOUNT_OPTS = { discard = 1, lazytime = 1, noatime = 1, nodev = 1, noexec = 1, nosuid = 1 }

local function no_control_chars(v)
  return v ~= "" and not v:find("[%z\1-\8\10-\31\127]")
end

local function env_pattern(v)
  for _, item in ipairs(require("util").split(v, "\0")) do
    local name, value = item:match("^([%w_]+)=(.*)$")
    if not name or value:find("[%z\1-\8\10-\31\127]") then return false end
  end
  return true
end

local function bool(extra)
  local t = { type = "boolean", optional = true }
  for k, v in pairs(extra or {}) do t[k] = v end
  return t
end

M.rootfs_desc = {
  volume = { type = "string", default_key = true, format = M.fmt_mp_string },
  size = { type = "string", format = M.fmt_disk_size, optional = true },
  acl = bool(),
  mountoptions = { type = "string", optional = true, pattern = mount_options(MOUNT_OPTS) },
  idmap = { type = "string", optional = true, pattern = function(v)
    if v == "passthrough" then return true end
    for _, e in ipairs(require("util").split(v, ";")) do
      if not e:match("^[ug]:%d+:%d+:[1-9]%d*$") then return false end
    end
    return true
  end },
  ro = bool(),
  quota = bool(),
  replicate = bool(),
  shared = bool(),
}

M.mp_desc = {}
for k, v in pairs(M.rootfs_desc) do M.mp_desc[k] = v end
M.mp_desc.backup = bool()
M.mp_desc.mp = { type = "string", format = M.fmt_mp_string }
M.mp_desc.keepattrs = bool()

M.net_desc = {
  type = { type = "string", optional = true, enum = { "veth" } },
  name = { type = "string", pattern = matches_all("[%-_%.%w]+") },
  bridge = { type = "string", optional = true, pattern = matches_all("[%-_%.%w]+") },
  hwaddr = { type = "string", optional = true, format = M.fmt_mac },
  mtu = { type = "integer", optional = true, minimum = 64, maximum = 65535 },
  ip = { type = "string", optional = true, format = M.fmt_ipv4_config },
  gw = { type = "string", optional = true, format = M.fmt_ipv4 },
  ip6 = { type = "string", optional = true, format = M.fmt_ipv6_config },
  gw6 = { type = "string", optional = true, format = M.fmt_ipv6 },
  firewall = bool(),
  tag = { type = "integer", optional = true, minimum = 1, maximum = 4094 },
  trunks = { type = "string", optional = true, pattern = matches_all("%d+[%d;]*") },
  rate = { type = "number", optional = true },
  link_down = bool(),
  ["host-managed"] = bool(),
}

M.features_desc = {
  mount = { type = "string", optional = true, pattern = matches_all("[a-zA-Z0-9_; ]+") },
  nesting = bool(),
  keyctl = bool(),
  fuse = bool(),
  mknod = bool(),
  force_rw_sys = bool(),
}

M.dev_desc = {
  path = { type = "string", optional = true, default_key = true, format = M.fmt_dev_string },
  mode = { type = "string", optional = true, pattern = matches_all("0[0-7][0-7][0-7]") },
  uid = { type = "integer", optional = true, minimum = 0 },
  gid = { type = "integer", optional = true, minimum = 0 },
  ["deny-write"] = bool(),
}

local vmid_schema = { type = "integer", format = M.fmt_vmid, minimum = 100, maximum = 999999999 }
M.vmid_schema = vmid_schema

-- Container configuration options shared by create and set (confdesc).
function M.confdesc()
  local d = {
    onboot = bool(),
    startup = { type = "string", optional = true },
    template = bool(),
    arch = { type = "string", optional = true, enum = { "amd64", "i386", "arm64", "armhf", "riscv32", "riscv64" } },
    ostype = { type = "string", optional = true, enum = { "debian", "devuan", "ubuntu", "centos", "fedora",
      "opensuse", "archlinux", "alpine", "gentoo", "nixos", "unmanaged" } },
    console = bool(),
    tty = { type = "integer", optional = true, minimum = 0, maximum = 6 },
    cores = { type = "integer", optional = true, minimum = 1, maximum = 8192 },
    cpulimit = { type = "number", optional = true, minimum = 0, maximum = 8192 },
    cpuunits = { type = "integer", optional = true, minimum = 0, maximum = 500000 },
    memory = { type = "integer", optional = true, minimum = 16 },
    swap = { type = "integer", optional = true, minimum = 0 },
    hostname = { type = "string", optional = true, format = M.fmt_dns_name, maxLength = 255 },
    description = { type = "string", optional = true, maxLength = 8192 },
    searchdomain = { type = "string", optional = true },
    nameserver = { type = "string", optional = true },
    timezone = { type = "string", optional = true },
    rootfs = { type = "string", optional = true, format = M.rootfs_desc },
    cmode = { type = "string", optional = true, enum = { "shell", "console", "tty" } },
    entrypoint = { type = "string", optional = true, pattern = no_control_chars },
    protection = bool(),
    unprivileged = bool(),
    features = { type = "string", optional = true, format = M.features_desc },
    env = { type = "string", optional = true, pattern = env_pattern },
    hookscript = { type = "string", optional = true, format = M.fmt_volume_id },
    tags = { type = "string", optional = true, format = M.fmt_tag_list },
    debug = bool(),
    lock = { type = "string", optional = true, enum = { "backup", "create", "destroyed", "disk", "fstrim",
      "migrate", "mounted", "rollback", "snapshot", "snapshot-delete" } },
  }
  for i = 0, 31 do d["net" .. i] = { type = "string", optional = true, format = M.net_desc } end
  for i = 0, 255 do
    d["mp" .. i] = { type = "string", optional = true, format = M.mp_desc }
    d["unused" .. i] = { type = "string", optional = true }
    d["dev" .. i] = { type = "string", optional = true, format = M.dev_desc }
  end
  return d
end

function M.with(base, extra)
  local t = {}
  for k, v in pairs(base) do t[k] = v end
  for k, v in pairs(extra) do t[k] = v end
  return t
end

return M
