/* Loading the program's seccomp filter: the classic-BPF program nexcage
 * compiled from linux.seccomp at create (a raw struct sock_filter array,
 * NX_INIT_SECCOMP), given to seccomp(2) with the profile's flags. Header-
 * only and libc-only: the init is static and links no libseccomp. */
#ifndef NX_INIT_SECCOMP_LOAD_H
#define NX_INIT_SECCOMP_LOAD_H

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* 0, or -1 with the reason in why. */
static inline int seccomp_load_file(const char *path, unsigned flags, char *why, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(why, n, "seccomp: %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	size_t size = (size_t)st.st_size;
	if (!S_ISREG(st.st_mode) || size == 0 || size % sizeof(struct sock_filter) ||
	    size / sizeof(struct sock_filter) > BPF_MAXINSNS) {
		snprintf(why, n, "seccomp: %s is not a filter program (%zu bytes)", path, size);
		close(fd);
		return -1;
	}
	struct sock_filter *code = malloc(size);
	size_t got = 0;
	while (code && got < size) {
		ssize_t r = read(fd, (char *)code + got, size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (!code || got != size) {
		snprintf(why, n, "seccomp: read %s: %s", path, code ? "short read" : "out of memory");
		free(code);
		return -1;
	}
	struct sock_fprog prog = {.len = (unsigned short)(size / sizeof(struct sock_filter)), .filter = code};
	long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	int e = errno;
	free(code);
	if (rc < 0) {
		snprintf(why, n, "seccomp: load the filter: %s", strerror(e));
		return -1;
	}
	return 0;
}

#endif
