#define _GNU_SOURCE
#include "plan/seccomp_bpf.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include "util/cleanup.h"
#include "plan/seccomp_plan.h"
#include "util/xalloc.h"

/* ---- libseccomp's filter ------------------------------------------------ */

/* As runc: a rule with the default action changes nothing (libseccomp
 * refuses it), and a name this libseccomp cannot resolve for the native
 * architecture is a system call the kernel does not have. */
static int add_rule(scmp_filter_ctx ctx, uint32_t def, const nx_seccomp_rule *r, nx_err *err)
{
	if (r->action == def)
		return 0;
	int nr = seccomp_syscall_resolve_name(r->name);
	if (nr == __NR_SCMP_ERROR)
		return 0;
	int rc = seccomp_rule_add_array(ctx, r->action, nr, r->ncmp, r->cmp);
	if (rc < 0)
		return nx_err_sys(err, -rc, "plan.seccomp: line %u: %s: libseccomp refused the rule", r->line,
				  r->name);
	return 0;
}

static scmp_filter_ctx build_filter(const nx_seccomp_plan *p, nx_err *err)
{
	scmp_filter_ctx ctx = seccomp_init(p->def);
	if (!ctx) {
		nx_err_set(err, "plan.seccomp: line 2: libseccomp refused the default action");
		return NULL;
	}
	for (size_t i = 0; i < p->narchs; i++) {
		int rc = seccomp_arch_add(ctx, p->archs[i]);
		if (rc < 0 && rc != -EEXIST) { /* the native one is there already */
			nx_err_sys(err, -rc, "plan.seccomp: libseccomp refused architecture 0x%x",
				   p->archs[i]);
			goto fail;
		}
	}
	for (size_t i = 0; i < p->nrules; i++)
		if (add_rule(ctx, p->def, &p->rules[i], err) < 0)
			goto fail;
	return ctx;
fail:
	seccomp_release(ctx);
	return NULL;
}

