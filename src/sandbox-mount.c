/* The sandbox's new root, built inside it before the pivot (the run_ops
 * step of sandbox.c): every mount point and bind source opened from a
 * descriptor of the new root (or of the host's, under /oldroot) and never
 * through a symbolic link, binds read-only down to every submount, tmpfs,
 * /dev and /proc. */
#include "config.h"
#include "sandbox-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libmount/libmount.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "dl.h"

/* ---- inside: file-system helpers ----
 *
 * Every mount point and bind source is opened one name at a time from a
 * descriptor of the new root (or of the host's, under /oldroot), never
 * through a symbolic link, and mounted through /proc/self/fd: a link left
 * in a writable tree by an earlier run cannot send a mount point, or the
 * folders made for it, anywhere else. */

static int root_fd = -1;	/* NEW */
static int host_fd = -1;	/* OLD: the host's root */

void sandbox_roots_open(void)
{
	if ((root_fd = open(NEW, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (host_fd = open(OLD, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		sandbox_fail("open the new root");
}

void sandbox_roots_close(void)
{
	close(root_fd);
	close(host_fd);
}

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
			sandbox_fail("%s passes through a symbolic link (%s); pylock does not follow links there", shown,
			     name ? name + 1 : part);
		}
	}
	errno = ELOOP;
	sandbox_fail("%s passes through a symbolic link; pylock does not follow links there", shown);
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
		sandbox_fail("open %s", shown);
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
		sandbox_fail("open %s", shown);
	if (!(how & CREATE))
		return -1;
	/* Missing: its folder (made if need be), then it. */
	name = strrchr(path, '/');
	snprintf(parent, sizeof(parent), "%.*s", name ? (int)(name - path) : 0, path);
	name = name ? name + 1 : path;
	dir = open_beneath(base, parent[0] ? parent : "/", CREATE | FOLDER, shown);
	if (how & FOLDER) {
		if (mkdirat(dir, name, 0755) < 0 && errno != EEXIST)
			sandbox_fail("create folder %s", shown);
	} else {
		int made = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (made < 0 && errno != EEXIST)
			sandbox_fail("create mount point %s", shown);
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

static DL_TABLE(MOUNT_FUNCTIONS) mnt_fn;

#define M(f) (mnt_fn.f)

/* Whether flags go through mountinfo (decided outside, before the clone). */
static bool use_mountinfo;

static const char *load_libmount(void)
{
	return DL_LOAD(LIBMOUNT_SONAME, MOUNT_FUNCTIONS, mnt_fn);
}

/* mount_setattr with a size below the first version is EINVAL where the
 * call exists; ENOSYS (old kernel) or EPERM (a filter) where it does not. */
int sandbox_choose_flag_method(struct pl_error *err)
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
		sandbox_fail("read /proc/self/mountinfo");
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
			sandbox_fail("make %s %s", target + strlen(NEW), restriction(add));
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
		sandbox_fail("make %s %s", dst, restriction(flags));
	close(fd);
}

/* src (a descriptor) bound at dst, every submount with it. */
static void bind_fd(int src, const char *dst, bool dir, const char *shown)
{
	char from[64], to[64];
	int fd = open_inside(dst, CREATE | (dir ? FOLDER : 0));

	if (mount(fd_path(src, from), fd_path(fd, to), NULL, MS_BIND | MS_REC, NULL) < 0)
		sandbox_fail("bind %s", shown);
	close(fd);
}

/* The host's src at dst, read-only (or not), nosuid and nodev throughout. */
static void bind_host(const char *src, const char *dst, bool ro)
{
	int fd = open_host(src);
	struct stat st;

	if (fstat(fd, &st) < 0)
		sandbox_fail("bind %s", src);
	bind_fd(fd, dst, S_ISDIR(st.st_mode), src);
	close(fd);
	restrict_tree(dst, MS_NOSUID | MS_NODEV | (ro ? MS_RDONLY : 0));
}

/* A detached tree the parent prepared (already read-only throughout). */
static void attach(int tree, const char *dst)
{
	int fd = open_inside(dst, CREATE | FOLDER);

	if (syscall(SYS_move_mount, tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		sandbox_fail("bind %s", dst);
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
		sandbox_fail("mount tmpfs on %s", dst);
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
		sandbox_fail("link %s", dst);
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
		sandbox_fail("hide %s", dst);
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
		sandbox_fail("path %s/%s", dir, name);
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
		sandbox_fail("mount devpts");
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
		sandbox_fail("mount /proc");
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

void sandbox_build_root(const struct sandbox_profile *p, const struct sandbox_prep *prep)
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

