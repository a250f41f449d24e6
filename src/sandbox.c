/* The sandbox, step by step (compare bubblewrap's main()):
 *
 *   parent                         sandbox init (pid 1)              command
 *   clone(user|mount|pid|ipc|uts   die_with_parent()
 *         |cgroup[|net])           map_ids(): uid/gid -> itself,
 *                                    setgroups denied
 *                                  make_mounts_private()
 *                                  enter_scratch_root()
 *                                  run_ops(): binds (read-only down
 *                                    to every submount), tmpfs, /dev, /proc
 *                                  set_hostname()
 *   wait; forward signals          switch_root(): pivot, old root gone
 *                                  seal_root(): / read-only
 *                                  run_init(): fork ---------------> take_terminal()
 *                                    forward signals, reap,          chdir(cwd)
 *                                    exit with the command's status  drop_capabilities()
 *                                                                    no_new_privs()
 *                                                                    install_seccomp()
 *                                                                    execvp()
 *
 * Every failing step sends "step: reason" to the parent, which reports it. */
#include "config.h"
#include "sandbox.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libmount/libmount.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "gitguard.h"

/* The scratch tmpfs goes over /tmp, which every system has; the host's /tmp
 * stays reachable under the old root until it is detached. */
#define SCRATCH "/tmp"
#define OLD "/oldroot"
#define NEW "/newroot"
#define SETUP_FAILED 125

extern char **environ;

/* ---- profiles ---- */

void sandbox_profile_init(struct sandbox_profile *p)
{
	memset(p, 0, sizeof(*p));
	p->env = util_xcalloc(1, sizeof(*p->env));
}

void sandbox_profile_fini(struct sandbox_profile *p)
{
	for (size_t i = 0; i < p->nops; i++) {
		free(p->ops[i].src);
		free(p->ops[i].dst);
	}
	free(p->ops);
	for (size_t i = 0; i < p->nenv; i++)
		free(p->env[i]);
	free(p->env);
	free(p->hostname);
	free(p->cwd);
	gitguard_free(p->guard);
	memset(p, 0, sizeof(*p));
}

void sandbox_profile_add(struct sandbox_profile *p, enum sandbox_op_kind kind,
			 const char *src, const char *dst)
{
	p->ops = util_xrealloc(p->ops, (p->nops + 1) * sizeof(*p->ops));
	p->ops[p->nops].kind = kind;
	p->ops[p->nops].src = src ? util_xstrdup(src) : NULL;
	p->ops[p->nops++].dst = util_xstrdup(dst);
}

void sandbox_profile_setenv(struct sandbox_profile *p, const char *name, const char *value)
{
	struct util_buf b = UTIL_BUF_INIT;
	size_t n = strlen(name);

	util_buf_printf(&b, "%s=%s", name, value);
	for (size_t i = 0; i < p->nenv; i++)
		if (!strncmp(p->env[i], name, n) && p->env[i][n] == '=') {
			free(p->env[i]);
			p->env[i] = util_buf_steal(&b);
			return;
		}
	p->env = util_xrealloc(p->env, (p->nenv + 2) * sizeof(*p->env));
	p->env[p->nenv++] = util_buf_steal(&b);
	p->env[p->nenv] = NULL;
}

/* ---- inside: failures ---- */

static int report_fd = -1;

/* In the sandbox processes only: tell the parent which step failed, and end
 * this (forked) process. */
static void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	char msg[1024];
	int saved = errno;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s", strerror(saved));
	if (write(report_fd, msg, strlen(msg)) < 0)
		_exit(SETUP_FAILED);
	_exit(SETUP_FAILED);
}

/* ---- inside: file-system helpers ---- */

static void join(char *out, size_t size, const char *dir, const char *name)
{
	if ((size_t)snprintf(out, size, "%s/%s", dir, name) >= size) {
		errno = ENAMETOOLONG;
		fail("path %s/%s", dir, name);
	}
}

