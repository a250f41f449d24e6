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

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <net/if.h>
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
#include <sys/resource.h>
#include <sys/socket.h>
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

int sandbox_report_fd = -1;

/* In the sandbox processes only: tell the parent which step failed, and end
 * this (forked) process. */
void sandbox_fail(const char *fmt, ...)
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
	if (write(sandbox_report_fd, msg, strlen(msg)) < 0)
		_exit(SETUP_FAILED);
	_exit(SETUP_FAILED);
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
	 * parent puts the sandbox in cgroups first, it says when it has; its
	 * word may be all that is left of a parent that died since. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		sandbox_fail("set the parent-death signal");
	if ((prep->hold && read(o->alive, &go, 1) != 1) || poll(&hup, 1, 0) != 0)
		_exit(SETUP_FAILED);
	close(o->alive);
	/* Its cgroup namespace starts at the cgroups it was put in. */
	if (prep->hold && unshare(CLONE_NEWCGROUP) < 0)
		sandbox_fail("make a cgroup namespace");
}

/* What the parent hands over through pipes stands in for fd 0, 1, 2. */
static void take_stdio(const struct sandbox_prep *prep)
{
	for (int fd = 0; fd < 3; fd++)
		if (prep->stdio[fd] >= 0 && dup2(prep->stdio[fd], fd) < 0)
			sandbox_fail("take over fd %d", fd);
	if (prep->stdio[1] >= 0 && prep->stdio[2] < 0) {
		struct stat st;
		/* 2>&1 into one file: both through the one pipe. */
		if (fstat(2, &st) == 0 && S_ISREG(st.st_mode) && dup2(1, 2) < 0)
			sandbox_fail("take over fd 2");
	}
}

static void write_self(const char *file, const char *text)
{
	int fd = open(file, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		sandbox_fail("write %s", file);
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

	if (sandbox_report_fd != 3) {
		if (dup3(sandbox_report_fd, 3, O_CLOEXEC) < 0)
			sandbox_fail("move the report pipe");
		close(sandbox_report_fd);
		sandbox_report_fd = 3;
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
		sandbox_fail("make mounts private");
}

/* A tmpfs becomes the root, the host's tree hangs at /oldroot, and the
 * sandbox's tree is built at /newroot. */
static void enter_scratch_root(void)
{
	if (mount("tmpfs", SCRATCH, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
		sandbox_fail("mount the scratch tmpfs");
	if (chdir(SCRATCH) < 0 || mkdir("newroot", 0755) < 0 || mkdir("oldroot", 0755) < 0)
		sandbox_fail("prepare the scratch tmpfs");
	if (syscall(SYS_pivot_root, ".", "oldroot") < 0)
		sandbox_fail("pivot into the scratch tmpfs");
	if (chdir("/") < 0 || mount(NEW, NEW, NULL, MS_BIND | MS_REC, NULL) < 0)
		sandbox_fail("prepare the new root");
	sandbox_roots_open();
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
		sandbox_fail("read the loopback interface");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		sandbox_fail("bring up the loopback interface");
	close(fd);
}

static void set_hostname(const struct sandbox_profile *p)
{
	if (p->hostname && sethostname(p->hostname, strlen(p->hostname)) < 0)
		sandbox_fail("set the host name");
}

/* Detach the host's tree and make /newroot the root (pivot_root(".", ".")
 * then unmounting the old root stacked on top, as pivot_root(2) describes). */
static void switch_root(void)
{
	sandbox_roots_close();
	if (umount2(OLD, MNT_DETACH) < 0)
		sandbox_fail("detach the host's root");
	if (chdir(NEW) < 0 || syscall(SYS_pivot_root, ".", ".") < 0)
		sandbox_fail("pivot into the new root");
	if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		sandbox_fail("leave the scratch root");
}

static void seal_root(void)
{
	if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
		sandbox_fail("make / read-only");
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
			sandbox_fail("limit processes to %ld", p->processes);
	}
	if (p->memory > 0) {
		r.rlim_cur = r.rlim_max = (rlim_t)p->memory;
		if (setrlimit(RLIMIT_AS, &r) < 0)
			sandbox_fail("limit memory to %lld bytes", p->memory);
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
			sandbox_fail("drop capability %d from the bounding set", cap);
		}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		sandbox_fail("clear ambient capabilities");
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data) < 0)
		sandbox_fail("drop capabilities");
}

static void no_new_privs(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		sandbox_fail("set no_new_privs");
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
		sandbox_fail("apply Landlock's scopes");
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
		sandbox_fail("install the seccomp filter");
}

/* Runs in a vfork() child, sharing init's memory until exec: system calls
 * only, nothing that allocates. */
static void exec_command(const struct sandbox_profile *p, const struct sandbox_prep *prep, char *const argv[])
{
	char msg[512];
	int e, code;

	own_process_group(prep->tty);
	if (chdir(p->cwd ? p->cwd : "/") < 0)
		sandbox_fail("enter %s", p->cwd);
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
		sandbox_fail("start the command");
	forward_to = child;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(sandbox_report_fd);
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
	sandbox_build_root(p, prep);
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

	if (sandbox_choose_flag_method(err) < 0 || sandbox_prep_before(p, &prep, err) < 0)
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
		sandbox_report_fd = report[1];
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
