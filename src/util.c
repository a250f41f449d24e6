#include "config.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void pl_error_clear(struct pl_error *err)
{
	if (!err)
		return;
	err->msg[0] = '\0';
	err->file[0] = '\0';
	err->line = 0;
	err->col = 0;
}

static int error_vset(struct pl_error *err, const char *file, int line, int col,
		      const char *fmt, va_list ap)
{
	if (!err)
		return -1;
	copy_str(err->file, sizeof(err->file), file ? file : "");
	err->line = line;
	err->col = col;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return -1;
}

int pl_error_set(struct pl_error *err, const char *file, int line, int col,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(err, file, line, col, fmt, ap);
	va_end(ap);
	return -1;
}

int pl_error_errno(struct pl_error *err, const char *file, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	size_t n;

	if (!err)
		return -1;
	va_start(ap, fmt);
	error_vset(err, file, 0, 0, fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	/* A caller's check that was not a failed system call leaves errno 0:
	 * better no reason than ": Success". */
	if (saved)
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(saved));
	errno = saved;
	return -1;
}

const char *pl_error_format(const struct pl_error *err, char *buf, size_t size)
{
	if (!err->file[0])
		snprintf(buf, size, "%s", err->msg);
	else if (err->line > 0 && err->col > 0)
		snprintf(buf, size, "%s:%d:%d: %s", err->file, err->line, err->col, err->msg);
	else if (err->line > 0)
		snprintf(buf, size, "%s:%d: %s", err->file, err->line, err->msg);
	else
		snprintf(buf, size, "%s: %s", err->file, err->msg);
	return buf;
}

void *util_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		abort();
	return p;
}

void *util_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		abort();
	return p;
}

void *util_xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		abort();
	return p;
}

char *util_xstrdup(const char *s)
{
	return util_xstrndup(s, strlen(s));
}

