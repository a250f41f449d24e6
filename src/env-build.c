/* env_sync: verify into the store, unpack each wheel once, precompile,
 * assemble by hard links, rename into place. */
#include "config.h"
#include "env.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admit.h"
#include "env-internal.h"
#include "store.h"
#include "wheel.h"

struct compiler;

struct sync {
	const struct env_plan *plan;
	const struct pyenv *py;
	const struct env_sync_options *o;
	char **blobs;			/* per pick: the verified file in the store */
	struct trust_result *results;
	char **unpacked;		/* per pick: a fresh unpack's temporary folder */
	struct pl_error *errors;	/* per pick */
	pthread_mutex_t lock;
	size_t done, total;
	const char *phase;
	int dst;			/* the environment being assembled (link) */
	struct compiler *compiler;	/* unpacked trees go to it (unpack) */
};

static void progress(struct sync *s)
{
	pthread_mutex_lock(&s->lock);
	s->done++;
	if (s->o->progress && s->o->progress->report)
		s->o->progress->report(s->o->progress->arg, s->phase, s->done, s->total);
	pthread_mutex_unlock(&s->lock);
}

static void step(const struct sync *s, const char *name)
{
	if (s->o->progress && s->o->progress->step)
		s->o->progress->step(s->o->progress->arg, name);
}

static void start_phase(struct sync *s, const char *phase, size_t total)
{
	s->phase = phase;
	s->done = 0;
	s->total = total;
	if (s->o->progress && s->o->progress->report && total)
		s->o->progress->report(s->o->progress->arg, phase, 0, total);
}

static void obtain_one(void *arg, size_t i, void **state)
{
	struct sync *s = arg;
	const struct env_pick *p = &s->plan->picks[i];

	/* An editable project is the user's own folder: nothing to admit. */
	if (p->editable)
		trust_result_set(&s->results[i], TRUST_LOCAL, "the project's own folder, installed for editing");
	else
		admit_file(s->o->admit, state, p->pkg, p->file, true, &s->blobs[i], &s->results[i]);
	progress(s);
}

/* store/wheels/<key>/pythonX.Y: one unpacked wheel (or editable project)
 * for one Python. */
static char *wheel_dir(const struct sync *s, const struct env_pick *p)
{
	struct util_buf b = UTIL_BUF_INIT;
	const char *sha = p->key;

	util_buf_printf(&b, "%s/wheels/", s->o->admit->store);
	for (const char *c = sha; *c; c++)
		util_buf_putc(&b, (char)(*c >= 'A' && *c <= 'F' ? *c + 32 : *c));
	util_buf_printf(&b, "/python%s", s->py->xy);
	return util_buf_steal(&b);
}

/* Bytecode is compiled once, into the store: the environment is read-only
 * inside the sandbox, so Python could never cache it there. One
 * interpreter run, started when the first wheel is unpacked, is handed
 * each unpacked tree (NUL-separated on its stdin) as soon as it is
 * complete and compiles it on all cores while the others are still being
 * unpacked; each file is read once and its .pyc written in place (the tree
 * is private until published, so none of compileall's temporary files and
 * renames: creating files is most of the cost; one left half-written by a
 * worker that died is replaced when the serial pass compiles it again). A
 * file that does not compile, or whose bytecode cannot be written (a full
 * disk), is left without bytecode, as pip leaves it; tracebacks name the
 * files where the sandbox sees them. It prints a dot for each tree and
 * each batch (a run silent for COMPILE_IDLE_S is stopped); once the last
 * tree is handed over it says "DONE TOTAL" (files) on the socket after
 * each batch, the gauge of what is left to compile. It compiles in one
 * process when there is little to do or a pool cannot start (out of
 * processes or descriptors), and leaves with os._exit so that no
 * half-started pool is waited for. Its workers die with it
 * (PR_SET_PDEATHSIG), as it dies with pylock, and they hold the store's
 * lock until the last has gone: gc never removes a tree one of them is
 * still writing. */
