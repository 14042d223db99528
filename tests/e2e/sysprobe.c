/* Built static at test time and run inside a container: tries system calls
 * a seccomp profile decides about, and prints name=errno (0: allowed and
 * succeeded), so nexcage's and runc's results can be compared. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/netlink.h>

static int result(long rc)
{
	return rc < 0 ? errno : 0;
}

int main(void)
{
	int r;
	r = result(syscall(SYS_getpid));
	printf("getpid=%d ", r);
	/* ADDR_NO_RANDOMIZE: a persona Podman's profile does not allow */
	r = result(syscall(SYS_personality, 0x0040000UL));
	printf("personality=%d ", r);
	r = result(syscall(SYS_personality, 0xffffffffUL));
	printf("personality_query=%d ", r);
	r = result(syscall(SYS_socket, AF_NETLINK, SOCK_RAW, NETLINK_AUDIT));
	printf("audit_socket=%d ", r);
	r = result(syscall(SYS_add_key, "user", "k", "v", 1, -2));
	printf("add_key=%d ", r);
	r = result(syscall(SYS_chroot, "/"));
	printf("chroot=%d\n", r);
	return 0;
}
