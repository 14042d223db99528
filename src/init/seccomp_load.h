/* Loading the program's seccomp filter: the classic-BPF program nexcage
 * compiled from linux.seccomp at create (src/plan/seccomp_bpf.c), the raw array
 * of struct sock_filter in host byte order and nothing else, at
 * NX_INIT_DIR "/" NX_INIT_SECCOMP (src/init/protocol.h); the process
 * file's NX_KEY_SECCOMP (exec: --seccomp) is the decimal flags argument
 * of seccomp(SECCOMP_SET_MODE_FILTER). Header-only and libc-only: the
 * init is static and links no libseccomp (the unit tests include it too).
 *
 * The caller picks the moment, as runc does: before dropping privileges
 * when no_new_privileges is off (loading then needs CAP_SYS_ADMIN), else
 * right before execve. The filter sets no no_new_privileges of its own. */
#ifndef NX_INIT_SECCOMP_LOAD_H
#define NX_INIT_SECCOMP_LOAD_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

/* 0, or -1 with the reason in why. */
static inline int seccomp_load_file(const char *path, unsigned flags, char *why, size_t n)
{
	/* on the stack: nothing to free on any path, and 32 KiB is the most */
	struct sock_filter insns[BPF_MAXINSNS];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		snprintf(why, n, "seccomp: open %s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size % (off_t)sizeof insns[0] || st.st_size > (off_t)sizeof insns) {
		snprintf(why, n, "seccomp: %s is not a filter of 1 to %d instructions", path, BPF_MAXINSNS);
		close(fd);
		return -1;
	}
	size_t size = (size_t)st.st_size, got = 0;
	while (got < size) {
		ssize_t r = read(fd, (char *)insns + got, size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	int e = errno;
	close(fd);
	if (got != size) {
		snprintf(why, n, "seccomp: read %s: %s", path, strerror(e));
		return -1;
	}
	struct sock_fprog prog = {.len = (unsigned short)(size / sizeof insns[0]), .filter = insns};
	long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (rc == 0)
		return 0;
	if (rc > 0) /* TSYNC: the thread that could not take the filter; none has it */
		snprintf(why, n, "seccomp: load the filter: thread %ld could not be synchronized", rc);
	else if (errno == EACCES)
		snprintf(why, n, "seccomp: load the filter: %s (needs no_new_privileges or CAP_SYS_ADMIN)",
			 strerror(errno));
	else
		snprintf(why, n, "seccomp: load the filter (flags %u): %s", flags, strerror(errno));
	return -1;
}

#endif
