/* Logging: text on stderr by default; runc-shaped JSON lines
 * ({"level","msg","time"}) to --log FILE with --log-format json, so
 * containerd can read the last error; or the journal (--log journald) with
 * NEXCAGE_ID / NEXCAGE_VMID fields. The sink is process configuration, set
 * once from the command line. */
#ifndef NX_LOG_H
#define NX_LOG_H

#include <stdbool.h>

#include "util/error.h"

typedef enum { NX_LOG_DEBUG, NX_LOG_INFO, NX_LOG_WARN, NX_LOG_ERROR } nx_log_level;
typedef enum { NX_LOG_TEXT, NX_LOG_JSON } nx_log_format;

/* path: NULL for stderr, "journald" for the journal, else a file appended to. */
int log_setup(const char *path, nx_log_format format, bool debug, nx_err *err);
void log_set_container(const char *id);
void log_set_vmid(long vmid);
bool log_debug_enabled(void);
void nx_log(nx_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The final error of a command: logged, and also printed on stderr when the
 * log goes elsewhere (runc does the same, callers read either). */
void log_fatal(const char *msg);
void log_close(void);

#define log_debug(...) nx_log(NX_LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  nx_log(NX_LOG_INFO, __VA_ARGS__)
#define log_warn(...)  nx_log(NX_LOG_WARN, __VA_ARGS__)
#define log_error(...) nx_log(NX_LOG_ERROR, __VA_ARGS__)

#endif
