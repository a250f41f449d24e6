/* What sandbox.c (the steps inside), sandbox-mount.c (the new root's
 * mounts) and sandbox-host.c (what the parent prepares before the clone
 * and undoes after it) share. Not public. */
#ifndef PYLOCK_SANDBOX_INTERNAL_H
#define PYLOCK_SANDBOX_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>
#include <termios.h>

#include "sandbox.h"

/* A copy between a regular file on pylock's stdio and a pipe to the
 * command: a file descriptor of a host file would let the command reopen
 * it (/proc/self/fd/N) for writing. */
struct sandbox_pump {
	int from, to;
	int owned;		/* the pipe end closed once the copy ends */
	pthread_t thread;
	bool running;
};

struct sandbox_prep {
	int *tree_fd;		/* per op: a system bind, idmapped so that root sees it as others do; or -1 */
	size_t ntrees;		/* ops, the length of tree_fd */
	char **hidden;		/* /etc entries others may not read (root, where idmapping fails) */
	size_t nhidden;
	int stdio[3];		/* the command's end of a pipe standing in for fd 0, 1, 2; or -1 */
	struct sandbox_pump pumps[3];
	size_t npumps;
	int tty;		/* the terminal on fd 0, 1 or 2 whose foreground pylock holds; or -1 */
	struct termios modes;	/* its modes before the run */
	bool have_modes;
	char *cgroups[2];	/* made for the run (pids, memory), removed after */
	bool hold;		/* init waits for a go-ahead (its cgroups are joined first) */
};

/* ---- sandbox.c ---- */

/* Inside, during setup: the pipe to the parent, and the way out of a step
 * that failed ("step: reason" to the parent; the process ends). */
#define SETUP_FAILED 125
extern int sandbox_report_fd;
void sandbox_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* ---- sandbox-mount.c ---- */

#define OLD "/oldroot"		/* the host's root, until switch_root() */
#define NEW "/newroot"		/* the sandbox's, built there */

/* In the parent: whether flags reach submounts through mount_setattr()
 * or, where the kernel lacks it, through libmount reading mountinfo. */
int sandbox_choose_flag_method(struct pl_error *err);
/* Inside, after the scratch pivot and before switch_root(). */
void sandbox_roots_open(void);
void sandbox_roots_close(void);
/* Runs the profile's operations under NEW. */
void sandbox_build_root(const struct sandbox_profile *p, const struct sandbox_prep *prep);

/* ---- sandbox-host.c ---- */

/* Before the clone: the above. Errors name what could not be prepared. */
int sandbox_prep_before(const struct sandbox_profile *p, struct sandbox_prep *prep, struct pl_error *err);
/* After the clone: the pumps start, the sandbox joins its cgroups. */
int sandbox_prep_started(struct sandbox_prep *prep, pid_t pid, struct pl_error *err);
/* After the sandbox ended (or failed to start): the terminal's foreground
 * and modes back, pumps drained, cgroups and descriptors gone. */
void sandbox_prep_after(struct sandbox_prep *prep);

#endif
