/* The sandbox's reach, decided on the host: its writable tree, the ledger
 * of every tree a sandbox was given, and which host files pylock may run. */
#include "config.h"
#include "boundary.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define LEDGER_NAME "sandbox-trees"
#define LEDGER_MAX (1u << 20)
#define GITFILE_MAX 4096

bool boundary_path_under(const char *path, const char *top)
{
	size_t n = strlen(top);

	if (n == 1 && top[0] == '/')
		return path[0] == '/';
	return !strncmp(path, top, n) && (path[n] == '\0' || path[n] == '/');
}

/* Shared: anyone may add entries (without the sticky bit, also replace them). */
static bool shared(const struct stat *st)
{
	return S_ISDIR(st->st_mode) && (st->st_mode & (S_IWOTH | S_ISVTX));
}

static bool is_git_dir(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;

	for (const char *part = "HEAD\0objects\0refs\0"; *part; part += strlen(part) + 1)
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, part) >= sizeof(path) || stat(path, &st) < 0)
			return false;
	return true;
}

char *boundary_git_link(const char *file, const char *prefix, const char *base)
{
	char text[GITFILE_MAX], path[PATH_MAX * 2], real[PATH_MAX];
	size_t skip = strlen(prefix);
	ssize_t n;
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0)
		return NULL;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= (ssize_t)skip || strncmp(text, prefix, skip))
		return NULL;
	text[n] = '\0';
	text[strcspn(text, "\r\n")] = '\0';
	if (text[skip] == '/')
		snprintf(path, sizeof(path), "%s", text + skip);
	else
		snprintf(path, sizeof(path), "%s/%s", base, text + skip);
	return realpath(path, real) && is_git_dir(real) ? util_xstrdup(real) : NULL;
}

/* A real git folder or gitfile, owned by the caller: a dangling link, a
 * stranger's folder or any other entry named .git widens nothing. */
static bool owned_git_entry(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;

	if ((size_t)snprintf(path, sizeof(path), "%s/.git", dir) >= sizeof(path) || lstat(path, &st) < 0 ||
	    st.st_uid != getuid())
		return false;
	if (S_ISDIR(st.st_mode))
		return is_git_dir(path);
	char *target = S_ISREG(st.st_mode) ? boundary_git_link(path, "gitdir: ", dir) : NULL;
	free(target);
	return target != NULL;
}

/* Folders that must never be writable in a sandbox: the home, pylock's own
 * (config, data and cache: what decides what pylock runs), and the shared
 * system folders other programs of the user trust. */
static size_t guarded_folders(char out[][PATH_MAX], size_t max)
{
	static const char *const system[] = { "/tmp", "/var/tmp", "/dev/shm", "/run" };
	static const enum util_dir dirs[] = { UTIL_DIR_CONFIG, UTIL_DIR_DATA, UTIL_DIR_CACHE };
	const char *home = getenv("HOME");
	struct pl_error ignored;
	size_t n = 0;

	if (home && home[0] == '/' && realpath(home, out[n]))
		n++;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && n < max; i++) {
		char *d = util_dir_path(dirs[i], &ignored);
		/* A folder not made yet: its nearest existing parent stands in. */
		while (d && n < max && !realpath(d, out[n]) && strrchr(d, '/') && strrchr(d, '/') != d)
			*strrchr(d, '/') = '\0';
		if (d && out[n][0] == '/')
			n++;
		free(d);
	}
	for (size_t i = 0; i < sizeof(system) / sizeof(system[0]) && n < max; i++)
		if (realpath(system[i], out[n]))
			n++;
	return n;
}

/* Why tree may not be given to a sandbox, or NULL. */
static const char *refusal(const char *tree, const struct stat *st, char guarded[][PATH_MAX], size_t nguarded,
			   const char **which)
{
	if (shared(st))
		return "is writable by every user";
	for (size_t i = 0; i < nguarded; i++)
		if (boundary_path_under(guarded[i], tree)) {
			*which = guarded[i];
			return "holds";
		}
	return NULL;
}