/* Mount points are made under NEW; errors name them as the command sees them. */
static void make_dirs(const char *path, mode_t mode)
{
	char parent[4096];
	char *slash;

	/* Most mount points need one mkdir; parents only when missing. */
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return;
	if (errno != ENOENT || snprintf(parent, sizeof(parent), "%s", path) >= (int)sizeof(parent))
		fail("create folder %s", path + strlen(NEW));
	slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		fail("create folder %s", path + strlen(NEW));
	*slash = '\0';
	make_dirs(parent, mode);
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		fail("create folder %s", path + strlen(NEW));
}

/* A mount point of the same kind as the source: folder or file. */
static void make_mount_point(const char *dst, bool dir)
{
	char parent[4096];
	int fd;

	if (dir) {
		make_dirs(dst, 0755);
		return;
	}
	snprintf(parent, sizeof(parent), "%s", dst);
	*strrchr(parent, '/') = '\0';
	if (parent[0])
		make_dirs(parent, 0755);
	fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 && errno != EEXIST)
		fail("create mount point %s", dst + strlen(NEW));
	if (fd >= 0)
		close(fd);
}

static bool path_under(const char *path, const char *top)
{
	size_t n = strlen(top);

	return !strncmp(path, top, n) && (path[n] == '\0' || path[n] == '/');
}

/* ---- read-only trees ----
 *
 * A bound folder's flags (read-only, nosuid, nodev) must reach every mount
 * below it, or a submount of /usr would stay writable. mount_setattr(2) with
 * AT_RECURSIVE does that in one call (Linux 5.12). Where the kernel lacks it
 * (or a container's filter refuses it), libmount reads mountinfo and each
 * mount under the folder is remounted, repeating the flags the kernel locks
 * in a user namespace. libmount is loaded only then, in the parent, before
 * the clone: the sandbox's init inherits it, and no other start pays for it. */

#define MOUNT_FUNCTIONS(X) \
	X(mnt_new_table_from_file) \
	X(mnt_new_iter) \
	X(mnt_table_next_fs) \
	X(mnt_fs_get_target) \
	X(mnt_fs_get_vfs_options) \
	X(mnt_optstr_get_flags) \
	X(mnt_get_builtin_optmap) \
	X(mnt_free_iter) \
	X(mnt_unref_table)

static struct {
#define X(f) __typeof__(f) *f;
	MOUNT_FUNCTIONS(X)
#undef X
} mnt_fn;

#define M(f) (mnt_fn.f)

/* Whether flags go through mountinfo (decided outside, before the clone). */
static bool use_mountinfo;

