/* plan.seccomp compiled as runc compiles linux.seccomp: libseccomp's filter
 * (the default action, the native architecture plus the listed ones, one
 * rule per line; a rule with the default action and an unknown system
 * call are skipped), behind runc's -ENOSYS stub, exported as classic BPF.
 * create writes it to <ctr_dir>/seccomp.bpf (NX_INIT_SECCOMP,
 * src/init/protocol.h), which nexcage-init loads (src/init/seccomp_load.h)
 * with the flags the process file carries. */
#ifndef NX_SECCOMP_BPF_H
#define NX_SECCOMP_BPF_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/filter.h>

#include "util/error.h"

typedef struct nx_seccomp_bpf {
	struct sock_filter *insns;
	size_t len;	/* instructions, at most BPF_MAXINSNS */
	unsigned flags; /* seccomp(2) flags: SECCOMP_FILTER_FLAG_TSYNC, _LOG, _SPEC_ALLOW */
} nx_seccomp_bpf;

/* Errors name the text's line ("plan.seccomp: line N: ...") or, for the
 * program's size, linux.seccomp. */
int seccomp_bpf_compile(const char *text, nx_seccomp_bpf *out, nx_err *err);
void seccomp_bpf_free(nx_seccomp_bpf *b);

/* For `features`: whether an OCI name (SCMP_ACT_*, SCMP_ARCH_*,
 * SECCOMP_FILTER_FLAG_*) is applied by nexcage with this libseccomp on
 * this kernel. */
bool seccomp_oci_action_supported(const char *name);
bool seccomp_oci_arch_supported(const char *name);
bool seccomp_oci_flag_supported(const char *name);
/* "2.5.4": the libseccomp linked in, for runc's features annotation. */
void seccomp_library_version(char *buf, size_t n);

#endif
