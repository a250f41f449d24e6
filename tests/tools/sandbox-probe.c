/* Run inside the sandbox by tests/integration/sandbox.sh and boundary.sh:
 * tries one thing and says whether the sandbox let it happen.
 *   sandbox-probe CHECK [ARGS]  -> prints "allowed" (exit 0) or "blocked: ERRNO" (exit 1)
 * Two checks are for the host side of a test: "addkey DESC" adds a user key
 * to the session keyring, "abstract-listen NAME FILE" listens on an
 * abstract unix socket and writes FILE once it does. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>
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
#include <sys/un.h>
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
	if (!strcmp(check, "exchange") && argc > 3)	/* swap two names at once */
		return verdict(renameat2(AT_FDCWD, arg, AT_FDCWD, argv[3], RENAME_EXCHANGE));
	if (!strcmp(check, "kill0"))	/* the caller's whole process group */
		return verdict(kill(0, SIGTERM));
	if (!strcmp(check, "reopen-write")) {	/* e.g. /proc/self/fd/0 */
		int fd = open(arg, O_WRONLY | O_APPEND);
		if (fd >= 0 && write(fd, "pwned\n", 6) != 6) {
			close(fd);
			fd = -1;
		}
		return verdict(fd >= 0 ? close(fd) : -1);
	}
	if (!strcmp(check, "abstract-connect") || !strcmp(check, "abstract-listen")) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(arg));
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "%s", arg);
		if (!strcmp(check, "abstract-connect"))
			return verdict(connect(fd, (struct sockaddr *)&sa, len));
		if (argc < 4 || bind(fd, (struct sockaddr *)&sa, len) < 0 || listen(fd, 8) < 0)
			return verdict(-1);
		close(open(argv[3], O_WRONLY | O_CREAT, 0644));
		for (int c; (c = accept(fd, NULL, NULL)) >= 0;)
			close(c);
		return 1;
	}
	if (!strcmp(check, "loopback-server")) {	/* a server and a client on 127.0.0.1 */
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		socklen_t len = sizeof(sa);
		int srv = socket(AF_INET, SOCK_STREAM, 0), cli = socket(AF_INET, SOCK_STREAM, 0);
		if (bind(srv, (struct sockaddr *)&sa, len) < 0 || listen(srv, 1) < 0 ||
		    getsockname(srv, (struct sockaddr *)&sa, &len) < 0)
			return verdict(-1);
		return verdict(connect(cli, (struct sockaddr *)&sa, len));
	}
	if (!strcmp(check, "addkey"))
		return verdict(syscall(SYS_add_key, "user", arg, "secret", 6, -3 /* session keyring */) < 0 ? -1 : 0);
	if (!strcmp(check, "landlock-abi")) {
		printf("%ld\n", syscall(SYS_landlock_create_ruleset, NULL, 0, 1 /* version */));
		return 0;
	}
	if (!strcmp(check, "euid")) {
		printf("%u\n", (unsigned)geteuid());
		return 0;
	}
	fprintf(stderr, "sandbox-probe: unknown check '%s'\n", check);
	return 2;
}
