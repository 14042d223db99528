-- Where pve-container on a node differs from a naive model (issue 20's
-- table): ttys, the cgroup layout, AppArmor lines, the checks create
-- makes, the storage `local`, the CT's signal dispositions, and the
-- cgroup v2 limits enforced through this host's v1 controllers.
local H = require("harness")
local util = require("util")
local cjson = require("cjson")
local test, eq, fails, contains, ok = H.test, H.eq, H.fails, H.contains, H.ok
local succeeds, not_contains = H.succeeds, H.not_contains

local function create(r, vmid, ...)
  return succeeds(r:pct("create", tostring(vmid), r:template(), ...))
end

local function lxc_pid(r, vmid)
  return util.trim(util.capture({ "lxc-info", "-P", r:path("var/lib/lxc"), "-n", tostring(vmid), "-p", "-H" }))
end

local function host_cgroups(pid)
  return util.read("/proc/" .. pid .. "/cgroup") or ""
end

test("ttys: lxc.tty.max is the tty option (2 by default) whatever cmode says", function(r)
  create(r, 200, "--entrypoint", "/bin/sleep 1000", "--cmode", "console", "--unprivileged", "0")
  create(r, 201, "--entrypoint", "/bin/sleep 1000", "--cmode", "console", "--tty", "0", "--unprivileged", "0")
  succeeds(r:pct("start", "200"))
  succeeds(r:pct("start", "201"))
  contains(util.read(r:path("var/lib/lxc/200/config")), "\nlxc.tty.max = 2\n")
  contains(util.read(r:path("var/lib/lxc/201/config")), "\nlxc.tty.max = 0\n")
  eq(succeeds(r:pct("exec", "200", "--", "/bin/sh", "-c", "ls /dev/tty1 /dev/tty2")).out, "/dev/tty1\n/dev/tty2\n",
    "the CT's ttys")
  fails(r:pct("exec", "201", "--", "/bin/ls", "/dev/tty1"), 1)
end)

test("cgroups: the CT in lxc/<vmid>/ns, pct exec below it in .lxc, the monitor in lxc.monitor/<vmid>", function(r)
  create(r, 202, "--entrypoint", "/bin/sleep 1000")
  succeeds(r:pct("start", "202"))
  local cfg = util.read(r:path("var/lib/lxc/202/config"))
  contains(cfg, "lxc.cgroup.relative = 0\n")
  contains(cfg, "lxc.cgroup.dir.container.inner = ns\n")
  local init = lxc_pid(r, 202)
  local cg = host_cgroups(init)
  for line in cg:gmatch("[^\n]+") do
    ok(line:match("/lxc/202/ns$"), "the init's cgroup ends in /lxc/202/ns: " .. line)
  end
  -- the CT sees its ns cgroup as its root (cgroup namespace); an attached
  -- process sits in .lxc below it (cgroup2)
  contains(succeeds(r:pct("exec", "202", "--", "/bin/cat", "/proc/self/cgroup")).out, "0::/.lxc\n")
  local ppid = (util.read("/proc/" .. init .. "/status") or ""):match("\nPPid:%s*(%d+)")
  ok(host_cgroups(ppid):match("/lxc%.monitor/202\n"), "monitor cgroup: " .. host_cgroups(ppid))
  -- a VMID's leftover cgroup (a run LXC could not clean up) is removed by
  -- the pre-start hook, as pve-container's does
  succeeds(r:pct("stop", "202"))
  local dir = "/sys/fs/cgroup/pids/" .. cg:match("pids:(/[^\n]*)/ns\n")
  util.mkdir_p(dir .. "/ns/stale")
  succeeds(r:pct("start", "202"))
  ok(not util.is_dir(dir .. "/ns/stale"), "leftover cgroup removed")
end)

