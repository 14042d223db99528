#define _GNU_SOURCE
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "util/log.h"
#include "luahost/lua_host.h"
#include "util/version.h"

static const nx_command commands[] = {
    {"create", "create a container from an OCI bundle (the program is held until start)",
     "create [flags] <container-id> [<bundle>]",
     "  -b, --bundle DIR        bundle directory (default: the current directory)\n"
     "      --pid-file FILE     write the pid of the container's stand-in to FILE (it exits as the\n"
     "                          program does; reap it for the status)\n"
     "      --console-socket S  unix socket that receives the pty master (terminal: true)\n"
     "      --no-pivot          accepted for runc compatibility (ignored)\n"
     "      --no-new-keyring    accepted for runc compatibility (ignored)\n"
     "      --preserve-fds N    pass fds 3 .. 3+N-1 (each open in the caller) to the program as well\n",
     cmd_create},
    {"start", "run the user program of a created container", "start <container-id>", "", cmd_start},
    {"state", "print the OCI state of a container as JSON", "state <container-id>", "", cmd_state},
    {"kill", "send a signal to the container's process", "kill [flags] <container-id> [<signal>]",
     "  -a, --all               signal every process of the container\n"
     "  <signal>                name (TERM, SIGTERM) or number; default TERM\n",
     cmd_kill},
    {"delete", "remove a stopped container and its Proxmox CT", "delete [flags] <container-id>",
     "  -f, --force             kill a running container first; a missing id succeeds\n", cmd_delete},
    {"list", "list containers", "list [flags]",
     "  -f, --format table|json output format (default table)\n"
     "  -q, --quiet             print only the container ids\n",
     cmd_list},
    {"run", "create and start a container", "run [flags] <container-id> [<bundle>]",
     "  -b, --bundle DIR        bundle directory (default: the current directory)\n"
     "      --pid-file FILE     write the container process's host pid to FILE\n"
     "      --console-socket S  unix socket that receives the pty master\n"
     "  -d, --detach            return after start instead of waiting for the exit\n"
     "      --keep              keep the container after it exits (foreground only)\n",
     cmd_run},
    {"exec", "run a new process inside a running container",
     "exec [flags] <container-id> [<command> [args...]]",
     "  -p, --process FILE      process.json describing the process\n"
     "  -d, --detach            do not wait for the process\n"
     "      --pid-file FILE     write the pid of the process's stand-in to FILE (it exits as the\n"
     "                          process does; reap it for the status)\n"
     "      --cwd DIR           working directory inside the container\n"
     "  -e, --env NAME=VALUE    set an environment variable (repeatable)\n"
     "  -t, --tty               allocate a pseudo terminal (its master goes to --console-socket)\n"
     "      --console-socket S  unix socket that receives the pty master\n"
     "      --preserve-fds N    pass fds 3 .. 3+N-1 (each open in the caller) to the process as well\n"
     "  -u, --user UID[:GID]    user to run as\n",
     cmd_exec},
    {"ps", "list the processes of a container", "ps [flags] <container-id>",
     "  -f, --format table|json output format (json: an array of host pids)\n", cmd_ps},
    {"pause", "freeze every process of a container", "pause <container-id>", "", cmd_pause},
    {"resume", "thaw a paused container", "resume <container-id>", "", cmd_pause},
    {"update", "change a container's resource limits", "update [flags] <container-id>",
     "  -r, --resources FILE|-  linux.resources JSON\n", cmd_update},
    {"spec", "write a default config.json suited to a Proxmox container", "spec [flags]",
     "  -b, --bundle DIR        where to write config.json (default: current directory)\n"
     "      --rootless          a spec for an unprivileged (user-namespaced) container\n",
     cmd_spec},
    {"features", "print the features document (OCI features.md)", "features", "", cmd_features},
    {"validate", "parse and validate a bundle's config.json, report every problem", "validate [flags]",
     "  -b, --bundle DIR        bundle directory (default: the current directory)\n", cmd_validate},
    {"translate", "dry run: print the Proxmox plan for a bundle without touching Proxmox",
     "translate [flags]",
     "  -b, --bundle DIR        bundle directory (default: the current directory)\n"
     "      --format json|pct   the plan as JSON, or the pct create command line and raw keys\n",
     cmd_translate},
    {"gc", "destroy Proxmox CTs made by nexcage whose state is gone", "gc [flags]",
     "  -n, --dry-run           only list what would be removed\n", cmd_gc},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const char global_flags[] =
    "  --root DIR              state directory (default " NX_DEFAULT_ROOT ")\n"
    "  --log FILE              log to FILE, or to the journal with --log journald\n"
    "  --log-format text|json  log line format (json: runc-shaped lines)\n"
    "  --debug                 debug logging; Lua errors carry a traceback\n"
    "  --systemd-cgroup        accepted for compatibility (Proxmox manages cgroups)\n"
    "  --lua-path DIR          site Lua directory (default " NX_DEFAULT_SITE_LUA ", env NEXCAGE_LUA_PATH)\n"
    "  --config FILE           site configuration (default " NX_DEFAULT_CONFIG ", env NEXCAGE_CONFIG)\n"
    "  -v, --version           print the version\n"
    "  -h, --help              show this help\n";

static const nx_command *command_find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void print_version(void)
{
	printf("nexcage version %s\nspec: %s\nlua: %s\n", NX_VERSION, NX_OCI_VERSION, nxlua_release());
}

static void print_help(FILE *f)
{
	fprintf(f, "nexcage - an OCI runtime for Proxmox VE\n\n"
		   "usage: nexcage [global flags] <command> [flags] [arguments]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "  %-10s %s\n", "help", "show help for nexcage or a command");
	fprintf(f, "\nglobal flags:\n%s\nRun 'nexcage help <command>' for a command's flags.\n",
		global_flags);
}

static void print_command_help(FILE *f, const nx_command *c)
{
	fprintf(f, "nexcage %s - %s\n\nusage: nexcage %s\n", c->name, c->summary, c->usage);
	if (c->flags[0])
		fprintf(f, "\nflags:\n%s", c->flags);
	fprintf(f, "  -h, --help              show this help\n");
}

int cli_bool_flag(const char *cmd, int argc, char **argv, const char *longname, char shortname, bool *flag,
		  nx_err *err)
{
	const struct option longopts[] = {{longname, no_argument, NULL, shortname}, {NULL, 0, NULL, 0}};
	const char shortopts[] = {shortname, '\0'};
	int c;
	*flag = false;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c != shortname)
			return cli_usage_error(cmd, err, "unknown flag '%s'", argv[optind - 1]);
		*flag = true;
	}
	return 0;
}

