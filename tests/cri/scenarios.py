#!/usr/bin/python3
"""The CRI suite's scenarios: Kubernetes pods through containerd 1.6's CRI
plugin, each scenario once with the runtime handler `runc` and once with
`nexcage`, with the same assertions (run.sh runs them; cri.py is the
client). A pod and its containers are configured as the kubelet would
(namespace options on the pod and on each container, the pod's
cgroup_parent, log_directory and hostname, the sandbox config given again
at CreateContainer).

    scenarios.py list | parallel | pending
    scenarios.py run SCENARIO RT       the scenario, FAIL: lines on stderr
    scenarios.py left SCENARIO RT      nothing left behind by it
    scenarios.py teardown SCENARIO RT  remove what a side left (pods, containers)
    scenarios.py teardown all          every pod and container of the suite

Environment (run.sh): S, T, CRI_SOCK, CRI_PY_DIR, CTRD, BUSYBOX_IMG,
CGROUP_BASE, CRI_STEP_TIMEOUT.
"""
import glob
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cri  # noqa: E402

# The nexcage scenarios that do not pass yet: run, reported "pending" with
# their first failure (PASS-PENDING once one passes: remove it then).
# runc passes all.
NEXCAGE_PENDING = """
""".split()

# Run first, their runc and nexcage sides at the same time (they wait).
PARALLEL = ["pod_idle_2min"]

SCENARIOS = """
pod_idle_2min
pod_localhost
pod_namespaces
pod_shared_pid
pod_host_network
pod_host_pid_ipc
seccomp_runtime_default
seccomp_localhost
sysctls
sysctls_privileged
readonly_rootfs
run_as_user
capabilities
privileged
exec_sync
exec_streaming
attach
port_forward
container_restart
logs
pod_stop_remove
container_stats
startup_time
""".split()

BUSYBOX = os.environ.get("BUSYBOX_IMG", "localhost/nexcage-cri-busybox:1")
SIDE_LABEL = "nexcage-cri-side"

# A program that says it started, then waits; on SIGTERM it says so and exits 0.
TERM_HONOURED = 'trap "echo got-term; exit 0" TERM; echo started; while :; do sleep 1 & wait $!; done'
TERM_IGNORED = 'trap "" TERM; echo started; while :; do sleep 1 & wait $!; done'
SILENT = 'trap "exit 0" TERM; while :; do sleep 5 & wait $!; done'


class Fail(Exception):
    pass


def fail(msg):
    raise Fail(msg)


def check(cond, msg):
    if not cond:
        fail(msg)


def eq(got, want, what):
    if got != want:
        fail("%s: expected [%s], got [%s]" % (what, want, got))


def info(msg):
    print("    " + msg, flush=True)


def wait_until(secs, fn, step=0.2):
    end = time.time() + secs
    while True:
        v = fn()
        if v or time.time() > end:
            return v
        time.sleep(step)


# --- processes and namespaces, as /proc shows them ---------------------------

def ns(pid, kind):
    try:
        return os.readlink("/proc/%s/ns/%s" % (pid, kind))
    except OSError:
        return None


def host_ns(kind):
    return ns("self", kind)


def cmdline(pid):
    try:
        with open("/proc/%s/cmdline" % pid, "rb") as f:
            return f.read().split(b"\0")
    except OSError:
        return []


