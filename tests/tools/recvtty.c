/* recvtty SOCKET: the receiving end of --console-socket, as engines have it.
 * Listens on SOCKET, takes one pty master (SCM_RIGHTS), prints the name the
 * sender gave it on the first line, then copies what the program writes to
 * the terminal to stdout until the program closes it. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: recvtty SOCKET\n");
		return 2;
	}
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof addr.sun_path, "%s", argv[1]);
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	unlink(argv[1]);
	if (l < 0 || bind(l, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(l, 1) < 0) {
		perror("recvtty: listen");
		return 1;
	}
	int c = accept(l, NULL, NULL);
	if (c < 0) {
		perror("recvtty: accept");
		return 1;
	}
	union {
		char raw[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	char name[256] = "";
	struct iovec iov = {name, sizeof name - 1};
	struct msghdr msg = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.raw, .msg_controllen = sizeof ctl.raw};
	ssize_t n = recvmsg(c, &msg, 0);
	struct cmsghdr *cm = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (!cm || cm->cmsg_type != SCM_RIGHTS) {
		fprintf(stderr, "recvtty: no descriptor received\n");
		return 1;
	}
	int master;
	memcpy(&master, CMSG_DATA(cm), sizeof master);
	printf("%s\n", name);
	fflush(stdout);
	char buf[4096];
	while ((n = read(master, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && write(1, buf, (size_t)n) < 0)
			return 1;
	return 0;
}
