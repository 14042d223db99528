#define _GNU_SOURCE
#include "core/exitwatch.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/proc.h"

/* After the kernel has freed the process, its exit event is already queued
 * (it is sent before the parent is notified): a short grace for a socket
 * read racing the pidfd. */
#define EVENT_GRACE_MS 1000

/* Where the filter looks: nlmsghdr | cn_msg | proc_event. */
#define EV_OFF	    (NLMSG_HDRLEN + offsetof(struct cn_msg, data))
#define WHAT_OFF    (EV_OFF + offsetof(struct proc_event, what))
#define EXIT_PID    (EV_OFF + offsetof(struct proc_event, event_data.exit.process_pid))
#define EXIT_TGID   (EV_OFF + offsetof(struct proc_event, event_data.exit.process_tgid))

/* Keep only "pid (the whole process) exited": every other exec, fork and
 * exit of the host is dropped before it takes buffer space. Classic BPF
 * loads words in network order, hence htonl on the constants. */
static int attach_filter(int fd, pid_t pid)
{
	struct sock_filter code[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, WHAT_OFF),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htonl(PROC_EVENT_EXIT), 0, 5),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, EXIT_PID),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htonl((uint32_t)pid), 0, 3),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, EXIT_TGID),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htonl((uint32_t)pid), 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
	    BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = {.len = sizeof code / sizeof code[0], .filter = code};
	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
}

static int events_subscribe(pid_t pid, nx_err *err)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
	if (fd < 0)
		return nx_err_sys(err, errno, "process events socket");
	if (attach_filter(fd, pid) < 0) {
		int e = errno;
		close(fd);
		return nx_err_sys(err, e, "process events filter");
	}
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

int exitwatch_open(exitwatch *w, pid_t pid, unsigned long long start_time, nx_err *err)
{
	*w = (exitwatch){.events = -1, .pidfd = -1, .pid = pid};
	if ((w->events = events_subscribe(pid, err)) < 0)
		return -1;
	w->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (w->pidfd < 0) {
		int e = errno;
		exitwatch_close(w);
		return e == ESRCH ? nx_err_set(err, "process %d exited before it could be watched", (int)pid)
				  : nx_err_sys(err, e, "pidfd_open %d", (int)pid);
	}
	/* the pidfd names whatever has the pid now: it must be ours */
	if (!proc_is_alive(pid, start_time)) {
		exitwatch_close(w);
		return nx_err_set(err, "process %d exited before it could be watched", (int)pid);
	}
	return 0;
}

void exitwatch_close(exitwatch *w)
{
	if (w->events >= 0)
		close(w->events);
	if (w->pidfd >= 0)
		close(w->pidfd);
	w->events = w->pidfd = -1;
}

/* 1: the event was read into *status; 0: nothing (yet); -1: error. */
static int read_event(const exitwatch *w, int flags, int *status, nx_err *err)
{
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	for (;;) {
		ssize_t n = recv(w->events, buf, sizeof buf, flags);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* an overrun cannot hide an event that the filter let in
			 * afterwards; the pidfd still says when it is over */
			if (errno == EAGAIN || errno == ENOBUFS)
				return 0;
			return nx_err_sys(err, errno, "process events");
		}
		for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (unsigned)n);
		     nh = NLMSG_NEXT(nh, n)) {
			struct cn_msg *cn = NLMSG_DATA(nh);
			/* the event sits at a 4-byte offset: copy it out aligned */
			struct proc_event ev;
			memset(&ev, 0, sizeof ev);
			memcpy(&ev, cn->data, cn->len < sizeof ev ? cn->len : sizeof ev);
			if (ev.what == PROC_EVENT_EXIT && ev.event_data.exit.process_pid == w->pid &&
			    ev.event_data.exit.process_tgid == w->pid) {
				*status = (int)ev.event_data.exit.exit_code;
				return 1;
			}
		}
		if (flags & MSG_DONTWAIT)
			continue; /* drain what is queued */
		return 0;
	}
}

int exitwatch_wait(const exitwatch *w, int extra_fd, void (*on_ready)(void *), void *data, int *status,
		   nx_err *err)
{
	double deadline = 0; /* set once the pidfd said the process is gone */
	for (;;) {
		int timeout = -1;
		if (deadline > 0) {
			double left = deadline - clock_monotonic();
			if (left <= 0)
				return nx_err_set(err, "process %d exited; the kernel did not report its status",
						  (int)w->pid);
			timeout = (int)(left * 1000) + 1;
		}
		/* a gone process keeps its pidfd readable: stop polling it */
		struct pollfd pf[3] = {{w->events, POLLIN, 0},
				       {deadline > 0 ? -1 : w->pidfd, POLLIN, 0},
				       {extra_fd, POLLIN, 0}};
		int pr = poll(pf, 3, timeout);
		if (pr < 0 && errno != EINTR)
			return nx_err_sys(err, errno, "poll");
		if (pr <= 0)
			continue;
		if ((pf[2].revents & POLLIN) && on_ready)
			on_ready(data);
		if (pf[0].revents & POLLIN) {
			int r = read_event(w, 0, status, err);
			if (r != 0)
				return r > 0 ? 0 : -1;
		}
		if (pf[1].revents & (POLLIN | POLLHUP)) {
			int r = read_event(w, MSG_DONTWAIT, status, err);
			if (r != 0)
				return r > 0 ? 0 : -1;
			deadline = clock_monotonic() + EVENT_GRACE_MS / 1000.0;
		}
	}
}
