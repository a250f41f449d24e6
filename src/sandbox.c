/* The sandbox, step by step (compare bubblewrap's main()):
 *
 *   parent                         sandbox init (pid 1)              command
 *   sandbox_prep_before()          die_with_parent() (and, with
 *     (sandbox-host.c): root's       cgroups, wait to be put in them)
 *     idmapped /usr and /etc,      take_stdio(): pipes for host files
 *     pipes for stdio files,       map_ids(): uid/gid -> itself,
 *     terminal modes, cgroups        setgroups denied
 *   clone(user|mount|pid|ipc|uts   close_inherited_fds()
 *         |cgroup[|net])           make_mounts_private()
 *   sandbox_prep_started():        bring_up_loopback() (--net=off)
 *     pumps, cgroups joined        enter_scratch_root()
 *                                  run_ops(): every mount point opened
 *                                    without following links; binds
 *                                    (read-only down to every submount),
 *                                    tmpfs, /dev, /proc (keys hidden)
 *                                  set_hostname()
 *   wait; forward signals          switch_root(): pivot, old root gone
 *   sandbox_prep_after(): the      seal_root(): / read-only
 *     terminal back, pumps         run_init(): vfork --------------> own_process_group()
 *     drained, cgroups removed       forward signals, reap,          chdir(cwd)
 *                                    exit with the command's status  limit_resources()
 *                                                                    drop_capabilities()
 *                                                                    no_new_privs()
 *                                                                    landlock_scopes()
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
#include <linux/openat2.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "gitguard.h"
#include "sandbox-internal.h"

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

/* ---- inside: file-system helpers ----
 *
 * Every mount point and bind source is opened one name at a time from a
 * descriptor of the new root (or of the host's, under /oldroot), never
 * through a symbolic link, and mounted through /proc/self/fd: a link left
 * in a writable tree by an earlier run cannot send a mount point, or the
 * folders made for it, anywhere else. */

static int root_fd = -1;	/* NEW */
static int host_fd = -1;	/* OLD: the host's root */

/* The path through which mount(2) reaches what fd is (the host's /proc,
 * under the old root until switch_root(), resolves self to this process). */
static const char *fd_path(int fd, char out[64])
{
	snprintf(out, 64, OLD "/proc/self/fd/%d", fd);
	return out;
}

enum { FOLDER = 1, CREATE = 2, MAY_MISS = 4 };

/* For the error: the first symbolic link on path below base. */
static void fail_through_link(int base, const char *path, const char *shown)
{
	char part[4096];
	struct stat st;

	for (const char *end = path; *end; end++) {
		if (end[1] != '/' && end[1] != '\0')
			continue;
		snprintf(part, sizeof(part), "%.*s", (int)(end + 1 - path), path);
		if (fstatat(base, part[0] == '/' ? part + 1 : part, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode)) {
			const char *name = strrchr(part, '/');
			errno = ELOOP;
			fail("%s passes through a symbolic link (%s); pylock does not follow links there", shown,
			     name ? name + 1 : part);
		}
	}
	errno = ELOOP;
	fail("%s passes through a symbolic link; pylock does not follow links there", shown);
}