char *boundary_writable_tree(const char *dir, struct pl_error *err)
{
	char real[PATH_MAX], up[PATH_MAX], guarded[8][PATH_MAX];
	size_t nguarded;
	const char *why, *which = NULL;
	struct stat st;

	if (!realpath(dir, real) || stat(real, &st) < 0)
		return pl_error_errno(err, dir, "project folder does not exist"), NULL;
	memset(guarded, 0, sizeof(guarded));
	nguarded = guarded_folders(guarded, sizeof(guarded) / sizeof(guarded[0]));
	if ((why = refusal(real, &st, guarded, nguarded, &which))) {
		pl_error_set(err, real, 0, 0, "the project folder %s%s%s; pylock will not make it writable in a sandbox",
			     why, which ? " " : "", which ? which : "");
		return NULL;
	}
	snprintf(up, sizeof(up), "%s", real);
	for (;;) {
		struct stat git;
		char probe[PATH_MAX + 8];

		snprintf(probe, sizeof(probe), "%s/.git", up);
		if (lstat(probe, &git) == 0) {
			if (!owned_git_entry(up) || stat(up, &st) < 0 || refusal(up, &st, guarded, nguarded, &which))
				break;
			return util_xstrdup(up);
		}
		char *slash = strrchr(up, '/');
		if (!slash || slash == up)
			break;
		*slash = '\0';
	}
	return util_xstrdup(real);
}

/* ---- the ledger ---- */

/* One tree a line; '%' and a newline in a name are written %25 and %0A. */
static void ledger_encode(struct util_buf *b, const char *tree)
{
	for (const char *c = tree; *c; c++)
		if (*c == '%' || *c == '\n')
			util_buf_printf(b, "%%%02X", (unsigned char)*c);
		else
			util_buf_putc(b, *c);
	util_buf_putc(b, '\n');
}

static char *ledger_path(struct pl_error *err)
{
	char *dir = util_dir_path(UTIL_DIR_DATA, err);
	char *path;

	if (!dir || util_mkdir_p(dir, 0700, err) < 0) {
		free(dir);
		return NULL;
	}
	free(dir);
	path = util_dir_file(UTIL_DIR_DATA, LEDGER_NAME, err);
	return path;
}

static bool ledger_has(const char *text, size_t len, const char *line, size_t n)
{
	for (const char *p = text; p && p + n <= text + len;) {
		if (!strncmp(p, line, n))
			return true;
		p = memchr(p, '\n', (size_t)(text + len - p));
		p = p ? p + 1 : NULL;
	}
	return false;
}

int boundary_ledger_add(const char *const *trees, size_t n, struct pl_error *err)
{
	char *path = ledger_path(err), buf[4096];
	struct util_buf text = UTIL_BUF_INIT, add = UTIL_BUF_INIT;
	ssize_t got;
	int fd, rc = 0;

	if (!path)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		rc = pl_error_errno(err, path, "cannot record the sandbox's tree");
		goto out;
	}
	while (text.len < LEDGER_MAX && (got = read(fd, buf, sizeof(buf))) > 0)
		util_buf_add(&text, buf, (size_t)got);
	for (size_t i = 0; i < n; i++) {
		size_t mark = add.len;
		ledger_encode(&add, trees[i]);
		if (ledger_has(text.data, text.len, add.data + mark, add.len - mark))
			util_buf_truncate(&add, mark);
	}
	if (add.len && text.len + add.len > LEDGER_MAX)
		rc = pl_error_set(err, path, 0, 0, "the ledger of sandboxed trees is full (%u bytes)", LEDGER_MAX);
	else if (add.len && (write(fd, add.data, add.len) != (ssize_t)add.len || fsync(fd) < 0))
		rc = pl_error_errno(err, path, "cannot record the sandbox's tree");
out:
	if (fd >= 0)
		close(fd);
	free(path);
	util_buf_free(&text);
	util_buf_free(&add);
	return rc;
}