#define COMPILE_IDLE_S 120
static const char compile_script[] =
	"import fcntl, multiprocessing, os, sys\n"
	"import concurrent.futures as cf\n"
	"from concurrent.futures.process import BrokenProcessPool\n"
	"from importlib.util import cache_from_source\n"
	"from importlib._bootstrap_external import _code_to_timestamp_pyc\n"
	"held = open(sys.argv[1])\n"
	"fcntl.flock(held, fcntl.LOCK_SH)\n"
	"prefix = sys.argv[2]\n"
	"made = set()\n"
	"def comp(j):\n"
	"    try:\n"
	"        with open(j[0], 'rb') as f:\n"
	"            src = f.read()\n"
	"            st = os.fstat(f.fileno())\n"
	"        code = compile(src, prefix + j[0][len(j[1]):], 'exec', dont_inherit=True)\n"
	"    except (SyntaxError, ValueError, OSError):\n"
	"        return False\n"
	"    pyc = cache_from_source(j[0])\n"
	"    try:\n"
	"        d = os.path.dirname(pyc)\n"
	"        if d not in made:\n"
	"            os.makedirs(d, exist_ok=True)\n"
	"            made.add(d)\n"
	"        try:\n"
	"            fd = os.open(pyc, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o444)\n"
	"        except FileExistsError:\n"
	"            os.unlink(pyc)\n"
	"            fd = os.open(pyc, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o444)\n"
	"        with open(fd, 'wb') as f:\n"
	"            f.write(_code_to_timestamp_pyc(code, st.st_mtime, st.st_size))\n"
	"    except OSError:\n"
	"        try:\n"
	"            os.unlink(pyc)\n"
	"        except OSError:\n"
	"            pass\n"
	"        return False\n"
	"    return True\n"
	"def batch(js):\n"
	"    for j in js:\n"
	"        comp(j)\n"
	"def bound(parent):\n"
	"    try:\n"
	"        import ctypes\n"
	"        ctypes.CDLL(None).prctl(1, 9)\n"
	"    except Exception:\n"
	"        pass\n"
	"    if os.getppid() != parent:\n"
	"        os._exit(1)\n"
	"def dot(_=None):\n"
	"    print('.', end='', flush=True)\n"
	"gauge = [0, None]\n"
	"def tell(n=0):\n"
	"    gauge[0] += n\n"
	"    if gauge[1] is not None:\n"
	"        try:\n"
	"            os.write(0, b'%d %d\\n' % (min(gauge[0], gauge[1]), gauge[1]))\n"
	"        except OSError:\n"
	"            pass\n"
	"def finished(n):\n"
	"    return lambda _=None: (dot(), tell(n))\n"
	"def trees():\n"
	"    rest = b''\n"
	"    while True:\n"
	"        got = os.read(0, 65536)\n"
	"        if not got:\n"
	"            return\n"
	"        *whole, rest = (rest + got).split(b'\\0')\n"
	"        for d in whole:\n"
	"            dot()\n"
	"            yield os.fsdecode(d)\n"
	"def walk(d):\n"
	"    return [(os.path.join(r, f), d) for r, _, fs in os.walk(d) for f in fs if f.endswith('.py')]\n"
	"def serial(js):\n"
	"    for i in range(0, len(js), 64):\n"
	"        chunk = js[i:i + 64]\n"
	"        batch(chunk)\n"
	"        finished(len(chunk))()\n"
	"def pooled(given, every):\n"
	"    ex, futs, sent = None, [], 0\n"
	"    for d in given:\n"
	"        every += walk(d)\n"
	"        if ex is None and len(every) >= 200:\n"
	"            ex = cf.ProcessPoolExecutor(mp_context=multiprocessing.get_context('fork'), initializer=bound, initargs=(os.getpid(),))\n"
	"        if ex:\n"
	"            for i in range(sent, len(every), 64):\n"
	"                chunk = every[i:i + 64]\n"
	"                futs.append(ex.submit(batch, chunk))\n"
	"                futs[-1].add_done_callback(finished(len(chunk)))\n"
	"            sent = len(every)\n"
	"    if not ex:\n"
	"        return False\n"
	"    gauge[1] = len(every)\n"
	"    tell()\n"
	"    for f in cf.as_completed(futs):\n"
	"        f.result()\n"
	"    ex.shutdown()\n"
	"    return True\n"
	"given, every = trees(), []\n"
	"try:\n"
	"    try:\n"
	"        done = pooled(given, every)\n"
	"    except (OSError, BrokenProcessPool):\n"
	"        done = False\n"
	"        for d in given:\n"
	"            every += walk(d)\n"
	"    if not done:\n"
	"        gauge[:] = [0, len(every)]\n"
	"        tell()\n"
	"        serial(every)\n"
	"except OSError as e:\n"
	"    print('cannot compile:', e, file=sys.stderr, flush=True)\n"
	"    os._exit(1)\n"
	"sys.stdout.flush()\n"
	"os._exit(0)\n";

