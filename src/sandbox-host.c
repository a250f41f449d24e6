/* The parent's side of a sandbox run: what it prepares before the clone
 * (root's view of the system folders, stdio that is a host file, the
 * terminal's modes, cgroups) and undoes after (sandbox-internal.h). */
#include "config.h"
#include "sandbox-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define HIDE_DEPTH 32
#define HIDE_ENTRIES 50000

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : write(fd, text, strlen(text));

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* fd moved above floor (when it is not already): where the sandbox puts
 * its own descriptors, or stdio (which may be closed), it would be lost. */
static int above(int fd, int floor)
{
	int moved;

	if (fd < 0 || fd > floor)
		return fd;
	moved = fcntl(fd, F_DUPFD_CLOEXEC, floor + 1);
	close(fd);
	return moved;
}

/* ---- the system folders as every other user sees them (root) ---- */

/* A user namespace in which the host's root is nobody: a mount idmapped
 * through it shows root's files as another user's, so that the sandbox's
 * root reads there only what every user may (/etc/shadow, private keys). */
static int wait_for_parent(void *arg)
{
	int *sync = arg;
	char c;

	/* Until the parent closes its end: it has opened the namespace then. */
	close(sync[1]);
	return (int)read(sync[0], &c, 1);
}

static int nobody_userns(void)
{
	static const char *const maps[] = { "uid_map", "0 65534 1\n", "setgroups", "deny", "gid_map", "0 65534 1\n" };
	char path[64], stack[16384] __attribute__((aligned(16)));
	int sync[2], ns = -1;
	pid_t pid;

	if (pipe2(sync, O_CLOEXEC) < 0)
		return -1;
	/* Sharing pylock's memory, the child costs no copy of it; it only
	 * blocks on the pipe, on a stack of its own. */
	pid = clone(wait_for_parent, stack + sizeof(stack), CLONE_NEWUSER | CLONE_VM | SIGCHLD, sync);
	for (size_t i = 0; pid > 0 && i < sizeof(maps) / sizeof(maps[0]); i += 2) {
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, maps[i]);
		if (write_text(path, maps[i + 1]) < 0 && strcmp(maps[i], "setgroups"))
			break;
		if (i + 2 == sizeof(maps) / sizeof(maps[0])) {
			snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
			ns = open(path, O_RDONLY | O_CLOEXEC);
		}
	}
	close(sync[1]);
	close(sync[0]);
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	return ns;
}

/* A detached copy of src (every submount), read-only and idmapped. */
static int idmapped_tree(const char *src, int userns)
{
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_IDMAP | MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
		.userns_fd = (unsigned long long)userns,
	};
	int fd = (int)syscall(SYS_open_tree, AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);

	if (fd >= 0 && syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0) {
		close(fd);
		return -1;
	}
	/* Clear of 3, where the sandbox puts its report pipe. */
	return above(fd, 3);
}

/* Where a system folder cannot be idmapped (before Linux 5.12, or a file
 * system without idmapped mounts): the entries of /etc others may not
 * read, to be hidden one by one. */
static void find_unreadable(struct sandbox_prep *prep, const char *dir, int depth, size_t *budget)
{
	char path[4096];
	struct dirent *e;
	struct stat st;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d)) && *budget > 0) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path) ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISLNK(st.st_mode))
			continue;
		(*budget)--;
		if (!(st.st_mode & S_IROTH) || (S_ISDIR(st.st_mode) && !(st.st_mode & S_IXOTH))) {
			prep->hidden = util_xrealloc(prep->hidden, (prep->nhidden + 1) * sizeof(*prep->hidden));
			prep->hidden[prep->nhidden++] = util_xstrdup(path);
		} else if (S_ISDIR(st.st_mode) && depth < HIDE_DEPTH)
			find_unreadable(prep, path, depth + 1, budget);
	}
	closedir(d);
}

static void prepare_system_trees(const struct sandbox_profile *p, struct sandbox_prep *prep)
{
	int userns = -1;
	bool tried = false;

	for (size_t i = 0; i < p->nops; i++) {
		if (p->ops[i].kind != SANDBOX_SYSTEM_BIND || geteuid() != 0)
			continue;
		if (!tried) {
			userns = nobody_userns();
			tried = true;
		}
		if (userns >= 0)
			prep->tree_fd[i] = idmapped_tree(p->ops[i].src, userns);
		if (prep->tree_fd[i] < 0 && !strcmp(p->ops[i].src, "/etc")) {
			size_t budget = HIDE_ENTRIES;
			find_unreadable(prep, "/etc", 0, &budget);
		}
	}
	if (userns >= 0)
		close(userns);
}

/* ---- stdio ---- */

