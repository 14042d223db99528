-- Resolves a containers-common seccomp profile (/usr/share/containers/
-- seccomp.json: archMap, includes/excludes by arch and capability) into the
-- linux.seccomp object Podman writes into config.json, following
-- containers/common's rules: a syscalls[] entry applies when every
-- included capability is granted and the arch is included (or no arch is
-- named), and no excluded capability is granted nor the arch excluded.
--   lua5.4 podman_seccomp.lua <seccomp.json> [arch] > linux.seccomp.json
local M = {}

-- Podman 4's default capability set (containers.conf default_capabilities).
M.default_caps = { "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
	"CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT" }

local scmp_arch = { amd64 = "SCMP_ARCH_X86_64", arm64 = "SCMP_ARCH_AARCH64", ppc64le = "SCMP_ARCH_PPC64LE",
	s390x = "SCMP_ARCH_S390X" }

local function has(list, v)
	for _, x in ipairs(list or {}) do
		if x == v then return true end
	end
	return false
end

local function applies(call, arch, caps)
	local inc, exc = call.includes or {}, call.excludes or {}
	if inc.arches and #inc.arches > 0 and not has(inc.arches, arch) then return false end
	for _, c in ipairs(inc.caps or {}) do
		if not has(caps, c) then return false end
	end
	if has(exc.arches, arch) then return false end
	for _, c in ipairs(exc.caps or {}) do
		if has(caps, c) then return false end
	end
	return true
end

function M.resolve(profile, arch, caps)
	local out = { defaultAction = profile.defaultAction, defaultErrnoRet = profile.defaultErrnoRet,
		architectures = {}, syscalls = {} }
	for _, m in ipairs(profile.archMap or {}) do
		if m.architecture == scmp_arch[arch] then
			out.architectures[1] = m.architecture
			for _, s in ipairs(m.subArchitectures or {}) do out.architectures[#out.architectures + 1] = s end
		end
	end
	for _, call in ipairs(profile.syscalls or {}) do
		if applies(call, arch, caps) then
			local names = call.names or { call.name }
			local args = (call.args and #call.args > 0) and call.args or nil
			out.syscalls[#out.syscalls + 1] = { names = names, action = call.action, errnoRet = call.errnoRet,
				args = args }
		end
	end
	return out
end

if arg and arg[0] and arg[0]:match("podman_seccomp%.lua$") and arg[1] then
	local cjson = require "cjson"
	local f = assert(io.open(arg[1]))
	local profile = cjson.decode(f:read("a"))
	f:close()
	io.write(cjson.encode(M.resolve(profile, arg[2] or "amd64", M.default_caps)), "\n")
end

return M
