#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/signals.h"

static const struct {
	const char *name;
	int number;
} signal_names[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},	      {"QUIT", SIGQUIT}, {"ILL", SIGILL},     {"TRAP", SIGTRAP},
    {"ABRT", SIGABRT}, {"IOT", SIGIOT},	      {"BUS", SIGBUS},	 {"FPE", SIGFPE},     {"KILL", SIGKILL},
    {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},     {"USR2", SIGUSR2}, {"PIPE", SIGPIPE},   {"ALRM", SIGALRM},
    {"TERM", SIGTERM}, {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},   {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU}, {"URG", SIGURG},     {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO},
    {"POLL", SIGPOLL}, {"PWR", SIGPWR},	      {"SYS", SIGSYS},
};

int signal_parse(const char *s, int *sig, nx_err *err)
{
	char *end;
	long n = strtol(s, &end, 10);
	if (*s && !*end) {
		if (n <= 0 || n > SIGRTMAX)
			return nx_err_set(err, "invalid signal: %s", s);
		*sig = (int)n;
		return 0;
	}
	const char *name = strncasecmp(s, "SIG", 3) ? s : s + 3;
	for (size_t i = 0; i < sizeof signal_names / sizeof signal_names[0]; i++)
		if (!strcasecmp(name, signal_names[i].name)) {
			*sig = signal_names[i].number;
			return 0;
		}
	/* RTMIN+n / RTMAX-n */
	if (!strncasecmp(name, "RTMIN", 5) || !strncasecmp(name, "RTMAX", 5)) {
		bool min = !strncasecmp(name, "RTMIN", 5);
		long off = name[5] ? strtol(name + 5, &end, 10) : 0;
		if (!name[5] || (!*end && ((min && off >= 0) || (!min && off <= 0)))) {
			int v = (min ? SIGRTMIN : SIGRTMAX) + (int)off;
			if (v >= SIGRTMIN && v <= SIGRTMAX) {
				*sig = v;
				return 0;
			}
		}
	}
	return nx_err_set(err, "unknown signal \"%s\"", s);
}
