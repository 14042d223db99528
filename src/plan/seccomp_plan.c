#define _GNU_SOURCE
#include "plan/seccomp_plan.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/seccomp.h>

/* A line split at single spaces: name, action (one or two words), then
 * at most six comparisons; anything longer is already wrong. */
#define MAX_TOKENS 12

typedef struct token {
	const char *s;
	size_t len;
} token;

static int why_line(char *why, size_t n, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int why_line(char *why, size_t n, unsigned line, const char *fmt, ...)
{
	int k = snprintf(why, n, "line %u: ", line);
	va_list ap;
	va_start(ap, fmt);
	if (k >= 0 && (size_t)k < n)
		vsnprintf(why + k, n - (size_t)k, fmt, ap);
	va_end(ap);
	return -1;
}

static bool is(const token *t, const char *word)
{
	return t->len == strlen(word) && !memcmp(t->s, word, t->len);
}

/* A decimal without sign or leading zeros, at most max. */
static bool decimal(const char *s, size_t len, unsigned long long max, unsigned long long *v)
{
	if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
		return false;
	char buf[24];
	memcpy(buf, s, len);
	buf[len] = 0;
	if (strspn(buf, "0123456789") != len)
		return false;
	errno = 0;
	*v = strtoull(buf, NULL, 10);
	return errno == 0 && *v <= max;
}

/* Single spaces between fields, none at either end. */
static int split(const char *s, size_t len, token *t, size_t *nt, unsigned line, char *why, size_t n)
{
	*nt = 0;
	for (size_t i = 0; i <= len;) {
		size_t e = i;
		while (e < len && s[e] != ' ')
			e++;
		if (e == i)
			return why_line(why, n, line, "fields are separated by one space");
		if (*nt == MAX_TOKENS)
			return why_line(why, n, line, "too many fields");
		t[(*nt)++] = (token){s + i, e - i};
		i = e + 1;
	}
	return 0;
}

/* allow | errno N | kill_thread | kill_process | trap | trace N | log,
 * starting at t[*i]; *i moves past it. */
static int action(const token *t, size_t nt, size_t *i, uint32_t *out, unsigned line, char *why, size_t n)
{
	static const struct {
		const char *word;
		uint32_t value;
	} plain[] = {{"allow", SCMP_ACT_ALLOW},
		     {"kill_thread", SCMP_ACT_KILL_THREAD},
		     {"kill_process", SCMP_ACT_KILL_PROCESS},
		     {"trap", SCMP_ACT_TRAP},
		     {"log", SCMP_ACT_LOG}};
	if (*i >= nt)
		return why_line(why, n, line, "an action is missing");
	const token *a = &t[(*i)++];
	for (size_t k = 0; k < sizeof plain / sizeof plain[0]; k++)
		if (is(a, plain[k].word)) {
			*out = plain[k].value;
			return 0;
		}
	bool errno_act = is(a, "errno");
	if (!errno_act && !is(a, "trace"))
		return why_line(why, n, line,
				"%.*s is not an action (allow, errno N, kill_thread, kill_process, trap, "
				"trace N, log)",
				(int)a->len, a->s);
	unsigned long long v;
	if (*i >= nt || !decimal(t[*i].s, t[*i].len, 65535, &v))
		return why_line(why, n, line, "%s takes a number from 0 to 65535",
				errno_act ? "errno" : "trace");
	(*i)++;
	*out = errno_act ? SCMP_ACT_ERRNO((uint32_t)v) : SCMP_ACT_TRACE((uint32_t)v);
	return 0;
}

static bool operator(const char *s, size_t len, enum scmp_compare *op)
{
	static const struct {
		const char *word;
		enum scmp_compare op;
	} ops[] = {{"eq", SCMP_CMP_EQ},
		   {"ne", SCMP_CMP_NE},
		   {"lt", SCMP_CMP_LT},
		   {"le", SCMP_CMP_LE},
		   {"ge", SCMP_CMP_GE},
		   {"gt", SCMP_CMP_GT},
		   {"masked_eq", SCMP_CMP_MASKED_EQ}};
	for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
		if (strlen(ops[k].word) == len && !memcmp(s, ops[k].word, len)) {
			*op = ops[k].op;
			return true;
		}
	return false;
}

/* [index,op,value] or [index,masked_eq,mask,value] */
static bool comparison(const token *t, struct scmp_arg_cmp *c)
{
	if (t->len < 2 || t->s[0] != '[' || t->s[t->len - 1] != ']')
		return false;
	const char *p = t->s + 1, *end = t->s + t->len - 1;
	const char *f[5];
	size_t fl[5];
	int nf = 0;
	while (nf < 5) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		f[nf] = p;
		fl[nf++] = (size_t)((comma ? comma : end) - p);
		if (!comma)
			break;
		p = comma + 1;
	}
	unsigned long long index, a, b = 0;
	enum scmp_compare op;
	if (nf < 3 || nf > 4 || !decimal(f[0], fl[0], 5, &index) || !operator(f[1], fl[1], &op) ||
	    !decimal(f[2], fl[2], ~0ULL, &a))
		return false;
	if ((op == SCMP_CMP_MASKED_EQ) != (nf == 4) || (nf == 4 && !decimal(f[3], fl[3], ~0ULL, &b)))
		return false;
	*c = (struct scmp_arg_cmp){.arg = (unsigned)index, .op = op, .datum_a = a, .datum_b = b};
	return true;
}