/* libseccomp 2.5 exports to a descriptor only. */
static int export_program(scmp_filter_ctx ctx, struct sock_filter **out, size_t *len, nx_err *err)
{
	cleanup_close int fd = memfd_create("nexcage-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return nx_err_sys(err, errno, "seccomp: memfd_create");
	int rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0)
		return nx_err_sys(err, -rc, "seccomp: export the filter");
	struct stat st;
	if (fstat(fd, &st) < 0)
		return nx_err_sys(err, errno, "seccomp: exported filter");
	if (st.st_size <= 0 || st.st_size % (off_t)sizeof(struct sock_filter) ||
	    st.st_size > (off_t)(BPF_MAXINSNS * 16 * sizeof(struct sock_filter)))
		return nx_err_set(err, "seccomp: libseccomp exported %lld bytes, not a program",
				  (long long)st.st_size);
	size_t size = (size_t)st.st_size;
	cleanup_free struct sock_filter *insns = xmalloc(size);
	for (size_t got = 0; got < size;) {
		ssize_t n = pread(fd, (char *)insns + got, size - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return nx_err_sys(err, n < 0 ? errno : EIO, "seccomp: read the exported filter");
		got += (size_t)n;
	}
	*len = size / sizeof(struct sock_filter);
	*out = NX_STEAL(insns);
	return 0;
}

/* ---- runc's -ENOSYS stub (libcontainer/seccomp/patchbpf) -----------------
 * A system call numbered above every one the profile names, on a listed
 * architecture, gets ENOSYS instead of the default action: it is newer
 * than the profile, and ENOSYS is what lets a program fall back (glibc's
 * clone3 -> clone). runc adds it unless the default action lets calls
 * through (allow, log, trace); a default of ENOSYS makes it a no-op. */

#define X32_BIT	 0x40000000u
#define STUB_MAX 256

enum { LABEL_ENOSYS, LABEL_FILTER, LABEL_GROUP };

typedef struct stub {
	struct sock_filter ins[STUB_MAX];
	int target[STUB_MAX]; /* the label a `ja` goes to, or -1 */
	size_t label[LABEL_GROUP + NX_SECCOMP_ARCHS_MAX];
	size_t n;
} stub;

/* The architectures the kernel reports (seccomp_data.arch): x32 calls
 * come as x86_64 with X32_BIT in the number. */
typedef struct arch_group {
	uint32_t audit;
	int max, max_x32; /* highest number in the profile; 0: none */
} arch_group;

static void emit(stub *s, uint16_t code, uint32_t k, uint8_t jt, uint8_t jf)
{
	s->ins[s->n] = (struct sock_filter){code, jt, jf, k};
	s->target[s->n++] = -1;
}

static void jump_to(stub *s, int label)
{
	emit(s, BPF_JMP | BPF_JA, 0, 0, 0);
	s->target[s->n - 1] = label;
}

/* if (A cond k) goto label; conditional jumps only ever hop one `ja`, so
 * no offset can outgrow their 8 bits. */
static void jump_if(stub *s, uint16_t cond, uint32_t k, int label)
{
	emit(s, BPF_JMP | cond | BPF_K, k, 0, 1);
	jump_to(s, label);
}

static void jump_unless(stub *s, uint16_t cond, uint32_t k, int label)
{
	emit(s, BPF_JMP | cond | BPF_K, k, 1, 0);
	jump_to(s, label);
}

static int highest_syscall(const nx_seccomp_plan *p, uint32_t arch)
{
	int max = 0;
	for (size_t i = 0; i < p->nrules; i++) {
		int nr = seccomp_syscall_resolve_name_arch(arch, p->rules[i].name);
		if (nr > max)
			max = nr;
	}
	return max;
}

static size_t arch_groups(const nx_seccomp_plan *p, arch_group *g)
{
	size_t ng = 0;
	for (size_t i = 0; i < p->narchs; i++) {
		uint32_t arch = p->archs[i];
		int max = highest_syscall(p, arch);
		if (max <= 0)
			continue;
		uint32_t audit = arch == SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : arch;
		size_t k = 0;
		while (k < ng && g[k].audit != audit)
			k++;
		if (k == ng)
			g[ng++] = (arch_group){.audit = audit};
		if (arch == SCMP_ARCH_X32)
			g[k].max_x32 = max;
		else
			g[k].max = max;
	}
	return ng;
}

static void group_section(stub *s, const arch_group *g)
{
	emit(s, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), 0, 0);
	/* s390's multiplexer: a number the kernel does not know arrives as 0 */
	if (g->audit == AUDIT_ARCH_S390 || g->audit == AUDIT_ARCH_S390X)
		jump_if(s, BPF_JEQ, 0, LABEL_ENOSYS);
	if (g->audit == AUDIT_ARCH_X86_64 && g->max && g->max_x32) {
		emit(s, BPF_JMP | BPF_JSET | BPF_K, X32_BIT, 3, 0); /* x32: the second check */
		jump_if(s, BPF_JGT, (uint32_t)g->max, LABEL_ENOSYS);
		jump_to(s, LABEL_FILTER);
		jump_if(s, BPF_JGT, (uint32_t)g->max_x32, LABEL_ENOSYS);
	} else if (g->audit == AUDIT_ARCH_X86_64 && g->max) {
		jump_if(s, BPF_JSET, X32_BIT, LABEL_FILTER);
		jump_if(s, BPF_JGT, (uint32_t)g->max, LABEL_ENOSYS);
	} else if (g->audit == AUDIT_ARCH_X86_64) {
		jump_unless(s, BPF_JSET, X32_BIT, LABEL_FILTER);
		jump_if(s, BPF_JGT, (uint32_t)g->max_x32, LABEL_ENOSYS);
	} else {
		jump_if(s, BPF_JGT, (uint32_t)g->max, LABEL_ENOSYS);
	}
	jump_to(s, LABEL_FILTER);
}

static bool default_lets_through(uint32_t def)
{
	uint32_t kind = def & SECCOMP_RET_ACTION_FULL;
	return kind == SCMP_ACT_ALLOW || kind == SCMP_ACT_LOG || kind == SCMP_ACT_TRACE(0);
}

/* The stub for p in *s (s->n == 0: none); it ends where the filter starts. */
static void enosys_stub(const nx_seccomp_plan *p, stub *s)
{
	s->n = 0;
	arch_group g[NX_SECCOMP_ARCHS_MAX];
	size_t ng;
	if (default_lets_through(p->def) || p->def == SCMP_ACT_ERRNO(ENOSYS) || !(ng = arch_groups(p, g)))
		return;
	emit(s, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch), 0, 0);
	for (size_t i = 0; i < ng; i++)
		jump_if(s, BPF_JEQ, g[i].audit, LABEL_GROUP + (int)i);
	jump_to(s, LABEL_FILTER);
	for (size_t i = 0; i < ng; i++) {
		s->label[LABEL_GROUP + i] = s->n;
		group_section(s, &g[i]);
	}
	s->label[LABEL_ENOSYS] = s->n;
	emit(s, BPF_RET | BPF_K, SCMP_ACT_ERRNO(ENOSYS), 0, 0);
	s->label[LABEL_FILTER] = s->n;
	for (size_t i = 0; i < s->n; i++)
		if (s->target[i] >= 0)
			s->ins[i].k = (uint32_t)(s->label[s->target[i]] - (i + 1));
}