/* Descriptors 3 .. inherited_end-1 were all open when nexcage started:
 * the caller's. --preserve-fds may name only those; any higher number
 * is (or becomes) one nexcage opened itself, a lock file or the host's
 * process-event socket, and must never reach the program. */
static int inherited_end = 3;

static void record_inherited_fds(void)
{
	inherited_end = 3;
	while (inherited_end < 3 + PRESERVE_FDS_MAX && fcntl(inherited_end, F_GETFD) >= 0)
		inherited_end++;
}

int cli_preserve_fds(const char *cmd, const char *arg, int *n, nx_err *err)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (errno || *end || !*arg || v < 0 || v > PRESERVE_FDS_MAX)
		return cli_usage_error(cmd, err, "--preserve-fds: a number from 0 to %d", PRESERVE_FDS_MAX);
	if (3 + v > inherited_end)
		return nx_err_set(err,
				  "%s: --preserve-fds %ld: descriptor %d was not open when nexcage started "
				  "(the caller passed %d beyond 0-2)",
				  cmd, v, inherited_end, inherited_end - 3);
	*n = (int)v;
	return 0;
}

int cli_usage_error(const char *cmd, nx_err *err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	const nx_command *c = command_find(cmd);
	nx_err_set(err, "%s: %s (usage: nexcage %s)", cmd, msg, c ? c->usage : cmd);
	return -1;
}

/* --help anywhere among a command's flags (before its first positional for
 * exec, whose command line belongs to the container). */
static bool wants_help(int argc, char **argv)
{
	bool stop_at_positional = !strcmp(argv[0], "exec");
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return false;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
		if (stop_at_positional && argv[i][0] != '-')
			return false;
	}
	return false;
}

enum {
	OPT_ROOT = 256,
	OPT_LOG,
	OPT_LOG_FORMAT,
	OPT_DEBUG,
	OPT_SYSTEMD_CGROUP,
	OPT_LUA_PATH,
	OPT_CONFIG,
	OPT_ROOTLESS
};

/* Returns the index of the command name in argv, or -1 (err set), or 0
 * when the run is complete (help, version). */
