-- Cluster state (.vmlist, nextid, resources), locks, fault injection and
-- the call log.
local H = require("harness")
local util = require("util")
local cjson = require("cjson")
local test, eq, fails, contains, ok = H.test, H.eq, H.fails, H.contains, H.ok
local succeeds = H.succeeds

local function write_vmlist(r, ids)
  util.mkdir_p(r:path("etc/pve"))
  util.write_atomic(r:path("etc/pve/.vmlist"), cjson.encode({ version = 7, ids = ids }))
end

test("another node's .vmlist entry blocks the VMID", function(r)
  write_vmlist(r, { ["100"] = { node = "other", type = "lxc", version = 1 },
    ["101"] = { node = "other", type = "qemu", version = 2 } })
  -- another node's guest: exit 2 (Perl's die with the ENOENT of the file
  -- test of this node's config path); this node's: 255
  fails(r:pct("create", "100", r:template()), 2, "CT 100 already exists on node 'other'\n")
  fails(r:pct("create", "101", r:template()), 2, "VM 101 already exists on node 'other'\n")
  H.nothing_left(r, "100")
  succeeds(r:pct("create", "102", r:template()))
  local list = cjson.decode(util.read(r:path("etc/pve/.vmlist")))
  eq(list.ids["100"].node, "other", "other node's entry kept")
  eq(list.ids["102"].node, "pve", "own entry added")
  eq(list.ids["102"].type, "lxc", "type")
  ok(list.version > 7, "version bumped")
  fails(r:pct("create", "102", r:template()), 255, "CT 102 already exists on node 'pve'\n")
  -- the other node's guest is not listed locally
  contains(succeeds(r:pct("list")).out, "\n102 ")
  eq(succeeds(r:pct("list")).out:find("\n100 "), nil, "remote CT not in local list")
end)

test("PVE_SIM_NODE names the node", function(r)
  local res = r:run("pct", { "create", "130", r:template() }, { PVE_SIM_NODE = "n2" })
  succeeds(res)
  ok(util.exists(r:path("etc/pve/nodes/n2/lxc/130.conf")), "conf under nodes/n2")
  eq(cjson.decode(util.read(r:path("etc/pve/.vmlist"))).ids["130"].node, "n2", "vmlist node")
  fails(r:pct("create", "130", r:template()), 2, "CT 130 already exists on node 'n2'\n")
  fails(r:run("pct", { "create", "130", r:template() }, { PVE_SIM_NODE = "n2" }), 255,
    "CT 130 already exists on node 'n2'\n")
end)

test("pvesh nextid skips used ids, cluster-wide, and honours datacenter.cfg", function(r)
  eq(succeeds(r:pvesh("get", "/cluster/nextid")).out, "100\n", "empty cluster")
  write_vmlist(r, { ["100"] = { node = "pve", type = "lxc", version = 1 },
    ["101"] = { node = "other", type = "qemu", version = 1 },
    ["103"] = { node = "pve", type = "lxc", version = 1 } })
  eq(succeeds(r:pvesh("get", "/cluster/nextid")).out, "102\n", "first gap")
  eq(succeeds(r:pvesh("get", "/cluster/nextid", "--output-format", "json")).out, "102\n", "json")
  eq(succeeds(r:pvesh("get", "/cluster/nextid", "--vmid", "150")).out, "150\n", "free vmid given")
  fails(r:pvesh("get", "/cluster/nextid", "--vmid", "103"), 255,
    "400 Parameter verification failed.\nvmid: VM 103 already exists\npvesh get /cluster/nextid [OPTIONS] [FORMAT_OPTIONS]\n")
  util.write_atomic(r:path("etc/pve/datacenter.cfg"), "keyboard: en-us\nnext-id: lower=500,upper=502\n")
  eq(succeeds(r:pvesh("get", "/cluster/nextid")).out, "500\n", "lower bound")
  write_vmlist(r, { ["500"] = { node = "pve", type = "lxc" }, ["501"] = { node = "pve", type = "lxc" } })
  fails(r:pvesh("get", "/cluster/nextid"), 255, "unable to get any free VMID in range [500, 502]\n")
end)

