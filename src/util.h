/* util: growable buffers and arrays, errors with file:line:col, atomic file
 * replace, XDG paths. Everything else in src/ builds on these. */
#ifndef PYLOCK_UTIL_H
#define PYLOCK_UTIL_H

#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

/* The project-wide error record (named in DESIGN.md): engine functions return
 * 0 or -1 and describe the failure here; front ends print it. */
struct pl_error {
	char msg[1024];
	char file[1024];
	int line;	/* 1-based; 0 when the error has no position */
	int col;	/* 1-based; 0 when unknown */
};

void pl_error_clear(struct pl_error *err);
/* Sets the message; file may be NULL, line/col 0 when unknown. Returns -1 so
 * callers can write `return pl_error_set(...)`. */
int pl_error_set(struct pl_error *err, const char *file, int line, int col,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Same, with errno's text appended as ": strerror". */
int pl_error_errno(struct pl_error *err, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "file:line:col: msg", leaving out the parts that are unknown. */
const char *pl_error_format(const struct pl_error *err, char *buf, size_t size);

/* Allocation failure aborts: a process that cannot get a few bytes cannot
 * report anything useful either. */
void *util_xmalloc(size_t size);
void *util_xcalloc(size_t n, size_t size);
void *util_xrealloc(void *p, size_t size);
char *util_xstrdup(const char *s);
/* For buffers of megabytes: on huge pages where the kernel allows. free() it. */
void *util_xmalloc_large(size_t size);
char *util_xstrndup(const char *s, size_t n);

/* strcmp equality where NULL (absent) equals only NULL. */
bool util_str_equal(const char *a, const char *b);
/* data[0..n) as lower-case hex into out (2n characters and a NUL). */
void util_hex(const void *data, size_t n, char *out);
/* Whether s[0..len) are all hexadecimal digits (and len > 0). */
bool util_is_hex(const char *s, size_t len);
/* Decodes base64 (standard or URL-safe alphabet, padding optional, as
 * protobuf's JSON allows) of s[0..len) into a new buffer (NUL-terminated,
 * free() it). -1 (and *out NULL) when s is not base64 or decodes to more
 * than max bytes. */
int util_base64_decode(const char *s, size_t len, size_t max, unsigned char **out, size_t *outlen);
/* The host of an http(s) URL, lower-cased, without user info or port
 * ("[::1]" keeps its brackets), into out. False when url has none or it
 * does not fit. */
bool util_url_host(const char *url, char *out, size_t size);
/* Whether two URLs name the same folder (an index): equal but for a
 * trailing slash. */
bool util_url_same_folder(const char *a, const char *b);

/* A 64-bit FNV-1a hash of a string: file names for caches, never security. */
uint64_t util_hash_str(const char *s);

/* A growable byte string, always NUL-terminated once anything was added. */
struct util_buf {
	char *data;
	size_t len;
	size_t cap;
};

#define UTIL_BUF_INIT { NULL, 0, 0 }
void util_buf_reserve(struct util_buf *b, size_t extra);
void util_buf_puts(struct util_buf *b, const char *s);

/* Inline: JSON and lock writers add millions of short pieces. */
static inline void util_buf_add(struct util_buf *b, const void *data, size_t len)
{
	if (len >= b->cap - b->len)
		util_buf_reserve(b, len);
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

static inline void util_buf_putc(struct util_buf *b, char c)
{
	if (b->cap - b->len < 2)
		util_buf_reserve(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}
void util_buf_printf(struct util_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void util_buf_vprintf(struct util_buf *b, const char *fmt, va_list ap);
void util_buf_truncate(struct util_buf *b, size_t len);
/* The contents ("" when empty); the buffer stays usable. */
const char *util_buf_str(struct util_buf *b);
/* Hands the contents to the caller (free() them) and empties the buffer. */
char *util_buf_steal(struct util_buf *b);
void util_buf_free(struct util_buf *b);

/* Appends in[0..len) to out with what a terminal would act on made
 * visible: C0 controls but tab and newline, DEL and bytes that are not
 * UTF-8 as \xNN, the C1 controls (U+0080..U+009F) as \u00NN. Returns the
 * bytes taken: all, but an unfinished UTF-8 sequence at the end when more
 * may follow (!final). */
size_t util_escape_controls(const char *in, size_t len, bool final, struct util_buf *out);

/* A growable array of fixed-size items. */
struct util_array {
	void *items;
	size_t len;
	size_t cap;
	size_t item_size;
};

void util_array_init(struct util_array *a, size_t item_size);
/* Appends one zero-filled item and returns it; pointers into the array are
 * valid until the next push. */
void *util_array_push(struct util_array *a);
void *util_array_at(const struct util_array *a, size_t i);
void util_array_free(struct util_array *a);

/* What a file that is not a regular one is, for messages: "a folder", "a
 * FIFO", "a socket" or "a device". */
const char *util_file_kind(mode_t mode);

/* Opens path for reading without ever blocking: a FIFO, device or folder
 * where a file is expected is refused ("not a regular file") before any
 * read. Returns the descriptor and, when st is not NULL, its status; or -1
 * with err. */
int util_open_regular(const char *path, struct stat *st, struct pl_error *err);

/* Reads a whole regular file (util_open_regular), refusing more than
 * max_size bytes. *data is NUL-terminated; free() it. On failure errno
 * tells why: ENOENT only when there is no such file. */
int util_read_file(const char *path, size_t max_size, char **data, size_t *len,
		   struct pl_error *err);

/* Writes all len bytes (again after a short write or EINTR). 0, or -1
 * with errno. */
int util_write_all(int fd, const void *data, size_t len);

/* Replaces path with data atomically: temporary file in the same folder,
 * fsync, rename over path, fsync the folder. A crash leaves the old or the
 * new content, never a mix; on failure the temporary file is removed. */
int util_write_atomic(const char *path, const void *data, size_t len,
		      mode_t mode, struct pl_error *err);

enum util_dir { UTIL_DIR_CONFIG, UTIL_DIR_DATA, UTIL_DIR_CACHE };
/* pylock's config, data or cache folder: PYLOCK_HOME/{config,data,cache}
 * when PYLOCK_HOME is set, else $XDG_*_HOME/pylock with the XDG defaults.
 * Returns a malloc'd path. */
char *util_dir_path(enum util_dir which, struct pl_error *err);

/* A file in one of those folders, e.g. (UTIL_DIR_CONFIG, "policy.yaml").
 * malloc'd. */
char *util_dir_file(enum util_dir which, const char *name, struct pl_error *err);

/* A directory stream over the folder open at fd, which stays open and
 * separate (a duplicate is read). NULL with errno (EMFILE, not EBADF, when
 * descriptors run out). */
DIR *util_fdopendir_dup(int fd);

/* Creates path and its missing parents (like mkdir -p). */
int util_mkdir_p(const char *path, mode_t mode, struct pl_error *err);

/* Removes a folder and everything below it (never following symlinks);
 * read-only folders are made writable first. Missing is not an error. */
int util_remove_tree(const char *path, struct pl_error *err);

/* Runs argv[0] (a path) with stdin from /dev/null and stdout into out (at
 * most max bytes kept; NULL: /dev/null); stderr into errout likewise, or
 * inherited when errout is NULL. A child that neither writes nor ends for
 * idle_s seconds is killed: no wait on a child is unbounded. Returns its
 * exit status (128+N when killed by signal N), or -1 with err when it
 * cannot start or was stopped. */
int util_run(const char *const argv[], struct util_buf *out, struct util_buf *errout, size_t max, int idle_s,
	     struct pl_error *err);
/* What a command said last on errout (a traceback's verdict): the last
 * line that is not blank, control characters shown as '?'; "" when none.
 * Edits b in place. */
const char *util_run_said(struct util_buf *b);
/* The same with stdin from the descriptor in (-1: /dev/null). */
int util_run_input(const char *const argv[], int in, struct util_buf *out, struct util_buf *errout, size_t max,
		   int idle_s, struct pl_error *err);

/* Calls item(arg, i, &state) for i in [0, n) on one thread per core (at most
 * 8); state starts NULL for each thread, and done(state) ends it (done may
 * be NULL). Returns when every item is done. */
void util_parallel(size_t n, void (*item)(void *arg, size_t i, void **state), void (*done)(void *state),
		   void *arg);

#endif