static int parse_global(int argc, char **argv, nx_opts *opts, nx_err *err)
{
	static const struct option longopts[] = {
	    {"root", required_argument, NULL, OPT_ROOT},
	    {"log", required_argument, NULL, OPT_LOG},
	    {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
	    {"debug", no_argument, NULL, OPT_DEBUG},
	    {"systemd-cgroup", no_argument, NULL, OPT_SYSTEMD_CGROUP},
	    {"rootless", required_argument, NULL, OPT_ROOTLESS},
	    {"lua-path", required_argument, NULL, OPT_LUA_PATH},
	    {"config", required_argument, NULL, OPT_CONFIG},
	    {"version", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "+vh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT: opts->root = optarg; break;
		case OPT_LOG: opts->log_path = optarg; break;
		case OPT_LOG_FORMAT:
			if (!strcmp(optarg, "json"))
				opts->log_format = NX_LOG_JSON;
			else if (!strcmp(optarg, "text"))
				opts->log_format = NX_LOG_TEXT;
			else
				return nx_err_set(err, "invalid log format \"%s\" (text or json)", optarg);
			break;
		case OPT_DEBUG: opts->debug = true; break;
		case OPT_SYSTEMD_CGROUP: opts->systemd_cgroup = true; break;
		case OPT_ROOTLESS: break; /* runc's --rootless auto|true|false: nexcage always runs as root */
		case OPT_LUA_PATH: opts->site_lua_dir = optarg; break;
		case OPT_CONFIG:
			opts->config_path = optarg;
			opts->config_explicit = true;
			break;
		case 'v': print_version(); return 0;
		case 'h': print_help(stdout); return 0;
		default:
			return nx_err_set(err, "unknown global flag '%s' (see 'nexcage help')",
					  argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		print_help(stderr);
		return nx_err_set(err, "no command given");
	}
	return optind;
}

static void opts_from_env(nx_opts *opts)
{
	const char *v;
	opts->root = NX_DEFAULT_ROOT;
	opts->hooks_path = (v = getenv("NEXCAGE_HOOKS_PATH")) && *v ? v : NX_DEFAULT_SITE_HOOKS;
	opts->state_dir = (v = getenv("NEXCAGE_STATE_DIR")) && *v ? v : NX_DEFAULT_STATE_DIR;
	opts->site_lua_dir = (v = getenv("NEXCAGE_LUA_PATH")) && *v ? v : NX_DEFAULT_SITE_LUA;
	if ((v = getenv("NEXCAGE_CONFIG")) && *v) {
		opts->config_path = v;
		opts->config_explicit = true;
	}
}

/* One spelling per state root: the mapping records which root owns a
 * container, so "/run/x/", "/run//x" and "x" from /run must be one root. */
static void normalize_root(nx_opts *opts)
{
	static char canon[PATH_MAX];
	char joined[PATH_MAX];
	if (realpath(opts->root, canon)) {
		opts->root = canon;
		return;
	}
	char cwd[PATH_MAX] = "";
	if (opts->root[0] != '/' && !getcwd(cwd, sizeof cwd))
		return;
	snprintf(joined, sizeof joined, "%s/%s", cwd, opts->root);
	size_t o = 0;
	for (const char *p = joined; *p && o + 1 < sizeof canon; p++)
		if (!(*p == '/' && o > 0 && canon[o - 1] == '/'))
			canon[o++] = *p;
	while (o > 1 && canon[o - 1] == '/')
		o--;
	canon[o] = '\0';
	opts->root = canon;
}

static int dispatch(nx_opts *opts, int argc, char **argv, nx_err *err)
{
	const char *name = argv[0];
	if (!strcmp(name, "help")) {
		const nx_command *c = argc > 1 ? command_find(argv[1]) : NULL;
		if (argc > 1 && !c)
			return nx_err_set(err, "unknown command '%s' (see 'nexcage help')", argv[1]);
		if (c)
			print_command_help(stdout, c);
		else
			print_help(stdout);
		return 0;
	}
	const nx_command *c = command_find(name);
	if (!c)
		return nx_err_set(err, "unknown command '%s' (see 'nexcage help')", name);
	if (wants_help(argc, argv)) {
		print_command_help(stdout, c);
		return 0;
	}
	nx_ctx ctx = {.opts = opts};
	optind = 1;
	int rc = c->run(&ctx, argc, argv, err);
	ctx_free(&ctx);
	return rc;
}

int cli_main(int argc, char **argv)
{
	/* A hook, pct, a console reader or a socket peer that goes away must
	 * be an EPIPE error on that one write, never the death of nexcage
	 * midway through an operation (the rollback would not run). Children
	 * get the default back before exec (spawn.c). */
	signal(SIGPIPE, SIG_IGN);
	/* before nexcage opens anything of its own */
	record_inherited_fds();
	/* A caller with a closed 0, 1 or 2 (`<&-`): the next file nexcage opens
	 * would take that number, and create hands 0-2 to the program, which
	 * would then read from a lock file or a socket. /dev/null fills them. */
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			return 1;
	nx_opts opts = {0};
	nx_err err = {0};
	opts_from_env(&opts);
	int rc = 0;
	int cmd_index = parse_global(argc, argv, &opts, &err);
	if (cmd_index < 0) {
		log_fatal(err.msg);
		return 1;
	}
	if (cmd_index == 0)
		return 0;
	normalize_root(&opts);
	if (log_setup(opts.log_path, opts.log_format, opts.debug, &err) < 0) {
		log_fatal(err.msg);
		return 1;
	}
	rc = dispatch(&opts, argc - cmd_index, argv + cmd_index, &err);
	if (rc < 0) {
		log_fatal(err.msg);
		rc = 1;
	}
	fflush(stdout);
	log_close();
	return rc;
}
