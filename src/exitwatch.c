#define _GNU_SOURCE
#include "exitwatch.h"

#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"

int exitwatch_open(nx_err *err)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
	if (fd < 0)
		return nx_err_sys(err, errno, "process events socket");
	/* Every exec and exit on the host is an event; a large buffer keeps a
	 * busy host from dropping the one we wait for. */
	int size = 8 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	struct sockaddr_nl addr = {.nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC, .nl_pid = 0};
	if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
		int e = errno;
		close(fd);
		return nx_err_sys(err, e, "process events bind");
	}
	/* nlmsghdr | cn_msg | op, laid out by hand (cn_msg ends in a
	 * flexible array, so it cannot sit inside a struct portably) */
	union {
		char bytes[NLMSG_SPACE(sizeof(struct cn_msg) + sizeof(enum proc_cn_mcast_op))];
		struct nlmsghdr align;
	} msg;
	memset(&msg, 0, sizeof msg);
	struct nlmsghdr *nl = (struct nlmsghdr *)msg.bytes;
	struct cn_msg *cn = NLMSG_DATA(nl);
	enum proc_cn_mcast_op op = PROC_CN_MCAST_LISTEN;
	nl->nlmsg_len = NLMSG_LENGTH(sizeof(struct cn_msg) + sizeof op);
	nl->nlmsg_type = NLMSG_DONE;
	nl->nlmsg_pid = (__u32)getpid();
	cn->id.idx = CN_IDX_PROC;
	cn->id.val = CN_VAL_PROC;
	cn->len = sizeof op;
	memcpy(cn->data, &op, sizeof op);
	if (send(fd, msg.bytes, nl->nlmsg_len, MSG_NOSIGNAL) < 0) {
		int e = errno;
		close(fd);
		return nx_err_sys(err, e, "process events subscribe");
	}
	return fd;
}

static int decode_status(unsigned code)
{
	int st = (int)code;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

int exitwatch_wait(int fd, pid_t pid, unsigned long long start_time, void (*tick)(void *), void *data,
		   nx_err *err)
{
	int status;
	if (exitwatch_wait_status(fd, pid, start_time, tick, data, &status, err) < 0)
		return -1;
	return decode_status((unsigned)status);
}

int exitwatch_wait_status(int fd, pid_t pid, unsigned long long start_time, void (*tick)(void *), void *data,
			  int *status, nx_err *err)
{
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	int quiet_ticks = 0;
	for (;;) {
		struct pollfd pf = {fd, POLLIN, 0};
		int pr = poll(&pf, 1, 100);
		if (tick)
			tick(data);
		if (pr < 0 && errno != EINTR)
			return nx_err_sys(err, errno, "poll");
		if (pr <= 0) {
			/* Events can be dropped under load: if the process is
			 * gone and no event came, the status is unknown. */
			if (!proc_is_alive(pid, start_time) && ++quiet_ticks > 20)
				return nx_err_set(err,
						  "container process exited; its status was not reported");
			continue;
		}
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		if (n < 0) {
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			return nx_err_sys(err, errno, "recv");
		}
		for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (unsigned)n);
		     nh = NLMSG_NEXT(nh, n)) {
			struct cn_msg *cn = NLMSG_DATA(nh);
			/* the event sits at a 4-byte offset: copy it out aligned */
			struct proc_event ev;
			size_t avail = cn->len;
			memset(&ev, 0, sizeof ev);
			memcpy(&ev, cn->data, avail < sizeof ev ? avail : sizeof ev);
			if (ev.what == PROC_EVENT_EXIT && ev.event_data.exit.process_pid == pid &&
			    ev.event_data.exit.process_tgid == pid) {
				*status = (int)ev.event_data.exit.exit_code;
				return 0;
			}
		}
	}
}