static int rule(const token *t, size_t nt, unsigned line, nx_seccomp_rule *r, char *why, size_t n)
{
	*r = (nx_seccomp_rule){.line = line};
	if (t[0].len > NX_SECCOMP_NAME_MAX ||
	    strspn(t[0].s, "abcdefghijklmnopqrstuvwxyz0123456789_") < t[0].len)
		return why_line(why, n, line, "%.*s is not a system call name ([a-z0-9_], at most %d)",
				(int)t[0].len, t[0].s, NX_SECCOMP_NAME_MAX);
	memcpy(r->name, t[0].s, t[0].len);
	size_t i = 1;
	if (action(t, nt, &i, &r->action, line, why, n) < 0)
		return -1;
	unsigned seen = 0;
	for (; i < nt; i++) {
		struct scmp_arg_cmp *c = &r->cmp[r->ncmp];
		if (r->ncmp == NX_SECCOMP_ARGS_MAX || !comparison(&t[i], c))
			return why_line(
			    why, n, line,
			    "%.*s: a comparison is [index,op,value] or [index,masked_eq,mask,value], "
			    "index 0-5, op eq ne lt le ge gt, at most 6",
			    (int)t[i].len, t[i].s);
		if (seen & (1u << c->arg))
			return why_line(why, n, line,
					"argument %u is compared twice: the comparisons of a line are ANDed "
					"and name distinct arguments (one line each to OR them)",
					c->arg);
		seen |= 1u << c->arg;
		r->ncmp++;
	}
	return 0;
}

static int arch_line(const token *t, size_t nt, unsigned line, nx_seccomp_plan *p, char *why, size_t n)
{
	char name[32];
	if (nt != 2 || t[1].len >= sizeof name)
		return why_line(why, n, line, "expected 'arch <name>'");
	memcpy(name, t[1].s, t[1].len);
	name[t[1].len] = 0;
	uint32_t arch = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == t[1].len
			    ? seccomp_arch_resolve_name(name)
			    : 0;
	if (!arch)
		return why_line(why, n, line, "%s is not an architecture libseccomp %u.%u knows", name,
				SCMP_VER_MAJOR, SCMP_VER_MINOR);
	for (size_t i = 0; i < p->narchs; i++)
		if (p->archs[i] == arch)
			return 0;
	if (p->narchs == NX_SECCOMP_ARCHS_MAX)
		return why_line(why, n, line, "too many architectures");
	p->archs[p->narchs++] = arch;
	return 0;
}

