/* The sync socket: nexcage learns the init's host pid (SO_PEERCRED) and
 * hands over the program's descriptors and the namespaces to join; the
 * exec fifo holds the init until `nexcage start`. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "init.h"
#include "protocol.h"

/* The terminal is made here, in the CT's own devpts, so the program's
 * controlling terminal lives where it runs; nexcage passes the master on
 * to the caller's --console-socket. */
static int make_pty(int *master)
{
	int m = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		die("open ptmx (is devpts mounted at /dev/pts?)");
	int unlock = 0;
	if (ioctl(m, TIOCSPTLCK, &unlock) < 0)
		die("unlock pty");
	int slave = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0) {
		char name[64];
		int n;
		if (ioctl(m, TIOCGPTN, &n) < 0)
			die("pty number");
		snprintf(name, sizeof name, "/dev/pts/%d", n);
		slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	}
	if (slave < 0)
		die("open pty slave");
	*master = m;
	return slave;
}

static int ns_type(const char *name)
{
	int flag = ns_flag_of(name);
	if (flag < 0)
		die_msg("handover: unknown namespace type");
	return flag;
}

static void send_fd(int sock, const char *what, int fd)
{
	if (scm_send(sock, what, &fd, 1) < 0)
		die("send pty master");
}

int unix_connect_to(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
	if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Tell nexcage we are here (it reads our host pid from the socket through
 * SO_PEERCRED), then take what it hands over. The message is
 * "<stdio|tty|none> <nfds> [ns-type ...]\n" with the descriptors attached:
 * first the program's, then one per namespace to join. From the connect
 * on, a failure is told on this socket (main.c). */
void handover(const char *path, struct handover *h)
{
	memset(h, 0, sizeof *h);
	h->tty_slave = -1;
	h->sock = -1;
	int fd = unix_connect_to(path);
	if (fd < 0) {
		tell_done(); /* that socket cannot be told either */
		die("connect sync.sock");
	}
	tell_connected(fd);
	/* nexcage may be gone (killed): an error, not a silent death by
	 * SIGPIPE */
	if (send(fd, "ready\n", 6, MSG_NOSIGNAL) != 6)
		die("write sync.sock");
	char msg[512];
	int fds[MAX_HANDOVER_FDS], nfds = 0;
	ssize_t n = scm_recv(fd, msg, sizeof msg - 1, fds, MAX_HANDOVER_FDS, &nfds);
	if (n < 0 && errno == EMSGSIZE)
		die_msg("handover: too many descriptors");
	if (n <= 0)
		die_msg("handover: nexcage went away");
	msg[n] = '\0';
	char *save = NULL;
	char *mode = strtok_r(msg, " \n", &save);
	char *count = strtok_r(NULL, " \n", &save);
	if (!mode || !count)
		die_msg("handover: bad message");
	int nprog = (int)parse_number(count, "handover: bad count");
	if (nprog > nfds)
		die_msg("handover: descriptors missing");
	for (int i = 0; i < nprog; i++)
		h->fds[h->nfds++] = fds[i];
	for (char *t; (t = strtok_r(NULL, " \n", &save));) {
		if (h->nns >= MAX_JOIN_NS || nprog + h->nns >= nfds)
			die_msg("handover: namespace descriptors missing");
		h->ns_types[h->nns] = ns_type(t);
		h->ns_fds[h->nns] = fds[nprog + h->nns];
		h->nns++;
	}
	if (!strcmp(mode, "tty")) {
		int master;
		h->tty_slave = make_pty(&master);
		send_fd(fd, "/dev/pts/ptmx", master);
		close(master);
		char c;
		(void)!read(fd, &c, 1); /* nexcage has it */
	} else if (strcmp(mode, "stdio") && strcmp(mode, "none")) {
		die_msg("handover: unknown mode");
	}
	h->sock = fd;
}

void wait_for_start(void)
{
	int fd;
	do
		fd = open(NX_INIT_DIR "/" NX_INIT_EXEC_FIFO, O_WRONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		die("open exec.fifo");
	signal(SIGPIPE, SIG_IGN); /* as above; the program gets the default back */
	ssize_t w = write(fd, "0", 1);
	signal(SIGPIPE, SIG_DFL);
	if (w != 1)
		die("write exec.fifo");
	close(fd);
}

