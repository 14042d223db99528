/* Descriptors over a unix socket (SCM_RIGHTS) and namespace kinds by name:
 * shared, header-only, by nexcage and the static nexcage-init (which links
 * nothing but libc), the two ends of the handover. */
#ifndef NX_SCM_RIGHTS_H
#define NX_SCM_RIGHTS_H

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SCM_FDS_MAX 253 /* the kernel's SCM_MAX_FD */

/* Send text with n descriptors attached. 0, or -1 with errno. */
static inline int scm_send(int sock, const char *text, const int *fds, size_t n)
{
	if (n > SCM_FDS_MAX) {
		errno = EINVAL;
		return -1;
	}
	union {
		char raw[CMSG_SPACE(sizeof(int) * SCM_FDS_MAX)];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof ctl);
	struct iovec iov = {(void *)text, strlen(text)};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	if (n) {
		msg.msg_control = ctl.raw;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	}
	ssize_t w;
	do
		w = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	return w < 0 ? -1 : 0;
}

/* Receive text (not NUL-terminated) and up to maxfds descriptors, close on
 * exec. Returns the text's length, -1 with errno; a message that carried
 * more descriptors than fit fails with EMSGSIZE. */
static inline ssize_t scm_recv(int sock, char *buf, size_t n, int *fds, int maxfds, int *nfds)
{
	union {
		char raw[CMSG_SPACE(sizeof(int) * SCM_FDS_MAX)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {buf, n};
	struct msghdr msg = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.raw, .msg_controllen = sizeof ctl.raw};
	ssize_t got;
	do
		got = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (got < 0 && errno == EINTR);
	*nfds = 0;
	if (got < 0)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (int i = 0; i < k; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
			if (*nfds < maxfds)
				fds[(*nfds)++] = fd;
			else
				close(fd);
		}
	}
	if (msg.msg_flags & MSG_CTRUNC) {
		errno = EMSGSIZE;
		return -1;
	}
	return got;
}

/* A namespace kind as config.json names it -> its CLONE_NEW* flag, or -1
 * for the kinds that cannot be joined by descriptor here. */
static inline int ns_flag_of(const char *name)
{
	static const struct {
		const char *name;
		int flag;
	} t[] = {{"network", CLONE_NEWNET},
		 {"ipc", CLONE_NEWIPC},
		 {"uts", CLONE_NEWUTS},
		 {"cgroup", CLONE_NEWCGROUP},
		 {"time", 0x80 /* CLONE_NEWTIME */},
		 {"pid", CLONE_NEWPID}};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (!strcmp(t[i].name, name))
			return t[i].flag;
	return -1;
}

#endif
