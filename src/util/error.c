#include "util/error.h"

#include <stdio.h>
#include <string.h>

void nx_err_clear(nx_err *err)
{
	if (!err)
		return;
	err->errnum = 0;
	err->kind = NX_ERR_OTHER;
	err->detail[0] = '\0';
	err->msg[0] = '\0';
}

static void err_vset(nx_err *err, const char *fmt, va_list ap)
{
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
}

static int err_vset_kind(nx_err *err, nx_err_kind kind, const char *fmt, va_list ap)
{
	if (!err)
		return -1;
	err_vset(err, fmt, ap);
	err->errnum = 0;
	err->kind = kind;
	err->detail[0] = '\0';
	return -1;
}

int nx_err_set(nx_err *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vset_kind(err, NX_ERR_OTHER, fmt, ap);
	va_end(ap);
	return -1;
}

int nx_err_kind_set(nx_err *err, nx_err_kind kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vset_kind(err, kind, fmt, ap);
	va_end(ap);
	return -1;
}

int nx_err_set_kind(nx_err *err, nx_err_kind kind, const char *detail)
{
	if (!err)
		return -1;
	err->kind = kind;
	snprintf(err->detail, sizeof err->detail, "%s", detail ? detail : "");
	return -1;
}

int nx_err_sys(nx_err *err, int errnum, const char *fmt, ...)
{
	if (!err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	err_vset(err, fmt, ap);
	va_end(ap);
	size_t len = strlen(err->msg);
	snprintf(err->msg + len, sizeof err->msg - len, ": %s", strerror(errnum));
	err->errnum = errnum;
	err->kind = NX_ERR_OTHER;
	err->detail[0] = '\0';
	return -1;
}

int nx_err_wrap(nx_err *err, const char *fmt, ...)
{
	if (!err)
		return -1;
	char prefix[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	char old[NX_ERR_MSG_MAX];
	memcpy(old, err->msg, sizeof old);
	snprintf(err->msg, sizeof err->msg, "%s: %s", prefix, old);
	return -1;
}