char *util_xstrndup(const char *s, size_t n)
{
	char *p = util_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

bool util_str_equal(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

void util_hex(const void *data, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *b = data;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

bool util_is_hex(const char *s, size_t len)
{
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

static int base64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

int util_base64_decode(const char *s, size_t len, size_t max, unsigned char **out, size_t *outlen)
{
	size_t pad = 0, n = 0;
	uint32_t acc = 0;
	unsigned bits = 0;
	unsigned char *buf;

	*out = NULL;
	while (pad < 2 && len > 0 && s[len - 1] == '=') {
		len--;
		pad++;
	}
	/* A lone trailing sextet carries no whole byte: not base64. */
	if (len % 4 == 1 || (pad && (len + pad) % 4) || len / 4 * 3 + 3 > max + 3)
		return -1;
	buf = util_xmalloc(len / 4 * 3 + 3);
	for (size_t i = 0; i < len; i++) {
		int v = base64_value((unsigned char)s[i]);
		if (v < 0) {
			free(buf);
			return -1;
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[n++] = (unsigned char)(acc >> bits);
		}
	}
	/* The bits left over must be zero, so each text has one meaning. */
	if (n > max || (acc & ((1u << bits) - 1))) {
		free(buf);
		return -1;
	}
	buf[n] = '\0';
	*out = buf;
	*outlen = n;
	return 0;
}

bool util_url_host(const char *url, char *out, size_t size)
{
	const char *p = strstr(url, "://"), *end, *at, *colon;
	size_t n;

	if (!p || (strncasecmp(url, "https://", 8) && strncasecmp(url, "http://", 7)))
		return false;
	p += 3;
	end = p + strcspn(p, "/?#\\");
	for (at = end; at > p && at[-1] != '@'; at--)
		;
	if (at > p)
		p = at;
	if (*p == '[')
		colon = memchr(p, ']', (size_t)(end - p)) ? (const char *)memchr(p, ']', (size_t)(end - p)) + 1 : end;
	else
		colon = memchr(p, ':', (size_t)(end - p)) ? (const char *)memchr(p, ':', (size_t)(end - p)) : end;
	n = (size_t)(colon - p);
	if (!n || n >= size)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c <= ' ' || c >= 0x7f)
			return false;
		out[i] = (char)tolower(c);
	}
	out[n] = '\0';
	return true;
}

/* The length of the UTF-8 sequence at s (n bytes available): 1 to 4; 0
 * when it is invalid; -1 when it may be valid but is cut short. */
static int utf8_length(const unsigned char *s, size_t n)
{
	int want = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3
		 : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
	/* The second byte's range excludes overlong forms, surrogates and
	 * code points past U+10FFFF. */
	unsigned char lo = s[0] == 0xe0 ? 0xa0 : s[0] == 0xf0 ? 0x90 : 0x80;
	unsigned char hi = s[0] == 0xed ? 0x9f : s[0] == 0xf4 ? 0x8f : 0xbf;

	for (int i = 1; i < want; i++) {
		if ((size_t)i >= n)
			return -1;
		if (s[i] < (i == 1 ? lo : 0x80) || s[i] > (i == 1 ? hi : 0xbf))
			return 0;
	}
	return want;
}

size_t util_escape_controls(const char *in, size_t len, bool final, struct util_buf *out)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, plain = 0;

	while (i < len) {
		int n = utf8_length(s + i, len - i);
		if (n < 0 && !final)
			break;
		if (n == 1 && (s[i] >= 0x20 || s[i] == '\t' || s[i] == '\n') && s[i] != 0x7f) {
			i++;
			continue;
		}
		if (n >= 2 && !(n == 2 && s[i] == 0xc2 && s[i + 1] <= 0x9f)) {
			i += (size_t)n;
			continue;
		}
		util_buf_add(out, in + plain, i - plain);
		if (n == 2)
			util_buf_printf(out, "\\u%04x", s[i + 1]);
		else
			util_buf_printf(out, "\\x%02x", s[i]);
		i += n == 2 ? 2 : 1;
		plain = i;
	}
	util_buf_add(out, in + plain, i - plain);
	return i;
}

uint64_t util_hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

void util_buf_reserve(struct util_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need < b->len)
		abort();
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->data = util_xrealloc(b->data, cap);
	b->cap = cap;
}

void util_buf_puts(struct util_buf *b, const char *s)
{
	util_buf_add(b, s, strlen(s));
}

void util_buf_vprintf(struct util_buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	int n;

	va_copy(copy, ap);
	util_buf_reserve(b, 64);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, copy);
	va_end(copy);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		util_buf_reserve(b, (size_t)n);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void util_buf_printf(struct util_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	util_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void util_buf_truncate(struct util_buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->data[len] = '\0';
	}
}

const char *util_buf_str(struct util_buf *b)
{
	return b->data ? b->data : "";
}