static const char *load_libmount(void)
{
	void *lib = dlopen(LIBMOUNT_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!lib)
		return dlerror();
#define X(f) \
	if (!(mnt_fn.f = (__typeof__(f) *)dlsym(lib, #f))) \
		return "a libmount function is missing: " #f;
	MOUNT_FUNCTIONS(X)
#undef X
	return NULL;
}

/* mount_setattr with a size below the first version is EINVAL where the
 * call exists; ENOSYS (old kernel) or EPERM (a filter) where it does not. */
static int choose_flag_method(struct pl_error *err)
{
	const char *why;

	if (syscall(SYS_mount_setattr, -1, "", 0, NULL, (size_t)0) < 0 && errno == EINVAL)
		return 0;
	if ((why = load_libmount()))
		return pl_error_set(err, NULL, 0, 0,
				    "sandbox: this kernel has no mount_setattr (Linux 5.12) and libmount "
				    "did not load: %s", why);
	use_mountinfo = true;
	return 0;
}

static unsigned long long setattr_bits(unsigned long flags)
{
	return ((flags & MS_RDONLY) ? MOUNT_ATTR_RDONLY : 0) | ((flags & MS_NOSUID) ? MOUNT_ATTR_NOSUID : 0) |
	       ((flags & MS_NODEV) ? MOUNT_ATTR_NODEV : 0) | ((flags & MS_NOEXEC) ? MOUNT_ATTR_NOEXEC : 0);
}

/* For errors: what a restriction was to make of a mount. */
static const char *restriction(unsigned long flags)
{
	return (flags & MS_RDONLY) ? "read-only" : "nosuid";
}

static void remount_through_mountinfo(const char *top, unsigned long add)
{
	/* The host's /proc, under the old root until switch_root(): it shows
	 * this process's mounts all the same. */
	struct libmnt_table *tb = M(mnt_new_table_from_file)(OLD "/proc/self/mountinfo");
	struct libmnt_iter *it = M(mnt_new_iter)(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;

	if (!tb || !it)
		fail("read /proc/self/mountinfo");
	while (M(mnt_table_next_fs)(tb, it, &fs) == 0) {
		const char *target = M(mnt_fs_get_target)(fs);
		unsigned long flags = 0;

		if (!target || !path_under(target, top))
			continue;
		M(mnt_optstr_get_flags)(M(mnt_fs_get_vfs_options)(fs), &flags,
					M(mnt_get_builtin_optmap)(MNT_LINUX_MAP));
		if ((flags & add) == add)
			continue;
		if (mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | flags | add, NULL) < 0)
			fail("make %s %s", target + strlen(NEW), restriction(add));
	}
	M(mnt_free_iter)(it);
	M(mnt_unref_table)(tb);
}

/* Gives the mount at top and every mount below it the flags. */
static void restrict_tree(const char *top, unsigned long flags)
{
	struct mount_attr attr = { .attr_set = setattr_bits(flags) };

	if (use_mountinfo)
		remount_through_mountinfo(top, flags);
	else if (syscall(SYS_mount_setattr, AT_FDCWD, top, AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		fail("make %s %s", top + strlen(NEW), restriction(flags));
}

static void bind(const char *src, const char *dst, bool ro)
{
	struct stat st;

	if (stat(src, &st) < 0)
		fail("bind %s", src + strlen(OLD));
	make_mount_point(dst, S_ISDIR(st.st_mode));
	if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0)
		fail("bind %s", src + strlen(OLD));
	restrict_tree(dst, MS_NOSUID | MS_NODEV | (ro ? MS_RDONLY : 0));
}

static void tmpfs(const char *dst, const char *mode, bool ro)
{
	char opts[32];

	make_dirs(dst, 0755);
	snprintf(opts, sizeof(opts), "mode=%s", mode);
	if (mount("tmpfs", dst, "tmpfs", MS_NOSUID | MS_NODEV | (ro ? MS_RDONLY : 0), opts) < 0)
		fail("mount tmpfs on %s", dst + strlen(NEW));
}

static void symlink_at(const char *target, const char *dst)
{
	char parent[4096];

	snprintf(parent, sizeof(parent), "%s", dst);
	*strrchr(parent, '/') = '\0';
	make_dirs(parent, 0755);
	if (symlink(target, dst) < 0 && errno != EEXIST)
		fail("link %s", dst + strlen(NEW));
}

/* /dev: a tmpfs holding the host's harmless devices, a private devpts and
 * shared memory; nothing else of the host's devices. */
static void make_dev(const char *dst)
{
	static const char *const devices[] = { "null", "zero", "full", "random", "urandom", "tty" };
	static const char *const links[][2] = {
		{ "/proc/self/fd", "fd" }, { "/proc/self/fd/0", "stdin" },
		{ "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" }, { "pts/ptmx", "ptmx" },
	};
	char path[4096], src[64];

	tmpfs(dst, "0755", false);
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
		join(path, sizeof(path), dst, devices[i]);
		snprintf(src, sizeof(src), OLD "/dev/%s", devices[i]);
		make_mount_point(path, false);
		if (mount(src, path, NULL, MS_BIND, NULL) < 0)
			fail("bind /dev/%s", devices[i]);
	}
	join(path, sizeof(path), dst, "pts");
	make_dirs(path, 0755);
	if (mount("devpts", path, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620") < 0)
		fail("mount devpts");
	join(path, sizeof(path), dst, "shm");
	tmpfs(path, "1777", false);
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		join(path, sizeof(path), dst, links[i][1]);
		symlink_at(links[i][0], path);
	}
}

/* A fresh /proc for the new pid namespace, with the parts that reach
 * kernel-wide settings read-only (as bubblewrap does). */
static void make_proc(const char *dst)
{
	static const char *const ro_parts[] = { "sys", "sysrq-trigger", "irq", "bus" };
	char path[4096];
	struct stat st;

	make_dirs(dst, 0755);
	if (mount("proc", dst, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		fail("mount /proc");
	for (size_t i = 0; i < sizeof(ro_parts) / sizeof(ro_parts[0]); i++) {
		join(path, sizeof(path), dst, ro_parts[i]);
		if (stat(path, &st) < 0)
			continue;
		if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
			fail("protect /proc/%s", ro_parts[i]);
		restrict_tree(path, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
	}
}

/* ---- inside: the steps ---- */

/* Ids and the parent, as they were before clone(): inside a fresh user
 * namespace getuid() says nobody until the map exists. */
struct outside {
	int alive;		/* a pipe whose write end only the parent holds */
	uid_t uid;
	gid_t gid;
};

static void die_with_parent(const struct outside *o)
{
	struct pollfd hup = { .fd = o->alive, .events = POLLIN };

	/* If pylock dies, so does the sandbox (and with pid 1, all in it). A
	 * parent gone before the prctl took effect has closed the pipe (its
	 * pid is not visible from a new pid namespace to compare). */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		fail("set the parent-death signal");
	if (poll(&hup, 1, 0) != 0)
		_exit(SETUP_FAILED);
	close(o->alive);
}

static void write_self(const char *file, const char *text)
{
	int fd = open(file, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		fail("write %s", file);
	close(fd);
}

/* The caller's uid and gid map to themselves; setgroups is denied, as an
 * unprivileged map requires (user_namespaces(7)). The process writes its
 * own maps, which it may for its own ids: no round trip to the parent. */
static void map_ids(const struct outside *o)
{
	char map[64];

	if (access("/proc/self/setgroups", F_OK) == 0)
		write_self("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)o->uid, (unsigned)o->uid);
	write_self("/proc/self/uid_map", map);
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)o->gid, (unsigned)o->gid);
	write_self("/proc/self/gid_map", map);
}

/* Nothing but the report pipe and stdio crosses into the sandbox: an open
 * host folder would be a way out. */
static void close_inherited_fds(void)
{
	if (report_fd != 3) {
		if (dup3(report_fd, 3, O_CLOEXEC) < 0)
			fail("move the report pipe");
		close(report_fd);
		report_fd = 3;
	}
	if (syscall(SYS_close_range, 4U, ~0U, 0) < 0)
		for (int fd = 4; fd < 65536; fd++)
			close(fd);
}

static void make_mounts_private(void)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		fail("make mounts private");
}

/* A tmpfs becomes the root, the host's tree hangs at /oldroot, and the
 * sandbox's tree is built at /newroot. */
static void enter_scratch_root(void)
{
	if (mount("tmpfs", SCRATCH, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
		fail("mount the scratch tmpfs");
	if (chdir(SCRATCH) < 0 || mkdir("newroot", 0755) < 0 || mkdir("oldroot", 0755) < 0)
		fail("prepare the scratch tmpfs");
	if (syscall(SYS_pivot_root, ".", "oldroot") < 0)
		fail("pivot into the scratch tmpfs");
	if (chdir("/") < 0 || mount(NEW, NEW, NULL, MS_BIND | MS_REC, NULL) < 0)
		fail("prepare the new root");
}

static void run_ops(const struct sandbox_profile *p)
{
	char src[4096], dst[4096];

	for (size_t i = 0; i < p->nops; i++) {
		const struct sandbox_op *op = &p->ops[i];

		snprintf(dst, sizeof(dst), NEW "%s", op->dst);
		if (op->src)
			snprintf(src, sizeof(src), OLD "%s", op->src);
		switch (op->kind) {
		case SANDBOX_RO_BIND: bind(src, dst, true); break;
		case SANDBOX_BIND: bind(src, dst, false); break;
		case SANDBOX_TMPFS: tmpfs(dst, !strcmp(op->dst, "/tmp") ? "1777" : "0755", false); break;
		case SANDBOX_RO_TMPFS: tmpfs(dst, "0755", true); break;
		case SANDBOX_DEV: make_dev(dst); break;
		case SANDBOX_PROC: make_proc(dst); break;
		case SANDBOX_SYMLINK: symlink_at(op->src, dst); break;
		}
	}
}

static void set_hostname(const struct sandbox_profile *p)
{
	if (p->hostname && sethostname(p->hostname, strlen(p->hostname)) < 0)
		fail("set the host name");
}

/* Detach the host's tree and make /newroot the root (pivot_root(".", ".")
 * then unmounting the old root stacked on top, as pivot_root(2) describes). */
static void switch_root(void)
{
	if (umount2(OLD, MNT_DETACH) < 0)
		fail("detach the host's root");
	if (chdir(NEW) < 0 || syscall(SYS_pivot_root, ".", ".") < 0)
		fail("pivot into the new root");
	if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		fail("leave the scratch root");
}

static void seal_root(void)
{
	if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
		fail("make / read-only");
}

/* ---- inside: the command ---- */

/* The command gets the terminal's foreground, so Ctrl-C goes to it alone and
 * a shell's job control works; pylock takes the terminal back afterwards. */
static void take_terminal(void)
{
	sigset_t ttou, old;

	if (!isatty(0) || tcgetpgrp(0) != getpgrp())
		return;
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &old);
	if (setpgid(0, 0) == 0)
		tcsetpgrp(0, getpid());
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void drop_capabilities(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	/* Dropping past the last capability the kernel knows fails with EINVAL. */
	for (int cap = 0;; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			if (errno == EINVAL && cap > CAP_LAST_CAP / 2)
				break;
			fail("drop capability %d from the bounding set", cap);
		}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		fail("clear ambient capabilities");
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data) < 0)
		fail("drop capabilities");
}

static void no_new_privs(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail("set no_new_privs");
}

/* The filter (what it refuses and why: tools/gen-seccomp.c) is compiled by
 * libseccomp when pylock is built; starting a command only installs it. */
#include "sandbox-filter.h"

static void install_seccomp(void)
{
	struct sock_fprog prog = {
		.len = sizeof(sandbox_filter) / sizeof(sandbox_filter[0]),
		.filter = (struct sock_filter *)sandbox_filter,
	};

	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
		fail("install the seccomp filter");
}

/* Runs in a vfork() child, sharing init's memory until exec: system calls
 * only, nothing that allocates. */
static void exec_command(const struct sandbox_profile *p, char *const argv[])
{
	char msg[512];
	int e, code;

	take_terminal();
	if (chdir(p->cwd ? p->cwd : "/") < 0)
		fail("enter %s", p->cwd);
	drop_capabilities();
	no_new_privs();
	install_seccomp();
	environ = p->env;
	execvp(argv[0], argv);
	/* Past exec the report pipe is closed; the command's own stderr says it. */
	e = errno;
	code = e == ENOENT ? 127 : 126;
	snprintf(msg, sizeof(msg), "pylock: %s: %s\n", argv[0], e == ENOENT ? "command not found" : strerror(e));
	if (write(2, msg, strlen(msg)) < 0)
		_exit(code);
	_exit(code);
}

static volatile pid_t forward_to;

static void forward_signal(int sig)
{
	if (forward_to > 0)
		kill(forward_to, sig);
}

static void forward_signals(void (*handler)(int))
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

static int exit_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* pid 1: start the command, forward signals to it, reap whatever else
 * ends, and leave with the command's status (which ends everything left). */
static void run_init(const struct sandbox_profile *p, char *const argv[])
{
	sigset_t all, old;
	pid_t child, pid;
	int status = 0;

	/* vfork, not fork: init's memory is not copied for a command that
	 * replaces it at once. Signals wait until each side has its handlers. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	forward_signals(forward_signal);
	child = vfork();
	if (child == 0) {
		forward_signals(SIG_DFL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		exec_command(p, argv);
	}
	if (child < 0)
		fail("start the command");
	forward_to = child;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(report_fd);
	for (;;) {
		pid = wait(&status);
		if (pid == child)
			_exit(exit_code(status));
		if (pid < 0 && errno != EINTR)
			_exit(SETUP_FAILED);
	}
}

static void sandbox_child(const struct sandbox_profile *p, char *const argv[], const struct outside *o)
{
	die_with_parent(o);
	map_ids(o);
	close_inherited_fds();
	make_mounts_private();
	enter_scratch_root();
	run_ops(p);
	set_hostname(p);
	switch_root();
	seal_root();
	run_init(p, argv);
}

/* ---- outside ---- */

static int clone_failed(struct pl_error *err)
{
	if (errno == EPERM || errno == ENOSPC || errno == EUSERS)
		return pl_error_errno(err, NULL,
			"sandbox: cannot create a user namespace; user namespaces are disabled here "
			"(enable them with 'sysctl -w kernel.unprivileged_userns_clone=1' on Debian, "
			"or raise 'user.max_user_namespaces')");
	return pl_error_errno(err, NULL, "sandbox: cannot create the namespaces");
}

static volatile pid_t sandbox_pid;

static void forward_to_sandbox(int sig)
{
	if (sandbox_pid > 0)
		kill(sandbox_pid, sig);
}

int sandbox_run(const struct sandbox_profile *p, char *const argv[], int *status,
		struct pl_error *err)
{
	unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC |
			      CLONE_NEWUTS | CLONE_NEWCGROUP | (p->net_off ? CLONE_NEWNET : 0);
	int report[2], alive[2], wstatus;
	struct outside o = { -1, getuid(), getgid() };
	bool foreground = isatty(0) && tcgetpgrp(0) == getpgrp();
	char msg[1024];
	ssize_t n, got = 0;
	pid_t pid;

	if (choose_flag_method(err) < 0)
		return -1;
	if (pipe2(report, O_CLOEXEC) < 0)
		return pl_error_errno(err, NULL, "sandbox: pipe");
	if (pipe2(alive, O_CLOEXEC) < 0) {
		close(report[0]);
		close(report[1]);
		return pl_error_errno(err, NULL, "sandbox: pipe");
	}
	o.alive = alive[0];
	fflush(NULL);
	pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid == 0) {
		close(report[0]);
		close(alive[1]);
		report_fd = report[1];
		sandbox_child(p, argv, &o);
	}
	close(report[1]);
	close(alive[0]);
	if (pid < 0) {
		close(alive[1]);
		close(report[0]);
		return clone_failed(err);
	}
	sandbox_pid = pid;
	forward_signals(forward_to_sandbox);
	/* EOF without a word: the command has started. */
	while ((n = read(report[0], msg + got, sizeof(msg) - 1 - (size_t)got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		got += n;
		if ((size_t)got >= sizeof(msg) - 1)
			break;
	}
	close(report[0]);
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	close(alive[1]);
	forward_signals(SIG_DFL);
	sandbox_pid = 0;
	if (foreground) {
		sigset_t ttou, old;
		sigemptyset(&ttou);
		sigaddset(&ttou, SIGTTOU);
		sigprocmask(SIG_BLOCK, &ttou, &old);
		tcsetpgrp(0, getpgrp());
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	if (got > 0) {
		msg[got] = '\0';
		return pl_error_set(err, NULL, 0, 0, "sandbox: %s", msg);
	}
	*status = exit_code(wstatus);
	return 0;
}