/* The tree of the ledger holding real, or NULL; *tree is malloc'd. */
static char *ledger_holder(const char *real)
{
	struct pl_error ignored;
	char *path = util_dir_file(UTIL_DIR_DATA, LEDGER_NAME, &ignored), *text = NULL, *found = NULL;
	size_t len;

	if (!path || util_read_file(path, LEDGER_MAX, &text, &len, &ignored) < 0) {
		free(path);
		return NULL;
	}
	for (char *line = text, *end; !found && line < text + len; line = end + 1) {
		struct util_buf tree = UTIL_BUF_INIT;
		unsigned byte;

		end = memchr(line, '\n', (size_t)(text + len - line));
		if (!end)
			break;
		for (char *c = line; c < end; c++)
			if (*c == '%' && end - c >= 3 && sscanf(c + 1, "%2X", &byte) == 1) {
				util_buf_putc(&tree, (char)byte);
				c += 2;
			} else
				util_buf_putc(&tree, *c);
		if (tree.len && boundary_path_under(real, util_buf_str(&tree)))
			found = util_buf_steal(&tree);
		util_buf_free(&tree);
	}
	free(text);
	free(path);
	return found;
}

/* ---- running host files ---- */

char *boundary_exec_check(const char *path, const char *const *extra, size_t nextra, struct pl_error *err)
{
	char real[PATH_MAX], part[PATH_MAX];
	struct stat st;
	char *holder;

	if (!realpath(path, real) || stat(real, &st) < 0)
		return pl_error_errno(err, path, "cannot run"), NULL;
	if (!S_ISREG(st.st_mode) || access(real, X_OK) < 0)
		return pl_error_set(err, path, 0, 0, "is not an executable file"), NULL;
	for (size_t i = 0; i < nextra; i++)
		if (extra[i] && boundary_path_under(real, extra[i]))
			return pl_error_set(err, path, 0, 0, "lies in %s, which the project's sandbox may write; "
					    "pylock does not run it on the host", extra[i]), NULL;
	if ((holder = ledger_holder(real))) {
		pl_error_set(err, path, 0, 0, "lies in %s, which a sandbox was given to write; pylock does not run "
			     "it on the host", holder);
		free(holder);
		return NULL;
	}
	/* Every folder on the way, and the file: a folder anyone may write
	 * (without the sticky bit) lets anyone swap what runs. */
	for (char *slash = real;; slash = strchr(slash + 1, '/')) {
		size_t n = slash ? (size_t)(slash - real) : strlen(real);
		snprintf(part, sizeof(part), "%.*s", (int)(n ? n : 1), n ? real : "/");
		if (lstat(part, &st) < 0)
			return pl_error_errno(err, part, "cannot check"), NULL;
		if ((st.st_mode & S_IWOTH) && !(S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX)))
			return pl_error_set(err, path, 0, 0, "%s is writable by every user; pylock does not run what "
					    "lies there", part), NULL;
		if (!slash)
			break;
	}
	return util_xstrdup(real);
}

char *boundary_exec_search(const char *name, const char *const *extra, size_t nextra, struct pl_error *err)
{
	const char *path = getenv("PATH");
	struct util_buf cand = UTIL_BUF_INIT;
	struct pl_error why, ignored;
	bool refused = false;

	for (const char *p = path ? path : "/usr/local/bin:/usr/bin:/bin";; p++) {
		const char *end = strchrnul(p, ':');
		size_t len = (size_t)(end - p);
		char *ok;

		if (len && p[0] == '/') {
			util_buf_truncate(&cand, 0);
			util_buf_printf(&cand, "%.*s/%s", (int)len, p, name);
			if (access(cand.data, X_OK) == 0) {
				ok = boundary_exec_check(cand.data, extra, nextra, refused ? &ignored : &why);
				if (ok) {
					util_buf_free(&cand);
					return ok;
				}
				refused = true;
			}
		}
		if (!*end)
			break;
		p = end;
	}
	util_buf_free(&cand);
	if (refused) {
		char where[1400];
		pl_error_format(&why, where, sizeof(where));
		return pl_error_set(err, NULL, 0, 0, "no %s on PATH that pylock may run (skipped %s)", name, where), NULL;
	}
	return pl_error_set(err, NULL, 0, 0, "no %s on PATH", name), NULL;
}
