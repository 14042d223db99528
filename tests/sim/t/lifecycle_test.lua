-- Real containers: create from the busybox template, start, exec, stop,
-- destroy, and everything in between.
local H = require("harness")
local util = require("util")
local test, eq, fails, contains, ok = H.test, H.eq, H.fails, H.contains, H.ok
local succeeds, not_contains = H.succeeds, H.not_contains

local function lxc_state(r, vmid)
  local out = util.capture({ "lxc-info", "-P", r:path("var/lib/lxc"), "-n", tostring(vmid), "-s", "-H" }, false,
    " 2>/dev/null")
  return util.trim(out)
end

local function create(r, vmid, ...)
  return succeeds(r:pct("create", tostring(vmid), r:template(), ...))
end

test("headline: busybox CT created, started, hostname and env read back, stopped, destroyed, nothing left",
  function(r)
    local res = create(r, 100, "--hostname", "web1", "--env", "GREETING=hello world",
      "--entrypoint", "/bin/sleep 1000", "--memory", "64", "--swap", "0")
    contains(res.out, "extracting archive '" .. r:path("var/lib/vz/template/cache/busybox.tar.gz") .. "'\n")
    succeeds(r:pct("start", "100"))
    eq(lxc_state(r, 100), "RUNNING", "lxc state")
    eq(succeeds(r:pct("status", "100")).out, "status: running\n", "status")
    eq(succeeds(r:pct("exec", "100", "--", "hostname")).out, "web1\n", "hostname inside")
    local env = succeeds(r:pct("exec", "100", "--", "tr", "\\0", "\\n", "<", "/proc/1/environ"))
    -- no shell in between: tr gets "<" as an argument, so use sh -c instead
    env = succeeds(r:pct("exec", "100", "--", "/bin/sh", "-c", "tr '\\0' '\\n' < /proc/1/environ")).out
    contains(env, "GREETING=hello world\n", "init environment")
    local init = succeeds(r:pct("exec", "100", "--", "/bin/sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline")).out
    eq(init, "/bin/sleep 1000 ", "init command")
    succeeds(r:pct("stop", "100"))
    eq(succeeds(r:pct("status", "100")).out, "status: stopped\n", "status after stop")
    local d = succeeds(r:pct("destroy", "100", "--purge"))
    eq(d.out, "purging CT 100 from related configurations..\n", "destroy output")
    H.nothing_left(r, 100)
    eq(util.read(r:path("etc/pve/.vmlist")):find('"100"'), nil, "vmlist entry")
    eq(succeeds(r:pct("list")).out, "", "empty list prints nothing")
  end)

test("conf written like Proxmox: defaults, sorted keys, env as lxc.environment.runtime", function(r)
  create(r, 101, "--hostname", "db", "--env", "A=1", "--cores", "1", "--tags", "b;a", "--net0", "name=eth0,ip=dhcp")
  eq(util.read(r:path("etc/pve/lxc/101.conf")),
    "arch: amd64\ncores: 1\nhostname: db\nmemory: 512\nnet0: name=eth0,ip=dhcp\nostype: unmanaged\n"
    .. "rootfs: local:101/subvol-101-disk-0.subvol,size=4G\nswap: 512\ntags: b;a\nunprivileged: 1\n"
    .. "lxc.environment.runtime: A=1\n", "101.conf")
  ok(util.is_dir(r:path("var/lib/vz/images/101/subvol-101-disk-0.subvol/bin")), "rootfs unpacked")
  eq(util.read(r:path("etc/pve/lxc/101.conf")), util.read(r:path("etc/pve/nodes/pve/lxc/101.conf")), "lxc symlink")
end)

test("description becomes URL-encoded leading comments; raw lxc keys stay last", function(r)
  create(r, 102, "--description", "line one: 100%\nline two")
  local conf = r:path("etc/pve/lxc/102.conf")
  local text = util.read(conf)
  eq(text:sub(1, 31), "#line one%3A 100%25\n#line two\na", "description comments")
  -- the runtime appends raw keys between create and start
  local f = io.open(conf, "a"); f:write("lxc.init.cwd: /tmp\nlxc.environment: RAW=1\n"); f:close()
  succeeds(r:pct("set", "102", "--memory", "128"))
  local out = succeeds(r:pct("config", "102")).out
  eq(out:match("^description: (.-)\n"), nil, "description is not first (sorted)")
  contains(out, "description: line one%3A 100%25%0Aline two\n")
  ok(out:match("lxc%.init%.cwd: /tmp\nlxc%.environment: RAW=1\n$"), "raw keys last in pct config:\n" .. out)
  contains(util.read(conf), "memory: 128\nostype: unmanaged\n")
  ok(util.read(conf):match("unprivileged: 1\nlxc%.init%.cwd: /tmp\nlxc%.environment: RAW=1\n$"), "raw keys last in file")
end)

