/* subreaper PIDFILE CMD...: what conmon and containerd's shim do around a
 * runtime. Becomes a child subreaper, runs CMD (e.g. `nexcage create
 * --pid-file PIDFILE ...`) and waits for it, reads the pid it wrote, then
 * reaps until that pid exits and prints "exit N" or "signal N". */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: subreaper PIDFILE CMD...\n");
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		perror("subreaper: prctl");
		return 1;
	}
	pid_t cmd = fork();
	if (cmd == 0) {
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	int st;
	if (waitpid(cmd, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "subreaper: %s failed\n", argv[2]);
		return 1;
	}
	FILE *f = fopen(argv[1], "r");
	int pid = 0;
	if (!f || fscanf(f, "%d", &pid) != 1) {
		fprintf(stderr, "subreaper: no pid in %s\n", argv[1]);
		return 1;
	}
	fclose(f);
	printf("pid %d\n", pid);
	fflush(stdout);
	for (;;) {
		pid_t r = wait(&st);
		if (r < 0) {
			printf("ECHILD: pid %d was never ours\n", pid);
			return 1;
		}
		if (r != pid)
			continue;
		if (WIFSIGNALED(st))
			printf("signal %d\n", WTERMSIG(st));
		else
			printf("exit %d\n", WEXITSTATUS(st));
		return 0;
	}
}