test("AppArmor: the generated profile and its deny lines, unless the CT names a profile", function(r)
  create(r, 203, "--entrypoint", "/bin/sleep 1000")
  create(r, 204, "--entrypoint", "/bin/sleep 1000", "--features", "nesting=1")
  create(r, 205, "--entrypoint", "/bin/sleep 1000")
  local f = io.open(r:path("etc/pve/lxc/205.conf"), "a")
  f:write("lxc.apparmor.profile: unconfined\n")
  f:close()
  for _, v in ipairs({ "203", "204", "205" }) do succeeds(r:pct("start", v)) end
  local c203 = util.read(r:path("var/lib/lxc/203/config"))
  contains(c203, "lxc.apparmor.profile = generated\nlxc.apparmor.raw = allow mqueue,\n"
    .. "lxc.apparmor.raw = deny mount -> /proc/,\nlxc.apparmor.raw = deny mount -> /sys/,\n")
  local c204 = util.read(r:path("var/lib/lxc/204/config"))
  contains(c204, "lxc.apparmor.allow_nesting = 1\nlxc.apparmor.raw = allow userns,\n")
  not_contains(c204, "deny mount")
  local c205 = util.read(r:path("var/lib/lxc/205/config"))
  not_contains(c205, "generated")
  contains(c205, "lxc.apparmor.profile = unconfined\n")
end)

test("create checks devN paths before anything (exit 2) and a bind mount point's source", function(r)
  fails(r:pct("create", "206", r:template(), "--dev0", "/dev/nonexistent-sim"), 2,
    "Device /dev/nonexistent-sim does not exist\n")
  H.nothing_left(r, "206")
  fails(r:pct("create", "206", r:template(), "--dev0", "/dev/shm"), 255, "/dev/shm is not a device\n")
  fails(r:pct("create", "206", r:template(), "--rootfs", "1", "--mp0", r:path("absent") .. ",mp=/x"), 255,
    "unable to create CT 206 - directory '" .. r:path("absent") .. "' does not exist\n")
  H.nothing_left(r, "206")
  create(r, 206, "--ostype", "debian")
  fails(r:pct("set", "206", "--dev0", "/dev/nonexistent-sim"), 2, "Device /dev/nonexistent-sim does not exist\n")
end)

test("the storage local is /var/lib/vz whatever storage.cfg says", function(r)
  local t = r:template()
  succeeds(r:pct("list")) -- lays out etc/pve
  util.write_atomic(r:path("etc/pve/storage.cfg"), "dir: local\n\tpath " .. r:path("elsewhere")
    .. "\n\tcontent vztmpl,rootdir,images\n")
  create(r, 207)
  ok(util.exists(r:path("var/lib/vz/images/207/vm-207-disk-0.raw")), "disk under var/lib/vz")
  ok(not util.exists(r:path("elsewhere")), "storage.cfg's path unused")
  eq(t, "local:vztmpl/busybox.tar.gz", "template from var/lib/vz/template/cache")
end)

test("copy-mode disks: a sized one is an ext4 raw image on a loop device, size 0 a subvol directory", function(r)
  create(r, 208, "--entrypoint", "/bin/sleep 1000", "--rootfs", "local:1", "--mp0", "local:0,mp=/srv")
  local conf = util.read(r:path("etc/pve/lxc/208.conf"))
  contains(conf, "rootfs: local:208/vm-208-disk-0.raw,size=1G\n")
  contains(conf, "mp0: local:208/subvol-208-disk-1.subvol,mp=/srv,size=0T\n")
  -- unprivileged: the file system's root belongs to the CT's root
  eq(util.capture({ "debugfs", "-R", "stat /", r:path("var/lib/vz/images/208/vm-208-disk-0.raw") }, false,
    " 2>/dev/null"):match("User:%s*(%d+)"), "100000", "root owner")
  succeeds(r:pct("start", "208"))
  contains(succeeds(r:pct("exec", "208", "--", "/bin/cat", "/proc/mounts")).out, "/dev/loop")
  succeeds(r:pct("exec", "208", "--", "/bin/sh", "-c", "echo kept > /root/f"))
  succeeds(r:pct("stop", "208"))
  succeeds(r:pct("start", "208"))
  eq(succeeds(r:pct("exec", "208", "--", "/bin/cat", "/root/f")).out, "kept\n", "the image keeps what was written")
  succeeds(r:pct("destroy", "208", "--force"))
  H.nothing_left(r, "208")
end)