static void *pump_run(void *arg)
{
	struct sandbox_pump *pump = arg;
	char buf[65536];
	sigset_t pipe_signal;

	/* A command that stops reading ends the copy with EPIPE, not pylock. */
	sigemptyset(&pipe_signal);
	sigaddset(&pipe_signal, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_signal, NULL);
	for (;;) {
		ssize_t n = read(pump->from, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || util_write_all(pump->to, buf, (size_t)n) < 0)
			break;
	}
	close(pump->owned);
	return NULL;
}

/* A regular file (or folder, or block device) on fd 0, 1 or 2 reaches the
 * command through a pipe; a terminal, pipe or socket is passed as it is. */
static int hand_over(struct sandbox_prep *prep, int fd, struct pl_error *err)
{
	struct stat st, out;
	int p[2];

	if (fstat(fd, &st) < 0 || S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
		return 0;
	/* 2>&1 into one file: one pipe keeps the order of the two. */
	if (fd == 2 && prep->stdio[1] >= 0 && fstat(1, &out) == 0 && out.st_dev == st.st_dev && out.st_ino == st.st_ino)
		return 0;
	if (pipe2(p, O_CLOEXEC) < 0 || (p[0] = above(p[0], 3)) < 0 || (p[1] = above(p[1], 3)) < 0)
		return pl_error_errno(err, NULL, "sandbox: pipe");
	struct sandbox_pump *pump = &prep->pumps[prep->npumps++];
	if (fd == 0) {
		*pump = (struct sandbox_pump){ .from = 0, .to = p[1], .owned = p[1] };
		prep->stdio[0] = p[0];
	} else {
		*pump = (struct sandbox_pump){ .from = p[0], .to = fd, .owned = p[0] };
		prep->stdio[fd] = p[1];
	}
	return 0;
}

/* ---- cgroups ---- */

/* The folder of pylock's own cgroup where controller can bound a child
 * cgroup: its v1 hierarchy (/sys/fs/cgroup/CONTROLLER), or the v2 one
 * (/sys/fs/cgroup, or /sys/fs/cgroup/unified beside v1) where the
 * controller is enabled below. */
static char *own_cgroup(const char *controller)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[4096], *dir = NULL;

	while (f && !dir && fgets(line, sizeof(line), f)) {
		char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;
		struct util_buf path = UTIL_BUF_INIT;
		if (!b)
			continue;
		*b++ = '\0';
		b[strcspn(b, "\n")] = '\0';
		if (a[1]) {
			if (strstr(a + 1, controller))
				util_buf_printf(&path, "/sys/fs/cgroup/%s%s", controller, strcmp(b, "/") ? b : "");
		} else {
			char *control = NULL;
			size_t len;
			struct pl_error ignored;
			const char *top = access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0 ? "/sys/fs/cgroup"
					: "/sys/fs/cgroup/unified";
			util_buf_printf(&path, "%s%s/cgroup.subtree_control", top, strcmp(b, "/") ? b : "");
			if (util_read_file(path.data, 4096, &control, &len, &ignored) == 0 && strstr(control, controller))
				util_buf_truncate(&path, path.len - strlen("/cgroup.subtree_control"));
			else
				util_buf_truncate(&path, 0);
			free(control);
		}
		dir = path.len && access(path.data, W_OK) == 0 ? util_buf_steal(&path) : NULL;
		util_buf_free(&path);
	}
	if (f)
		fclose(f);
	return dir;
}

/* A pylock killed with -9 left its (empty) cgroups behind: gone now. */
static void remove_stale(const char *dir, const char *controller)
{
	char path[4096], ctrl[32];
	struct dirent *e;
	DIR *d = opendir(dir);
	int pid;

	while (d && (e = readdir(d)))
		if (sscanf(e->d_name, "pylock-%d-%31s", &pid, ctrl) == 2 && !strcmp(ctrl, controller) &&
		    kill(pid, 0) < 0 && errno == ESRCH &&
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < sizeof(path))
			rmdir(path);
	if (d)
		closedir(d);
}

static char *make_cgroup(const char *controller, const char *limit_file, long long limit)
{
	char *dir = own_cgroup(controller), value[32];
	struct util_buf path = UTIL_BUF_INIT;

	if (!dir)
		return NULL;
	remove_stale(dir, controller);
	util_buf_printf(&path, "%s/pylock-%d-%s", dir, (int)getpid(), controller);
	free(dir);
	/* One of this pid's name can only be a dead process's. */
	if (mkdir(path.data, 0755) < 0 && (errno != EEXIST || rmdir(path.data) < 0 || mkdir(path.data, 0755) < 0)) {
		util_buf_free(&path);
		return NULL;
	}
	size_t mark = path.len;
	util_buf_printf(&path, "/%s", limit_file);
	snprintf(value, sizeof(value), "%lld", limit);
	int rc = write_text(path.data, value);
	util_buf_truncate(&path, mark);
	if (rc < 0) {
		rmdir(path.data);
		util_buf_free(&path);
		return NULL;
	}
	return util_buf_steal(&path);
}

