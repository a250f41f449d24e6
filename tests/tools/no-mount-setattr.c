/* Runs a command as on a kernel without mount_setattr(2) (before Linux 5.12,
 * or under a container's filter): the call fails with ENOSYS, so pylock's
 * sandbox takes its libmount path. tests/integration/sandbox.sh uses it.
 *   no-mount-setattr CMD ARGS... */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

	if (argc < 2 || !ctx ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(mount_setattr), 0) < 0 ||
	    seccomp_load(ctx) < 0) {
		fprintf(stderr, "no-mount-setattr: cannot install the filter\n");
		return 2;
	}
	seccomp_release(ctx);
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
