-- process -> plan.process (what nexcage-init execs at start), and the
-- Proxmox view of it: `entrypoint` (+ env as raw lxc.environment keys) on
-- PVE >= 9.1, or raw lxc.init.* keys (process_mode = "raw").
local util = require "rules.util"
local M = {}

-- lxc.init.cmd and entrypoint are split on spaces; quote what needs it.
local function quote(arg)
	if arg:find("^[%w%-%./_=:,@%%+]+$") then
		return arg
	end
	if arg:find("'", 1, true) then
		return '"' .. arg:gsub('[\\"]', "\\%0") .. '"'
	end
	return "'" .. arg .. "'"
end

function M.apply(spec, ctx, plan)
	local p = spec.process
	if type(p) ~= "table" then
		return
	end
	local args, env = {}, {}
	for i, a in ipairs(p.args or {}) do
		args[i] = util.clean(a, "process.args[" .. (i - 1) .. "]")
	end
	for i, e in ipairs(p.env or {}) do
		env[i] = util.clean(e, "process.env[" .. (i - 1) .. "]")
	end
	local user = type(p.user) == "table" and p.user or {}
	plan.process = {
		args = args,
		env = env,
		cwd = util.clean(p.cwd or "/", "process.cwd"),
		uid = user.uid or 0,
		gid = user.gid or 0,
		additional_gids = user.additionalGids or {},
		umask = user.umask,
		terminal = p.terminal == true,
		no_new_privileges = p.noNewPrivileges == true,
		oom_score_adj = p.oomScoreAdj,
		rlimits = {},
	}
	local cmd = {}
	for i, a in ipairs(args) do cmd[i] = quote(a) end
	local mode = ctx.config and ctx.config.process_mode or "entrypoint"
	if mode == "entrypoint" then
		util.set(plan, "entrypoint", table.concat(cmd, " "))
	else
		util.raw(plan, "lxc.init.cmd", table.concat(cmd, " "))
		util.raw(plan, "lxc.init.cwd", plan.process.cwd)
		util.raw(plan, "lxc.init.uid", tostring(plan.process.uid))
		util.raw(plan, "lxc.init.gid", tostring(plan.process.gid))
	end
	-- pct's --env carries one variable on a command line: several go in as
	-- raw keys, which both Proxmox and LXC read.
	for _, e in ipairs(env) do
		util.raw(plan, "lxc.environment", e)
	end
	if p.terminal == true then
		util.warn(plan, "process.terminal: the program gets the CT console, not a pty of the caller")
	end
end

return M
