/* Issue 24's composition experiment: how long an unprivileged overlayfs
 * of N read-only lower layers (the wheel trees of an environment) takes to
 * mount, and what it costs the program run on it. In a new user and mount
 * namespace, mounts the layers given after "--" (top first) on TARGET with
 * the new mount API (fsconfig "lowerdir+", no page-sized option string),
 * prints "mount-ms X layers N" on stderr, then runs COMMAND there.
 *
 *   overlay-probe TARGET LAYER... -- COMMAND...
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>


static void map(const char *file, const char *text)
{
	int fd = open(file, O_WRONLY);

	if (fd < 0 || write(fd, text, strlen(text)) < 0) {
		fprintf(stderr, "overlay-probe: %s: %s\n", file, strerror(errno));
		exit(1);
	}
	close(fd);
}

static void fail(const char *what)
{
	fprintf(stderr, "overlay-probe: %s: %s\n", what, strerror(errno));
	exit(1);
}

int main(int argc, char **argv)
{
	char text[64];
	uid_t uid = getuid();
	gid_t gid = getgid();
	struct timespec a, b;
	int sep = 2;

	while (sep < argc && strcmp(argv[sep], "--"))
		sep++;
	if (argc < 4 || sep >= argc - 1) {
		fprintf(stderr, "usage: overlay-probe TARGET LAYER... -- COMMAND...\n");
		return 2;
	}
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		fail("unshare");
	map("/proc/self/setgroups", "deny");
	snprintf(text, sizeof(text), "0 %u 1", (unsigned)uid);
	map("/proc/self/uid_map", text);
	snprintf(text, sizeof(text), "0 %u 1", (unsigned)gid);
	map("/proc/self/gid_map", text);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		fail("private /");
	clock_gettime(CLOCK_MONOTONIC, &a);
	int fs = (int)syscall(SYS_fsopen, "overlay", 0);
	if (fs < 0)
		fail("fsopen overlay");
	for (int i = 2; i < sep; i++)
		if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "lowerdir+", argv[i], 0) < 0)
			fail(argv[i]);
	if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		fail("create the overlay");
	int mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY);
	if (mnt < 0)
		fail("fsmount");
	if (syscall(SYS_move_mount, mnt, "", AT_FDCWD, argv[1], MOVE_MOUNT_F_EMPTY_PATH) < 0)
		fail("move_mount");
	clock_gettime(CLOCK_MONOTONIC, &b);
	fprintf(stderr, "mount-ms %.2f layers %d\n", (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6,
		sep - 2);
	execvp(argv[sep + 1], argv + sep + 1);
	fail(argv[sep + 1]);
	return 1;
}
