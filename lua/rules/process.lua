-- process -> plan.process (what nexcage-init execs at `start`, exactly
-- config.json's process), and the Proxmox view of it:
--   process_mode "entrypoint" (PVE >= 9.1): `entrypoint` + raw
--     lxc.environment.runtime keys (what pct's own `env` option becomes);
--   process_mode "raw": raw lxc.init.cmd/cwd/uid/gid + lxc.environment.
-- pct's --env can carry a single variable on a command line (the API takes
-- a NUL-separated list, which no argv can hold), so every variable goes in
-- as its own raw key instead; both forms reach the init's environment.
local util = require "nexcage.util"
local M = {}

-- LXC splits lxc.init.cmd (and thus `entrypoint`) on white space; a word
-- that starts with ' or " runs to the same quote. There is no escape
-- character. Returns nil for an argument that cannot be written that way.
function M.quote(arg)
	if arg ~= "" and not arg:find("%s") and not arg:find("^['\"]") then
		return arg
	end
	if not arg:find("'", 1, true) then
		return "'" .. arg .. "'"
	end
	if not arg:find('"', 1, true) then
		return '"' .. arg .. '"'
	end
	return nil
end

-- The CT config mirrors the environment as raw keys, within a budget: the
-- plan takes at most 4096 raw keys of 64 KiB each, and a Proxmox config
-- file is small (pmxcfs). nexcage-init gives the program every variable
-- from the process file, so one left out of the mirror is only a warning.
M.ENV_MIRROR_MAX = 1024
M.ENV_MIRROR_BYTES = 256 * 1024
local function mirror_env(plan, envkey, env)
	local n, bytes, left = 0, 0, 0
	for _, e in ipairs(env) do
		if not e:find("%c") then
			if n < M.ENV_MIRROR_MAX and bytes + #e <= M.ENV_MIRROR_BYTES then
				util.raw(plan, envkey, e)
				n, bytes = n + 1, bytes + #e
			else
				left = left + 1
			end
		end
	end
	if left > 0 then
		util.warn(plan, string.format("process.env: %d variables are not in the CT config's %s keys (it "
			.. "takes %d variables, %d bytes); the program gets all of them", left, envkey,
			M.ENV_MIRROR_MAX, M.ENV_MIRROR_BYTES))
	end
end

-- OCI: "KEY=value", the key of letters, digits and '_' (POSIX). An entry
-- without '=' would make LXC copy the variable from the host's environment.
local function env_entry(e, what)
	util.text(e, what)
	local name = e:match("^([^=]*)=")
	if not name or name == "" then
		error(what .. ": must be NAME=value (got " .. string.format("%q", e) .. ")", 0)
	end
	if not name:match("^[%a_][%w_]*$") then
		-- runc accepts these; only a name LXC could misread is refused above
		return e, "process.env: variable name " .. string.format("%q", name) .. " is not POSIX (letters, digits, '_')"
	end
	return e
end

local function gids(list, what)
	local out = {}
	for i, g in ipairs(util.list(list)) do
		out[i] = util.int(g, what .. "[" .. (i - 1) .. "]", 0, 4294967295)
	end
	return out
end

function M.apply(spec, ctx, plan)
	local p = util.process(spec)
	if not p then
		return -- only `start` needs a process; the core checks that
	end
	local args, env = {}, {}
	for i, a in ipairs(util.list(p.args)) do
		args[i] = util.text(a, "process.args[" .. (i - 1) .. "]")
	end
	if #args == 0 then
		error("process.args: must name the program to run", 0)
	end
	for i, e in ipairs(util.list(p.env)) do
		local value, warning = env_entry(e, "process.env[" .. (i - 1) .. "]")
		env[i] = value
		if warning then util.warn(plan, warning) end
	end
	local cwd = util.present(p.cwd) and util.clean(p.cwd, "process.cwd") or "/"
	if cwd:sub(1, 1) ~= "/" then
		error("process.cwd: must be an absolute path", 0)
	end
	local user = util.opt_table(p.user) or {}
	local proc = {
		args = args,
		env = env,
		cwd = cwd,
		uid = util.present(user.uid) and util.int(user.uid, "process.user.uid", 0, 4294967295) or 0,
		gid = util.present(user.gid) and util.int(user.gid, "process.user.gid", 0, 4294967295) or 0,
		additional_gids = gids(user.additionalGids, "process.user.additionalGids"),
		umask = util.present(user.umask) and util.int(user.umask, "process.user.umask", 0, 511) or nil,
		terminal = p.terminal == true,
		no_new_privileges = p.noNewPrivileges == true,
		oom_score_adj = util.present(p.oomScoreAdj) and util.int(p.oomScoreAdj, "process.oomScoreAdj", -1000, 1000)
			or nil,
		rlimits = {}, -- filled by rules.security
		-- the name the init gives the uts namespace the program ends up in
		-- (rules.identity checks it): a joined one (a pod's) included
		hostname = type(spec.hostname) == "string" and spec.hostname ~= "" and spec.hostname or nil,
	}
	plan.process = proc

	local mode = util.config(ctx, "process_mode")
	local pve = util.config(ctx, "pve_version")
	if mode == "entrypoint" and not util.version_at_least(pve, "9.1") then
		error("process_mode \"entrypoint\" needs Proxmox VE 9.1 or later (pve_version is " .. pve
			.. "); set process_mode = \"raw\"", 0)
	elseif mode ~= "entrypoint" and mode ~= "raw" then
		error("process_mode must be \"entrypoint\" or \"raw\" (got " .. tostring(mode) .. ")", 0)
	end

	-- The Proxmox view. The core runs nexcage-init in its place, which execs
	-- plan.process exactly, so an argument LXC cannot split back is a
	-- warning, not an error.
	-- A control character (a newline in a script) cannot be in a config
	-- line at all: such an argument leaves the Proxmox view without an
	-- entrypoint, such a variable without its raw key.
	local cmd = {}
	for i, a in ipairs(args) do
		cmd[i] = not a:find("%c") and M.quote(a) or nil
		if not cmd[i] then
			cmd = nil
			util.warn(plan, "process.args[" .. (i - 1) .. "] holds a control character, or both quote "
				.. "characters and white space: LXC's init command cannot express it, so the plan has no "
				.. "entrypoint/lxc.init.cmd; nexcage-init still runs the exact argv")
			break
		end
	end
	local envkey = mode == "entrypoint" and "lxc.environment.runtime" or "lxc.environment"
	if mode == "entrypoint" then
		if cmd then util.set(plan, "entrypoint", table.concat(cmd, " ")) end
	else
		if cmd then util.raw(plan, "lxc.init.cmd", table.concat(cmd, " ")) end
		util.raw(plan, "lxc.init.cwd", cwd)
		util.raw(plan, "lxc.init.uid", tostring(proc.uid))
		util.raw(plan, "lxc.init.gid", tostring(proc.gid))
	end
	mirror_env(plan, envkey, env)

	if util.present(p.ioPriority) then
		util.warn(plan, "process.ioPriority: not applied (no Proxmox setting; the CT's I/O weight applies)")
	end
	if util.present(p.scheduler) then
		util.warn(plan, "process.scheduler: not applied (the program runs with the default policy)")
	end
	if util.present(p.execCPUAffinity) then
		util.warn(plan, "process.execCPUAffinity: not applied (use linux.resources.cpu.cpus for the CT)")
	end
end

return M