static int flag_line(const token *t, size_t nt, unsigned line, nx_seccomp_plan *p, char *why, size_t n)
{
	if (nt == 2 && is(&t[1], "tsync"))
		p->flags |= SECCOMP_FILTER_FLAG_TSYNC;
	else if (nt == 2 && is(&t[1], "log"))
		p->flags |= SECCOMP_FILTER_FLAG_LOG;
	else if (nt == 2 && is(&t[1], "spec_allow"))
		p->flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	else
		return why_line(why, n, line, "expected 'flag tsync', 'flag log' or 'flag spec_allow'");
	return 0;
}

static int push_rule(nx_seccomp_plan *p, size_t *cap, const nx_seccomp_rule *r, char *why, size_t n)
{
	if (p->nrules == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		p->rules = xreallocarray(p->rules, c, sizeof *p->rules);
		*cap = c;
	}
	p->rules[p->nrules++] = *r;
	return 0;
}

/* One line after the header: default, arch, flag, or a system call. */
static int line_of(const char *s, size_t len, unsigned line, bool *in_rules, nx_seccomp_plan *p, size_t *cap,
		   char *why, size_t n)
{
	token t[MAX_TOKENS];
	size_t nt;
	if (split(s, len, t, &nt, line, why, n) < 0)
		return -1;
	if (line == 2) {
		size_t i = 1;
		if (!is(&t[0], "default"))
			return why_line(why, n, line, "must be 'default <action>'");
		if (action(t, nt, &i, &p->def, line, why, n) < 0)
			return -1;
		return i == nt ? 0 : why_line(why, n, line, "must be 'default <action>'");
	}
	bool arch = is(&t[0], "arch"), flag = is(&t[0], "flag");
	if ((arch || flag) && *in_rules)
		return why_line(why, n, line, "arch and flag lines come before the system calls");
	if (arch)
		return arch_line(t, nt, line, p, why, n);
	if (flag)
		return flag_line(t, nt, line, p, why, n);
	if (is(&t[0], "default"))
		return why_line(why, n, line, "a second default");
	*in_rules = true;
	nx_seccomp_rule r;
	if (rule(t, nt, line, &r, why, n) < 0)
		return -1;
	return push_rule(p, cap, &r, why, n);
}

int seccomp_plan_parse(const char *text, nx_seccomp_plan *p, char *why, size_t n)
{
	memset(p, 0, sizeof *p);
	size_t total = strlen(text);
	if (total > NX_SECCOMP_PROFILE_MAX)
		return why_line(why, n, 0, "the text is larger than %d bytes", NX_SECCOMP_PROFILE_MAX);
	if (total == 0 || text[total - 1] != '\n')
		return why_line(why, n, 0, "the text must end with a newline");
	unsigned line = 0;
	size_t cap = 0;
	bool in_rules = false;
	for (const char *s = text; *s;) {
		const char *nl = strchr(s, '\n');
		size_t len = (size_t)(nl - s);
		line++;
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
				goto bad_char;
		if (line == 1) {
			if (len != strlen(NX_SECCOMP_HEADER) || memcmp(s, NX_SECCOMP_HEADER, len))
				goto bad_header;
		} else if (line_of(s, len, line, &in_rules, p, &cap, why, n) < 0) {
			goto fail;
		}
		s = nl + 1;
	}
	if (line < 2) {
		why_line(why, n, line, "a default action is missing");
		goto fail;
	}
	return 0;
bad_char:
	why_line(why, n, line, "contains a control character");
	goto fail;
bad_header:
	why_line(why, n, line, "must be '%s' (LXC's profile text is not taken: docs/plan.md)",
		 NX_SECCOMP_HEADER);
fail:
	seccomp_plan_free(p);
	return -1;
}

void seccomp_plan_free(nx_seccomp_plan *p)
{
	free(p->rules);
	p->rules = NULL;
	p->nrules = 0;
}

int seccomp_plan_check(const char *text, char *why, size_t n)
{
	nx_seccomp_plan p;
	if (seccomp_plan_parse(text, &p, why, n) < 0)
		return -1;
	seccomp_plan_free(&p);
	return 0;
}