test("a CT's processes start with every signal at its default (none ignored, none blocked)", function(r)
  create(r, 209, "--entrypoint", "/bin/sleep 1000")
  succeeds(r:pct("start", "209"))
  local status = util.read("/proc/" .. lxc_pid(r, 209) .. "/status")
  -- the 31 standard signals (32 and 33 are glibc's own)
  local function std(field) return tonumber(status:match("\n" .. field .. ":%s*(%x+)"), 16) & 0x7fffffff end
  eq(std("SigIgn"), 0, "ignored")
  eq(std("SigBlk"), 0, "blocked")
  -- a shell's trap for SIGINT only takes where SIGINT was not ignored at
  -- its start (POSIX: an ignored signal stays ignored in a non-interactive
  -- shell)
  create(r, 212, "--entrypoint", "/bin/sh /trap.sh", "--rootfs", "local:0")
  local script = r:path("var/lib/vz/images/212/subvol-212-disk-0.subvol/trap.sh")
  util.write_atomic(script, "trap 'exit 0' INT\nwhile :; do sleep 1; done\n")
  util.run({ "chown", "100000:100000", script })
  succeeds(r:pct("start", "212"))
  ok(r:wait_for(function() return lxc_pid(r, 212) ~= "" end, 5), "started")
  util.sleep(0.5)
  util.run({ "kill", "-INT", lxc_pid(r, 212) })
  ok(r:wait_for(function() return succeeds(r:pct("status", "212")).out == "status: stopped\n" end, 10),
    "SIGINT reached the trap of the CT's init")
end)

test("cgroup v2 limits are enforced through the v1 controllers: memory, swap, cpu, pids", function(r)
  create(r, 210, "--entrypoint", "/bin/sleep 1000", "--memory", "64", "--swap", "0", "--cpulimit", "0.2",
    "--cpuunits", "100", "--unprivileged", "0")
  local f = io.open(r:path("etc/pve/lxc/210.conf"), "a")
  f:write("lxc.cgroup2.pids.max: 20\n")
  f:close()
  succeeds(r:pct("start", "210"))
  local cfg = util.read(r:path("var/lib/lxc/210/config"))
  for _, line in ipairs({ "lxc.cgroup.cpu.cfs_period_us = 100000", "lxc.cgroup.cpu.cfs_quota_us = 20000",
    "lxc.cgroup.cpu.shares = 2597", "lxc.cgroup.pids.max = 20", "lxc.cgroup.memory.limit_in_bytes = 67108864",
    "lxc.cgroup.memory.memsw.limit_in_bytes = 67108864" }) do
    contains(cfg, line .. "\n", "v1 equivalents")
  end
  -- memory: 32 MiB fit, 100 MiB are killed
  eq(r:pct("exec", "210", "--", "/bin/sh", "-c", "dd if=/dev/zero of=/dev/null bs=32M count=1 2>/dev/null").code, 0,
    "32 MiB")
  eq(r:pct("exec", "210", "--", "/bin/sh", "-c", "dd if=/dev/zero of=/dev/null bs=100M count=1 2>/dev/null").code,
    137, "100 MiB: the OOM killer's SIGKILL")
  -- cpu: a busy loop under cpulimit 0.2 gets at most ~0.4 s of CPU time
  -- in 2 s (utime + stime, in clock ticks of 10 ms, from the CT's /proc)
  local out = succeeds(r:pct("exec", "210", "--", "/bin/sh", "-c",
    "(while :; do :; done) & p=$!; sleep 2; set -- $(cat /proc/$p/stat); kill $p; echo $((${14} + ${15}))")).out
  local ticks = tonumber(util.trim(out)) or -1
  ok(ticks > 0 and ticks <= 60, "CPU ticks under cpulimit 0.2 in 2 s: " .. ticks)
  -- pids: the 21st process cannot be forked
  local res = r:pct("exec", "210", "--", "/bin/sh", "-c",
    "i=0; while [ $i -lt 30 ]; do sleep 5 & i=$((i+1)); done 2>&1; wait")
  contains(res.out .. res.err, "can't fork", "pids.max")
end)

test("a cluster without guests: .vmlist has no ids key", function(r)
  create(r, 211)
  ok(cjson.decode(util.read(r:path("etc/pve/.vmlist"))).ids["211"], "listed")
  succeeds(r:pct("destroy", "211"))
  local list = cjson.decode(util.read(r:path("etc/pve/.vmlist")))
  eq(list.ids, nil, "ids")
  ok(math.type(list.version) == "integer" or type(list.version) == "number", "version")
  eq(succeeds(r:pvesh("get", "/cluster/nextid")).out, "100\n", "nextid of an empty cluster")
end)
