/* Built static at test time and run inside a container: prints its own
 * seccomp mode (/proc/self/status: 0 none, 2 filtered), then tries system
 * calls a seccomp profile decides about and prints name=errno (0: allowed
 * and succeeded), so nexcage's and runc's results can be compared. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/netlink.h>

static int result(long rc)
{
	return rc < 0 ? errno : 0;
}

static int seccomp_mode(void)
{
	char line[256];
	int mode = -1;
	FILE *f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "Seccomp:", 8))
			mode = (int)strtol(line + 8, NULL, 10);
	if (f)
		fclose(f);
	return mode;
}

int main(void)
{
	int r;
	printf("seccomp=%d ", seccomp_mode());
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
