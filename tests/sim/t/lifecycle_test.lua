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
    .. "rootfs: local:101/vm-101-disk-0.raw,size=4G\nswap: 512\ntags: b;a\nunprivileged: 1\n"
    .. "lxc.environment.runtime: A=1\n", "101.conf")
  -- a sized disk on a dir storage is a raw ext4 image, unpacked while mounted
  local img = r:path("var/lib/vz/images/101/vm-101-disk-0.raw")
  eq(util.trim(util.capture({ "stat", "-c", "%s", img })), "4294967296", "image size")
  contains(util.capture({ "debugfs", "-R", "ls -l /bin", img }, true), "busybox", "rootfs unpacked")
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
  util.run({ "chmod", "777", r:path("hostdir") })
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
    "lxc.rootfs.path = " .. r:path("var/lib/lxc/104/rootfs"),
    "lxc.mount.entry = shm dev/shm tmpfs rw,nosuid,nodev,create=dir 0 0",
    "lxc.cgroup2.cpuset.cpus = 0" }) do
    contains(cfg, line .. "\n", "LXC config")
  end
  -- mount points are the pre-start hook's, not LXC mount entries
  not_contains(cfg, "hostdir", "LXC config")
  contains(r:pct("exec", "104", "--", "/bin/sh", "-c", "echo x > /data/x").err, "Read-only file system", "mp0 ro=1")
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

test("exec runs a command line past 128 KiB, as Proxmox runs it (a list, no shell string)", function(r)
  create(r, 107, "--entrypoint", "/bin/sleep 1000")
  succeeds(r:pct("start", "107"))
  local big = string.rep("z", 100000)
  eq(succeeds(r:pct("exec", "107", "--", "/bin/sh", "-c", "echo ${#1} ${#2}", "x", big, big)).out,
    "100000 100000\n", "two arguments of 100000 bytes")
  succeeds(r:pct("destroy", "107", "--force", "--purge"))
  H.nothing_left(r, "107")
end)

