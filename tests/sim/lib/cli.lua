-- Command-line handling in the manner of PVE::CLIHandler + Getopt::Long:
-- `-opt`/`--opt`, `--opt=value`, unique-prefix abbreviations, optional
-- values for booleans (which swallow a following non-option word), `--`,
-- then positional mapping, boolean parsing and schema validation, each
-- with the exception text pct prints.
local schema = require("schema")
local util = require("util")

local M = {}

-- Errors are tables so the top level can print them the way
-- PVE::Exception stringifies and choose the exit code.
function M.raise(code, msg, errors)
  error({ code = code, msg = msg, errors = errors }, 0)
end

function M.die(msg, exit)
  error({ msg = msg, exit = exit or 255 }, 0)
end

function M.format_error(e)
  local msg = e.code and (e.code .. " " .. e.msg) or e.msg
  if not msg:match("\n$") then msg = msg .. "\n" end
  if e.errors then
    for _, k in ipairs(util.sorted_keys(e.errors)) do msg = msg .. k .. ": " .. e.errors[k] .. "\n" end
  end
  if e.usage then
    msg = msg .. e.usage
    if not msg:match("\n$") then msg = msg .. "\n" end
  end
  return msg
end

function M.usage_str(exe, cmd, def)
  local s = exe .. " " .. cmd
  local positional = {}
  for _, a in ipairs(def.args or {}) do
    positional[a] = true
    if a == "extra-args" then s = s .. " [<extra-args>]" else s = s .. " <" .. a .. ">" end
  end
  for k in pairs(def.props) do
    if not positional[k] then return s .. " [OPTIONS]" end
  end
  return s
end

-- Resolve an option name: exact match first, then a unique prefix
-- (Getopt::Long's auto_abbrev, case-insensitive).
local function resolve_option(props, name)
  local lname = name:lower()
  local found = {}
  for k in pairs(props) do
    if k:lower() == lname then return k end
    if k:lower():sub(1, #lname) == lname then found[#found + 1] = k end
  end
  table.sort(found)
  if #found == 1 then return found[1] end
  if #found > 1 then
    io.stderr:write("Option " .. name .. " is ambiguous (" .. table.concat(found, ", ") .. ")\n")
    return nil
  end
  io.stderr:write("Unknown option: " .. lname .. "\n")
  return nil
end

local function looks_like_option(a)
  return a ~= nil and a:match("^%-%-?[^%-]") ~= nil or a == "--"
end

-- Getopt::Long pass: returns opts (name -> string) and the leftover words.
local function getopt(props, argv)
  local opts, rest, ok = {}, {}, true
  local i = 1
  while i <= #argv do
    local a = argv[i]
    if a == "--" then
      for j = i + 1, #argv do rest[#rest + 1] = argv[j] end
      break
    end
    local name, value = a:match("^%-%-?([^=%-][^=]*)=(.*)$")
    if not name then name = a:match("^%-%-?([^%-].*)$") end
    if a == "-" or not name then
      rest[#rest + 1] = a
    else
      local key = resolve_option(props, name)
      if not key then
        ok = false
      elseif props[key].type == "boolean" then
        if value == nil then
          local nxt = argv[i + 1]
          if nxt ~= nil and not looks_like_option(nxt) then value = nxt; i = i + 1 else value = "" end
        end
        opts[key] = value
      else
        if value == nil then
          value = argv[i + 1]
          if value == nil then
            io.stderr:write("Option " .. key .. " requires an argument\n")
            ok = false
          end
          i = i + 1
        end
        opts[key] = value
      end
    end
    i = i + 1
  end
  return ok, opts, rest
end

-- Parse argv for one command definition {args=..., props=...}.
-- Returns the parameter table (extra-args as a list).
function M.get_options(def, argv)
  local props, args = def.props, def.args or {}
  local ok, opts, rest = getopt(props, argv)
  if not ok then M.raise(400, "unable to parse option") end
  local param = {}
  for k, v in pairs(opts) do param[k] = v end
  local i = 1
  for _, name in ipairs(args) do
    if name == "extra-args" then
      local extra = {}
      for j = i, #rest do extra[#extra + 1] = rest[j] end
      param["extra-args"] = extra
      i = #rest + 1
    else
      if rest[i] == nil then
        if not (props[name] and props[name].optional) then M.raise(400, "not enough arguments") end
      else
        param[name] = rest[i]
      end
      i = i + 1
    end
  end
  if rest[i] ~= nil then M.raise(400, "too many arguments") end
  for k, v in pairs(param) do
    if props[k] and props[k].type == "boolean" then
      if v == "" then
        param[k] = "1"
      else
        local b = schema.parse_boolean(v)
        if b == nil then M.raise(400, "unable to parse boolean option") end
        param[k] = tostring(b)
      end
    end
  end
  return param
end

-- Validate all non-list parameters; raise the 400 with every error.
function M.verify(def, param)
  local plain = {}
  for k, v in pairs(param) do if k ~= "extra-args" then plain[k] = v end end
  local errors = schema.validate(plain, def.props)
  if next(errors) then M.raise(400, "Parameter verification failed.", errors) end
end

function M.parse(exe, cmd, def, argv)
  local ok, res = pcall(function()
    local param = M.get_options(def, argv)
    M.verify(def, param)
    return param
  end)
  if ok then return res end
  if type(res) == "table" and res.code == 400 then res.usage = M.usage_str(exe, cmd, def) end
  error(res, 0)
end

return M