char *util_buf_steal(struct util_buf *b)
{
	char *p = b->data ? b->data : util_xstrdup("");

	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void util_buf_free(struct util_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void util_array_init(struct util_array *a, size_t item_size)
{
	a->items = NULL;
	a->len = a->cap = 0;
	a->item_size = item_size;
}

void *util_array_push(struct util_array *a)
{
	if (a->len == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 8;

		if (cap > SIZE_MAX / a->item_size)
			abort();
		a->items = util_xrealloc(a->items, cap * a->item_size);
		a->cap = cap;
	}
	void *item = (char *)a->items + a->len * a->item_size;
	memset(item, 0, a->item_size);
	a->len++;
	return item;
}

void *util_array_at(const struct util_array *a, size_t i)
{
	return i < a->len ? (char *)a->items + i * a->item_size : NULL;
}

void util_array_free(struct util_array *a)
{
	free(a->items);
	a->items = NULL;
	a->len = a->cap = 0;
}

void *util_xmalloc_large(size_t size)
{
	const size_t huge = 2u << 20;

	if (size < huge)
		return util_xmalloc(size);
	size_t total = (size + huge - 1) & ~(huge - 1);
	void *p = aligned_alloc(huge, total);
	if (!p)
		abort();
	/* Fewer page faults for big lockfiles: they cost more than reading. */
	madvise(p, total, MADV_HUGEPAGE);
	return p;
}

const char *util_file_kind(mode_t mode)
{
	return S_ISDIR(mode) ? "a folder" : S_ISFIFO(mode) ? "a FIFO" : S_ISSOCK(mode) ? "a socket" : "a device";
}

int util_open_regular(const char *path, struct stat *out, struct pl_error *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0)
		return pl_error_errno(err, path, "cannot open");
	if (fstat(fd, &st) < 0) {
		pl_error_errno(err, path, "cannot read");
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		pl_error_set(err, path, 0, 0, "%s, not a regular file", util_file_kind(st.st_mode));
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return -1;
	}
	if (out)
		*out = st;
	return fd;
}

int util_read_file(const char *path, size_t max_size, char **data, size_t *len,
		   struct pl_error *err)
{
	struct stat st;
	size_t cap, used = 0;
	char *buf;
	int saved, fd = util_open_regular(path, &st, err);

	if (fd < 0)
		return -1;
	/* st_size sizes the buffer, but reading goes on to the real end: /proc
	 * files report 0, and a file may grow while we read. */
	cap = (size_t)st.st_size <= max_size ? (size_t)st.st_size + 2 : 65536;
	buf = util_xmalloc_large(cap);
	for (;;) {
		if (cap - used < 2) {
			cap *= 2;
			buf = util_xrealloc(buf, cap);
		}
		ssize_t n = read(fd, buf + used, cap - used - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			pl_error_errno(err, path, "cannot read");
			goto fail;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > max_size) {
			pl_error_set(err, path, 0, 0, "larger than the %zu bytes allowed", max_size);
			errno = EFBIG;
			goto fail;
		}
	}
	close(fd);
	buf[used] = '\0';
	*len = used;
	*data = buf;
	return 0;
fail:
	saved = errno;
	close(fd);
	free(buf);
	errno = saved;
	return -1;
}

int util_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Temporary files of writers that died (.BASE.XXXXXX beside the file): a
 * live writer holds a lock on its own from creation to rename, and one a
 * second old has had time to take it. */
static void remove_stale_temps(const char *dir, const char *base)
{
	DIR *d = opendir(dir);
	size_t blen = strlen(base);
	struct dirent *e;
	struct stat st;

	while (d && (e = readdir(d))) {
		const char *n = e->d_name;
		if (n[0] != '.' || strncmp(n + 1, base, blen) || n[blen + 1] != '.' || strlen(n + blen + 2) != 6)
			continue;
		int fd = openat(dirfd(d), n, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_mtime < time(NULL) - 1 &&
		    flock(fd, LOCK_EX | LOCK_NB) == 0)
			unlinkat(dirfd(d), n, 0);
		close(fd);
	}
	if (d)
		closedir(d);
}

int util_write_atomic(const char *path, const void *data, size_t len,
		      mode_t mode, struct pl_error *err)
{
	char *copy1 = util_xstrdup(path), *copy2 = util_xstrdup(path);
	char *dir = dirname(copy1), *base = basename(copy2);
	struct util_buf tmp = UTIL_BUF_INIT;
	int fd, rc = -1;

	/* ".BASE.XXXXXX" must fit in a file name too: a long BASE is cut. */
	if (strlen(base) > NAME_MAX - 8)
		base[NAME_MAX - 8] = '\0';
	remove_stale_temps(dir, base);
	util_buf_printf(&tmp, "%s/.%s.XXXXXX", dir, base);
	fd = mkostemp(tmp.data, O_CLOEXEC);
	if (fd < 0) {
		pl_error_errno(err, path, "cannot create a temporary file beside it");
		goto out;
	}
	if (flock(fd, LOCK_EX) < 0 || util_write_all(fd, data, len) < 0 || fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		pl_error_errno(err, path, "cannot write");
		close(fd);
		unlink(tmp.data);
		goto out;
	}
	if (rename(tmp.data, path) < 0) {
		pl_error_errno(err, path, "cannot replace");
		close(fd);
		unlink(tmp.data);
		goto out;
	}
	if (close(fd) < 0) {
		pl_error_errno(err, path, "cannot write");
		goto out;
	}
	if (fsync_dir(dir) < 0) {
		pl_error_errno(err, dir, "cannot sync folder");
		goto out;
	}
	rc = 0;
out:
	util_buf_free(&tmp);
	free(copy1);
	free(copy2);
	return rc;
}

char *util_dir_path(enum util_dir which, struct pl_error *err)
{
	static const struct {
		const char *sub, *xdg, *fallback;
	} dirs[] = {
		[UTIL_DIR_CONFIG] = { "config", "XDG_CONFIG_HOME", ".config" },
		[UTIL_DIR_DATA] = { "data", "XDG_DATA_HOME", ".local/share" },
		[UTIL_DIR_CACHE] = { "cache", "XDG_CACHE_HOME", ".cache" },
	};
	struct util_buf b = UTIL_BUF_INIT;
	const char *home = getenv("PYLOCK_HOME"), *xdg;

	if (home && *home) {
		util_buf_printf(&b, "%s/%s", home, dirs[which].sub);
		return util_buf_steal(&b);
	}
	/* XDG base directory spec: relative values are invalid and ignored. */
	xdg = getenv(dirs[which].xdg);
	if (xdg && xdg[0] == '/') {
		util_buf_printf(&b, "%s/pylock", xdg);
		return util_buf_steal(&b);
	}
	home = getenv("HOME");
	if (!home || home[0] != '/') {
		pl_error_set(err, NULL, 0, 0, "HOME is not set to an absolute path; set %s or PYLOCK_HOME",
			     dirs[which].xdg);
		return NULL;
	}
	util_buf_printf(&b, "%s/%s/pylock", home, dirs[which].fallback);
	return util_buf_steal(&b);
}

char *util_dir_file(enum util_dir which, const char *name, struct pl_error *err)
{
	struct util_buf b = UTIL_BUF_INIT;
	char *dir = util_dir_path(which, err);

	if (!dir)
		return NULL;
	util_buf_printf(&b, "%s/%s", dir, name);
	free(dir);
	return util_buf_steal(&b);
}

int util_mkdir_p(const char *path, mode_t mode, struct pl_error *err)
{
	/* The folder itself first: its parent nearly always exists, and each
	 * mkdir of an existing component would walk the path again. */
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return pl_error_errno(err, path, "cannot create folder");
	char *parent = util_xstrdup(path), *slash = strrchr(parent, '/');
	while (slash && slash > parent && !slash[1]) {
		*slash = '\0';
		slash = strrchr(parent, '/');
	}
	if (!slash || slash == parent) {
		free(parent);
		errno = ENOENT;
		return pl_error_errno(err, path, "cannot create folder");
	}
	*slash = '\0';
	int rc = util_mkdir_p(parent, mode, err);
	free(parent);
	if (rc < 0)
		return -1;
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return pl_error_errno(err, path, "cannot create folder");
	return 0;
}

DIR *util_fdopendir_dup(int fd)
{
	int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0), saved;
	DIR *d;

	if (copy < 0)
		return NULL;
	if (!(d = fdopendir(copy))) {
		saved = errno;
		close(copy);
		errno = saved;
	}
	return d;
}