/* The compiling interpreter, on a thread of its own that waits for it;
 * fed through a socket (a send to one that died fails, no SIGPIPE). */
struct compiler {
	pthread_t thread;
	bool started;
	int feed;		/* our end; -1 once closed */
	int theirs;
	bool exited;		/* the interpreter has gone (atomic) */
	const char *argv[8];
	char *lock;
	int status;
	struct util_buf said;	/* its stderr: what failed, never the terminal's */
	struct pl_error err;
};

static void *compiler_wait(void *arg)
{
	struct compiler *c = arg;
	struct util_buf dots = UTIL_BUF_INIT;

	c->status = util_run_input(c->argv, c->theirs, &dots, &c->said, 16 << 10, COMPILE_IDLE_S, &c->err);
	__atomic_store_n(&c->exited, true, __ATOMIC_RELEASE);
	util_buf_free(&dots);
	close(c->theirs);
	return NULL;
}

static int compiler_start(struct compiler *c, const struct sync *s, struct pl_error *err)
{
	int sv[2];
	size_t n = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return pl_error_errno(err, s->py->executable, "cannot start compiling");
	c->lock = env_lock_path(s->o->admit->store, "store");
	c->argv[n++] = s->py->executable;
	c->argv[n++] = "-I";
	c->argv[n++] = "-c";
	c->argv[n++] = compile_script;
	c->argv[n++] = c->lock;
	c->argv[n++] = ENV_PREFIX;
	c->argv[n] = NULL;
	c->feed = sv[0];
	c->theirs = sv[1];
	if ((errno = pthread_create(&c->thread, NULL, compiler_wait, c)) != 0) {
		close(sv[0]);
		close(sv[1]);
		c->feed = -1;
		return pl_error_errno(err, s->py->executable, "cannot start compiling");
	}
	c->started = true;
	return 0;
}