/* A bound on processes and memory through cgroups, for root: the kernel
 * exempts the host's root from RLIMIT_NPROC. Others are bounded by the
 * rlimits set inside (RLIMIT_NPROC counts per user namespace). A memory
 * cgroup counts what is used (tmpfs pages too), not address space, so it
 * bounds by default: three quarters of the machine's memory. */
static void prepare_cgroups(const struct sandbox_profile *p, struct sandbox_prep *prep)
{
	bool v2 = access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0;
	long long memory = p->memory > 0 ? p->memory
			 : (long long)sysconf(_SC_PHYS_PAGES) / 4 * 3 * (long long)sysconf(_SC_PAGESIZE);

	if (geteuid() != 0)
		return;
	if (p->processes > 0)
		prep->cgroups[0] = make_cgroup("pids", "pids.max", p->processes);
	if (memory > 0)
		prep->cgroups[1] = make_cgroup("memory", v2 ? "memory.max" : "memory.limit_in_bytes", memory);
	prep->hold = prep->cgroups[0] || prep->cgroups[1];
}

/* ---- before, started, after ---- */

int sandbox_prep_before(const struct sandbox_profile *p, struct sandbox_prep *prep, struct pl_error *err)
{
	memset(prep, 0, sizeof(*prep));
	prep->tty = -1;
	for (int fd = 0; fd < 3; fd++)
		prep->stdio[fd] = -1;
	prep->ntrees = p->nops;
	prep->tree_fd = util_xcalloc(p->nops + 1, sizeof(*prep->tree_fd));
	for (size_t i = 0; i < p->nops; i++)
		prep->tree_fd[i] = -1;
	for (int fd = 0; fd < 3; fd++)
		if (prep->tty < 0 && isatty(fd) && tcgetpgrp(fd) == getpgrp())
			prep->tty = fd;
	if (prep->tty >= 0)
		prep->have_modes = tcgetattr(prep->tty, &prep->modes) == 0;
	for (int fd = 0; fd < 3; fd++)
		if (hand_over(prep, fd, err) < 0) {
			sandbox_prep_after(prep);
			return -1;
		}
	prepare_system_trees(p, prep);
	prepare_cgroups(p, prep);
	return 0;
}

int sandbox_prep_started(struct sandbox_prep *prep, pid_t pid, struct pl_error *err)
{
	char text[32];

	for (int fd = 0; fd < 3; fd++)
		if (prep->stdio[fd] >= 0) {
			close(prep->stdio[fd]);
			prep->stdio[fd] = -1;
		}
	for (size_t i = 0; i < prep->npumps; i++)
		prep->pumps[i].running = pthread_create(&prep->pumps[i].thread, NULL, pump_run, &prep->pumps[i]) == 0;
	snprintf(text, sizeof(text), "%d", (int)pid);
	for (int i = 0; i < 2; i++) {
		struct util_buf procs = UTIL_BUF_INIT;
		if (!prep->cgroups[i])
			continue;
		util_buf_printf(&procs, "%s/cgroup.procs", prep->cgroups[i]);
		int rc = write_text(procs.data, text);
		util_buf_free(&procs);
		if (rc < 0)
			return pl_error_errno(err, prep->cgroups[i], "sandbox: cannot join the cgroup");
	}
	return 0;
}

void sandbox_prep_after(struct sandbox_prep *prep)
{
	if (prep->tty >= 0) {
		sigset_t ttou, old;
		sigemptyset(&ttou);
		sigaddset(&ttou, SIGTTOU);
		sigprocmask(SIG_BLOCK, &ttou, &old);
		tcsetpgrp(prep->tty, getpgrp());
		if (prep->have_modes)
			tcsetattr(prep->tty, TCSADRAIN, &prep->modes);
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	for (int fd = 0; fd < 3; fd++)
		if (prep->stdio[fd] >= 0)
			close(prep->stdio[fd]);
	for (size_t i = 0; i < prep->npumps; i++) {
		if (prep->pumps[i].running)
			pthread_join(prep->pumps[i].thread, NULL);
		else
			close(prep->pumps[i].owned);
	}
	/* The run's processes are reaped, yet a cgroup may count them a moment
	 * longer: then the next run removes it (remove_stale). */
	for (int i = 0; i < 2; i++) {
		if (prep->cgroups[i])
			rmdir(prep->cgroups[i]);
		free(prep->cgroups[i]);
	}
	for (size_t i = 0; i < prep->ntrees; i++)
		if (prep->tree_fd[i] >= 0)
			close(prep->tree_fd[i]);
	free(prep->tree_fd);
	for (size_t i = 0; i < prep->nhidden; i++)
		free(prep->hidden[i]);
	free(prep->hidden);
	memset(prep, 0, sizeof(*prep));
}