test("destroy --force stops a running CT first", function(r)
  create(r, 106, "--entrypoint", "/bin/sleep 1000")
  succeeds(r:pct("start", "106"))
  local res = succeeds(r:pct("destroy", "106", "--force", "--purge"))
  -- a task's warning: on stdout
  contains(res.out, "forced to stop CT 106 before destroying!\n")
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
  create(r, 110, "--unprivileged", "0", "--entrypoint", "/bin/sleep 1000", "--rootfs", "local:0")
  create(r, 111, "--entrypoint", "/bin/sleep 1000", "--rootfs", "local:0")
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

test("a bind mount point whose source is no directory fails create (mount_all), and start (the hook)", function(r)
  util.write_atomic(r:path("init-binary"), "x")
  local res = r:pct("create", "113", r:template(), "--rootfs", "1", "--mp0", r:path("init-binary") .. ",mp=/run/init")
  fails(res, 255, "unable to create CT 113 - directory '" .. r:path("init-binary") .. "' does not exist\n")
  H.nothing_left(r, "113")
  util.mkdir_p(r:path("gone"))
  create(r, 113, "--entrypoint", "/bin/sleep 1000", "--rootfs", "1", "--mp0", r:path("gone") .. ",mp=/run/init")
  util.rm_rf(r:path("gone"))
  res = r:pct("start", "113")
  fails(res, 255, "startup for container '113' failed\n")
  contains(res.out, "directory '" .. r:path("gone") .. "' does not exist\n")
  eq(succeeds(r:pct("status", "113")).out, "status: stopped\n", "not started")
end)

test("mount points are mounted before LXC's own mounts: a raw entry below mp0 lands inside it", function(r)
  util.mkdir_p(r:path("mp/a"))
  util.mkdir_p(r:path("mp/b"))
  util.write_atomic(r:path("mp/b/f"), "from b\n")
  util.run({ "chmod", "-R", "a+rX", r:path("mp") })
  create(r, 131, "--entrypoint", "/bin/sleep 1000", "--rootfs", "1", "--unprivileged", "0",
    "--mp0", r:path("mp/a") .. ",mp=/data")
  local f = io.open(r:path("etc/pve/lxc/131.conf"), "a")
  f:write("lxc.mount.entry: " .. r:path("mp/b") .. " data/sub none bind,create=dir 0 0\n")
  f:close()
  succeeds(r:pct("start", "131"))
  eq(succeeds(r:pct("exec", "131", "--", "/bin/cat", "/data/sub/f")).out, "from b\n", "the raw entry, above mp0")
  -- LXC made its mount point in mp0's file system, as on a node
  ok(util.is_dir(r:path("mp/a/sub")), "data/sub created inside mp0's source")
end)

test("rootfs ro=1 is mounted read-only", function(r)
  create(r, 114, "--entrypoint", "/bin/sleep 1000", "--rootfs", "local:1,ro=1", "--unprivileged", "0")
  -- the hook mounts it read-only; no LXC rootfs option does
  H.not_contains(util.read(r:path("var/lib/lxc/114/config")) or "", "lxc.rootfs.options")
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

test("suspend checkpoints and stops the CT; resume restores it in the foreground, refusing a running CT", function(r)
  create(r, 114, "--entrypoint", "/bin/sleep 1000")
  succeeds(r:pct("start", "114"))
  local pid = succeeds(r:pct("status", "114", "--verbose")).out:match("\npid: (%d+)\n")
  fails(r:pct("resume", "114"), 255, "CT 114 already running\n")
  succeeds(r:pct("suspend", "114"))
  -- CRIU's dump stops the CT, as on a node (no frozen CT that still runs)
  eq(lxc_state(r, 114), "STOPPED", "after suspend")
  eq(succeeds(r:pct("status", "114")).out, "status: stopped\n", "a suspended CT is stopped")
  ok(util.exists(r:path("var/lib/vz/dump/inventory.img")), "the dump")
  fails(r:pct("suspend", "114"), 255, "CT 114 not running\n")
  -- lxc-checkpoint -r --foreground: pct resume runs until the CT stops
  local bg = r:pct_bg({}, "resume", "114")
  ok(r:wait_for(function() return lxc_state(r, 114) == "RUNNING" end, 10), "restored")
  local again = succeeds(r:pct("status", "114", "--verbose")).out:match("\npid: (%d+)\n")
  ok(again and again ~= pid, "a restored CT has new pids (" .. tostring(pid) .. " -> " .. tostring(again) .. ")")
  ok(util.run({ "kill", "-0", bg }) == 0, "pct resume still runs with the CT")
  succeeds(r:pct("stop", "114"))
  ok(r:wait_for(function() return util.run({ "kill", "-0", bg }, " 2>/dev/null") ~= 0 end, 10), "resume ended with the CT")
  -- no checkpoint of this CT: the restore fails
  create(r, 115, "--entrypoint", "/bin/sleep 1000")
  local res = r:pct("resume", "115")
  fails(res, 255, "command 'lxc-checkpoint -n 115 -r --foreground -D " .. r:path("var/lib/vz/dump")
    .. "' failed: exit code 1\n")
  eq(succeeds(r:pct("status", "115")).out, "status: stopped\n", "not started")
end)

test("shutdown: clean with a cooperative init, forced after timeout otherwise", function(r)
  -- busybox init powers off on SIGUSR2; sleep ignores LXC's SIGPWR
  create(r, 115, "--entrypoint", "/bin/sleep 1000")
  succeeds(r:pct("start", "115"))
  local res = r:pct("shutdown", "115", "--timeout", "1")
  fails(res, 255, "container did not stop\n")
  succeeds(r:pct("shutdown", "115", "--timeout", "1", "--forceStop", "1"))
  eq(succeeds(r:pct("status", "115")).out, "status: stopped\n")
  create(r, 116, "--entrypoint", "/bin/sh /trap.sh", "--rootfs", "local:0")
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
  contains(util.read(r:path("etc/pve/lxc/118.conf")), "mp0: local:118/vm-118-disk-1.raw,mp=/srv,size=1G\n")
  succeeds(r:pct("set", "118", "--delete", "mp0"))
  contains(util.read(r:path("etc/pve/lxc/118.conf")), "unused0: local:118/vm-118-disk-1.raw\n")
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
  local res = create(r, 128, "--start", "1", "--rootfs", "2", "--entrypoint", "/bin/sleep 1000", "--dev0", "/dev/null,mode=0666",
    "--ostype", "debian")
  contains(util.read(r:path("etc/pve/lxc/128.conf")), "rootfs: local:128/vm-128-disk-0.raw,size=2G\n")
  contains(util.read(r:path("etc/pve/lxc/128.conf")), "dev0: /dev/null,mode=0666\n")
  eq(succeeds(r:pct("status", "128")).out, "status: running\n", "started by create")
  contains(util.read(r:path("var/lib/lxc/128/config")), "lxc.cgroup2.devices.allow = c 1:3 rw\n")
end)

test("devN on an unmanaged CT fails the start, as pve-container 6.1's errno check does", function(r)
  create(r, 130, "--entrypoint", "/bin/sleep 1000", "--dev0", "/dev/null", "--ostype", "unmanaged")
  local res = r:pct("start", "130")
  fails(res, 255)
  contains(res.err, "Device /dev/null does not exist")
  eq(succeeds(r:pct("status", "130")).out, "status: stopped\n", "not started")
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
