-- Argument parsing and parameter validation, asserted by exact text.
local H = require("harness")
local test, eq, fails, contains = H.test, H.eq, H.fails, H.contains

local CREATE_USAGE = "pct create <vmid> <ostemplate> [OPTIONS]\n"

local function create_fails(r, args, want_err)
  local res = r:pct("create", table.unpack(args))
  fails(res, 255, want_err)
  H.nothing_left(r, args[1])
end

test("unknown command prints ERROR and usage, exit 255", function(r)
  local res = r:pct("frobnicate", "100")
  fails(res, 255)
  contains(res.err, "ERROR: unknown command 'pct frobnicate'\nUSAGE: pct <COMMAND> [ARGS] [OPTIONS]\n")
  contains(res.err, "       pct create <vmid> <ostemplate> [OPTIONS]\n")
end)

test("no command at all", function(r)
  local res = r:pct()
  fails(res, 255)
  contains(res.err, "ERROR: no command specified\n")
end)

test("command names may be abbreviated to a unique prefix", function(r)
  local res = r:pct("stat", "100")
  fails(res, 2, "Configuration file 'nodes/pve/lxc/100.conf' does not exist\n")
end)

test("vmid type check", function(r)
  create_fails(r, { "abc", "local:vztmpl/x.tar.gz" },
    "400 Parameter verification failed.\nvmid: type check ('integer') failed - got 'abc'\n" .. CREATE_USAGE)
end)

test("vmid below range is a format error", function(r)
  create_fails(r, { "99", "local:vztmpl/x.tar.gz" },
    "400 Parameter verification failed.\nvmid: invalid format - value does not look like a valid VM ID\n\n"
    .. CREATE_USAGE)
end)

test("vmid above range", function(r)
  create_fails(r, { "1000000000", "local:vztmpl/x.tar.gz" },
    "400 Parameter verification failed.\nvmid: invalid format - value does not look like a valid VM ID\n\n"
    .. CREATE_USAGE)
end)

test("memory minimum 16, several errors sorted", function(r)
  create_fails(r, { "100", "local:vztmpl/x.tar.gz", "--memory", "8", "--swap", "-1", "--cores", "0" },
    "400 Parameter verification failed.\n"
    .. "cores: value must have a minimum value of 1\n"
    .. "memory: value must have a minimum value of 16\n"
    .. "swap: value must have a minimum value of 0\n" .. CREATE_USAGE)
end)

test("cpulimit, cpuunits, tty ranges and types", function(r)
  create_fails(r, { "100", "local:vztmpl/x.tar.gz", "--cpulimit", "abc", "--cpuunits", "600000", "--tty", "7" },
    "400 Parameter verification failed.\n"
    .. "cpulimit: type check ('number') failed - got 'abc'\n"
    .. "cpuunits: value must have a maximum value of 500000\n"
    .. "tty: value must have a maximum value of 6\n" .. CREATE_USAGE)
end)

test("hostname must be a DNS name", function(r)
  create_fails(r, { "100", "local:vztmpl/x.tar.gz", "--hostname", "bad_host" },
    "400 Parameter verification failed.\n"
    .. "hostname: invalid format - value does not look like a valid DNS name\n\n" .. CREATE_USAGE)
  create_fails(r, { "100", "local:vztmpl/x.tar.gz", "--hostname", "-lead.example" },
    "400 Parameter verification failed.\n"
    .. "hostname: invalid format - value does not look like a valid DNS name\n\n" .. CREATE_USAGE)
end)

test("ostype, arch and cmode enumerations", function(r)
  create_fails(r, { "100", "local:vztmpl/x.tar.gz", "--ostype", "windows", "--arch", "sparc", "--cmode", "x" },
    "400 Parameter verification failed.\n"
    .. "arch: value 'sparc' does not have a value in the enumeration 'amd64, i386, arm64, armhf, riscv32, riscv64'\n"
    .. "cmode: value 'x' does not have a value in the enumeration 'shell, console, tty'\n"
    .. "ostype: value 'windows' does not have a value in the enumeration 'debian, devuan, ubuntu, centos, "
    .. "fedora, opensuse, archlinux, alpine, gentoo, nixos, unmanaged'\n" .. CREATE_USAGE)
end)

test("description length and tags", function(r)
  create_fails(r, { "100", "local:vztmpl/x.tar.gz", "--description", string.rep("x", 8193), "--tags", "ok;b@d" },
    "400 Parameter verification failed.\n"
    .. "description: value may only be 8192 characters long\n"
    .. "tags: invalid format - invalid characters in tag\n\n" .. CREATE_USAGE)
end)

test("net property string needs name", function(r)
  create_fails(r, { "100", "local:vztmpl/x.tar.gz", "--net0", "bridge=vmbr0,ip=dhcp" },
    "400 Parameter verification failed.\n"
    .. "net0: invalid format - format error\nnet0.name: property is missing and it is not optional\n\n"
    .. CREATE_USAGE)
end)