test("raw lxc keys from the conf reach the container at start", function(r)
  create(r, 103, "--entrypoint", "/bin/sleep 1000")
  local f = io.open(r:path("etc/pve/lxc/103.conf"), "a")
  f:write("lxc.environment: RAWVAR=from-raw\nlxc.init.cwd: /tmp\n")
  f:close()
  succeeds(r:pct("start", "103"))
  local cfg = util.read(r:path("var/lib/lxc/103/config"))
  ok(cfg:match("lxc%.environment = RAWVAR=from%-raw\nlxc%.init%.cwd = /tmp\n"), "raw keys in LXC config")
  local env = succeeds(r:pct("exec", "103", "--", "/bin/sh", "-c", "tr '\\0' '\\n' < /proc/1/environ; readlink /proc/1/cwd")).out
  contains(env, "RAWVAR=from-raw\n")
  contains(env, "/tmp\n")
end)

test("generated LXC config follows update_lxc_config", function(r)
  util.mkdir_p(r:path("hostdir"))
  create(r, 104, "--hostname", "gen", "--memory", "256", "--swap", "128", "--cpulimit", "1.5", "--cpuunits", "200",
    "--cores", "1", "--entrypoint", "/bin/sleep 1000", "--env", "K=V", "--net0", "name=eth0,bridge=vmbr0",
    "--rootfs", "local:2", "--mp0", r:path("hostdir") .. ",mp=/data,ro=1", "--features", "nesting=1")
  succeeds(r:pct("start", "104"))
  local cfg = util.read(r:path("var/lib/lxc/104/config"))
  for _, line in ipairs({ "lxc.arch = amd64", "lxc.include = /usr/share/lxc/config/common.conf",
    "lxc.include = /usr/share/lxc/config/userns.conf", "lxc.monitor.unshare = 1",
    "lxc.idmap = u 0 100000 65536", "lxc.idmap = g 0 100000 65536", "lxc.tty.max = 2",
    "lxc.environment = TERM=linux", "lxc.uts.name = gen", "lxc.cgroup2.memory.max = 268435456",
    "lxc.cgroup2.memory.swap.max = 134217728", "lxc.cgroup2.cpu.max = 150000 100000",
    "lxc.cgroup2.cpu.weight = 200", "lxc.init.cmd = /bin/sleep 1000", "lxc.net.0.type = empty",
    "lxc.rootfs.path = " .. r:path("var/lib/vz/images/104/subvol-104-disk-0.subvol"),
    "lxc.mount.entry = " .. r:path("hostdir") .. " data none bind,create=dir,ro 0 0",
    "lxc.mount.entry = shm dev/shm tmpfs rw,nosuid,nodev,create=dir 0 0" }) do
    contains(cfg, line .. "\n", "LXC config")
  end
  ok(cfg:match("\nlxc%.cgroup2?%.cpuset%.cpus = 0\n"), "cores -> cpuset:\n" .. cfg)
  contains(cfg, "K=V\n")
end)

test("start twice, stop twice, destroy while running, exec while stopped", function(r)
  create(r, 105, "--entrypoint", "/bin/sleep 1000")
  fails(r:pct("exec", "105", "--", "true"), 255, "container '105' not running!\n")
  succeeds(r:pct("start", "105"))
  fails(r:pct("start", "105"), 255, "CT 105 already running\n")
  fails(r:pct("destroy", "105"), 255, "unable to destroy CT 105 - container is running\n")
  succeeds(r:pct("stop", "105"))
  fails(r:pct("stop", "105"), 255, "CT 105 not running\n")
  fails(r:pct("shutdown", "105"), 255, "CT 105 not running\n")
  fails(r:pct("suspend", "105"), 255, "CT 105 not running\n")
  succeeds(r:pct("destroy", "105"))
end)

test("destroy --force stops a running CT first", function(r)
  create(r, 106, "--entrypoint", "/bin/sleep 1000")
  succeeds(r:pct("start", "106"))
  local res = succeeds(r:pct("destroy", "106", "--force", "--purge"))
  contains(res.err, "forced to stop CT 106 before destroying!\n")
  eq(lxc_state(r, 106), "", "container gone")
  H.nothing_left(r, "106")
end)