def status_field(pid, name):
    try:
        with open("/proc/%s/status" % pid) as f:
            for line in f:
                if line.startswith(name + ":"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def start_time(pid):
    try:
        with open("/proc/%s/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def pids():
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def program_pid(token):
    """The host pid of a container's program: the `sh -c` whose script holds
    TOKEN (the topmost one: a subshell forked for `&` has the same command
    line), whatever the runtime and CRI report."""
    found = []
    for p in pids():
        a = cmdline(p)
        if len(a) >= 3 and a[0] in (b"sh", b"/bin/sh") and a[1] == b"-c" and token.encode() in a[2]:
            found.append(p)
    for p in found:
        if int(status_field(p, "PPid") or 0) not in found:
            return p
    return None


def init_of(pidns):
    """The pid 1 of the pid namespace PIDNS ("pid:[...]")."""
    for p in pids():
        if ns(p, "pid") == pidns:
            nspid = (status_field(p, "NSpid") or "").split()
            if nspid and nspid[-1] == "1":
                return p
    return None


def cap(pid, which):
    return status_field(pid, which)


def cgroup_of(pid):
    try:
        with open("/proc/%s/cgroup" % pid) as f:
            return f.read()
    except OSError:
        return None


def record_cgroups(side, pid):
    """Note PID's memory and pids cgroup directories (and their inodes: a
    directory of the same name made later by someone else is another one),
    which must be gone after the scenario."""
    for line in (cgroup_of(pid) or "").splitlines():
        _, ctrls, path = line.split(":", 2)
        for c in ("memory", "pids"):
            if c in ctrls.split(",") and path != "/":
                d = "/sys/fs/cgroup/%s%s" % (c, path)
                try:
                    side.record("cgroup", "%s %d" % (d, os.stat(d).st_ino))
                except OSError:
                    pass


def mounts():
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            out.append(line.split()[4])
    return out


# --- the side: a handler, its pods and containers ------------------------------

class Side:
    def __init__(self, scenario, rt):
        self.scenario = scenario
        self.rt = rt
        self.handler = rt
        self.T = os.environ["T"]
        self.S = os.environ["S"]
        self.ctrd = os.environ["CTRD"]
        pending = rt == "nexcage" and scenario in NEXCAGE_PENDING
        self.timeout = int(os.environ.get("CRI_STEP_TIMEOUT", "15" if pending else "60"))
        self.cri = cri.Cri(os.environ["CRI_SOCK"], timeout=self.timeout)
        self.labels = {SIDE_LABEL: rt, "nexcage-cri-scenario": scenario}

    def record(self, kind, value):
        with open(os.path.join(self.T, "ids"), "a") as f:
            f.write("%s %s\n" % (kind, value))

    def pod(self, name, **kw):
        return Pod(self, name, **kw)


class Pod:
    def __init__(self, side, name, pid="CONTAINER", network="POD", ipc="POD", hostname=None,
                 privileged=False, sysctls=None, seccomp=None, run=True):
        self.side = side
        self.name = name
        self.uid = str(uuid.uuid4())
        self.pid_mode, self.network, self.ipc = pid, network, ipc
        sc = {"namespace_options": {"network": network, "pid": pid, "ipc": ipc}}
        if privileged:
            sc["privileged"] = True
        if seccomp:
            sc["seccomp"] = seccomp
        self.log_dir = os.path.join(side.T, "logs", "%s_%s" % (name, self.uid))
        os.makedirs(self.log_dir, exist_ok=True)
        self.config = {
            "metadata": {"name": "%s-%s" % (name, side.rt), "uid": self.uid,
                         "namespace": "nexcage-cri", "attempt": 0},
            "log_directory": self.log_dir,
            "labels": dict(side.labels),
            "linux": {"cgroup_parent": "%s/pod%s" % (os.environ["CGROUP_BASE"], self.uid),
                      "security_context": sc},
        }
        if network != "NODE":  # (the kubelet gives a host-network pod no hostname)
            self.config["hostname"] = hostname or name
        if sysctls:
            self.config["linux"]["sysctls"] = sysctls
        self.id = None
        self.containers = []
        if run:
            self.run()

    def run(self):
        self.id = self.side.cri.run_pod(self.config, self.side.handler)
        self.side.record("pod", self.id)
        st = self.status(verbose=True)
        eq(cri.pb.PodSandboxState.Name(st.status.state), "SANDBOX_READY", "the new pod's state")
        self.pid = cri.verbose_info(st).get("pid")
        check(self.pid and os.path.isdir("/proc/%d" % self.pid),
              "PodSandboxStatus's pid [%s] is no host process" % self.pid)
        self.side.record("pid", "%d %s" % (self.pid, start_time(self.pid)))
        netns = cri.verbose_info(st).get("runtimeSpec", {}).get("linux", {}).get("namespaces", [])
        for n in netns:
            if n.get("type") == "network" and n.get("path"):
                self.side.record("netns", n["path"])
        self.ip = st.status.network.ip
        return self

    def status(self, verbose=False):
        return self.side.cri.pod_status(self.id, verbose=verbose)

    def state(self):
        return cri.pb.PodSandboxState.Name(self.status().status.state)

    def pause(self):
        """The pod's pause program: the /pause in the mount namespace of the
        sandbox's pid (one per sandbox, whatever else the pod shares), and
        (without hostPID) the pid 1 of the pid namespace that pid leads into."""
        found = [p for p in pids() if cmdline(p)[:1] == [b"/pause"] and ns(p, "mnt") == ns(self.pid, "mnt")]
        check(len(found) == 1, "/pause processes in the mount namespace of the sandbox's pid %d: %s" % (self.pid, found))
        p = found[0]
        record_cgroups(self.side, p)
        if self.pid_mode != "NODE":
            eq(ns(p, "pid"), ns(self.pid, "pid_for_children"), "the pid namespace of the pause (%d) vs the one the sandbox's pid %d leads into" % (p, self.pid))
            eq((status_field(p, "NSpid") or "").split()[-1:], ["1"], "the pause's pid in its namespace")
        return p

    def container(self, name, script=None, **kw):
        c = Container(self, name, script, **kw)
        self.containers.append(c)
        return c

    def stop(self):
        self.side.cri.stop_pod(self.id)

    def remove(self):
        self.side.cri.remove_pod(self.id)


class Container:
    def __init__(self, pod, name, script, attempt=0, start=True, stdin=False, tty=False,
                 privileged=False, readonly=False, caps=None, user=None, group=None, groups=None,
                 seccomp=None, mounts=None, pid=None, command=None, exits=False):
        self.pod = pod
        self.exits = exits  # (a program that ends by itself: its pid may be gone at once)
        side = pod.side
        self.name = name
        self.token = ": %s-%s-%d;" % (name, side.rt, os.getpid())
        self.command = command or ["sh", "-c", "%s %s" % (self.token, script or SILENT)]
        sc = {"namespace_options": {"network": pod.network, "pid": pid or pod.pid_mode, "ipc": pod.ipc}}
        if privileged:
            sc["privileged"] = True
        if readonly:
            sc["readonly_rootfs"] = True
        if caps:
            sc["capabilities"] = caps
        if user is not None:
            sc["run_as_user"] = {"value": user}
        if group is not None:
            sc["run_as_group"] = {"value": group}
        if groups:
            sc["supplemental_groups"] = groups
        if seccomp:
            sc["seccomp"] = seccomp
        self.log_path = "%s/%d.log" % (name, attempt)
        self.config = {
            "metadata": {"name": name, "attempt": attempt},
            "image": {"image": BUSYBOX},
            "command": self.command,
            "log_path": self.log_path,
            "labels": dict(side.labels),
            "stdin": stdin,
            "tty": tty,
            "mounts": mounts or [],
            "linux": {"security_context": sc},
        }
        self.id = side.cri.create(pod.id, self.config, pod.config)
        side.record("ctr", self.id)
        if start:
            self.start()

    def start(self):
        side = self.pod.side
        side.cri.start(self.id)
        st = self.status(verbose=True)
        self.pid = cri.verbose_info(st).get("pid")
        if self.exits:
            return self
        check(self.pid and os.path.isdir("/proc/%d" % self.pid),
              "ContainerStatus's pid [%s] of %s is no host process" % (self.pid, self.name))
        side.record("pid", "%d %s" % (self.pid, start_time(self.pid)))
        return self

    def status(self, verbose=False):
        return self.pod.side.cri.status(self.id, verbose=verbose)

    def state(self):
        return cri.pb.ContainerState.Name(self.status().status.state)

    def program(self):
        """The host pid of the program (found by its command line)."""
        p = wait_until(5, lambda: program_pid(self.token))
        check(p, "no host process runs %s's program [%s]" % (self.name, self.token))
        record_cgroups(self.pod.side, p)
        return p

    def exec(self, cmd, timeout=20):
        if isinstance(cmd, str):
            cmd = ["sh", "-c", cmd]
        r = self.pod.side.cri.exec_sync(self.id, cmd, timeout=timeout)
        return r.stdout.decode("utf8", "replace"), r.stderr.decode("utf8", "replace"), r.exit_code

    def out(self, cmd, timeout=20):
        """stdout of an ExecSync that must succeed."""
        o, e, rc = self.exec(cmd, timeout)
        check(rc == 0, "ExecSync %s in %s: exit %d (stdout [%s], stderr [%s])" % (cmd, self.name, rc, o, e))
        return o.strip()

    def log(self):
        p = os.path.join(self.pod.log_dir, self.log_path)
        try:
            with open(p) as f:
                return f.read()
        except OSError:
            return ""

    def wait_log(self, text, secs=10):
        check(wait_until(secs, lambda: text in self.log()),
              "%s's log never showed [%s]: [%s]" % (self.name, text, self.log()[-300:]))

    def stop(self, timeout=10):
        self.pod.side.cri.stop(self.id, timeout)

    def remove(self):
        self.pod.side.cri.remove(self.id)


def assert_pid_is_container(c, prog):
    """The pid CRI reports for C (the shim's, from --pid-file) is in the
    program's net, ipc, uts, mount and cgroup namespaces and cgroups, and
    leads into its pid namespace: CRI joins, enters and measures it. (Its
    own pid namespace may differ: runc's pid is the program, nexcage's a
    stand-in outside the CT's pid namespace, whose children's is the CT's.)"""
    for k in ("net", "ipc", "uts", "mnt", "cgroup"):
        eq(ns(c.pid, k), ns(prog, k), "%s: the %s namespace of CRI's pid %d vs the program's (%d)" % (c.name, k, c.pid, prog))
    eq(ns(c.pid, "pid_for_children"), ns(prog, "pid"),
       "%s: the pid namespace CRI's pid %d leads into vs the program's (%d)" % (c.name, c.pid, prog))
    eq(cgroup_of(c.pid), cgroup_of(prog), "%s: the cgroups of CRI's pid %d vs the program's (%d)" % (c.name, c.pid, prog))


def assert_in_pod_namespaces(pod, c, kinds=("net", "ipc", "uts")):
    pause = pod.pause()
    prog = c.program()
    for k in kinds:
        # (the pid namespace: the one CRI's pids lead into, pid_for_children;
        # their own may differ, see assert_pid_is_container)
        kk = "pid_for_children" if k == "pid" else k
        check(ns(pause, k) != host_ns(k), "the pod's pause (pid %d) is in the host's %s namespace" % (pause, k))
        eq(ns(pod.pid, kk), ns(pause, k), "the %s namespace of the sandbox's pid %d vs its pause (%d)" % (kk, pod.pid, pause))
        eq(ns(prog, k), ns(pause, k), "%s (pid %d): its %s namespace vs the pod's (pause, pid %d)" % (c.name, prog, k, pause))
        eq(ns(c.pid, kk), ns(pause, k), "%s: the %s namespace of CRI's pid %d vs the pod's" % (c.name, kk, c.pid))
    return pause, prog


# --- scenarios -----------------------------------------------------------------

def s_pod_localhost(x):
    """A pod of two containers talking over the pod's localhost."""
    p = x.pod("duo")
    p.container("web", "httpd -f -p 127.0.0.1:8080 -h /www")
    side = p.container("side")
    o = side.out('for i in $(seq 50); do wget -q -O - http://127.0.0.1:8080/ 2>/dev/null && exit 0; sleep 0.1; done; exit 1')
    eq(o, "hello from the pod", "what side fetched from web over localhost")
    p.stop()
    p.remove()


def s_pod_namespaces(x):
    """Every container in the pod's net, ipc and uts namespaces (namespace
    identity, read from /proc/<pid>/ns of the pause program, the sandbox's
    pid CRI reports and each container's), not the host's; each container in
    a pid and mount namespace of its own."""
    p = x.pod("ns")
    a = p.container("a")
    b = p.container("b")
    pause = p.pause()
    progs = {}
    for c in (a, b):
        _, progs[c.name] = assert_in_pod_namespaces(p, c)
        assert_pid_is_container(c, progs[c.name])
        for k in ("pid", "mnt"):
            check(ns(progs[c.name], k) not in (host_ns(k), ns(pause, k)),
                  "%s (pid %d) is in the host's or the pause's %s namespace: %s" % (c.name, progs[c.name], k, ns(progs[c.name], k)))
    check(ns(progs["a"], "pid") != ns(progs["b"], "pid"), "a and b share a pid namespace without shareProcessNamespace")
    # from inside: the pod's hostname, its address, its own pid 1
    for c in (a, b):
        eq(c.out("hostname"), "ns", "%s's hostname" % c.name)
        eq(c.out("ip -o -4 addr show dev eth0 | awk '{print $4}' | cut -d/ -f1"), p.ip, "%s's eth0 address (PodSandboxStatus: %s)" % (c.name, p.ip))
        check(c.token in c.out("tr '\\0' ' ' </proc/1/cmdline"), "%s's pid 1 is not its own program" % c.name)
    p.stop()
    p.remove()


def s_pod_shared_pid(x):
    """shareProcessNamespace: the pod's pid namespace (NamespaceMode POD) for
    every container, which sees the pause process and the other container."""
    p = x.pod("shpid", pid="POD")
    a = p.container("a")
    b = p.container("b")
    pause = p.pause()
    for c in (a, b):
        _, prog = assert_in_pod_namespaces(p, c, ("net", "ipc", "uts", "pid"))
        assert_pid_is_container(c, prog)
    eq(a.out("tr '\\0' ' ' </proc/1/cmdline").strip(), "/pause", "a's pid 1")
    ps = a.out("ps -o pid,args")
    check("/pause" in ps and b.token in ps, "a does not see the pause process and b: [%s]" % ps)
    eq(pause, p.pause(), "the pause")
    p.stop()
    p.remove()


def s_pod_host_network(x):
    """hostNetwork: the pod and its containers in the host's network (and,
    as CRI does it, uts) namespace, the ipc namespace the pod's."""
    p = x.pod("hostnet", network="NODE")
    c = p.container("c")
    pause = p.pause()
    prog = c.program()
    for pid, who in ((pause, "the pause"), (p.pid, "the sandbox's pid"), (prog, "c"), (c.pid, "c's CRI pid")):
        eq(ns(pid, "net"), host_ns("net"), "the net namespace of %s (%d)" % (who, pid))
        eq(ns(pid, "uts"), host_ns("uts"), "the uts namespace of %s (%d)" % (who, pid))
    check(ns(prog, "ipc") != host_ns("ipc"), "c is in the host's ipc namespace")
    eq(ns(prog, "ipc"), ns(pause, "ipc"), "c's ipc namespace vs the pod's")
    eq(c.out("hostname"), socket.gethostname(), "c's hostname")
    links = c.out("ip -o link | awk -F': ' '{print $2}'")
    check("nxcri0" in links.split(), "the host's bridge nxcri0 is not among c's links: %s" % links.split())
    p.stop()
    p.remove()


def s_pod_host_pid_ipc(x):
    """hostPID and hostIPC: the pod and its containers in the host's pid and
    ipc namespaces (the pause is no pid 1), their network and uts the pod's."""
    p = x.pod("hostpid", pid="NODE", ipc="NODE")
    c = p.container("c")
    pause = p.pause()
    prog = c.program()
    for pid, who in ((pause, "the pause"), (prog, "c")):
        eq(ns(pid, "pid"), host_ns("pid"), "the pid namespace of %s (%d)" % (who, pid))
        eq(ns(pid, "ipc"), host_ns("ipc"), "the ipc namespace of %s (%d)" % (who, pid))
        check(ns(pid, "net") != host_ns("net"), "%s (%d) is in the host's network namespace" % (who, pid))
    eq(ns(prog, "net"), ns(pause, "net"), "c's network namespace vs the pod's")
    eq(c.out("tr '\\0' ' ' </proc/1/cmdline").strip(), " ".join(a.decode() for a in cmdline(1)).strip(),
       "c's pid 1 (the host's)")
    check(str(pause) in c.out("ps -o pid").split(), "c does not see the pause (host pid %d)" % pause)
    p.stop()
    p.remove()


def seccomp_mode(pid):
    return status_field(pid, "Seccomp")


def s_seccomp_runtime_default(x):
    """RuntimeDefault on the pod (the sandbox) and on a container; a container
    Unconfined beside it."""
    rd = {"profile_type": "RuntimeDefault"}
    p = x.pod("secdef", seccomp=rd)
    c = p.container("c", seccomp=rd)
    u = p.container("u", seccomp={"profile_type": "Unconfined"})
    eq(seccomp_mode(p.pause()), "2", "the pause's Seccomp mode")
    eq(seccomp_mode(c.program()), "2", "c's Seccomp mode")
    eq(c.out("grep ^Seccomp: /proc/self/status | cut -f2"), "2", "an exec in c: Seccomp mode")
    eq(seccomp_mode(u.program()), "0", "u's Seccomp mode")
    # the default profile refuses unshare without CAP_SYS_ADMIN
    o, e, rc = c.exec("unshare -U true")
    check(rc != 0, "unshare -U succeeded under RuntimeDefault")
    p.stop()
    p.remove()


def s_seccomp_localhost(x):
    """A Localhost profile (a file on the node) on the pod and a container:
    everything allowed but mkdir, which fails with EPERM."""
    prof = os.path.join(x.T, "profile.json")
    with open(prof, "w") as f:
        json.dump({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
                   "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}, f)
    lh = {"profile_type": "Localhost", "localhost_ref": prof}
    p = x.pod("seclocal", seccomp=lh)
    c = p.container("c", seccomp=lh)
    eq(seccomp_mode(p.pause()), "2", "the pause's Seccomp mode")
    eq(seccomp_mode(c.program()), "2", "c's Seccomp mode")
    o, e, rc = c.exec("mkdir /tmp/d")
    check(rc != 0 and "Operation not permitted" in e, "mkdir under the Localhost profile: exit %d, [%s]" % (rc, e))
    c.out("touch /tmp/f")
    p.stop()
    p.remove()


SYSCTLS = {"kernel.shm_rmid_forced": "1", "fs.mqueue.msg_max": "64", "net.ipv4.ip_default_ttl": "42"}


def sysctl_check(p, c):
    host = {k: open("/proc/sys/" + k.replace(".", "/")).read().strip() for k in SYSCTLS}
    files = " ".join("/proc/sys/" + k.replace(".", "/") for k in SYSCTLS)
    eq(c.out("cat " + files).split(), list(SYSCTLS.values()), "%s: %s" % (c.name, " ".join(SYSCTLS)))
    for k, v in host.items():
        eq(open("/proc/sys/" + k.replace(".", "/")).read().strip(), v, "the host's " + k)


def s_sysctls(x):
    """The pod's sysctls, safe (kernel.shm_rmid_forced) and unsafe-but-
    allowed (fs.mqueue.msg_max, net.*), seen by its containers; the host's
    unchanged."""
    p = x.pod("sysctl", sysctls=SYSCTLS)
    sysctl_check(p, p.container("c"))
    p.stop()
    p.remove()


def s_sysctls_privileged(x):
    """The same sysctls on a privileged pod, read by a privileged container."""
    p = x.pod("sysctlpriv", sysctls=SYSCTLS, privileged=True)
    sysctl_check(p, p.container("c", privileged=True))
    p.stop()
    p.remove()


def s_readonly_rootfs(x):
    """readOnlyRootfs: the root cannot be written, a volume can."""
    vol = os.path.join(x.T, "vol")
    os.makedirs(vol, exist_ok=True)
    p = x.pod("ro")
    c = p.container("c", readonly=True, mounts=[{"container_path": "/data", "host_path": vol}])
    o, e, rc = c.exec("touch /probe")
    check(rc != 0 and "Read-only file system" in e, "touch / in a readOnlyRootfs container: exit %d [%s]" % (rc, e))
    o, e, rc = c.exec("touch /tmp/probe")
    check(rc != 0 and "Read-only file system" in e, "touch /tmp in a readOnlyRootfs container: exit %d [%s]" % (rc, e))
    c.out("echo from-container > /data/out")
    eq(open(os.path.join(vol, "out")).read(), "from-container\n", "what the container wrote to its volume")
    p.stop()
    p.remove()


def s_run_as_user(x):
    """runAsUser, runAsGroup, supplementalGroups: the program's and an
    exec's ids, and the owner of what they write."""
    vol = os.path.join(x.T, "vol")
    os.makedirs(vol, exist_ok=True)
    os.chmod(vol, 0o777)
    p = x.pod("user")
    c = p.container("c", "touch /data/mine; " + SILENT, user=1000, group=3000, groups=[4000, 5000],
                    mounts=[{"container_path": "/data", "host_path": vol}])
    prog = c.program()
    eq(status_field(prog, "Uid").split(), ["1000"] * 4, "the program's uids")
    eq(status_field(prog, "Gid").split(), ["3000"] * 4, "the program's gids")
    eq(sorted(status_field(prog, "Groups").split()), ["3000", "4000", "5000"], "the program's groups")
    eq(c.out("id -u; id -g; id -G | tr ' ' '\\n' | sort | tr '\\n' ' '").split(), ["1000", "3000", "3000", "4000", "5000"],
       "id -u, -g, -G of an exec")
    check(wait_until(5, lambda: os.path.exists(os.path.join(vol, "mine"))), "the program wrote nothing to /data")
    st = os.stat(os.path.join(vol, "mine"))
    eq("%d:%d" % (st.st_uid, st.st_gid), "1000:3000", "owner of what the program wrote")
    o, e, rc = c.exec("touch /root/x")
    check(rc != 0, "uid 1000 wrote into /root (0700, root's)")
    p.stop()
    p.remove()


# containerd's default capabilities (CRI's default set), and CAP_SYS_ADMIN
DEFAULT_CAPS = 0xa80425fb
CAP_SYS_ADMIN = 1 << 21


def s_capabilities(x):
    """Capabilities: drop ALL; drop ALL and add two; add one to the default set."""
    p = x.pod("caps")
    none = p.container("none", caps={"drop_capabilities": ["ALL"]})
    two = p.container("two", caps={"drop_capabilities": ["ALL"], "add_capabilities": ["CHOWN", "NET_RAW"]})
    more = p.container("more", caps={"add_capabilities": ["SYS_ADMIN"]})
    for c, want in ((none, 0), (two, (1 << 0) | (1 << 13)), (more, DEFAULT_CAPS | CAP_SYS_ADMIN)):
        prog = c.program()
        for k in ("CapEff", "CapPrm", "CapBnd"):
            eq(cap(prog, k), "%016x" % want, "%s's %s" % (c.name, k))
        eq(c.out("grep ^CapEff: /proc/self/status | cut -f2"), "%016x" % want, "an exec in %s: CapEff" % c.name)
    o, e, rc = none.exec("chown 1:1 /tmp")
    check(rc != 0, "chown succeeded without capabilities")
    two.out("chown 1:1 /tmp")
    more.out("mount -t tmpfs none /mnt && umount /mnt")
    p.stop()
    p.remove()


def s_privileged(x):
    """A privileged container in a privileged pod: every capability of the
    node's bounding set, the host's devices, mount allowed, no seccomp.
    (Not /sys read-write: CRI asks for it, but here runc's sysfs comes out
    read-only too.)"""
    p = x.pod("priv", privileged=True)
    c = p.container("c", privileged=True)
    prog = c.program()
    bnd = status_field("self", "CapBnd")
    eq(cap(prog, "CapEff"), bnd, "the privileged program's CapEff (the node's bounding set)")
    eq(seccomp_mode(prog), "0", "the privileged program's Seccomp mode")
    dev = next(d for d in ("/dev/loop0", "/dev/kmsg", "/dev/fuse") if os.path.exists(d))
    c.out("[ -e %s ]" % dev)
    c.out("mount -t tmpfs none /mnt && umount /mnt")
    p.stop()
    p.remove()


def s_exec_sync(x):
    """ExecSync: stdout, stderr, exit status, environment, a timeout, and a
    refusal once the container stopped."""
    p = x.pod("execs")
    c = p.container("c", TERM_HONOURED)
    o, e, rc = c.exec("echo out; echo err >&2; exit 3")
    eq((o, e, rc), ("out\n", "err\n", 3), "stdout, stderr and exit status")
    eq(c.out("echo $PATH"), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "an exec's PATH (the image's)")
    # past its timeout, the exec'd process is killed and ExecSync fails at once
    t0 = time.time()
    try:
        o, e, rc = c.exec("sleep 12", timeout=2)
        fail("ExecSync of sleep 12 with a 2 s timeout returned: exit %d" % rc)
    except cri.CriError as err:
        check("timeout" in err.details, "ExecSync past its timeout: %s" % err)
    check(time.time() - t0 < 6, "ExecSync of sleep 12 with a 2 s timeout took %.1f s" % (time.time() - t0))
    check("sleep 12" not in c.out("ps -o args"), "the exec'd sleep 12 lives on after its timeout")
    c.stop(10)
    eq(c.state(), "CONTAINER_EXITED", "the stopped container's state")
    try:
        c.exec("true")
        fail("ExecSync in a stopped container succeeded")
    except cri.CriError:
        pass
    p.stop()
    p.remove()


def s_exec_streaming(x):
    """Exec through containerd's streaming server (WebSocket): stdout and
    stderr apart, the exit status, stdin, a terminal."""
    p = x.pod("exec")
    c = p.container("c")
    url = x.cri.call("Exec", container_id=c.id, cmd=["sh", "-c", "echo streamed; echo e >&2; exit 4"],
                     stdout=True, stderr=True).url
    o, e, rc, _ = cri.stream_command(url)
    eq((o, e, rc), ("streamed\n", "e\n", 4), "stdout, stderr and exit status of a streamed exec")
    url = x.cri.call("Exec", container_id=c.id, cmd=["sh", "-c", "read l; echo \"read $l\""],
                     stdin=True, stdout=True, stderr=True).url
    o, e, rc, _ = cri.stream_command(url, stdin_lines=["line-in\n"])
    eq((o, rc), ("read line-in\n", 0), "a streamed exec reading stdin")
    # (with stdin, as `kubectl exec -it`: containerd 1.6 loses a terminal's
    # output now and then without it, under runc too)
    url = x.cri.call("Exec", container_id=c.id, cmd=["sh", "-c", "tty; [ -t 0 ] && [ -t 1 ] && echo is-a-tty"],
                     tty=True, stdin=True, stdout=True).url
    o, e, rc, _ = cri.stream_command(url)
    check(re.search(r"^/dev/pts/\d+\r?$", o, re.M) and "is-a-tty" in o and rc == 0,
          "a streamed exec with a terminal: exit %s, [%s]" % (rc, o))
    p.stop()
    p.remove()


def s_attach(x):
    """Attach to a container's stdin and stdout, without and with a terminal."""
    p = x.pod("attach")
    c = p.container("c", 'echo ready; while read l; do echo "got $l"; done', stdin=True)
    c.wait_log("ready")
    url = x.cri.call("Attach", container_id=c.id, stdin=True, stdout=True, stderr=True).url
    o, e, rc, _ = cri.stream_command(url, stdin_lines=["ping\n"], until="got ping", timeout=15)
    check("got ping" in o, "attached, sent ping: stdout [%s] stderr [%s]" % (o, e))
    c.wait_log("got ping")
    t = p.container("t", 'tty; while read l; do echo "got $l"; done', stdin=True, tty=True)
    t.wait_log("/dev/pts/")
    url = x.cri.call("Attach", container_id=t.id, stdin=True, stdout=True, tty=True).url
    o, e, rc, _ = cri.stream_command(url, stdin_lines=["pong\n"], until="got pong", timeout=15)
    check("got pong" in o, "attached to the terminal, sent pong: [%s]" % o)
    p.stop()
    p.remove()


def s_port_forward(x):
    """PortForward into the pod's network namespace, to a server on its
    localhost."""
    p = x.pod("pf")
    w = p.container("web", "httpd -f -p 127.0.0.1:8080 -h /www")
    w.out('for i in $(seq 50); do wget -q -O - http://127.0.0.1:8080/ >/dev/null 2>&1 && exit 0; sleep 0.1; done; exit 1')
    url = x.cri.call("PortForward", pod_sandbox_id=p.id, port=[8080]).url
    got, errs = cri.port_forward(url, 8080, b"GET /index.html HTTP/1.0\r\n\r\n")
    check(b"hello from the pod" in got, "through the forwarded port: [%s] errors [%s]" % (got[:300], errs))
    p.stop()
    p.remove()


def s_container_restart(x):
    """A container stopped, removed and created again (attempt 1) in the same
    pod: running, in the pod's namespaces, its log at the new path."""
    p = x.pod("restart")
    c = p.container("c", TERM_HONOURED)
    c.wait_log("started")
    c.stop(10)
    st = c.status().status
    eq((cri.pb.ContainerState.Name(st.state), st.exit_code), ("CONTAINER_EXITED", 0), "state and exit code after StopContainer")
    check("got-term" in c.log(), "the first attempt's log: [%s]" % c.log())
    c.remove()
    eq(p.state(), "SANDBOX_READY", "the pod's state after its container was removed")
    c2 = p.container("c", TERM_HONOURED, attempt=1)
    c2.wait_log("started")
    eq(c2.state(), "CONTAINER_RUNNING", "the new attempt's state")
    assert_in_pod_namespaces(p, c2)
    eq(c2.out("hostname"), "restart", "the new attempt's hostname")
    eq(len(x.cri.containers(pod=p.id)), 1, "containers in the pod")
    p.stop()
    p.remove()


LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)) (stdout|stderr) ([PF]) (.*)$")


def s_logs(x):
    """The container's log at log_directory/log_path (as ContainerStatus
    names it), in CRI's format: time, stream, P or F, text; a line longer
    than containerd's 16 KiB split into P lines and a last F."""
    p = x.pod("logs")
    long = "x" * 20000
    c = p.container("c", 'echo out-1; echo err-1 >&2; echo out-2; printf "%%s\\n" %s; echo done' % long, exits=True)
    path = os.path.join(p.log_dir, c.log_path)
    eq(c.status().status.log_path, path, "ContainerStatus's log_path")
    c.wait_log("done")
    check(wait_until(10, lambda: c.state() == "CONTAINER_EXITED"), "the container did not exit: %s" % c.state())
    eq(c.status().status.exit_code, 0, "its exit code")
    streams = {"stdout": "", "stderr": ""}
    for line in c.log().split("\n")[:-1]:
        m = LOG_LINE.match(line)
        check(m, "a log line not in CRI's format: [%s]" % line[:200])
        streams[m.group(4)] += m.group(6) + ("\n" if m.group(5) == "F" else "")
    eq(streams["stdout"], "out-1\nout-2\n%s\ndone\n" % long, "stdout from the log (the long line reassembled)")
    eq(streams["stderr"], "err-1\n", "stderr from the log")
    check(re.search(r" stdout P x{100}", c.log()), "no partial (P) line for the 20000-character line")
    p.stop()
    p.remove()


def s_pod_idle_2min(x):
    """A pod left alone for 2 minutes: still ready, its containers running,
    the same pids alive, exec works, then it stops."""
    t0 = time.time()
    p = x.pod("idle")
    a = p.container("a")
    b = p.container("b", TERM_HONOURED)
    alive = [(pid, start_time(pid)) for pid in (p.pid, p.pause(), a.pid, a.program(), b.pid, b.program())]
    time.sleep(max(0, 120 - (time.time() - t0)))
    eq(p.state(), "SANDBOX_READY", "the pod's state after 2 minutes")
    for c in (a, b):
        eq(c.state(), "CONTAINER_RUNNING", "%s's state after 2 minutes" % c.name)
    for pid, st in alive:
        eq(start_time(pid), st, "pid %d after 2 minutes (its start time)" % pid)
    eq(b.out("echo still-here"), "still-here", "an exec after 2 minutes")
    assert_in_pod_namespaces(p, a)
    b.stop(10)
    eq(b.status().status.exit_code, 0, "b's exit code after StopContainer (SIGTERM honoured)")
    p.stop()
    p.remove()


def s_pod_stop_remove(x):
    """StopContainer (SIGTERM honoured; ignored, then SIGKILL after the
    timeout), StopPodSandbox (the rest killed, the pod not ready, its
    processes gone, its network namespace closed), RemovePodSandbox."""
    p = x.pod("stop")
    h = p.container("honours", TERM_HONOURED)
    i = p.container("ignores", TERM_IGNORED)
    r = p.container("rest", TERM_IGNORED)
    for c in (h, i, r):
        c.wait_log("started")
    t0 = time.time()
    h.stop(20)
    check(time.time() - t0 < 10, "StopContainer of a SIGTERM-honouring container took %.1f s" % (time.time() - t0))
    st = h.status().status
    eq((cri.pb.ContainerState.Name(st.state), st.exit_code), ("CONTAINER_EXITED", 0), "honours: state and exit code")
    t0 = time.time()
    i.stop(2)
    check(time.time() - t0 >= 2, "StopContainer returned before the 2 s timeout")
    st = i.status().status
    eq((cri.pb.ContainerState.Name(st.state), st.exit_code), ("CONTAINER_EXITED", 137), "ignores: state and exit code")
    procs = [(pid, start_time(pid)) for pid in (p.pid, p.pause(), r.pid, r.program())]
    p.stop()
    eq(p.state(), "SANDBOX_NOTREADY", "the stopped pod's state")
    eq(r.state(), "CONTAINER_EXITED", "rest's state after StopPodSandbox")
    for pid, stt in procs:
        check(wait_until(5, lambda: start_time(pid) != stt), "pid %d still lives after StopPodSandbox" % pid)
    inf = cri.verbose_info(p.status(verbose=True))
    eq(inf.get("netNamespaceClosed"), True, "netNamespaceClosed after StopPodSandbox")
    eq(len(x.cri.containers(pod=p.id)), 3, "the stopped pod's containers (listed)")
    p.remove()
    eq([s.id for s in x.cri.pods() if s.id == p.id], [], "the removed pod in ListPodSandbox")
    eq(x.cri.containers(pod=p.id), [], "the removed pod's containers")


# The hog: 50 MB held by the shell (a variable: anonymous memory, counted
# in the working set), a fixed amount of CPU work, then idle.
HOG = ('x=$(head -c 52428800 /dev/zero | tr "\\0" x); i=0; while [ $i -lt 100000 ]; do i=$((i + 1)); done; '
       'echo filled ${#x}; ' + SILENT)


def cgroup_file(prog, controller, name):
    for line in (cgroup_of(prog) or "").splitlines():
        _, ctrls, path = line.split(":", 2)
        if controller in ctrls.split(","):
            try:
                with open("/sys/fs/cgroup/%s%s/%s" % (controller, path, name)) as f:
                    return int(f.read().split()[0])
            except OSError:
                return None
    return None


def process_cpu_ns(pid):
    """The CPU a process has used, its own and its reaped children's
    (utime, stime, cutime, cstime), in ns; None when it is gone."""
    try:
        with open("/proc/%s/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = sum(int(v) for v in fields[11:15])
    return ticks * 1e9 / os.sysconf("SC_CLK_TCK")


def s_container_stats(x):
    """ContainerStats (and ListContainerStats) of two containers holding
    50 MB each after some CPU work: memory and CPU as their cgroups count
    them; the CPU at least what the program itself used (by /proc), and
    (nexcage) the memory within what runc's two differ by.  CPU is not
    compared with runc's: the same loop's CPU time moves by a quarter with
    what else the machine runs, which would make this a timing test."""
    p = x.pod("stats")
    hogs = [p.container("hog%d" % n, HOG) for n in (1, 2)]
    for h in hogs:
        h.wait_log("filled 52428800", 60)
    time.sleep(0.5)
    figures = []
    listed = {s.attributes.id: s for s in x.cri.list_stats(pod=p.id)}
    for h in hogs:
        s = x.cri.stats(h.id)
        mem = s.memory.working_set_bytes.value
        cpu = s.cpu.usage_core_nano_seconds.value
        prog = h.program()
        cg_mem = cgroup_file(prog, "memory", "memory.usage_in_bytes")
        cg_cpu = cgroup_file(prog, "cpuacct", "cpuacct.usage")
        mcg = [l.split(":", 2)[2] for l in (cgroup_of(prog) or "").splitlines() if ":memory:" in l]
        info("%s: working set %.1f MB (usage %.1f MB, its cgroup %.1f MB), CPU %.3f s (its cgroup %.3f s, the program %.3f s); memory cgroup %s" % (
            h.name, mem / 1e6, s.memory.usage_bytes.value / 1e6, (cg_mem or 0) / 1e6, cpu / 1e9, (cg_cpu or 0) / 1e9,
            (process_cpu_ns(prog) or 0) / 1e9, mcg[0] if mcg else "?"))
        check(45e6 <= mem <= 200e6, "%s: working set %d bytes for 50 MB held" % (h.name, mem))
        check(cpu >= 0.05e9, "%s: CPU usage %d ns after its loop" % (h.name, cpu))
        check(cg_mem and abs(s.memory.usage_bytes.value - cg_mem) <= max(0.1 * cg_mem, 4e6),
              "%s: CRI's memory usage %d vs its cgroup's %s" % (h.name, s.memory.usage_bytes.value, cg_mem))
        check(cg_cpu and abs(cpu - cg_cpu) <= max(0.1 * cg_cpu, 0.05e9),
              "%s: CRI's CPU usage %d ns vs its cgroup's %s" % (h.name, cpu, cg_cpu))
        own = process_cpu_ns(prog)
        # The cgroup holds the program and (nexcage) the CT's init, which
        # sleeps: not less than the program used, and not much more.
        check(own is not None and own * 0.9 - 0.02e9 <= cpu <= own * 1.2 + 0.2e9,
              "%s: CRI's CPU usage %d ns vs the program's own %s ns (/proc/%d/stat)" % (h.name, cpu, own, prog))
        check(h.id in listed, "ListContainerStats of the pod lacks %s" % h.name)
        lm = listed[h.id].memory.working_set_bytes.value
        check(abs(lm - mem) <= max(0.1 * mem, 4e6), "%s: ListContainerStats's working set %d vs ContainerStats's %d" % (h.name, lm, mem))
        figures.append((mem, cpu))
    path = os.path.join(x.S, "stats-runc.json")
    if x.rt == "runc":
        with open(path, "w") as f:
            json.dump(figures, f)
    elif os.path.exists(path):
        with open(path) as f:
            ref = json.load(f)
        for k, what, floor in ((0, "memory (working set)", 5e6),):
            lo, hi = min(r[k] for r in ref), max(r[k] for r in ref)
            tol = max(hi - lo, 0.15 * (lo + hi) / 2, floor)
            for (fig, h) in zip(figures, hogs):
                check(lo - tol <= fig[k] <= hi + tol,
                      "%s: %s %d outside runc's %d..%d (± %d, what runc's two differ by or 15%%)" % (h.name, what, fig[k], lo, hi, tol))
        info("runc's: %s" % ", ".join("%.1f MB %.3f s" % (m / 1e6, c / 1e9) for m, c in ref))
    info("ContainerStats (working set, CPU): %s" % ", ".join("%.1f MB %.3f s" % (m / 1e6, c / 1e9) for m, c in figures))
    p.stop()
    p.remove()


def s_startup_time(x):
    """The time from RunPodSandbox to a running container (CreateContainer,
    StartContainer returned), median of 3, printed beside runc's."""
    times = []
    for n in range(3):
        t0 = time.time()
        p = x.pod("time%d" % n)
        c = p.container("c")
        times.append((time.time() - t0) * 1000)
        eq(c.state(), "CONTAINER_RUNNING", "the container's state")
        p.stop()
        p.remove()
    med = sorted(times)[1]
    with open(os.path.join(x.S, "startup-%s" % x.rt), "w") as f:
        f.write("%.0f" % med)
    info("RunPodSandbox to a running container: %s ms (median %.0f ms)" % (", ".join("%.0f" % t for t in times), med))


# --- what is left ------------------------------------------------------------

def read_ids(T):
    ids = {"pod": [], "ctr": [], "pid": [], "netns": [], "cgroup": []}
    try:
        with open(os.path.join(T, "ids")) as f:
            for line in f:
                k, v = line.rstrip("\n").split(" ", 1)
                ids[k].append(v)
    except OSError:
        pass
    return ids


def left(scenario, rt):
    """Everything a side may leave, checked: nothing in CRI or containerd,
    no shim, no process, no runtime state, no mount, no network namespace,
    no address, no container cgroup; for nexcage no CT, LXC container,
    volume or mapping in the scenario's simulator."""
    T, ctrd = os.environ["T"], os.environ["CTRD"]
    problems = []
    c = cri.Cri(os.environ["CRI_SOCK"], timeout=30)
    sel = {SIDE_LABEL: rt, "nexcage-cri-scenario": scenario}
    pods = [s.id[:12] for s in c.pods(labels=sel)]
    if pods:
        problems.append("pods left in CRI: %s" % pods)
    ctrs = [s.id[:12] for s in c.containers(labels=sel)]
    if ctrs:
        problems.append("containers left in CRI: %s" % ctrs)
    ids = read_ids(T)
    mine = ids["pod"] + ids["ctr"]
    out = subprocess.run(["ctr", "--address", os.environ["CRI_SOCK"], "-n", "k8s.io", "containers", "ls", "-q"],
                         capture_output=True, text=True).stdout.split()
    gone = [i[:12] for i in mine if i in out]
    if gone:
        problems.append("containers left in containerd: %s" % gone)
    shims = []
    for pid in pids():
        a = cmdline(pid)
        if a and a[0].endswith(b"containerd-shim-runc-v2"):
            for i in mine:
                if i.encode() in a:
                    shims.append(pid)
    if shims:
        problems.append("shims left: %s" % shims)
    for line in ids["pid"]:
        pid, st = line.split()
        if start_time(pid) == st:
            problems.append("process %s (%s) still lives" % (pid, b" ".join(cmdline(pid)).decode(errors="replace")[:80]))
    root = os.path.join(ctrd, "root-" + rt, "k8s.io")
    if os.path.isdir(root):  # (another scenario's may be there: the parallel one's)
        entries = [e[:12] for e in os.listdir(root) if e in mine]
        locks = os.path.join(root, ".nexcage:locks")
        if os.path.isdir(locks):
            entries += ["lock " + e for e in os.listdir(locks) if any(i in e for i in mine)]
        if entries:
            problems.append("runtime state left in %s: %s" % (root, entries))
    ms = [m for m in mounts() if m.startswith(T + "/") or any(i in m for i in mine)]
    ms += [m for m in mounts() if m in ids["netns"]]
    if ms:
        problems.append("mounts left: %s" % ms)
    ns_left = [n for n in ids["netns"] if os.path.exists(n)]
    if ns_left:
        problems.append("network namespaces left: %s" % ns_left)
    for f in glob.glob(os.path.join(ctrd, "cni-ipam", "*", "*")):
        try:
            with open(f) as fh:
                owner = fh.read().split()[0] if os.path.getsize(f) else ""
        except (OSError, IndexError):
            continue
        if owner in mine:
            problems.append("an address left allocated: %s (%s)" % (os.path.basename(f), owner[:12]))
    for line in sorted(set(ids["cgroup"])):
        d, ino = line.rsplit(" ", 1)
        try:
            if os.stat(d).st_ino == int(ino):
                problems.append("cgroup left: %s" % d)
        except OSError:
            pass
    base = os.environ["CGROUP_BASE"].lstrip("/")
    for h in ("memory", "pids", "cpu,cpuacct", "cpu", "unified", "systemd"):
        d = os.path.join("/sys/fs/cgroup", h, base)
        for sub in glob.glob(os.path.join(d, "*", "*")):
            if os.path.isdir(sub) and any(i in sub for i in mine):
                problems.append("cgroup left: %s" % sub)
    if rt == "nexcage":
        sim = os.path.join(T, "pve")
        confs = os.listdir(os.path.join(sim, "etc/pve/nodes/pve/lxc")) if os.path.isdir(os.path.join(sim, "etc/pve/nodes/pve/lxc")) else []
        if confs:
            problems.append("CT configs left in the simulator: %s" % confs)
        lx = subprocess.run(["lxc-ls", "-P", os.path.join(sim, "var/lib/lxc")], capture_output=True, text=True).stdout.split()
        if lx:
            problems.append("LXC containers left: %s" % lx)
        vols = glob.glob(os.path.join(sim, "var/lib/vz/images/*"))
        if vols:
            problems.append("volumes left: %s" % vols)
        maps = glob.glob(os.path.join(T, "lib", "map", "*", "*.json"))
        if maps:
            problems.append("nexcage mappings left: %s" % maps)
    return problems


def teardown(scenario, rt):
    """Stop and remove the pods of a side of a scenario (all the suite's with
    "all"), and any container of it left."""
    c = cri.Cri(os.environ["CRI_SOCK"], timeout=60)
    sel = {SIDE_LABEL: rt, "nexcage-cri-scenario": scenario} if rt != "all" else None
    for s in c.pods(labels=sel):
        if rt == "all" and SIDE_LABEL not in s.labels:
            continue
        for f in (c.stop_pod, c.remove_pod):
            try:
                f(s.id)
            except cri.CriError as e:
                print("teardown: %s" % e, file=sys.stderr)
    for s in c.containers(labels=sel):
        if rt == "all" and SIDE_LABEL not in s.labels:
            continue
        try:
            c.remove(s.id)
        except cri.CriError as e:
            print("teardown: %s" % e, file=sys.stderr)


def main(argv):
    cmd = argv[0] if argv else ""
    if cmd == "list":
        print(" ".join(SCENARIOS))
    elif cmd == "parallel":
        print(" ".join(PARALLEL))
    elif cmd == "pending":
        print(" ".join(NEXCAGE_PENDING))
    elif cmd == "run":
        name, rt = argv[1], argv[2]
        fn = globals()["s_" + name]
        try:
            fn(Side(name, rt))
        except Fail as e:
            print("FAIL: %s" % e, file=sys.stderr)
            return 1
        except cri.CriError as e:
            print("FAIL: %s" % e, file=sys.stderr)
            return 1
        except Exception as e:  # a defect of the scenario, or a stream that broke
            import traceback
            traceback.print_exc()
            print("FAIL: %s: %s" % (type(e).__name__, e), file=sys.stderr)
            return 1
    elif cmd == "left":
        problems = left(argv[1], argv[2])
        for p in problems:
            print("FAIL: %s" % p, file=sys.stderr)
        return 1 if problems else 0
    elif cmd == "teardown":
        teardown(argv[1], argv[2] if len(argv) > 2 else "all")
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
