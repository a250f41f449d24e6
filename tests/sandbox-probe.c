/* Run inside the sandbox by tests/integration/sandbox.sh: tries one thing and
 * says whether the sandbox let it happen.
 *   sandbox-probe CHECK [ARGS]  -> prints "allowed" (exit 0) or "blocked: ERRNO" (exit 1) */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int verdict(int rc)
{
	if (rc == 0) {
		puts("allowed");
		return 0;
	}
	printf("blocked: %s\n", strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	const char *check = argc > 1 ? argv[1] : "";
	const char *arg = argc > 2 ? argv[2] : "";

	if (!strcmp(check, "write")) {
		int fd = open(arg, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0)
			close(fd);
		return verdict(fd >= 0 ? 0 : -1);
	}
	if (!strcmp(check, "read")) {
		int fd = open(arg, O_RDONLY);
		if (fd >= 0)
			close(fd);
		return verdict(fd >= 0 ? 0 : -1);
	}
	if (!strcmp(check, "tiocsti")) {
		char c = ' ';
		return verdict(ioctl(0, TIOCSTI, &c));
	}
	if (!strcmp(check, "remount-rw"))
		return verdict(mount(NULL, arg, NULL, MS_REMOUNT | MS_BIND, NULL));
	if (!strcmp(check, "mount-over"))
		return verdict(mount("tmpfs", arg, "tmpfs", 0, NULL));
	if (!strcmp(check, "keyctl"))
		return verdict((int)syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0));
	if (!strcmp(check, "connect") && argc > 3) {
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[3])) };
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		inet_pton(AF_INET, arg, &sa.sin_addr);
		return verdict(connect(fd, (struct sockaddr *)&sa, sizeof(sa)));
	}
	if (!strcmp(check, "euid")) {
		printf("%u\n", (unsigned)geteuid());
		return 0;
	}
	fprintf(stderr, "sandbox-probe: unknown check '%s'\n", check);
	return 2;
}
