-- The Podman corpus: configs as an engine really generates them, fed to
-- `nexcage translate`, each with what the plan must hold or the exact
-- refusal. Podman (Debian's) makes them: a local busybox image (a rootfs
-- of busybox-static, `podman import`, nothing downloaded), then for each
-- flag set `podman create --runtime runc <flags> IMG` and `podman init`,
-- and config.json is copied from the container's userdata. Podman runs
-- with a private storage root under a temporary directory, removed at
-- the end. Prints "corpus: N passed, N failed".
--
--   NEXCAGE=build/nexcage lua5.4 tests/corpus/podman.lua [name-pattern]
--   KEEP=DIR keeps the generated bundles in DIR.
local cjson = require "cjson"

local NEXCAGE = os.getenv("NEXCAGE") or "build/nexcage"
local only = arg[1]
local IMG = "localhost/nexcage-corpus:latest"

local function sh_quote(s)
	return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

local function run(cmd)
	local p = assert(io.popen(cmd .. " 2>&1"))
	local out = p:read("a")
	local ok, _, code = p:close()
	return ok and 0 or code, out
end

local function must(cmd)
	local rc, out = run(cmd)
	if rc ~= 0 then error("failed (" .. rc .. "): " .. cmd .. "\n" .. out, 0) end
	return out
end

local function read(path)
	local f = assert(io.open(path, "rb"))
	local s = f:read("a")
	f:close()
	return s
end

local function write(path, s)
	local f = assert(io.open(path, "wb"))
	f:write(s)
	f:close()
end

local WORK = os.getenv("KEEP") or must("mktemp -d /tmp/nexcage-corpus-XXXXXX"):gsub("%s+$", "")
must("mkdir -p " .. sh_quote(WORK))
local PODMAN = string.format("podman --root %s/store --runroot %s/run --storage-driver vfs",
	sh_quote(WORK), sh_quote(WORK))

-- Debian's own containers.conf, with the one line this sandbox forces:
-- Podman's default ulimits are above its hard limits (CONTAINERS_CONF
-- replaces the stock file, so the stock file is copied, not left out).
do
	local f = assert(io.open("/usr/share/containers/containers.conf"))
	local stock = f:read("a")
	f:close()
	local conf, n = stock:gsub("\n%[containers%]\n",
		'\n[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=1000:1000"]\n', 1)
	assert(n == 1, "no [containers] table in Debian's containers.conf")
	write(WORK .. "/containers.conf", conf)
end
local ENV = "CONTAINERS_CONF=" .. sh_quote(WORK .. "/containers.conf") .. " "

-- A block device for --device-read-bps and a host directory for -v.
local BLOCKDEV = must("ls /dev/loop0 /dev/vda /dev/sda 2>/dev/null | head -n 1 || true"):gsub("%s+$", "")
local HOSTDIR = WORK .. "/hostdir"
must("mkdir -p " .. sh_quote(HOSTDIR))