/* The component walk openat2() does in one call, for kernels before 5.6. */
static int walk_beneath(int base, const char *path, const char *shown)
{
	char name[256];
	const char *p = path;
	int fd = base;

	for (;;) {
		struct stat st;
		size_t n;
		int next;

		while (*p == '/')
			p++;
		if (!*p)
			return fd == base ? openat(base, ".", O_PATH | O_DIRECTORY | O_CLOEXEC) : fd;
		n = strcspn(p, "/");
		if (n >= sizeof(name)) {
			errno = ENAMETOOLONG;
			break;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;
		next = openat(fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd != base)
			close(fd);
		if (next < 0 || fstat(next, &st) < 0)
			return -1;
		fd = next;
		if (S_ISLNK(st.st_mode))
			fail_through_link(base, path, shown);
	}
	if (fd != base)
		close(fd);
	return -1;
}

/* path below base as an O_PATH descriptor, resolved in base as its root
 * and never through a symbolic link; with CREATE what is missing is made
 * (folders; the last one a folder with FOLDER, else an empty file); with
 * MAY_MISS a missing one gives -1. shown names it in errors. */
static int open_beneath(int base, const char *path, int how, const char *shown)
{
	struct open_how oh = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	static bool no_openat2;
	char parent[4096];
	const char *name;
	int fd = -1, dir;

	if (strstr(path, "/../") || (strlen(path) >= 3 && !strcmp(path + strlen(path) - 3, "/.."))) {
		errno = EINVAL;
		fail("open %s", shown);
	}
	if (!no_openat2) {
		fd = (int)syscall(SYS_openat2, base, path, &oh, sizeof(oh));
		if (fd < 0 && errno == ENOSYS)
			no_openat2 = true;
	}
	if (no_openat2)
		fd = walk_beneath(base, path, shown);
	if (fd >= 0)
		return fd;
	if (errno == ELOOP)
		fail_through_link(base, path, shown);
	if (errno != ENOENT || !(how & (CREATE | MAY_MISS)))
		fail("open %s", shown);
	if (!(how & CREATE))
		return -1;
	/* Missing: its folder (made if need be), then it. */
	name = strrchr(path, '/');
	snprintf(parent, sizeof(parent), "%.*s", name ? (int)(name - path) : 0, path);
	name = name ? name + 1 : path;
	dir = open_beneath(base, parent[0] ? parent : "/", CREATE | FOLDER, shown);
	if (how & FOLDER) {
		if (mkdirat(dir, name, 0755) < 0 && errno != EEXIST)
			fail("create folder %s", shown);
	} else {
		int made = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (made < 0 && errno != EEXIST)
			fail("create mount point %s", shown);
		if (made >= 0)
			close(made);
	}
	close(dir);
	return open_beneath(base, path, how & ~CREATE, shown);
}

static int open_inside(const char *path, int how)
{
	return open_beneath(root_fd, path, how, path);
}

static int open_host(const char *path)
{
	return open_beneath(host_fd, path, 0, path);
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

/* Gives the mount at dst (inside) and every mount below it the flags. */
static void restrict_tree(const char *dst, unsigned long flags)
{
	struct mount_attr attr = { .attr_set = setattr_bits(flags) };
	char top[4096];
	int fd;

	if (use_mountinfo) {
		snprintf(top, sizeof(top), NEW "%s", dst);
		remount_through_mountinfo(top, flags);
		return;
	}
	fd = open_inside(dst, 0);
	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		fail("make %s %s", dst, restriction(flags));
	close(fd);
}

/* src (a descriptor) bound at dst, every submount with it. */
static void bind_fd(int src, const char *dst, bool dir, const char *shown)
{
	char from[64], to[64];
	int fd = open_inside(dst, CREATE | (dir ? FOLDER : 0));

	if (mount(fd_path(src, from), fd_path(fd, to), NULL, MS_BIND | MS_REC, NULL) < 0)
		fail("bind %s", shown);
	close(fd);
}

/* The host's src at dst, read-only (or not), nosuid and nodev throughout. */
static void bind_host(const char *src, const char *dst, bool ro)
{
	int fd = open_host(src);
	struct stat st;

	if (fstat(fd, &st) < 0)
		fail("bind %s", src);
	bind_fd(fd, dst, S_ISDIR(st.st_mode), src);
	close(fd);
	restrict_tree(dst, MS_NOSUID | MS_NODEV | (ro ? MS_RDONLY : 0));
}

/* A detached tree the parent prepared (already read-only throughout). */
static void attach(int tree, const char *dst)
{
	int fd = open_inside(dst, CREATE | FOLDER);

	if (syscall(SYS_move_mount, tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		fail("bind %s", dst);
	close(fd);
	close(tree);
}

static long long tmpfs_size;	/* the profile's, for every writable tmpfs */

static void tmpfs(const char *dst, const char *mode, bool ro)
{
	char opts[64], at[64];
	int fd = open_inside(dst, CREATE | FOLDER);

	if (ro || tmpfs_size <= 0)
		snprintf(opts, sizeof(opts), "mode=%s", mode);
	else
		snprintf(opts, sizeof(opts), "mode=%s,size=%lld", mode, tmpfs_size);
	if (mount("tmpfs", fd_path(fd, at), "tmpfs", MS_NOSUID | MS_NODEV | (ro ? MS_RDONLY : 0), opts) < 0)
		fail("mount tmpfs on %s", dst);
	close(fd);
}

static void symlink_at(const char *target, const char *dst)
{
	char parent[4096];
	const char *name = strrchr(dst, '/') + 1;
	int fd;

	snprintf(parent, sizeof(parent), "%.*s", (int)(name - dst), dst);
	fd = open_inside(parent, CREATE | FOLDER);
	if (symlinkat(target, fd, name) < 0 && errno != EEXIST)
		fail("link %s", dst);
	close(fd);
}

/* Hides dst where it exists: null (an open /dev/null of the host's) over
 * a file, an empty read-only tmpfs over a folder. */
static void mask(const char *dst, int null)
{
	int fd = open_inside(dst, MAY_MISS);
	struct stat st;

	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0)
		fail("hide %s", dst);
	close(fd);
	if (S_ISDIR(st.st_mode))
		tmpfs(dst, "0000", true);
	else
		bind_fd(null, dst, false, dst);
}

static void join(char *out, size_t size, const char *dir, const char *name)
{
	if ((size_t)snprintf(out, size, "%s/%s", dir, name) >= size) {
		errno = ENAMETOOLONG;
		fail("path %s/%s", dir, name);
	}
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
	char path[4096], src[64], at[64];
	int fd;

	tmpfs(dst, "0755", false);
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
		snprintf(src, sizeof(src), "/dev/%s", devices[i]);
		join(path, sizeof(path), dst, devices[i]);
		fd = open_host(src);
		bind_fd(fd, path, false, src);
		close(fd);
	}
	join(path, sizeof(path), dst, "pts");
	fd = open_inside(path, CREATE | FOLDER);
	if (mount("devpts", fd_path(fd, at), "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620") < 0)
		fail("mount devpts");
	close(fd);
	join(path, sizeof(path), dst, "shm");
	tmpfs(path, "1777", false);
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		join(path, sizeof(path), dst, links[i][1]);
		symlink_at(links[i][0], path);
	}
}

/* A fresh /proc for the new pid namespace, with the parts that reach
 * kernel-wide settings read-only (as bubblewrap does), and those that list
 * the host's keys, kernel memory or timers hidden. */
static void make_proc(const char *dst)
{
	static const char *const ro_parts[] = { "sys", "sysrq-trigger", "irq", "bus" };
	static const char *const hidden[] = { "keys", "key-users", "kcore", "timer_list", "sched_debug" };
	char path[4096], at[64];
	int fd = open_inside(dst, CREATE | FOLDER);

	if (mount("proc", fd_path(fd, at), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		fail("mount /proc");
	close(fd);
	for (size_t i = 0; i < sizeof(ro_parts) / sizeof(ro_parts[0]); i++) {
		join(path, sizeof(path), dst, ro_parts[i]);
		if ((fd = open_inside(path, MAY_MISS)) < 0)
			continue;
		bind_fd(fd, path, true, path);
		close(fd);
		restrict_tree(path, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
	}
	fd = open_host("/dev/null");
	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
		join(path, sizeof(path), dst, hidden[i]);
		mask(path, fd);
	}
	close(fd);
}

/* ---- inside: the steps ---- */

/* Ids and the parent, as they were before clone(): inside a fresh user
 * namespace getuid() says nobody until the map exists. */
struct outside {
	int alive;		/* a pipe whose write end only the parent holds */
	uid_t uid;
	gid_t gid;
};

static void die_with_parent(const struct outside *o, const struct sandbox_prep *prep)
{
	struct pollfd hup = { .fd = o->alive, .events = POLLIN };
	char go;

	/* If pylock dies, so does the sandbox (and with pid 1, all in it). A
	 * parent gone before the prctl took effect has closed the pipe (its
	 * pid is not visible from a new pid namespace to compare). Where the
	 * parent puts the sandbox in cgroups first, it says when it has. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		fail("set the parent-death signal");
	if (prep->hold ? read(o->alive, &go, 1) != 1 : poll(&hup, 1, 0) != 0)
		_exit(SETUP_FAILED);
	close(o->alive);
	/* Its cgroup namespace starts at the cgroups it was put in. */
	if (prep->hold && unshare(CLONE_NEWCGROUP) < 0)
		fail("make a cgroup namespace");
}

/* What the parent hands over through pipes stands in for fd 0, 1, 2. */
static void take_stdio(const struct sandbox_prep *prep)
{
	for (int fd = 0; fd < 3; fd++)
		if (prep->stdio[fd] >= 0 && dup2(prep->stdio[fd], fd) < 0)
			fail("take over fd %d", fd);
	if (prep->stdio[1] >= 0 && prep->stdio[2] < 0) {
		struct stat st;
		/* 2>&1 into one file: both through the one pipe. */
		if (fstat(2, &st) == 0 && S_ISREG(st.st_mode) && dup2(1, 2) < 0)
			fail("take over fd 2");
	}
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

/* Nothing but stdio, the report pipe and the parent's prepared trees
 * (never at 3) crosses into the sandbox: an open host folder would be a
 * way out. */
static void close_inherited_fds(const struct sandbox_prep *prep)
{
	int keep[64], n = 0, from = 3;

	if (report_fd != 3) {
		if (dup3(report_fd, 3, O_CLOEXEC) < 0)
			fail("move the report pipe");
		close(report_fd);
		report_fd = 3;
	}
	keep[n++] = 3;
	for (size_t i = 0; i < prep->ntrees && n < 64; i++)
		if (prep->tree_fd[i] > 3)
			keep[n++] = prep->tree_fd[i];
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
			int t = keep[j];
			keep[j] = keep[j - 1];
			keep[j - 1] = t;
		}
	for (int i = 0; i <= n; i++) {
		unsigned to = i < n ? (unsigned)keep[i] - 1 : ~0U;
		if (to >= (unsigned)from && syscall(SYS_close_range, (unsigned)from, to, 0) < 0)
			for (unsigned fd = (unsigned)from; fd <= to && fd < 65536; fd++)
				close((int)fd);
		if (i < n)
			from = keep[i] + 1;
	}
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
	if ((root_fd = open(NEW, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (host_fd = open(OLD, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		fail("open the new root");
}

/* With --net=off the namespace has only loopback, and down: up, as bwrap
 * does, so that a test server inside can listen on 127.0.0.1. */
static void bring_up_loopback(const struct sandbox_profile *p)
{
	struct ifreq ifr;
	int fd;

	if (!p->net_off)
		return;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		fail("read the loopback interface");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		fail("bring up the loopback interface");
	close(fd);
}

static void hide(const char *dst)
{
	int null = open_host("/dev/null");

	mask(dst, null);
	close(null);
}

static void hide_unreadable(const struct sandbox_prep *prep)
{
	int null = prep->nhidden ? open_host("/dev/null") : -1;

	for (size_t i = 0; i < prep->nhidden; i++)
		mask(prep->hidden[i], null);
	if (null >= 0)
		close(null);
}

static void run_ops(const struct sandbox_profile *p, const struct sandbox_prep *prep)
{
	tmpfs_size = p->tmpfs_size;
	for (size_t i = 0; i < p->nops; i++) {
		const struct sandbox_op *op = &p->ops[i];

		switch (op->kind) {
		case SANDBOX_SYSTEM_BIND:
			if (prep->tree_fd[i] >= 0)
				attach(prep->tree_fd[i], op->dst);
			else
				bind_host(op->src, op->dst, true);
			if (!strcmp(op->dst, "/etc"))
				hide_unreadable(prep);
			break;
		case SANDBOX_RO_BIND: bind_host(op->src, op->dst, true); break;
		case SANDBOX_BIND: bind_host(op->src, op->dst, false); break;
		case SANDBOX_TMPFS: tmpfs(op->dst, !strcmp(op->dst, "/tmp") ? "1777" : "0755", false); break;
		case SANDBOX_RO_TMPFS: tmpfs(op->dst, "0755", true); break;
		case SANDBOX_DEV: make_dev(op->dst); break;
		case SANDBOX_PROC: make_proc(op->dst); break;
		case SANDBOX_SYMLINK: symlink_at(op->src, op->dst); break;
		case SANDBOX_MASK: hide(op->dst); break;
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
	close(root_fd);
	close(host_fd);
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

/* Bounds on the command and all it starts (init, pylock's own code, keeps
 * none: a sanitizer's reservations would not fit). RLIMIT_NPROC counts the
 * processes of this user namespace alone (Linux 5.14); the kernel exempts
 * the host's root from it, for whom the parent's cgroups bound instead. */
static void limit_resources(const struct sandbox_profile *p)
{
	struct rlimit r;

	if (p->processes > 0) {
		r.rlim_cur = r.rlim_max = (rlim_t)p->processes;
		if (setrlimit(RLIMIT_NPROC, &r) < 0)
			fail("limit processes to %ld", p->processes);
	}
	if (p->memory > 0) {
		r.rlim_cur = r.rlim_max = (rlim_t)p->memory;
		if (setrlimit(RLIMIT_AS, &r) < 0)
			fail("limit memory to %lld bytes", p->memory);
	}
}

/* ---- inside: the command ---- */

/* The command gets a process group of its own, so that kill(0, ...) and
 * the terminal's signals reach it alone. With the terminal's foreground
 * (pylock held it) it takes that too, and a shell's job control works;
 * pylock takes the terminal back afterwards. Otherwise a session of its
 * own: no controlling terminal to act on at all. */
static void own_process_group(int tty)
{
	sigset_t ttou, old;

	if (tty < 0) {
		setsid();
		return;
	}
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &old);
	if (setpgid(0, 0) == 0)
		tcsetpgrp(tty, getpid());
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

/* Landlock's scopes (ABI 6, Linux 6.12): no connecting to an abstract unix
 * socket made outside the sandbox (the host's X11 or D-Bus with the
 * network on) and no signal to a process outside it. Older kernels leave
 * the abstract sockets of the host's network namespace reachable (pylock
 * help run says so); the pid namespace and the process group contain
 * signals there too. */
#define LANDLOCK_SCOPES_ABI 6
static void landlock_scopes(void)
{
	struct {
		uint64_t handled_access_fs, handled_access_net, scoped;
	} attr = { 0, 0, 1 /* abstract unix sockets */ | 2 /* signals */ };
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, 1 /* LANDLOCK_CREATE_RULESET_VERSION */);
	int fd;

	if (abi < LANDLOCK_SCOPES_ABI)
		return;
	if ((fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0)) < 0 ||
	    syscall(SYS_landlock_restrict_self, fd, 0) < 0)
		fail("apply Landlock's scopes");
	close(fd);
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
static void exec_command(const struct sandbox_profile *p, const struct sandbox_prep *prep, char *const argv[])
{
	char msg[512];
	int e, code;

	own_process_group(prep->tty);
	if (chdir(p->cwd ? p->cwd : "/") < 0)
		fail("enter %s", p->cwd);
	limit_resources(p);
	drop_capabilities();
	no_new_privs();
	landlock_scopes();
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
static void run_init(const struct sandbox_profile *p, const struct sandbox_prep *prep, char *const argv[])
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
		exec_command(p, prep, argv);
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

static void sandbox_child(const struct sandbox_profile *p, const struct sandbox_prep *prep, char *const argv[],
			  const struct outside *o)
{
	die_with_parent(o, prep);
	take_stdio(prep);
	map_ids(o);
	close_inherited_fds(prep);
	make_mounts_private();
	bring_up_loopback(p);
	enter_scratch_root();
	run_ops(p, prep);
	set_hostname(p);
	switch_root();
	seal_root();
	run_init(p, prep, argv);
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
	unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
			      (p->net_off ? CLONE_NEWNET : 0);
	int report[2], alive[2], wstatus;
	struct outside o = { -1, getuid(), getgid() };
	struct sandbox_prep prep;
	char msg[1024];
	ssize_t n, got = 0;
	pid_t pid;

	if (choose_flag_method(err) < 0 || sandbox_prep_before(p, &prep, err) < 0)
		return -1;
	if (pipe2(report, O_CLOEXEC) < 0) {
		sandbox_prep_after(&prep);
		return pl_error_errno(err, NULL, "sandbox: pipe");
	}
	if (pipe2(alive, O_CLOEXEC) < 0) {
		close(report[0]);
		close(report[1]);
		sandbox_prep_after(&prep);
		return pl_error_errno(err, NULL, "sandbox: pipe");
	}
	o.alive = alive[0];
	if (!prep.hold)
		flags |= CLONE_NEWCGROUP;
	fflush(NULL);
	pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid == 0) {
		close(report[0]);
		close(alive[1]);
		report_fd = report[1];
		sandbox_child(p, &prep, argv, &o);
	}
	close(report[1]);
	close(alive[0]);
	if (pid < 0) {
		close(alive[1]);
		close(report[0]);
		sandbox_prep_after(&prep);
		return clone_failed(err);
	}
	sandbox_pid = pid;
	forward_signals(forward_to_sandbox);
	if (sandbox_prep_started(&prep, pid, err) < 0) {
		kill(pid, SIGKILL);
		got = -1;
	} else if (prep.hold && write(alive[1], "g", 1) != 1)
		kill(pid, SIGKILL);
	/* EOF without a word: the command has started. */
	while (got >= 0 && (n = read(report[0], msg + got, sizeof(msg) - 1 - (size_t)got)) != 0) {
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
	sandbox_prep_after(&prep);
	if (got < 0)
		return -1;
	if (got > 0) {
		msg[got] = '\0';
		return pl_error_set(err, NULL, 0, 0, "sandbox: %s", msg);
	}
	*status = exit_code(wstatus);
	return 0;
}