/* Hands a freshly unpacked tree over (under s->lock). */
static void compiler_feed(struct sync *s, const char *tree)
{
	struct compiler *c = s->compiler;
	size_t len = strlen(tree) + 1, off = 0;

	/* One that could not start is not tried again (its error is kept). */
	if (!c->started && (c->err.msg[0] || compiler_start(c, s, &c->err) < 0))
		return;
	while (c->feed >= 0 && off < len) {
		ssize_t n = send(c->feed, tree + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

/* One line of the gauge: "DONE TOTAL", files compiled of those handed over. */
static void compiler_tell(struct sync *s, const char *line)
{
	unsigned long long done, total;
	char extra;

	if (sscanf(line, "%llu %llu%c", &done, &total, &extra) == 2 && done <= total && s->o->progress &&
	    s->o->progress->report)
		s->o->progress->report(s->o->progress->arg, "compile", (size_t)done, (size_t)total);
}

/* Reads the gauge until the interpreter closes the socket, or has gone
 * (a worker it left behind may still hold it open: what is there is read
 * once more, no longer waited for). */
static void compiler_gauge(struct sync *s)
{
	struct compiler *c = s->compiler;
	char buf[512], line[64];
	size_t len = 0;
	bool overlong = false;

	for (bool last = false; !last;) {
		struct pollfd p = { .fd = c->feed, .events = POLLIN };
		last = __atomic_load_n(&c->exited, __ATOMIC_ACQUIRE);
		int ready = poll(&p, 1, last ? 0 : 100);
		if (ready == 0 && last)
			return;
		if (ready <= 0) {
			if (ready < 0 && errno != EINTR)
				return;
			continue;
		}
		ssize_t n = read(c->feed, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (len + 1 < sizeof(line))
					line[len++] = buf[i];
				else
					overlong = true;
				continue;
			}
			line[len] = '\0';
			if (!overlong)
				compiler_tell(s, line);
			len = 0;
			overlong = false;
		}
	}
}

/* No more trees: waits for the last to be compiled, with its gauge. */
static int compiler_finish(struct sync *s, struct pl_error *err)
{
	struct compiler *c = s->compiler;
	int rc = 0;

	if (c->feed >= 0) {
		if (c->started && shutdown(c->feed, SHUT_WR) == 0)
			compiler_gauge(s);
		close(c->feed);
		c->feed = -1;
	}
	if (c->started) {
		pthread_join(c->thread, NULL);
		c->started = false;
		if (c->status < 0)
			rc = -1, *err = c->err;
		else if (c->status) {
			const char *said = util_run_said(&c->said);
			rc = pl_error_set(err, s->py->executable, 0, 0,
					  "failed compiling the unpacked wheels to bytecode (exit %d)%s%.300s", c->status,
					  said[0] ? ": " : "", said);
		}
	} else if (c->err.msg[0]) {
		rc = -1, *err = c->err;
	}
	free(c->lock);
	c->lock = NULL;
	util_buf_free(&c->said);
	return rc;
}

static void unpack_one(void *arg, size_t i, void **state)
{
	struct sync *s = arg;
	const struct env_pick *p = &s->plan->picks[i];
	char *final = wheel_dir(s, p), *parent = util_xstrdup(final);
	struct util_buf tmp = UTIL_BUF_INIT;

	if (access(final, F_OK) == 0)
		goto out;
	*strrchr(parent, '/') = '\0';
	if (util_mkdir_p(parent, 0755, &s->errors[i]) < 0)
		goto out;
	util_buf_printf(&tmp, "%s/.tmp-python%s-XXXXXX", parent, s->py->xy);
	if (!mkdtemp(tmp.data)) {
		pl_error_errno(&s->errors[i], parent, "cannot create a folder");
		goto out;
	}
	if (p->editable ? editable_install(p->editable, tmp.data, &s->errors[i]) < 0
			: wheel_install(s->blobs[i], p->file->name, tmp.data, s->py->xy, ENV_PREFIX, &s->errors[i]) < 0) {
		struct pl_error ignored;
		util_remove_tree(tmp.data, &ignored);
		rmdir(parent);	/* unless another Python's unpack lives there */
		goto out;
	}
	s->unpacked[i] = util_buf_steal(&tmp);
	pthread_mutex_lock(&s->lock);
	compiler_feed(s, s->unpacked[i]);
	pthread_mutex_unlock(&s->lock);
out:
	progress(s);
	util_buf_free(&tmp);
	free(final);
	free(parent);
}

static int publish_unpacked(struct sync *s, struct pl_error *err)
{
	for (size_t i = 0; i < s->plan->n; i++) {
		char *final;
		/* Its files were written read-only: environments share their inodes. */
		if (!s->unpacked[i])
			continue;
		final = wheel_dir(s, &s->plan->picks[i]);
		/* Another sync may have published the same wheel meanwhile. */
		if (rename(s->unpacked[i], final) < 0) {
			struct pl_error ignored;
			if (errno != EEXIST && errno != ENOTEMPTY) {
				pl_error_errno(err, final, "cannot place in the store");
				free(final);
				return -1;
			}
			util_remove_tree(s->unpacked[i], &ignored);
		}
		free(final);
		free(s->unpacked[i]);
		s->unpacked[i] = NULL;
	}
	return 0;
}

static int copy_at(int src, int dst, const char *name, struct pl_error *err)
{
	int in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), out, rc = 0;
	struct stat st;
	char buf[65536];
	ssize_t n;

	if (in < 0 || fstat(in, &st) < 0)
		return pl_error_errno(err, name, "cannot copy");
	if ((out = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 0777)) < 0) {
		close(in);
		return pl_error_errno(err, name, "cannot copy");
	}
	while (rc == 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (util_write_all(out, buf, (size_t)n) < 0)
			rc = pl_error_errno(err, name, "cannot copy");
	if (rc == 0 && n < 0)
		rc = pl_error_errno(err, name, "cannot copy");
	close(in);
	close(out);
	return rc;
}

/* Hard-links the tree src into dst; a file two wheels both install stops
 * the build (pylock does not let one package overwrite another). */
static int link_tree(int src, int dst, const char *pkg, struct pl_error *err)
{
	DIR *d = util_fdopendir_dup(src);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return pl_error_errno(err, pkg, "cannot read its unpacked wheel");
	while (rc == 0 && (e = readdir(d))) {
		unsigned char type = e->d_type;
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (type == DT_UNKNOWN && fstatat(src, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			type = S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
		if (type == DT_DIR) {
			if (mkdirat(dst, e->d_name, 0755) < 0 && errno != EEXIST)
				rc = pl_error_errno(err, e->d_name, "cannot create");
			int s2 = openat(src, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			int d2 = openat(dst, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (rc == 0 && (s2 < 0 || d2 < 0))
				rc = pl_error_errno(err, e->d_name, "cannot open");
			if (rc == 0)
				rc = link_tree(s2, d2, pkg, err);
			if (s2 >= 0)
				close(s2);
			if (d2 >= 0)
				close(d2);
		} else if (linkat(src, e->d_name, dst, e->d_name, 0) < 0) {
			if (errno == EEXIST)
				rc = pl_error_set(err, NULL, 0, 0, "%s installs '%s', which another package installs too",
						  pkg, e->d_name);
			else if (errno == EXDEV || errno == EPERM || errno == EMLINK)
				rc = copy_at(src, dst, e->d_name, err);
			else
				rc = pl_error_errno(err, e->d_name, "cannot link");
		}
	}
	closedir(d);
	return rc;
}

/* One wheel's tree linked into the environment being assembled; the
 * wheels are linked on every core (a file two of them install is still
 * found: the second link fails). */
static void link_one(void *arg, size_t i, void **state)
{
	struct sync *s = arg;
	char *src = wheel_dir(s, &s->plan->picks[i]);
	int sfd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	(void)state;
	if (sfd < 0)
		pl_error_errno(&s->errors[i], src, "cannot open");
	else
		link_tree(sfd, s->dst, s->plan->picks[i].pkg->name, &s->errors[i]);
	if (sfd >= 0)
		close(sfd);
	free(src);
	progress(s);
}

static int write_file(const char *dir, const char *name, const char *text, struct pl_error *err)
{
	struct util_buf path = UTIL_BUF_INIT;
	int rc;

	util_buf_printf(&path, "%s/%s", dir, name);
	rc = util_write_atomic(path.data, text, strlen(text), 0644, err);
	util_buf_free(&path);
	return rc;
}

/* A venv ("Python Virtual Environments"): pyvenv.cfg, bin/python linked to
 * the interpreter, lib/pythonX.Y/site-packages, lib64 -> lib. */
static int skeleton(const char *dir, const struct pyenv *py, struct pl_error *err)
{
	struct util_buf b = UTIL_BUF_INIT;
	char *home = util_xstrdup(py->executable);
	int rc = 0;

	*strrchr(home, '/') = '\0';
	util_buf_printf(&b, "home = %s\ninclude-system-site-packages = false\nversion = %s\nexecutable = %s\n"
			"command = pylock sync\n", home, py->version, py->executable);
	rc = write_file(dir, "pyvenv.cfg", b.data, err);
	util_buf_truncate(&b, 0);
	util_buf_printf(&b, "%s/lib/python%s/site-packages", dir, py->xy);
	if (rc == 0)
		rc = util_mkdir_p(b.data, 0755, err);
	util_buf_truncate(&b, 0);
	util_buf_printf(&b, "%s/bin", dir);
	if (rc == 0)
		rc = util_mkdir_p(b.data, 0755, err);
	static const char *const links[][2] = { { "bin/python", NULL }, { "bin/python3", "python" },
						{ "bin/pythonX", "python" }, { "lib64", "lib" } };
	for (size_t i = 0; rc == 0 && i < sizeof(links) / sizeof(*links); i++) {
		util_buf_truncate(&b, 0);
		if (!strcmp(links[i][0], "bin/pythonX"))
			util_buf_printf(&b, "%s/bin/python%s", dir, py->xy);
		else
			util_buf_printf(&b, "%s/%s", dir, links[i][0]);
		if (symlink(links[i][1] ? links[i][1] : py->executable, b.data) < 0)
			rc = pl_error_errno(err, b.data, "cannot create");
	}
	util_buf_free(&b);
	free(home);
	return rc;
}

static int write_record(const char *dir, const struct env_plan *plan, const struct pyenv *py, struct pl_error *err)
{
	json_t *pkgs = json_array();
	char *text;
	int rc;

	for (size_t i = 0; i < plan->n; i++) {
		const struct env_pick *p = &plan->picks[i];
		json_array_append_new(pkgs, json_pack("{s:s, s:s, s:s, s:s}", "name", p->pkg->name, "version",
			p->editable ? p->editable->version : p->pkg->version ? p->pkg->version : "",
			p->editable ? "directory" : "file", p->editable ? p->editable->dir : p->file->name,
			"sha256", p->key));
	}
	json_t *o = json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:o, s:s}", "env_id", plan->env_id, "prefix", ENV_PREFIX,
			      "python", "executable", py->executable, "version", py->version, "base_prefix",
			      py->base_prefix, "packages", pkgs, "created_by", "pylock " PACKAGE_VERSION);
	text = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
	rc = write_file(dir, "pylock-env.json", text, err);
	free(text);
	json_decref(o);
	return rc;
}

/* Leftovers of builders that died (we hold the env-id's lock, so no one
 * else is building it). */
static void remove_partial(const char *envs, const char *env_id)
{
	DIR *d = opendir(envs);
	struct dirent *e;
	struct pl_error ignored;
	char prefix[80];

	snprintf(prefix, sizeof(prefix), ".tmp-%s-", env_id);
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, prefix, strlen(prefix)))
			continue;
		struct util_buf p = UTIL_BUF_INIT;
		util_buf_printf(&p, "%s/%s", envs, e->d_name);
		util_remove_tree(p.data, &ignored);
		util_buf_free(&p);
	}
	if (d)
		closedir(d);
}