test("missing config: status, config, set, destroy, start, exec", function(r)
  local msg = "Configuration file 'nodes/pve/lxc/120.conf' does not exist\n"
  fails(r:pct("status", "120"), 2, msg)
  fails(r:pct("config", "120"), 2, msg)
  fails(r:pct("set", "120", "--memory", "64"), 2, msg)
  fails(r:pct("destroy", "120"), 2, msg)
  fails(r:pct("exec", "120", "--", "true"), 2, msg)
  -- start checks "running" first, then fails inside its task
  fails(r:pct("start", "120"), 255, msg)
  fails(r:pct("stop", "120"), 255, "CT 120 not running\n")
end)

test("exec returns the command's exit status and passes -- arguments through", function(r)
  create(r, 107, "--entrypoint", "/bin/sleep 1000")
  succeeds(r:pct("start", "107"))
  eq(r:pct("exec", "107", "--", "/bin/sh", "-c", "exit 7").code, 7, "exit status")
  eq(succeeds(r:pct("exec", "107", "--", "/bin/echo", "-n", "--x")).out, "--x", "args after --")
  local res = r:pct("exec", "107")
  fails(res, 255)
  contains(res.err, "missing command")
end)

test("status --verbose has pid and sorted keys; list shows state", function(r)
  create(r, 108, "--hostname", "vv", "--entrypoint", "/bin/sleep 1000")
  create(r, 109, "--hostname", "ww")
  succeeds(r:pct("start", "108"))
  local v = succeeds(r:pct("status", "108", "--verbose")).out
  local pid = v:match("\npid: (%d+)\n")
  ok(pid, "pid in verbose status:\n" .. v)
  eq(util.trim(util.capture({ "lxc-info", "-P", r:path("var/lib/lxc"), "-n", "108", "-p", "-H" })), pid, "pid")
  contains(v, "name: vv\n")
  contains(v, "status: running\n")
  local keys = {}
  for k in v:gmatch("([%w_]+): ") do keys[#keys + 1] = k end
  local sorted = { table.unpack(keys) }
  table.sort(sorted)
  eq(table.concat(keys, ","), table.concat(sorted, ","), "sorted keys")
  eq(succeeds(r:pct("list")).out,
    "VMID       Status     Lock         Name                \n"
    .. "108        running                 vv                  \n"
    .. "109        stopped                 ww                  \n", "list")
end)

test("privileged CT keeps ownership; unprivileged is shifted by 100000 and runs in a user namespace", function(r)
  create(r, 110, "--unprivileged", "0", "--entrypoint", "/bin/sleep 1000")
  create(r, 111, "--entrypoint", "/bin/sleep 1000")
  eq(util.trim(util.capture({ "stat", "-c", "%u:%g", r:path("var/lib/vz/images/110/subvol-110-disk-0.subvol/bin/busybox") })),
    "0:0", "privileged owner")
  eq(util.trim(util.capture({ "stat", "-c", "%u:%g", r:path("var/lib/vz/images/111/subvol-111-disk-0.subvol/bin/busybox") })),
    "100000:100000", "unprivileged owner")
  succeeds(r:pct("start", "110"))
  succeeds(r:pct("start", "111"))
  eq(util.trim(succeeds(r:pct("exec", "110", "--", "/bin/cat", "/proc/self/uid_map")).out):gsub("%s+", " "),
    "0 0 4294967295", "privileged uid_map")
  eq(util.trim(succeeds(r:pct("exec", "111", "--", "/bin/cat", "/proc/self/uid_map")).out):gsub("%s+", " "),
    "0 100000 65536", "unprivileged uid_map")
  eq(succeeds(r:pct("exec", "111", "--", "/bin/id", "-u")).out, "0\n", "root inside")
end)

test("bind mount point is visible inside", function(r)
  util.mkdir_p(r:path("shared"))
  util.write_atomic(r:path("shared/hello.txt"), "from host\n")
  util.run({ "chmod", "-R", "a+rX", r:path("shared") })
  create(r, 112, "--entrypoint", "/bin/sleep 1000", "--rootfs", "1", "--mp0", r:path("shared") .. ",mp=/mnt/shared")
  succeeds(r:pct("start", "112"))
  eq(succeeds(r:pct("exec", "112", "--", "/bin/cat", "/mnt/shared/hello.txt")).out, "from host\n", "file via mp0")
end)

test("a bind mount point whose source is a file fails at start, as pve-container's does", function(r)
  util.write_atomic(r:path("init-binary"), "x")
  create(r, 113, "--entrypoint", "/bin/sleep 1000", "--rootfs", "1", "--mp0", r:path("init-binary") .. ",mp=/run/init")
  local res = r:pct("start", "113")
  fails(res, 255)
  contains(res.err, "directory '" .. r:path("init-binary") .. "' does not exist")
  eq(succeeds(r:pct("status", "113")).out, "status: stopped\n", "not started")
end)

test("rootfs ro=1 is mounted read-only", function(r)
  create(r, 114, "--entrypoint", "/bin/sleep 1000", "--rootfs", "local:1,ro=1", "--unprivileged", "0")
  succeeds(r:pct("start", "114"))
  local res = r:pct("exec", "114", "--", "/bin/sh", "-c", "echo x > /written")
  fails(res, 1)
  contains(res.err, "Read-only file system")
end)

test("push and pull files", function(r)
  create(r, 113, "--entrypoint", "/bin/sleep 1000")
  local src = r:path("src.txt")
  util.write_atomic(src, "payload\n")
  fails(r:pct("push", "113", src, "/tmp/p.txt"), 255, "can only push files to a running CT\n")
  succeeds(r:pct("start", "113"))
  succeeds(r:pct("push", "113", src, "/tmp/p.txt", "--perms", "600"))
  eq(succeeds(r:pct("exec", "113", "--", "/bin/stat", "-c", "%a %u", "/tmp/p.txt")).out, "600 0\n", "mode, owner")
  succeeds(r:pct("pull", "113", "/tmp/p.txt", r:path("back.txt")))
  eq(util.read(r:path("back.txt")), "payload\n", "pulled content")
  fails(r:pct("pull", "113", "/nope", r:path("x.txt")), 255, "failed to open /nope for reading\n")
  ok(not util.exists(r:path("x.txt")), "no partial file on failed pull")
end)

test("suspend freezes, resume thaws", function(r)
  create(r, 114, "--entrypoint", "/bin/sleep 1000")
  succeeds(r:pct("start", "114"))
  succeeds(r:pct("suspend", "114"))
  eq(lxc_state(r, 114), "FROZEN", "after suspend")
  eq(succeeds(r:pct("status", "114")).out, "status: running\n", "frozen CT still counts as running")
  succeeds(r:pct("resume", "114"))
  eq(lxc_state(r, 114), "RUNNING", "after resume")
end)

test("shutdown: clean with a cooperative init, forced after timeout otherwise", function(r)
  -- busybox init powers off on SIGUSR2; sleep ignores LXC's SIGPWR
  create(r, 115, "--entrypoint", "/bin/sleep 1000")
  succeeds(r:pct("start", "115"))
  local res = r:pct("shutdown", "115", "--timeout", "1")
  fails(res, 255, "container did not stop\n")
  succeeds(r:pct("shutdown", "115", "--timeout", "1", "--forceStop", "1"))
  eq(succeeds(r:pct("status", "115")).out, "status: stopped\n")
  create(r, 116, "--entrypoint", "/bin/sh /trap.sh")
  local script = r:path("var/lib/vz/images/116/subvol-116-disk-0.subvol/trap.sh")
  util.write_atomic(script, "trap 'exit 0' PWR\nwhile :; do sleep 1; done\n")
  util.run({ "chown", "100000:100000", script })
  succeeds(r:pct("start", "116"))
  succeeds(r:pct("shutdown", "116", "--timeout", "5"))
  eq(succeeds(r:pct("status", "116")).out, "status: stopped\n")
end)

test("hookscript runs pre-start, post-start, pre-stop, post-stop", function(r)
  local snippets = r:path("var/lib/vz/snippets")
  util.mkdir_p(snippets)
  local log = r:path("hook.log")
  util.write_atomic(snippets .. "/hook.sh", "#!/bin/sh\necho \"$1 $2\" >> " .. util.q(log) .. "\n")
  util.run({ "chmod", "+x", snippets .. "/hook.sh" })
  fails(r:pct("create", "117", r:template(), "--hookscript", "local:snippets/none.sh"), 255,
    "script 'local:snippets/none.sh' does not exist\n")
  create(r, 117, "--entrypoint", "/bin/sleep 1000", "--hookscript", "local:snippets/hook.sh")
  succeeds(r:pct("start", "117"))
  succeeds(r:pct("stop", "117"))
  eq(util.read(log), "117 pre-start\n117 post-start\n117 pre-stop\n117 post-stop\n", "phases")
  util.write_atomic(snippets .. "/hook.sh", "#!/bin/sh\n[ \"$2\" = pre-start ] && exit 3\nexit 0\n")
  util.run({ "chmod", "+x", snippets .. "/hook.sh" })
  fails(r:pct("start", "117"), 255, "hookscript error for 117 on pre-start: command '"
    .. snippets .. "/hook.sh 117 pre-start' failed: exit code 3\n")
  eq(lxc_state(r, 117), "STOPPED", "not started")
end)

test("set and --delete", function(r)
  create(r, 118, "--hostname", "s1", "--onboot", "1")
  succeeds(r:pct("set", "118", "--memory", "1024", "--hostname", "s2", "--delete", "onboot"))
  local conf = util.read(r:path("etc/pve/lxc/118.conf"))
  contains(conf, "hostname: s2\n")
  contains(conf, "memory: 1024\n")
  not_contains(conf, "onboot")
  local res = succeeds(r:pct("set", "118", "--delete", "cores"))
  eq(res.err, "cannot delete 'cores' - not set in current configuration!\n", "warning")
  fails(r:pct("set", "118", "--delete", "memory"), 255, "unable to delete required option 'memory'\n")
  fails(r:pct("set", "118", "--unprivileged", "0"), 255, "unable to modify read-only option: 'unprivileged'\n")
  fails(r:pct("set", "118"), 255, "no options specified\n")
  fails(r:pct("set", "118", "--swap", "64", "--delete", "swap"), 255,
    "400 Parameter verification failed.\ndelete: you can't use '-swap' and -delete swap' at the same time\n"
    .. "pct set <vmid> [OPTIONS]\n")
  fails(r:pct("set", "118", "--memory", "4"), 255,
    "400 Parameter verification failed.\nmemory: value must have a minimum value of 16\npct set <vmid> [OPTIONS]\n")
  eq(util.read(r:path("etc/pve/lxc/118.conf")), util.read(r:path("etc/pve/lxc/118.conf")), "")
  succeeds(r:pct("set", "118", "--mp0", "local:1,mp=/srv"))
  contains(util.read(r:path("etc/pve/lxc/118.conf")), "mp0: local:118/subvol-118-disk-1.subvol,mp=/srv,size=1G\n")
  succeeds(r:pct("set", "118", "--delete", "mp0"))
  contains(util.read(r:path("etc/pve/lxc/118.conf")), "unused0: local:118/subvol-118-disk-1.subvol\n")
  succeeds(r:pct("destroy", "118"))
  H.nothing_left(r, "118")
end)

test("templates in .tar and .tar.gz; missing template removes everything", function(r)
  succeeds(r:pct("create", "121", r:template("plain.tar")))
  local res = r:pct("create", "122", "local:vztmpl/nope.tar.zst")
  fails(res, 255, "unable to create CT 122 - can't find file 'local:vztmpl/nope.tar.zst'\n")
  H.nothing_left(r, "122")
  fails(r:pct("create", "123", "local:vztmpl/x.zip"), 255, "unable to parse directory volume name 'vztmpl/x.zip'\n")
  fails(r:pct("create", "123", "nosuch:vztmpl/x.tar.gz"), 255, "storage 'nosuch' does not exist\n")
end)

test("storage without rootdir content is refused", function(r)
  succeeds(r:pct("list")) -- creates the default storage.cfg
  local f = io.open(r:path("etc/pve/storage.cfg"), "a")
  f:write("\ndir: isos\n\tpath " .. r:path("isos") .. "\n\tcontent iso,vztmpl\n")
  f:close()
  fails(r:pct("create", "124", r:template(), "--storage", "isos"), 255,
    "400 Parameter verification failed.\nstorage: storage 'isos' does not support container directories\n"
    .. "pct create <vmid> <ostemplate> [OPTIONS]\n")
  fails(r:pct("create", "124", r:template(), "--mp0", "local:1,mp=/x"), 255,
    "mount points configured, but 'rootfs' not set - aborting\n")
end)

test("OS detection: os-release with an unknown ID fails the create", function(r)
  local dir = r:path("osr")
  util.mkdir_p(dir .. "/etc")
  util.write_atomic(dir .. "/etc/os-release", "ID=plan9\n")
  util.mkdir_p(r:path("var/lib/vz/template/cache"))
  util.run({ "tar", "-C", dir, "-czf", r:path("var/lib/vz/template/cache/osr.tar.gz"), "." })
  local res = r:pct("create", "125", "local:vztmpl/osr.tar.gz")
  fails(res, 255)
  contains(res.err, "unable to create CT 125 - unable to detect OS distribution\n")
  H.nothing_left(r, "125")
  succeeds(r:pct("create", "125", "local:vztmpl/osr.tar.gz", "--ostype", "unmanaged"))
end)

test("set on a running CT: cgroup options apply now, the rest waits in [pve:pending]", function(r)
  create(r, 126, "--entrypoint", "/bin/sleep 1000", "--onboot", "1", "--env", "E=1")
  succeeds(r:pct("start", "126"))
  succeeds(r:pct("set", "126", "--memory", "128", "--entrypoint", "/bin/sleep 2000", "--delete", "env,onboot"))
  local text = util.read(r:path("etc/pve/lxc/126.conf"))
  contains(text, "memory: 128\n")
  ok(text:match("\n%[pve:pending%]\ndelete: env\nentrypoint: /bin/sleep 2000\n$"), "pending section:\n" .. text)
  H.not_contains(text, "onboot", "onboot is fast-plugged")
  contains(succeeds(r:pct("config", "126")).out, "entrypoint: /bin/sleep 2000\n")
  H.not_contains(succeeds(r:pct("config", "126")).out, "env: E=1")
  contains(succeeds(r:pct("config", "126", "--current")).out, "env: E=1\n")
  contains(succeeds(r:pct("config", "126", "--current")).out, "entrypoint: /bin/sleep 1000\n")
  succeeds(r:pct("stop", "126"))
  succeeds(r:pct("start", "126"))
  text = util.read(r:path("etc/pve/lxc/126.conf"))
  H.not_contains(text, "pending")
  H.not_contains(text, "E=1")
  contains(text, "entrypoint: /bin/sleep 2000\n")
  eq(succeeds(r:pct("exec", "126", "--", "/bin/sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline")).out, "/bin/sleep 2000 ")
end)

test("raw lxc keys are checked like parse_pct_config: bad ones warned about and dropped", function(r)
  create(r, 127, "--entrypoint", "/bin/sleep 1000")
  local f = io.open(r:path("etc/pve/lxc/127.conf"), "a")
  f:write("lxc.rootfs.path: /elsewhere\nlxc.bogus.key: 1\nlxc.cgroup.devices.allow: c 1:3 rwm\nlxc.prlimit.nofile: 1024\n")
  f:close()
  local res = succeeds(r:pct("config", "127"))
  eq(res.err, "vm 127 - lxc.rootfs.path: lxc.rootfs.path is auto generated from rootfs\n"
    .. "vm 127 - unable to parse config: lxc.bogus.key: 1\n"
    .. "vm 127 - lxc.cgroup.devices.allow is deprecated, this will be a hard error in the future!\n", "warnings")
  ok(res.out:match("lxc%.cgroup%.devices%.allow: c 1:3 rwm\nlxc%.prlimit%.nofile: 1024\n$"), "kept keys:\n" .. res.out)
  succeeds(r:pct("start", "127"))
  local cfg = util.read(r:path("var/lib/lxc/127/config"))
  H.not_contains(cfg, "/elsewhere")
  H.not_contains(cfg, "bogus")
  contains(cfg, "lxc.prlimit.nofile = 1024\n")
end)

test("create --start 1, numeric --rootfs, device passthrough", function(r)
  local res = create(r, 128, "--start", "1", "--rootfs", "2", "--entrypoint", "/bin/sleep 1000", "--dev0", "/dev/null,mode=0666")
  contains(util.read(r:path("etc/pve/lxc/128.conf")), "rootfs: local:128/subvol-128-disk-0.subvol,size=2G\n")
  contains(util.read(r:path("etc/pve/lxc/128.conf")), "dev0: /dev/null,mode=0666\n")
  eq(succeeds(r:pct("status", "128")).out, "status: running\n", "started by create")
  contains(util.read(r:path("var/lib/lxc/128/config")), "lxc.cgroup2.devices.allow = c 1:3 rw\n")
end)

test("unprivileged create below a directory uid 100000 cannot reach fails clearly", function(r)
  local t = r:template()
  util.run({ "chmod", "700", r:path("var") })
  local res = r:pct("create", "129", t)
  util.run({ "chmod", "755", r:path("var") })
  fails(res, 255)
  contains(res.err, "is not reachable for uid 100000")
  H.nothing_left(r, "129")
end)