test("pvesh cluster resources as JSON", function(r)
  succeeds(r:pct("create", "105", r:template(), "--hostname", "res1", "--memory", "64", "--tags", "t1"))
  local list = cjson.decode(util.read(r:path("etc/pve/.vmlist")))
  list.ids["200"] = { node = "other", type = "qemu", version = 1 }
  util.write_atomic(r:path("etc/pve/.vmlist"), cjson.encode(list))
  local out = succeeds(r:pvesh("get", "/cluster/resources", "--type", "vm", "--output-format", "json")).out
  local res = cjson.decode(out)
  eq(#res, 2, "two guests")
  eq(res[1].id, "lxc/105", "id")
  eq(res[1].vmid, 105, "vmid")
  eq(res[1].node, "pve", "node")
  eq(res[1].status, "stopped", "status")
  eq(res[1].name, "res1", "name")
  eq(res[1].maxmem, 64 * 1024 * 1024, "maxmem")
  eq(res[1].tags, "t1", "tags")
  eq(res[1].template, 0, "template")
  eq(res[2].id, "qemu/200", "remote id")
  eq(res[2].node, "other", "remote node")
  eq(succeeds(r:pvesh("get", "/cluster/resources", "--type", "storage", "--output-format", "json")).out, "[]\n",
    "other types")
  fails(r:pvesh("get", "/cluster/resources", "--type", "vms"), 255,
    "400 Parameter verification failed.\ntype: value 'vms' does not have a value in the enumeration "
    .. "'vm, storage, node, sdn'\npvesh get /cluster/resources [OPTIONS] [FORMAT_OPTIONS]\n")
  fails(r:pvesh("get", "/nodes/pve/nowhere"), 255, "No 'get' handler defined for '/nodes/pve/nowhere'\n")
end)

test("resources show a running CT", function(r)
  succeeds(r:pct("create", "106", r:template(), "--entrypoint", "/bin/sleep 1000"))
  succeeds(r:pct("start", "106"))
  local res = cjson.decode(succeeds(r:pvesh("get", "/cluster/resources", "--type", "vm", "--output-format", "json")).out)
  eq(res[1].status, "running", "status")
end)

test("lock: create is in the conf while create works; the flock times out others", function(r)
  local t = r:template()
  local pid = r:pct_bg({ PVE_SIM_HANG = "create:extract" }, "create", "140", t)
  local conf = r:path("etc/pve/lxc/140.conf")
  ok(r:wait_for(function()
    return (util.read(conf) or ""):find("rootfs:", 1, true) ~= nil
  end), "create reached extract")
  contains(util.read(conf), "lock: create\n")
  local env = { PVE_SIM_LOCK_TIMEOUT = "1" }
  local timeout = "can't lock file '" .. r:path("run/lock/lxc/pve-config-140.lock") .. "' - got timeout\n"
  -- outside a task: exit 4 (EINTR, the alarm that ended flock), and
  -- lock_file_full's line before it
  fails(r:pct_env(env, "set", "140", "--memory", "64"), 4, "trying to acquire lock...\n" .. timeout)
  -- in a task: its line on stdout, the error on stderr, 255
  local res = r:pct_env(env, "start", "140")
  fails(res, 255, timeout)
  eq(res.out, "trying to acquire lock...\n", "task output")
  fails(r:pct_env(env, "create", "140", t), 255, "CT 140 already exists on node 'pve'\n")
  eq(succeeds(r:pct("list")).out:match("\n(140 .-)\n"), "140        stopped    create       CT140               ",
    "list shows the lock")
  -- killing pct (a caller's timeout) releases the flock at once
  util.run({ "kill", "-9", pid })
  ok(r:wait_for(function() return r:pct_env(env, "set", "140", "--memory", "64").code ~= 4 end, 3), "lock released")
  fails(r:pct("set", "140", "--memory", "64"), 255, "CT is locked (create)\n")
  fails(r:pct("start", "140"), 255, "CT is locked (create)\n")
  fails(r:pct("destroy", "140"), 255, "CT is locked (create)\n")
  succeeds(r:pct("unlock", "140"))
  succeeds(r:pct("destroy", "140", "--purge"))
  H.nothing_left(r, "140")
end)

test("a hang is ended by the caller's timeout", function(r)
  succeeds(r:pct("create", "141", r:template(), "--entrypoint", "/bin/sleep 1000"))
  local started = os.time()
  local out, code = util.capture({ "env", "PVE_SIM_ROOT=" .. r.dir, "PVE_SIM_HANG=start:pre-start",
    "timeout", "1", H.sim_dir .. "/pct", "start", "141" }, true)
  eq(code, 124, "timeout's exit code")
  ok(os.time() - started < 5, "returned promptly")
  -- the lock is free again and the CT was never started
  ok(r:wait_for(function() return r:pct_env({ PVE_SIM_LOCK_TIMEOUT = "1" }, "set", "141", "--memory", "64").code == 0 end, 3),
    "lock released after the hang was killed")
  eq(succeeds(r:pct("status", "141")).out, "status: stopped\n", "not started")
end)

test("fault: create fails at extract, cleans up, exit 255", function(r)
  local res = r:pct_env({ PVE_SIM_FAIL = "create:extract" }, "create", "150", r:template())
  fails(res, 255)
  ok(res.err:match("^unable to create CT 150 %- command 'lxc%-usernsexec .* tar xpf %- %-z .*' failed: exit code 2\n$"),
    "message:\n" .. res.err)
  H.nothing_left(r, "150")
  eq(util.read(r:path("etc/pve/.vmlist")):find('"150"'), nil, "vmlist entry removed")
end)

test("fault: every create step has pct's message", function(r)
  local t = r:template()
  local cases = {
    alloc = "unable to create CT 151 - unable to create directory '" .. r:path("var/lib/vz/images/151")
        .. "' - No space left on device\n",
    setup = "unable to create CT 151 - unable to detect OS distribution\n",
  }
  for step, msg in pairs(cases) do
    local res = r:pct_env({ PVE_SIM_FAIL = "create:" .. step }, "create", "151", t)
    fails(res, 255, msg)
    H.nothing_left(r, "151")
  end
  -- create_and_lock_config's lock, before the task: exit 4
  local res = r:pct_env({ PVE_SIM_FAIL = "create:lock" }, "create", "151", t)
  fails(res, 4, "trying to acquire lock...\nunable to create CT 151 - can't lock file '"
    .. r:path("run/lock/lxc/pve-config-151.lock") .. "' - got timeout\n")
  H.nothing_left(r, "151")
  local res = r:pct_env({ PVE_SIM_FAIL = "create:config" }, "create", "151", t)
  fails(res, 255)
  contains(res.err, "unable to create CT 151 - unable to write '/etc/pve/nodes/pve/lxc/151.conf.tmp.")
  H.nothing_left(r, "151")
end)

test("fault: FAIL_ONCE fails the first time only", function(r)
  local t = r:template()
  local env = { PVE_SIM_FAIL_ONCE = "create:extract" }
  fails(r:pct_env(env, "create", "152", t), 255)
  succeeds(r:pct_env(env, "create", "152", t))
  ok(util.exists(r:path("run/pve-sim-fail-once/create-extract")), "state file records it fired")
end)

test("fault: start, stop, destroy and exec steps", function(r)
  succeeds(r:pct("create", "153", r:template(), "--entrypoint", "/bin/sleep 1000"))
  fails(r:pct_env({ PVE_SIM_FAIL = "start:lxc-start" }, "start", "153"), 255, "startup for container '153' failed\n")
  eq(succeeds(r:pct("status", "153")).out, "status: stopped\n", "not running after failed start")
  fails(r:pct_env({ PVE_SIM_FAIL = "start:pre-start" }, "start", "153"), 255,
    "hookscript error for 153 on pre-start: command 'pre-start' failed: exit code 1\n")
  succeeds(r:pct("start", "153"))
  local res = r:pct_env({ PVE_SIM_FAIL = "exec:attach" }, "exec", "153", "--", "true")
  eq(res.code, 1, "exec exit code")
  contains(res.err, "Failed to get attach context")
  fails(r:pct_env({ PVE_SIM_FAIL = "stop:lxc-stop" }, "stop", "153"), 255,
    "command 'lxc-stop -n 153 --kill' failed: exit code 1\n")
  eq(succeeds(r:pct("status", "153")).out, "status: running\n", "still running")
  succeeds(r:pct("stop", "153"))
  fails(r:pct_env({ PVE_SIM_FAIL = "destroy:remove" }, "destroy", "153"), 255,
    "unable to remove volume: rm -rf failed: Device or resource busy\n")
  ok(util.exists(r:path("etc/pve/lxc/153.conf")), "conf kept after failed destroy")
  succeeds(r:pct("destroy", "153"))
  H.nothing_left(r, "153")
end)

test("call log: one JSON argv line per invocation", function(r)
  succeeds(r:pct("list"))
  r:pct("status", "999", "--verbose")
  succeeds(r:pvesh("get", "/cluster/nextid"))
  local lines = {}
  for l in util.read(r:path("pct-calls.log")):gmatch("[^\n]+") do lines[#lines + 1] = l end
  eq(#lines, 3, "lines")
  eq(lines[1], '["pct","list"]', "first")
  eq(lines[2], '["pct","status","999","--verbose"]', "second")
  eq(lines[3], '["pvesh","get","/cluster/nextid"]', "third")
end)

test("concurrent creates in one root keep every .vmlist entry", function(r)
  local t = r:template()
  local pids = {}
  for i = 160, 164 do pids[#pids + 1] = r:pct_bg({}, "create", tostring(i), t) end
  ok(r:wait_for(function()
    local n = 0
    for i = 160, 164 do
      if (util.read(r:path("etc/pve/lxc/" .. i .. ".conf")) or "lock: create"):find("lock:", 1, true) == nil then
        n = n + 1
      end
    end
    return n == 5
  end, 20), "all creates finished")
  local ids = cjson.decode(util.read(r:path("etc/pve/.vmlist"))).ids
  for i = 160, 164 do ok(ids[tostring(i)], "vmlist has " .. i) end
end)