static int assemble(struct sync *s, struct pl_error *err)
{
	char *final = env_path(s->o->admit->store, s->plan->env_id), *envs = util_xstrdup(final);
	struct util_buf tmp = UTIL_BUF_INIT;
	int lock = -1, rc = -1, dst = -1;

	*strrchr(envs, '/') = '\0';
	if (util_mkdir_p(envs, 0755, err) < 0 ||
	    (lock = env_lock_open(s->o->admit->store, s->plan->env_id, LOCK_EX, err)) < 0)
		goto out;
	if (access(final, F_OK) == 0) {
		rc = 0;
		goto out;
	}
	remove_partial(envs, s->plan->env_id);
	util_buf_printf(&tmp, "%s/.tmp-%s-XXXXXX", envs, s->plan->env_id);
	if (!mkdtemp(tmp.data)) {
		pl_error_errno(err, envs, "cannot create a folder");
		goto out;
	}
	if (skeleton(tmp.data, s->py, err) < 0 || (dst = open(tmp.data, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		goto fail;
	step(s, "link");
	start_phase(s, "link", s->plan->n);
	s->dst = dst;
	memset(s->errors, 0, s->plan->n * sizeof(*s->errors));
	util_parallel(s->plan->n, link_one, NULL, s);
	for (size_t i = 0; i < s->plan->n; i++)
		if (s->errors[i].msg[0]) {
			*err = s->errors[i];
			goto fail;
		}
	step(s, "record");
	if (write_record(tmp.data, s->plan, s->py, err) < 0)
		goto fail;
	if (rename(tmp.data, final) < 0) {
		pl_error_errno(err, final, "cannot place the environment");
		goto fail;
	}
	rc = 0;
	goto out;
fail:
	{
		struct pl_error ignored;
		util_remove_tree(tmp.data, &ignored);
	}
out:
	if (dst >= 0)
		close(dst);
	if (lock >= 0)
		close(lock);
	util_buf_free(&tmp);
	free(final);
	free(envs);
	return rc;
}

static int remember(const struct env_sync_options *o, const struct env_plan *plan, struct pl_error *err)
{
	if (!o->project_root)
		return 0;
	return env_remember(o->admit->store, o->project_root, o->lock_path, plan->env_id, err);
}

/* Whether pick i was refused (an editable project has no file to admit). */
static bool refused_pick(const struct sync *s, size_t i)
{
	return !s->blobs[i] && !s->plan->picks[i].editable;
}

/* A refusal's cause: its reason without the file's own URL or path in
 * front, so that files refused for one reason (a host that cannot be
 * resolved, a missing signature) are told once. */
static void cause(const char *reason, char *buf, size_t size)
{
	const char *sep = strstr(reason, ": "), *c = sep && memchr(reason, '/', (size_t)(sep - reason)) ? sep + 2 : reason;
	const char *again = strstr(c, " (not tried again)");

	/* A host that failed once is not tried again: the same cause. */
	snprintf(buf, size, "%.*s", again ? (int)(again - c) : (int)strlen(c), c);
}

/* One line per cause, naming its files ("and N more"); a cause of one
 * file keeps its whole reason. Whole lines only: what does not fit is
 * counted. Then who decided, and what to do about each kind of refusal. */
#define REFUSAL_TEXT_MAX 640
static void refusals(const struct sync *s, struct util_buf *out)
{
	const struct env_plan *plan = s->plan;
	typedef char reason_text[sizeof(s->results[0].reason)];
	reason_text *causes = util_xcalloc(plan->n + 1, sizeof(*causes));
	bool *told = util_xcalloc(plan->n + 1, sizeof(*told));
	bool seen[TRUST_VERIFIED + 1] = { false };
	size_t untold = 0;

	for (size_t i = 0; i < plan->n; i++)
		if (refused_pick(s, i))
			cause(s->results[i].reason, causes[i], sizeof(causes[i]));
	for (size_t i = 0; i < plan->n; i++) {
		if (told[i] || !refused_pick(s, i))
			continue;
		struct util_buf line = UTIL_BUF_INIT;
		size_t n = 0;

		seen[s->results[i].status] = true;
		util_buf_printf(&line, "\n  %s (", trust_status_name(s->results[i].status));
		for (size_t k = i; k < plan->n; k++) {
			if (told[k] || !refused_pick(s, k) || s->results[k].status != s->results[i].status ||
			    strcmp(causes[k], causes[i]))
				continue;
			told[k] = true;
			if (++n <= 3)
				util_buf_printf(&line, "%s%s", n > 1 ? ", " : "", plan->picks[k].file->name);
		}
		if (n > 3)
			util_buf_printf(&line, " and %zu more", n - 3);
		util_buf_printf(&line, "): %s", n == 1 ? s->results[i].reason : causes[i]);
		if (out->len + line.len <= REFUSAL_TEXT_MAX)
			util_buf_add(out, line.data, line.len);
		else
			untold++;
		util_buf_free(&line);
	}
	if (untold)
		util_buf_printf(out, "\n  and %zu more cause%s", untold, untold == 1 ? "" : "s");
	const struct trust_policy *p = s->o->admit->policy;
	util_buf_printf(out, "\n  decided by %s (mode %s)%s%s", p->path ? p->path : "the default policy",
			trust_mode_name(p->mode), p->project_file ? ", tightened by " : "",
			p->project_file ? p->project_file : "");
	for (int st = 0; st <= TRUST_VERIFIED; st++)
		if (seen[st])
			util_buf_printf(out, "\n  %s: %s", trust_status_name((enum trust_status)st),
					trust_remedy((enum trust_status)st));
	util_buf_str(out);
	free(causes);
	free(told);
}

int env_sync(const struct env_plan *plan, const struct pyenv *py, const struct env_sync_options *o, bool *built,
	     size_t *refused, struct pl_error *err)
{
	char *final = env_path(o->admit->store, plan->env_id);
	struct compiler compiler = { .feed = -1 };
	struct sync s = { .plan = plan, .py = py, .o = o, .compiler = &compiler };
	struct util_buf bad = UTIL_BUF_INIT;
	int rc = -1;

	*built = false;
	*refused = 0;
	/* gc waits for running syncs: what they unpack is not referenced yet,
	 * nor is what they built until it is remembered. */
	int store_lock = env_lock_open(o->admit->store, "store", LOCK_SH, err);
	if (store_lock < 0) {
		free(final);
		return -1;
	}
	if (access(final, F_OK) == 0) {
		free(final);
		rc = remember(o, plan, err);
		close(store_lock);
		return rc;
	}
	free(final);
	store_clean_stages(o->admit->store);
	pthread_mutex_init(&s.lock, NULL);
	s.blobs = util_xcalloc(plan->n + 1, sizeof(*s.blobs));
	s.results = util_xcalloc(plan->n + 1, sizeof(*s.results));
	s.unpacked = util_xcalloc(plan->n + 1, sizeof(*s.unpacked));
	s.errors = util_xcalloc(plan->n + 1, sizeof(*s.errors));

	/* Nothing is unpacked unless every file is admitted. */
	step(&s, "verify");
	start_phase(&s, "verify", plan->n);
	util_parallel(plan->n, obtain_one, admit_conn_free, &s);
	for (size_t i = 0; i < plan->n; i++)
		*refused += refused_pick(&s, i);
	if (*refused) {
		refusals(&s, &bad);
		pl_error_set(err, NULL, 0, 0, "%zu of %zu files not admitted under mode %s:%s", *refused, plan->n,
			     trust_mode_name(o->admit->policy->mode), bad.data);
		goto out;
	}
	/* Unpacking and compiling overlap: the step "compile" is what is left
	 * of compiling once the last wheel is unpacked. */
	step(&s, "unpack");
	start_phase(&s, "unpack", plan->n);
	util_parallel(plan->n, unpack_one, NULL, &s);
	step(&s, "compile");
	int compiled = compiler_finish(&s, err);
	for (size_t i = 0; i < plan->n; i++)
		if (s.errors[i].msg[0]) {
			*err = s.errors[i];
			goto out;
		}
	if (compiled < 0)
		goto out;
	step(&s, "publish");
	if (publish_unpacked(&s, err) < 0 || assemble(&s, err) < 0)
		goto out;
	step(&s, "remember");
	if (remember(o, plan, err) < 0)
		goto out;
	*built = true;
	rc = 0;
out:
	for (size_t i = 0; i < plan->n; i++) {
		free(s.blobs[i]);
		if (s.unpacked[i]) {
			struct pl_error ignored;
			util_remove_tree(s.unpacked[i], &ignored);
			free(s.unpacked[i]);
		}
	}
	free(s.blobs);
	free(s.results);
	free(s.unpacked);
	free(s.errors);
	util_buf_free(&bad);
	pthread_mutex_destroy(&s.lock);
	close(store_lock);
	return rc;
}