/* ---- the program ---------------------------------------------------------- */

static int assemble(const nx_seccomp_plan *p, scmp_filter_ctx ctx, nx_seccomp_bpf *out, nx_err *err)
{
	struct sock_filter *filter = NULL;
	size_t flen = 0;
	if (export_program(ctx, &filter, &flen, err) < 0)
		return -1;
	stub *s = xcalloc(1, sizeof *s);
	enosys_stub(p, s);
	size_t total = s->n + flen;
	int rc = 0;
	if (total > BPF_MAXINSNS) {
		rc = nx_err_set(err,
				"linux.seccomp: the filter compiles to %zu BPF instructions, more than the "
				"kernel's limit of %d",
				total, BPF_MAXINSNS);
	} else {
		out->insns = xreallocarray(NULL, total, sizeof *out->insns);
		memcpy(out->insns, s->ins, s->n * sizeof *out->insns);
		memcpy(out->insns + s->n, filter, flen * sizeof *out->insns);
		out->len = total;
		out->flags = p->flags;
	}
	free(s);
	free(filter);
	return rc;
}

int seccomp_bpf_compile(const char *text, nx_seccomp_bpf *out, nx_err *err)
{
	*out = (nx_seccomp_bpf){0};
	char why[512];
	nx_seccomp_plan p;
	if (seccomp_plan_parse(text, &p, why, sizeof why) < 0)
		return nx_err_set(err, "plan.seccomp: %s", why);
	int rc = -1;
	scmp_filter_ctx ctx = build_filter(&p, err);
	if (ctx) {
		rc = assemble(&p, ctx, out, err);
		seccomp_release(ctx);
	}
	seccomp_plan_free(&p);
	return rc;
}

void seccomp_bpf_free(nx_seccomp_bpf *b)
{
	free(b->insns);
	*b = (nx_seccomp_bpf){0};
}

/* ---- features ------------------------------------------------------------- */

/* libseccomp's API level says what the kernel has: 2 TSYNC, 3 the log and
 * kill-process actions and the log flag, 4 SPEC_ALLOW. */
static bool api_at_least(unsigned level)
{
	return seccomp_api_get() >= level;
}

bool seccomp_oci_action_supported(const char *name)
{
	static const struct {
		const char *name;
		unsigned api;
	} actions[] = {{"SCMP_ACT_ALLOW", 1},	    {"SCMP_ACT_ERRNO", 1},	  {"SCMP_ACT_KILL", 1},
		       {"SCMP_ACT_KILL_THREAD", 1}, {"SCMP_ACT_KILL_PROCESS", 3}, {"SCMP_ACT_TRAP", 1},
		       {"SCMP_ACT_TRACE", 1},	    {"SCMP_ACT_LOG", 3}};
	for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
		if (!strcmp(name, actions[i].name))
			return api_at_least(actions[i].api);
	return false; /* SCMP_ACT_NOTIFY: nexcage hands no listener to an agent */
}

bool seccomp_oci_arch_supported(const char *name)
{
	char low[32];
	if (strncmp(name, "SCMP_ARCH_", 10) || strlen(name + 10) >= sizeof low)
		return false;
	size_t i = 0;
	for (const char *c = name + 10; *c; c++)
		low[i++] = (char)tolower((unsigned char)*c);
	low[i] = 0;
	return seccomp_arch_resolve_name(low) != 0;
}

bool seccomp_oci_flag_supported(const char *name)
{
	if (!strcmp(name, "SECCOMP_FILTER_FLAG_TSYNC"))
		return api_at_least(2);
	if (!strcmp(name, "SECCOMP_FILTER_FLAG_LOG"))
		return api_at_least(3);
	if (!strcmp(name, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"))
		return api_at_least(4);
	return false; /* WAIT_KILLABLE_RECV: for a notify listener only */
}

void seccomp_library_version(char *buf, size_t n)
{
	const struct scmp_version *v = seccomp_version();
	snprintf(buf, n, "%u.%u.%u", v->major, v->minor, v->micro);
}