test("net property string sub-option checks", function(r)
  create_fails(r, { "100", "local:vztmpl/x.tar.gz", "--net0", "name=eth0,tag=5000,ip=10.0.0.300/24,firewall=maybe" },
    "400 Parameter verification failed.\n"
    .. "net0: invalid format - format error\n"
    .. "net0.firewall: type check ('boolean') failed - got 'maybe'\n"
    .. "net0.ip: invalid format - value does not look like a valid IPv4 network configuration\n\n"
    .. "net0.tag: value must have a maximum value of 4094\n\n" .. CREATE_USAGE)
end)

test("unknown key in a property string", function(r)
  create_fails(r, { "100", "local:vztmpl/x.tar.gz", "--features", "nesting=1,warp=1" },
    "400 Parameter verification failed.\n"
    .. "features: invalid format - invalid key in comma-separated list property: warp\n\n" .. CREATE_USAGE)
end)

test("mount point paths may not contain /../", function(r)
  create_fails(r, { "100", "local:vztmpl/x.tar.gz", "--rootfs", "local:1", "--mp0", "/srv,mp=/data/../etc" },
    "400 Parameter verification failed.\n"
    .. "mp0: invalid format - format error\n"
    .. "mp0.mp: invalid format - /data/../etc contains illegal character sequences\n\n\n" .. CREATE_USAGE)
end)

test("dev paths must be under /dev", function(r)
  create_fails(r, { "100", "local:vztmpl/x.tar.gz", "--dev0", "/etc/passwd" },
    "400 Parameter verification failed.\n"
    .. "dev0: invalid format - format error\n"
    .. "dev0.path: invalid format - /etc/passwd is not a valid device path\n\n\n" .. CREATE_USAGE)
end)

test("rootfs size and boolean sub-options", function(r)
  create_fails(r, { "100", "local:vztmpl/x.tar.gz", "--rootfs", "local:4,size=4Q" },
    "400 Parameter verification failed.\n"
    .. "rootfs: invalid format - format error\n"
    .. "rootfs.size: invalid format - value does not look like a valid disk size: 4Q\n\n\n" .. CREATE_USAGE)
end)

test("entrypoint and env patterns", function(r)
  create_fails(r, { "100", "local:vztmpl/x.tar.gz", "--entrypoint", "/bin/sh\n-c", "--env", "NOEQUALS" },
    "400 Parameter verification failed.\n"
    .. "entrypoint: value does not match the regex pattern\n"
    .. "env: value does not match the regex pattern\n" .. CREATE_USAGE)
end)

test("unknown option", function(r)
  create_fails(r, { "100", "local:vztmpl/x.tar.gz", "--bogus", "1" },
    "Unknown option: bogus\n400 unable to parse option\n" .. CREATE_USAGE)
end)

test("option missing its value", function(r)
  create_fails(r, { "100", "local:vztmpl/x.tar.gz", "--memory" },
    "Option memory requires an argument\n400 unable to parse option\n" .. CREATE_USAGE)
end)

test("boolean before the positional swallows it", function(r)
  -- Getopt takes "100" as --purge's value; pve-common checks the
  -- positionals before the booleans, so this is "not enough arguments".
  fails(r:pct("destroy", "--purge", "100"), 255, "400 not enough arguments\npct destroy <vmid> [OPTIONS]\n")
  -- with a positional left over the boolean check itself fires
  fails(r:pct("destroy", "--purge", "100", "101"), 255,
    "400 unable to parse boolean option\npct destroy <vmid> [OPTIONS]\n")
  fails(r:pct("destroy", "101", "--force", "perhaps"), 255,
    "400 unable to parse boolean option\npct destroy <vmid> [OPTIONS]\n")
end)

test("too many and too few arguments", function(r)
  fails(r:pct("start", "100", "101"), 255, "400 too many arguments\npct start <vmid> [OPTIONS]\n")
  fails(r:pct("create", "100"), 255, "400 not enough arguments\n" .. CREATE_USAGE)
  fails(r:pct("suspend"), 255, "400 not enough arguments\npct suspend <vmid>\n")
end)

test("option spellings: -opt, --opt=value, abbreviations, booleans with values", function(r)
  local t = r:template()
  H.succeeds(r:pct("create", "100", t, "-hostname", "a1", "--memory=64", "--swa", "0", "--onboot", "yes",
    "--unprivileged", "0", "--protection=false"))
  local conf = H.succeeds(r:pct("config", "100")).out
  contains(conf, "hostname: a1\n")
  contains(conf, "memory: 64\n")
  contains(conf, "swap: 0\n")
  contains(conf, "onboot: 1\n")
  contains(conf, "protection: 0\n")
  H.not_contains(conf, "unprivileged")
end)

test("ambiguous option prefix", function(r)
  local res = r:pct("create", "100", "local:vztmpl/x.tar.gz", "--c", "1")
  fails(res, 255)
  contains(res.err, "Option c is ambiguous (")
  contains(res.err, "400 unable to parse option\n")
end)

test("PVE_SIM_ROOT must be set", function(r)
  local util = require("util")
  local out, code = util.capture({ "env", "-u", "PVE_SIM_ROOT", H.sim_dir .. "/pct", "list" }, true)
  eq(code, 2, "exit code")
  contains(out, "PVE_SIM_ROOT is not set")
end)
