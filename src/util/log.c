#define _GNU_SOURCE
#include "util/log.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/clock.h"

/* Process-wide logging configuration, written once by log_setup() from the
 * command line and read by every log call. */
static struct {
	int fd; /* -1: stderr text */
	nx_log_format format;
	bool journald;
	bool debug;
	char id[256];
	long vmid;
	/* libsystemd is loaded only when the journal is the sink: linking it
	 * pulls in seven libraries and costs every `state` ~0.4 ms. */
	void *libsystemd;
	int (*journal_send)(const char *format, ...);
} sink = {.fd = -1, .format = NX_LOG_TEXT, .vmid = -1};

static const char *level_name(nx_log_level level)
{
	switch (level) {
	case NX_LOG_DEBUG: return "debug";
	case NX_LOG_INFO: return "info";
	case NX_LOG_WARN: return "warning";
	default: return "error";
	}
}

static int level_priority(nx_log_level level)
{
	switch (level) {
	case NX_LOG_DEBUG: return 7;
	case NX_LOG_INFO: return 6;
	case NX_LOG_WARN: return 4;
	default: return 3;
	}
}

int log_setup(const char *path, nx_log_format format, bool debug, nx_err *err)
{
	sink.format = format;
	sink.debug = debug;
	if (!path || !*path)
		return 0;
	if (!strcmp(path, "journald")) {
		sink.journald = true;
		/* A host without libsystemd still runs; messages go to stderr. */
		sink.libsystemd = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
		if (sink.libsystemd)
			*(void **)&sink.journal_send = dlsym(sink.libsystemd, "sd_journal_send");
		return 0;
	}
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
	if (fd < 0)
		return nx_err_sys(err, errno, "open log file %s", path);
	sink.fd = fd;
	return 0;
}

void log_set_container(const char *id)
{
	snprintf(sink.id, sizeof sink.id, "%s", id ? id : "");
}

void log_set_vmid(long vmid)
{
	sink.vmid = vmid;
}

bool log_debug_enabled(void)
{
	return sink.debug;
}

static void write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return; /* logging must never fail a command */
		}
		s += w;
		n -= (size_t)w;
	}
}

static void emit_json(int fd, nx_log_level level, const char *msg)
{
	char ts[64];
	clock_rfc3339(ts, sizeof ts);
	nx_buf b = {0};
	buf_puts(&b, "{\"level\":");
	buf_json_string(&b, level_name(level));
	buf_puts(&b, ",\"msg\":");
	buf_json_string(&b, msg);
	buf_puts(&b, ",\"time\":");
	buf_json_string(&b, ts);
	if (sink.id[0]) {
		buf_puts(&b, ",\"id\":");
		buf_json_string(&b, sink.id);
	}
	if (sink.vmid >= 0)
		buf_printf(&b, ",\"vmid\":%ld", sink.vmid);
	buf_puts(&b, "}\n");
	write_all(fd, b.data, b.len);
	buf_free(&b);
}

static void emit_text_file(int fd, nx_log_level level, const char *msg)
{
	char ts[64];
	clock_rfc3339(ts, sizeof ts);
	nx_buf b = {0};
	buf_printf(&b, "time=\"%s\" level=%s msg=", ts, level_name(level));
	buf_json_string(&b, msg);
	buf_puts(&b, "\n");
	write_all(fd, b.data, b.len);
	buf_free(&b);
}

static void emit_stderr(nx_log_level level, const char *msg)
{
	nx_buf b = {0};
	buf_printf(&b, "nexcage: %s: %s\n", level_name(level), msg);
	write_all(STDERR_FILENO, b.data, b.len);
	buf_free(&b);
}

static bool emit_journal(nx_log_level level, const char *msg)
{
	char vmid[32] = "";
	if (sink.vmid >= 0)
		snprintf(vmid, sizeof vmid, "%ld", sink.vmid);
	if (!sink.journal_send)
		return false;
	int rc = sink.journal_send("MESSAGE=%s", msg, "PRIORITY=%d", level_priority(level),
				   "SYSLOG_IDENTIFIER=nexcage", "NEXCAGE_ID=%s", sink.id, "NEXCAGE_VMID=%s",
				   vmid, NULL);
	return rc >= 0;
}

/* Returns true when the message went to stderr. */
static bool emit(nx_log_level level, const char *msg)
{
	if (sink.journald) {
		/* No journal (a container, a minimal host): fall back to stderr
		 * rather than lose the message or fail the command. */
		if (emit_journal(level, msg))
			return false;
		emit_stderr(level, msg);
		return true;
	}
	if (sink.fd < 0) {
		/* A terminal gets warnings and errors; info is for log files,
		 * the journal and --debug (runc prints nothing on success). */
		if (level >= NX_LOG_WARN || sink.debug)
			emit_stderr(level, msg);
		return true;
	}
	if (sink.format == NX_LOG_JSON)
		emit_json(sink.fd, level, msg);
	else
		emit_text_file(sink.fd, level, msg);
	return false;
}

void nx_log(nx_log_level level, const char *fmt, ...)
{
	if (level == NX_LOG_DEBUG && !sink.debug)
		return;
	char msg[NX_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	(void)emit(level, msg);
}

void log_fatal(const char *msg)
{
	if (!emit(NX_LOG_ERROR, msg)) {
		write_all(STDERR_FILENO, msg, strlen(msg));
		write_all(STDERR_FILENO, "\n", 1);
	}
}

void log_close(void)
{
	if (sink.fd >= 0)
		close(sink.fd);
	sink.fd = -1;
}
