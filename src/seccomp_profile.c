#define _GNU_SOURCE
#include "seccomp_profile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int why_line(char *why, size_t n, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int why_line(char *why, size_t n, int line, const char *fmt, ...)
{
	int k = snprintf(why, n, "line %d: ", line);
	va_list ap;
	va_start(ap, fmt);
	if (k >= 0 && (size_t)k < n)
		vsnprintf(why + k, n - (size_t)k, fmt, ap);
	va_end(ap);
	return -1;
}

/* A decimal without sign or leading zeros, at most max. */
static bool decimal(const char *s, size_t len, unsigned long long max)
{
	if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
		return false;
	char buf[24];
	memcpy(buf, s, len);
	buf[len] = 0;
	if (strspn(buf, "0123456789") != len)
		return false;
	errno = 0;
	unsigned long long v = strtoull(buf, NULL, 10);
	return errno == 0 && v <= max;
}

/* The actions nexcage writes; LXC's "notify" needs a proxy Proxmox drops. */
static bool action(const char *s, size_t len)
{
	if ((len == 5 && !memcmp(s, "allow", 5)) || (len == 4 && !memcmp(s, "kill", 4)) ||
	    (len == 4 && !memcmp(s, "trap", 4)))
		return true;
	return len > 6 && !memcmp(s, "errno ", 6) && decimal(s + 6, len - 6, 65535);
}

static bool operator(const char *s, size_t len, bool *masked)
{
	static const char *const ops[] = {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",	      "SCMP_CMP_EQ",
					  "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL};
	for (const char *const *o = ops; *o; o++)
		if (strlen(*o) == len && !memcmp(s, *o, len)) {
			*masked = !strcmp(*o, "SCMP_CMP_MASKED_EQ");
			return true;
		}
	return false;
}

/* [index,value,op] or [index,datum,SCMP_CMP_MASKED_EQ,mask] */
static bool comparison(const char *s, size_t len)
{
	if (len < 2 || s[0] != '[' || s[len - 1] != ']')
		return false;
	const char *p = s + 1, *end = s + len - 1;
	const char *f[5];
	size_t fl[5];
	int nf = 0;
	while (nf < 5) {
		const char *c = memchr(p, ',', (size_t)(end - p));
		f[nf] = p;
		fl[nf++] = (size_t)((c ? c : end) - p);
		if (!c)
			break;
		p = c + 1;
	}
	bool masked = false;
	if (nf < 3 || nf > 4 || !decimal(f[0], fl[0], 5) || !decimal(f[1], fl[1], ~0ULL) ||
	    !operator(f[2], fl[2], &masked))
		return false;
	return masked ? nf == 4 && decimal(f[3], fl[3], ~0ULL) : nf == 3;
}

static bool arch_section(const char *s, size_t len)
{
	static const char *const archs[] = {
	    "[all]",	"[x86]",      "[x86_64]",      "[x32]",	 "[arm]",    "[arm64]",
	    "[ppc]",	"[ppc64]",    "[ppc64le]",     "[mips]", "[mips64]", "[mips64n32]",
	    "[mipsel]", "[mipsel64]", "[mipsel64n32]", "[s390]", "[s390x]",  NULL};
	for (const char *const *a = archs; *a; a++)
		if (strlen(*a) == len && !memcmp(s, *a, len))
			return true;
	return false;
}

/* name action [cmp]... with single spaces, at most 6 comparisons. */
static int rule_line(const char *s, size_t len, int line, char *why, size_t n)
{
	size_t name = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_");
	if (name == 0 || name >= len || s[name] != ' ')
		return why_line(why, n, line, "expected '<syscall> <action>', a name of [a-z0-9_]");
	const char *a = s + name + 1, *end = s + len;
	const char *bracket = memchr(a, '[', (size_t)(end - a));
	size_t alen = (size_t)((bracket ? bracket - 1 : end) - a);
	if (bracket && (bracket == a || bracket[-1] != ' '))
		return why_line(why, n, line, "expected an action before the comparisons");
	if (!action(a, alen))
		return why_line(why, n, line, "the action must be allow, kill, trap or errno <0-65535>");
	int ncmp = 0;
	for (const char *p = bracket; p && p < end;) {
		const char *close = memchr(p, ']', (size_t)(end - p));
		if (!close || !comparison(p, (size_t)(close - p + 1)))
			return why_line(
			    why, n, line,
			    "a comparison must be [index,value,op] or [index,datum,SCMP_CMP_MASKED_EQ,mask]");
		if (++ncmp > 6)
			return why_line(why, n, line, "at most 6 comparisons");
		p = close + 1;
		if (p < end && (*p != ' ' || p + 1 == end || p[1] != '['))
			return why_line(why, n, line, "comparisons are separated by one space");
		if (p < end)
			p++;
	}
	return 0;
}

int seccomp_profile_check(const char *text, char *why, size_t n)
{
	size_t total = strlen(text);
	if (total > NX_SECCOMP_PROFILE_MAX)
		return why_line(why, n, 0, "the profile is larger than %d bytes", NX_SECCOMP_PROFILE_MAX);
	if (total == 0 || text[total - 1] != '\n')
		return why_line(why, n, 0, "the profile must end with a newline");
	int line = 0;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = (size_t)(nl - p);
		line++;
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
				return why_line(why, n, line, "contains a control character");
		if (line == 1) {
			if (len != 1 || p[0] != '2')
				return why_line(why, n, line, "must be 2 (LXC's version-2 format)");
		} else if (line == 2) {
			bool allow = len > 10 && !memcmp(p, "allowlist ", 10);
			bool deny = len > 9 && !memcmp(p, "denylist ", 9);
			size_t skip = allow ? 10 : 9;
			if ((!allow && !deny) || !action(p + skip, len - skip))
				return why_line(why, n, line,
						"must be 'allowlist <action>' or 'denylist <action>'");
		} else if (len > 0 && p[0] == '[') {
			if (!arch_section(p, len))
				return why_line(why, n, line, "not an architecture section LXC knows");
		} else if (rule_line(p, len, line, why, n) < 0) {
			return -1;
		}
		p = nl + 1;
	}
	if (line < 2)
		return why_line(why, n, line, "the profile needs the version and policy lines");
	return 0;
}