-- ---- the flag sets and what each must become -------------------------
-- check(r) gets r.rc, r.err, r.plan (the JSON plan), r.pct (the pct text)
-- and returns nil or what is wrong.
local cases = {}
local function case(name, flags, check)
	cases[#cases + 1] = { name = name, flags = flags, check = check }
end

local function opt(r, k) return r.plan and r.plan.options[k] end
local function raw(r, k)
	local out = {}
	for _, kv in ipairs(r.plan and r.plan.lxc or {}) do
		if kv[1] == k then out[#out + 1] = kv[2] end
	end
	return out
end
local function has_raw(r, k, v)
	for _, x in ipairs(raw(r, k)) do
		if v == nil or x == v then return true end
	end
	return false
end
local function warned(r, needle)
	for _, w in ipairs(r.plan and r.plan.warnings or {}) do
		if w:find(needle, 1, true) then return true end
	end
	return false
end

-- Small assertion combinators: each returns nil when it holds.
local A = {}
function A.ok(r)
	if r.rc ~= 0 then return "translate failed: " .. r.err end
end
function A.opt(k, v)
	return function(r)
		if tostring(opt(r, k)) ~= tostring(v) then
			return string.format("option %s: expected %s, got %s", k, tostring(v), tostring(opt(r, k)))
		end
	end
end
function A.no_opt(k)
	return function(r)
		if opt(r, k) ~= nil then return "option " .. k .. " should be absent, got " .. tostring(opt(r, k)) end
	end
end
function A.raw(k, v)
	return function(r)
		if not has_raw(r, k, v) then
			return string.format("raw %s: %s expected, have [%s]", k, tostring(v), table.concat(raw(r, k), " | "))
		end
	end
end
function A.no_raw(k, v)
	return function(r)
		if has_raw(r, k, v) then return string.format("raw %s: %s should be absent", k, tostring(v)) end
	end
end
function A.warn(needle)
	return function(r)
		if not warned(r, needle) then
			return "no warning containing [" .. needle .. "] in " .. cjson.encode(r.plan and r.plan.warnings or {})
		end
	end
end
function A.no_warn(needle)
	return function(r)
		if warned(r, needle) then return "unexpected warning containing [" .. needle .. "]" end
	end
end
function A.pct(needle)
	return function(r)
		if not (r.pct or ""):find(needle, 1, true) then return "pct dry run lacks [" .. needle .. "]" end
	end
end
function A.process(field, v)
	return function(r)
		local p = r.plan and r.plan.process or {}
		local got = p[field]
		if type(v) == "table" then got = cjson.encode(got):gsub("%.0", ""); v = cjson.encode(v) end
		if type(v) == "number" and got == v then return nil end
		if tostring(got) ~= tostring(v) then
			return string.format("process.%s: expected %s, got %s", field, tostring(v), tostring(got))
		end
	end
end
-- a sysctl nexcage-init writes (plan.process.sysctl)
function A.sysctl(key, value)
	return function(r)
		local got = r.plan and r.plan.process and r.plan.process.sysctl or {}
		if got[key] ~= value then
			return string.format("process.sysctl[%s]: expected %s, got %s", key, value, tostring(got[key]))
		end
	end
end
-- a device node nexcage-init makes (plan.process.devices)
function A.device(path, type, major, minor, mode)
	return function(r)
		for _, d in ipairs(r.plan and r.plan.process and r.plan.process.devices or {}) do
			if d.path == path then
				if d.type ~= type or d.major ~= major or d.minor ~= minor or (mode and d.mode ~= mode) then
					return string.format("device %s: %s %s:%s mode %s", path, d.type, d.major, d.minor, d.mode)
				end
				return nil
			end
		end
		return "no device " .. path .. " for the init to make"
	end
end
-- a raw key whose value contains text
function A.raw_match(k, needle)
	return function(r)
		for _, kv in ipairs(r.plan and r.plan.lxc or {}) do
			if kv[1] == k and kv[2]:find(needle, 1, true) then return nil end
		end
		return "no raw " .. k .. " with [" .. needle .. "]"
	end
end
-- a namespace the init joins by path (plan.process.namespaces)
function A.joins(kind)
	return function(r)
		for _, ns in ipairs(r.plan and r.plan.process and r.plan.process.namespaces or {}) do
			if ns.type == kind and type(ns.path) == "string" and ns.path:sub(1, 1) == "/" then return nil end
		end
		return "does not join a " .. kind .. " namespace by path"
	end
end
-- no network namespace joined (--network none: the CT's own, only lo)
function A.joins_none()
	return function(r)
		for _, ns in ipairs(r.plan and r.plan.process and r.plan.process.namespaces or {}) do
			if ns.type == "network" then return "joins a network namespace: " .. cjson.encode(ns) end
		end
	end
end
-- the capability set nexcage-init applies ("chown kill ..."): has/lacks
function A.caps(set, has, lacks)
	return function(r)
		local caps = r.plan and r.plan.process and r.plan.process.capabilities or {}
		local list = " " .. tostring(caps[set]) .. " "
		for _, c in ipairs(has or {}) do
			if not list:find(" " .. c .. " ", 1, true) then return "capabilities." .. set .. " lacks " .. c .. ":" .. list end
		end
		for _, c in ipairs(lacks or {}) do
			if list:find(" " .. c .. " ", 1, true) then return "capabilities." .. set .. " has " .. c .. ":" .. list end
		end
	end
end
function A.refused(needle)
	return function(r)
		if r.rc == 0 then return "expected a refusal containing [" .. needle .. "], translate succeeded" end
		if not r.err:find(needle, 1, true) then return "refusal lacks [" .. needle .. "]: " .. r.err end
	end
end
function A.first_error(needle)
	return function(r)
		local first = r.err:match("[^\n]*") or ""
		if not first:find(needle, 1, true) then return "first error line lacks [" .. needle .. "]: " .. r.err end
	end
end
local function all(...)
	local checks = { ... }
	return function(r)
		for _, c in ipairs(checks) do
			local why = c(r)
			if why then return why end
		end
	end
end

-- What every Podman container gets and must keep.
local podman_base = all(A.ok,
	A.raw("lxc.mount.entry", "mqueue dev/mqueue mqueue nosuid,noexec,nodev,create=dir 0 0"),
	function(r)
		for _, v in ipairs(raw(r, "lxc.mount.entry")) do
			if v:match("/userdata/hosts etc/hosts none bind,create=file") then return nil end
		end
		return "no file bind of Podman's /etc/hosts"
	end)

-- No --memory: unlimited, as under runc (Proxmox's own limit lifted).
local unlimited = all(A.no_opt("memory"), A.no_opt("swap"), A.raw("lxc.cgroup2.memory.max", "max"),
	A.raw("lxc.cgroup2.memory.high", "max"), A.raw("lxc.cgroup2.memory.swap.max", "max"))

case("default", {}, all(podman_base, unlimited, A.no_warn("sys"), A.no_warn("uts"),
	A.opt("unprivileged", 0), A.process("args", { "sleep", "60" }), A.process("umask", 18),
	A.no_opt("net0"), A.joins("network"),
	A.caps("bounding", { "chown", "net_bind_service", "kill" }, { "sys_admin", "net_admin" }),
	A.pct("\n#   args: sleep 60\n"), A.pct("\n#   umask: 0022\n"), A.pct("\n#   join network namespace: /"),
	A.pct("\n#   capabilities bounding: ")))


-- The refusal for a namespace a CT cannot share.
-- a namespace the config leaves out: the caller's, joined by the init
-- (pid: the program runs there, started by the stand-in)
local function host_ns(t)
	return function(r)
		for _, ns in ipairs(r.plan and r.plan.process and r.plan.process.namespaces or {}) do
			if ns.type == t and ns.path == "/proc/self/ns/" .. t then return nil end
		end
		return "does not share the caller's " .. t .. " namespace"
	end
end

case("network-none", { "--network", "none" }, all(podman_base, A.no_opt("net0"), A.joins_none(),
	A.no_raw("lxc.net.0.type", "none")))
case("network-host", { "--network", "host" }, all(podman_base, A.no_opt("net0"), A.raw("lxc.net.0.type", "none")))
case("privileged", { "--privileged" }, all(podman_base, A.no_warn("fileMode"), A.no_warn("/sys"),
	A.warn("linux.resources.devices allows every device"), A.device("/dev/null", "c", 1, 3),
	function(r)
		for k in pairs(r.plan.options) do
			if k:match("^dev%d+$") then return "a Proxmox devN (" .. k .. "): the init makes the nodes" end
		end
	end, A.raw_match("lxc.mount.auto", "sys:rw"),
	A.opt("unprivileged", 0), A.caps("bounding", { "sys_admin", "net_admin", "chown" })))
case("cap-add-all", { "--cap-add", "ALL" }, all(podman_base, A.raw("lxc.cap.drop", ""),
	A.caps("bounding", { "sys_admin", "net_admin" }), A.caps("effective", { "sys_admin", "net_admin" }),
	function(r)
	end))
case("cap-drop-all", { "--cap-drop", "ALL" }, all(podman_base, A.raw("lxc.cap.drop", ""),
	A.caps("bounding", {}, { "chown", "kill", "net_bind_service" })))
case("read-only", { "--read-only" }, all(podman_base, function(r) -- the bundle's rootfs in place
		local v = tostring(opt(r, "rootfs"))
		if not v:match("^/.*/rootfs$") then return "option rootfs: expected <bundle>/rootfs, got " .. v end
	end, A.process("readonly_root", true), A.pct("\n#   root: read-only, once the CT is finished\n"),
	function(r) -- Podman's order of these varies
		for _, w in ipairs(r.plan.warnings) do
			if w:find("tmpcopyup not applied", 1, true) and w:find(" /tmp[ ,]") and w:find(" /run[ ,]")
				and w:find(" /var/tmp[ ,]") then return nil end
		end
		return "no tmpcopyup warning naming /tmp, /run and /var/tmp"
	end,
	A.raw("lxc.mount.entry", "tmpfs tmp tmpfs nosuid,nodev,create=dir 0 0"),
	A.raw("lxc.mount.entry", "tmpfs run tmpfs nosuid,nodev,create=dir 0 0"),
	A.raw("lxc.mount.entry", "tmpfs var/tmp tmpfs nosuid,nodev,create=dir 0 0")))
case("user", { "--user", "1000:1000" }, all(podman_base, A.process("uid", 1000), A.process("gid", 1000),
	A.pct("\n#   user: 1000:1000\n")))
-- Podman's order of the groups varies from run to run.
case("group-add", { "--group-add", "10", "--group-add", "20" }, all(podman_base, function(r)
	local g = r.plan.process.additional_gids
	table.sort(g)
	if cjson.encode(g):gsub("%.0", "") ~= "[10,20]" then return "additional_gids: " .. cjson.encode(g) end
	if not (r.pct:find("\n#   additional groups: 10,20\n", 1, true)
		or r.pct:find("\n#   additional groups: 20,10\n", 1, true)) then
		return "pct dry run lacks the additional groups"
	end
end))
case("env-workdir-hostname", { "-e", "FOO=bar", "--workdir", "/tmp", "--hostname", "web" }, all(podman_base,
	A.opt("hostname", "web"), A.process("cwd", "/tmp"), A.raw("lxc.environment.runtime", "FOO=bar")))
case("volume-ro", { "-v", HOSTDIR .. ":/data:ro" }, all(podman_base, A.opt("mp0", HOSTDIR .. ",mp=/data,ro=1")))
case("volume-options", { "-v", HOSTDIR .. ":/opt/data:rw,noexec,nosuid,nodev" }, all(podman_base,
	A.opt("mp0", HOSTDIR .. ",mp=/opt/data,mountoptions=noexec;nosuid;nodev")))
case("named-volume", { "-v", "nexcage-corpus-vol:/vol" }, all(podman_base,
	A.opt("mp0", WORK .. "/store/volumes/nexcage-corpus-vol/_data,mp=/vol,mountoptions=nosuid;nodev")))
case("tmpfs", { "--tmpfs", "/scratch:rw,size=64m,mode=1777" }, all(podman_base,
	A.warn("tmpcopyup not applied: the tmpfs at /scratch starts empty"),
	A.raw("lxc.mount.entry", "tmpfs scratch tmpfs size=64m,mode=1777,nosuid,nodev,create=dir 0 0")))
case("shm-size", { "--shm-size", "128m" }, all(podman_base, function(r)
	for _, v in ipairs(raw(r, "lxc.mount.entry")) do
		if v:match("/userdata/shm dev/shm none bind,create=dir") then return nil end
	end
	return "no bind of Podman's sized /dev/shm"
end))
case("memory-cpus-pids", { "--memory", "256m", "--cpus", "1.5", "--pids-limit", "100" }, all(podman_base,
	A.opt("memory", 256), A.opt("swap", 256), A.no_raw("lxc.cgroup2.memory.max"), A.opt("cpulimit", "1.5"), A.raw("lxc.cgroup2.pids.max", "100")))
case("memory-reservation", { "--memory-reservation", "128m" }, all(podman_base, unlimited,
	A.raw("lxc.cgroup2.memory.low", "134217728")))
case("cpuset-cpus", { "--cpuset-cpus", "0" }, all(podman_base, A.raw("lxc.cgroup2.cpuset.cpus", "0")))
case("cpu-shares", { "--cpu-shares", "512" }, all(podman_base, A.opt("cpuunits", 20)))
case("device-read-bps", { "--device-read-bps", BLOCKDEV .. ":1mb" }, all(podman_base, function(r)
	for _, v in ipairs(raw(r, "lxc.cgroup2.io.max")) do
		if v:match("^%d+:%d+ rbps=1048576$") then return nil end
	end
	return "no io.max rbps=1048576"
end))
case("ulimit", { "--ulimit", "nofile=1024:2048", "--ulimit", "nproc=1000:1000" }, all(podman_base,
	A.raw("lxc.prlimit.nofile", "1024:2048"), A.pct("\n#   rlimit: RLIMIT_NOFILE 1024:2048\n")))
case("sysctl", { "--sysctl", "kernel.msgmax=65536", "--sysctl", "net.ipv4.ip_forward=1" }, all(podman_base,
	A.no_raw("lxc.sysctl.kernel.msgmax"), A.sysctl("kernel.msgmax", "65536"), A.sysctl("net.ipv4.ip_forward", "1"),
	A.pct("\n#   sysctl: kernel.msgmax = 65536\n#   sysctl: net.ipv4.ip_forward = 1\n")))
case("oom-score-adj", { "--oom-score-adj", "500" }, all(podman_base, A.process("oom_score_adj", 500),
	A.pct("\n#   oom_score_adj: 500\n")))
case("device", { "--device", "/dev/fuse" }, all(podman_base, A.no_warn("fileMode"), A.no_opt("dev0"),
	A.device("/dev/fuse", "c", 10, 229, 384),
	A.raw("lxc.cgroup2.devices.allow", "c 10:229 rwm")))
case("seccomp-unconfined", { "--security-opt", "seccomp=unconfined" }, all(podman_base, A.no_warn("linux.seccomp")))
case("no-new-privileges", { "--security-opt", "no-new-privileges" }, all(podman_base,
	A.process("no_new_privileges", true), A.pct("\n#   no_new_privileges: true\n")))
-- catatonit is a file: an LXC file entry, not a Proxmox mount point.
case("init", { "--init" }, all(podman_base, A.process("args", { "/run/podman-init", "--", "sleep", "60" }),
	A.no_opt("mp0"), A.raw("lxc.mount.entry", "/usr/libexec/podman/catatonit run/podman-init none bind,create=file,ro 0 0")))
case("tty", { "-t" }, all(podman_base, A.process("terminal", true), A.no_warn("process.terminal"),
	A.pct("\n#   terminal: a pty made in the CT")))
case("systemd", { "--systemd", "always" }, all(podman_base,
	A.raw("lxc.mount.entry", "tmpfs run/lock tmpfs nosuid,nodev,create=dir 0 0"),
	A.raw("lxc.mount.entry", "tmpfs var/log/journal tmpfs nosuid,nodev,create=dir 0 0"), A.warn("tmpcopyup not applied")))
case("label", { "--label", "com.example.tier=gold" }, podman_base)
case("uts-host", { "--uts", "host" }, all(podman_base, A.no_opt("hostname"), host_ns("uts"), A.no_warn("uts")))
-- The pod shares its network, ipc and uts namespaces by path: the init joins them.
case("in-pod", { "--pod", "nexcage-corpus-pod" }, all(A.ok, A.joins("network"), A.joins("ipc"), A.joins("uts"),
	A.no_opt("net0")))
case("ipc-host", { "--ipc", "host" }, all(podman_base, host_ns("ipc")))
case("pid-host", { "--pid", "host" }, all(podman_base, host_ns("pid"), A.pct("\n#   join pid namespace: /proc/self/ns/pid\n")))
case("pid-host-bad-hostname", { "--pid", "host", "--hostname", "web_1" }, all(
	A.refused("hostname \"web_1\" is not a valid DNS name")))
case("uidmap", { "--uidmap", "0:100000:65536", "--gidmap", "0:100000:65536" }, all(podman_base,
	A.opt("unprivileged", 0), A.raw("lxc.idmap", "u 0 100000 65536"), A.raw("lxc.idmap", "g 0 100000 65536")))

-- ---- generate ---------------------------------------------------------
local function generate()
	local rootfs = WORK .. "/image"
	must("mkdir -p " .. sh_quote(rootfs) .. "/bin " .. sh_quote(rootfs) .. "/etc " .. sh_quote(rootfs) .. "/tmp "
		.. sh_quote(rootfs) .. "/sbin")
	must("cp /bin/busybox " .. sh_quote(rootfs .. "/bin/busybox"))
	for _, c in ipairs({ "sh", "sleep", "true", "cat" }) do
		must("ln -sf busybox " .. sh_quote(rootfs .. "/bin/" .. c))
	end
	must("ln -sf ../bin/busybox " .. sh_quote(rootfs .. "/sbin/init"))
	must("tar -C " .. sh_quote(rootfs) .. " -cf " .. sh_quote(WORK .. "/image.tar") .. " .")
	must(ENV .. PODMAN .. " import -q " .. sh_quote(WORK .. "/image.tar") .. " " .. IMG)
	must(ENV .. PODMAN .. " volume create nexcage-corpus-vol")
	must(ENV .. PODMAN .. " pod create --name nexcage-corpus-pod")
	for _, c in ipairs(cases) do
		local name = "nexcage-corpus-" .. c.name
		local flags = {}
		for i, f in ipairs(c.flags) do flags[i] = sh_quote(f) end
		local rc, out = run(ENV .. PODMAN .. " create -q --runtime runc --name " .. name .. " "
			.. table.concat(flags, " ") .. " " .. IMG .. " sleep 60")
		if rc == 0 then
			local id = out:match("(%x+)%s*$")
			rc, out = run(ENV .. PODMAN .. " init " .. name)
			if rc == 0 then
				local dir = WORK .. "/bundles/" .. c.name
				must("mkdir -p " .. sh_quote(dir .. "/rootfs"))
				must("cp " .. sh_quote(WORK .. "/store/vfs-containers/" .. id .. "/userdata/config.json") .. " "
					.. sh_quote(dir .. "/podman.json"))
			end
		end
		if rc ~= 0 then c.podman_error = out end
		run(ENV .. PODMAN .. " rm -f -t 0 " .. name)
	end
end

-- Whatever generate left, also when it failed half-way: everything in the
-- private storage root (nothing else is touched), the pod's infra
-- container and its network namespace included.
local function clean_podman()
	run(ENV .. PODMAN .. " rm -a -f -t 0")
	run(ENV .. PODMAN .. " pod rm -a -f")
	run(ENV .. PODMAN .. " volume rm -a -f")
end

-- The bundle nexcage gets: Podman's config, its root made the bundle's.
local function prepare(c)
	local dir = WORK .. "/bundles/" .. c.name
	local spec = cjson.decode(read(dir .. "/podman.json"))
	spec.root.path = "rootfs"
	write(dir .. "/config.json", cjson.encode(spec))
	return dir
end

local function translate(dir, format)
	local errf = WORK .. "/stderr"
	local p = assert(io.popen(string.format("%s translate --bundle %s --format %s 2>%s", NEXCAGE, sh_quote(dir),
		format, sh_quote(errf))))
	local out = p:read("a")
	local ok, _, code = p:close()
	return ok and 0 or code, out, read(errf)
end

local config = WORK .. "/config.lua"
write(config, "return { storage = 'local', template_storage = 'local', bridge = 'vmbr0' }\n")
must("chmod 0644 " .. sh_quote(config))
local site = "NEXCAGE_CONFIG=" .. sh_quote(config) .. " "
NEXCAGE = site .. NEXCAGE

local selected = {}
for _, c in ipairs(cases) do
	if not only or c.name:find(only) then selected[#selected + 1] = c end
end
cases = selected

local version = must("podman --version"):gsub("%s+$", "")
local runc = must("runc --version"):match("[^\n]*")
print(string.format("corpus: %s, %s; %d flag sets", version, runc, #cases))
local t0 = os.time()
local gen_ok, gen_err = pcall(generate)
clean_podman()
print(string.format("corpus: configs generated in %d s", os.time() - t0))

local pass, failed = 0, 0
for _, c in ipairs(cases) do
	local why
	if not gen_ok then
		why = "generation failed: " .. tostring(gen_err)
	elseif c.podman_error then
		why = "podman: " .. c.podman_error
	else
		local dir = prepare(c)
		local r = {}
		local out
		r.rc, out, r.err = translate(dir, "json")
		if r.rc == 0 then r.plan = cjson.decode(out) end
		local prc, pout, perr = translate(dir, "pct")
		r.pct = prc == 0 and pout or perr
		why = c.check(r)
	end
	local label = c.name .. " (" .. table.concat(c.flags, " ") .. ")"
	if why then
		failed = failed + 1
		print("   FAIL " .. label .. "\n        " .. why:gsub("\n", "\n        "))
	else
		pass = pass + 1
		print("   ok   " .. label)
	end
end
if not os.getenv("KEEP") then run("rm -rf " .. sh_quote(WORK)) end
print(string.format("corpus: %d passed, %d failed", pass, failed))
os.exit(failed == 0 and 0 or 1)