static int remove_at(int parent, const char *name, struct pl_error *err)
{
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if (fd < 0) {
		if (errno == ENOTDIR || errno == ELOOP)
			return unlinkat(parent, name, 0) < 0 && errno != ENOENT ? pl_error_errno(err, name, "cannot remove") : 0;
		return errno == ENOENT ? 0 : pl_error_errno(err, name, "cannot remove");
	}
	fchmod(fd, 0700);
	if (!(d = fdopendir(fd))) {
		close(fd);
		return pl_error_errno(err, name, "cannot remove");
	}
	while (rc == 0 && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			rc = e->d_type == DT_DIR || e->d_type == DT_UNKNOWN ? remove_at(dirfd(d), e->d_name, err)
			     : (unlinkat(dirfd(d), e->d_name, 0) < 0 && errno != ENOENT
					? pl_error_errno(err, e->d_name, "cannot remove") : 0);
	closedir(d);
	if (rc == 0 && unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		rc = pl_error_errno(err, name, "cannot remove");
	return rc;
}

int util_remove_tree(const char *path, struct pl_error *err)
{
	return remove_at(AT_FDCWD, path, err);
}

struct parallel {
	size_t n;
	atomic_size_t next;
	void (*item)(void *, size_t, void **);
	void (*done)(void *);
	void *arg;
};

static void *parallel_worker(void *arg)
{
	struct parallel *p = arg;
	void *state = NULL;
	size_t i;

	while ((i = atomic_fetch_add(&p->next, 1)) < p->n)
		p->item(p->arg, i, &state);
	if (p->done)
		p->done(state);
	return NULL;
}

void util_parallel(size_t n, void (*item)(void *arg, size_t i, void **state), void (*done)(void *state),
		   void *arg)
{
	struct parallel p = { .n = n, .item = item, .done = done, .arg = arg };
	cpu_set_t cpus;
	/* The cores this process may use (taskset, cgroups), not the machine's. */
	long cores = sched_getaffinity(0, sizeof(cpus), &cpus) == 0 ? CPU_COUNT(&cpus) : sysconf(_SC_NPROCESSORS_ONLN);
	size_t threads = cores < 1 ? 1 : cores > 8 ? 8 : (size_t)cores, started = 0;
	pthread_t t[8];

	atomic_init(&p.next, 0);
	for (size_t i = 1; i < threads && i < n; i++)
		if (pthread_create(&t[started], NULL, parallel_worker, &p) == 0)
			started++;
	parallel_worker(&p);
	for (size_t i = 0; i < started; i++)
		pthread_join(t[i], NULL);
}

extern char **environ;

/* Reads both pipes (poll: neither may fill up and stall) until the child
 * has ended and they are drained. False when the child showed no sign of
 * life (output or exit) for idle_ms: it is then killed. A grandchild that
 * keeps a pipe open after the child ended is waited for a second at most. */
static bool drain(pid_t pid, int fds[2], struct util_buf *bufs[2], size_t max, int idle_ms)
{
	struct pollfd p[3];
	char buf[4096];
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	bool ended = false;

	for (int i = 0; i < 2; i++)
		p[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
	p[2] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	while (p[0].fd >= 0 || p[1].fd >= 0 || p[2].fd >= 0) {
		int n = poll(p, 3, ended && idle_ms > 1000 ? 1000 : idle_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!ended)
				kill(pid, SIGKILL);
			break;
		}
		if (p[2].fd >= 0 && p[2].revents) {
			ended = true;
			close(p[2].fd);
			p[2].fd = -1;
		}
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !p[i].revents)
				continue;
			ssize_t got = read(p[i].fd, buf, sizeof(buf));
			if (got > 0 && bufs[i]->len + (size_t)got <= max)
				util_buf_add(bufs[i], buf, (size_t)got);
			else if (got == 0 || (got < 0 && errno != EINTR)) {
				close(p[i].fd);
				p[i].fd = -1;
			}
		}
	}
	for (int i = 0; i < 3; i++)
		if (p[i].fd >= 0)
			close(p[i].fd);
	return ended || pidfd < 0;
}

/* The child of util_run: in a process group of its own, so that what it
 * leaves running (a process pool's workers) can go with it, and killed
 * when the thread that started it dies (pylock killed mid-sync must not
 * leave a compile writing into the store). Only system calls between fork
 * and exec; a failure to start is written to report. */
static void child(const char *const argv[], int in, int out, int errout, int report, pid_t parent)
{
	sigset_t none;
	int null, e;

	sigemptyset(&none);
	if (setpgid(0, 0) < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		goto fail;
	if (getppid() != parent)
		_exit(127);
	/* What pylock runs never depends on (or reads files from) the folder
	 * it was started in: a project's .python-version, a pyenv shim's. */
	if ((null = open("/dev/null", O_RDWR)) < 0 || dup2(in >= 0 ? in : null, 0) < 0 ||
	    dup2(out >= 0 ? out : null, 1) < 0 ||
	    (errout >= 0 && dup2(errout, 2) < 0) || chdir("/") < 0)
		goto fail;
	/* Nothing else goes with it: descriptors another thread opened without
	 * O_CLOEXEC (libzip's wheels while a sync unpacks) close at exec. A
	 * kernel without close_range leaves them, as before. */
	(void)close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	execve(argv[0], (char *const *)argv, environ);
fail:
	e = errno;
	if (write(report, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

int util_run(const char *const argv[], struct util_buf *out, struct util_buf *errout, size_t max, int idle_s,
	     struct pl_error *err)
{
	return util_run_input(argv, -1, out, errout, max, idle_s, err);
}

int util_run_input(const char *const argv[], int in, struct util_buf *out, struct util_buf *errout, size_t max,
		   int idle_s, struct pl_error *err)
{
	int fds[2][2] = { { -1, -1 }, { -1, -1 } }, report[2] = { -1, -1 }, status, child_errno = 0;
	struct util_buf *bufs[2] = { out, errout };
	pid_t pid = -1, parent = getpid();

	for (int i = 0; i < 2; i++)
		if (bufs[i] && pipe2(fds[i], O_CLOEXEC) < 0)
			goto fail;
	if (pipe2(report, O_CLOEXEC) < 0 || (pid = fork()) < 0)
		goto fail;
	if (pid == 0)
		child(argv, in, fds[0][1], fds[1][1], report[1], parent);
	for (int i = 0; i < 2; i++) {
		close(fds[i][1]);
		fds[i][1] = -1;
	}
	close(report[1]);
	report[1] = -1;
	/* Empty when exec succeeded (the descriptor closed with it). */
	while (read(report[0], &child_errno, sizeof(child_errno)) < 0 && errno == EINTR)
		;
	close(report[0]);
	report[0] = -1;
	if (child_errno) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		errno = child_errno;
		goto fail;
	}
	int readers[2] = { fds[0][0], fds[1][0] };
	struct util_buf none = UTIL_BUF_INIT;
	struct util_buf *targets[2] = { out ? out : &none, errout ? errout : &none };
	bool alive = drain(pid, readers, targets, max, idle_s * 1000);
	util_buf_free(&none);
	for (int i = 0; i < 2; i++)
		if (bufs[i])
			util_buf_str(bufs[i]);
	kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!alive)
		return pl_error_set(err, argv[0], 0, 0, "showed no sign of progress for %d s: stopped", idle_s);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
fail:
	pl_error_errno(err, argv[0], "cannot run");
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			if (fds[i][j] >= 0)
				close(fds[i][j]);
	for (int j = 0; j < 2; j++)
		if (report[j] >= 0)
			close(report[j]);
	return -1;
}

const char *util_run_said(struct util_buf *b)
{
	size_t end = b->len, start;

	if (!b->data)
		return "";
	while (end && (b->data[end - 1] == '\n' || b->data[end - 1] == '\r' || b->data[end - 1] == ' ' ||
		       b->data[end - 1] == '\t'))
		end--;
	b->data[end] = '\0';
	for (start = end; start && b->data[start - 1] != '\n'; start--)
		if ((unsigned char)b->data[start - 1] < 0x20 || b->data[start - 1] == 0x7f)
			b->data[start - 1] = '?';
	return b->data + start;
}

bool util_url_same_folder(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	la -= la && a[la - 1] == '/';
	lb -= lb && b[lb - 1] == '/';
	return la == lb && !strncmp(a, b, la);
}
