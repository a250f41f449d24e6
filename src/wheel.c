/* Installing one wheel: check every entry, then unpack by scheme. */
#include "config.h"
#include "wheel.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "dl.h"
#include "pep440.h"
#include "trust.h"

#define NAME_MAX_LEN 4096
#define RECORD_MAX (64u << 20)
#define META_MAX (1u << 20)
#define SCRIPT_MAX (16u << 20)	/* a script read whole to rewrite its shebang */

/* libzip and its compression libraries load only when a wheel is unpacked. */
#define ZIP_FUNCTIONS(X) \
	X(zip_open) \
	X(zip_discard) \
	X(zip_get_num_entries) \
	X(zip_stat_index) \
	X(zip_fopen_index) \
	X(zip_fread) \
	X(zip_fclose) \
	X(zip_file_get_external_attributes) \
	X(zip_file_strerror) \
	X(zip_error_init_with_code) \
	X(zip_error_strerror) \
	X(zip_error_fini)

static DL_TABLE(ZIP_FUNCTIONS) zip_fn;

#define Z(f) (zip_fn.f)

static pthread_once_t zip_once = PTHREAD_ONCE_INIT;
static const char *zip_load_error;

static void load_zip(void)
{
	zip_load_error = DL_LOAD(LIBZIP_SONAME, ZIP_FUNCTIONS, zip_fn);
}

struct entry {
	const char *name;
	zip_uint64_t index, size, comp;
	bool dir, exec;
};

struct row {
	char *path, *hash;	/* hash: "sha256=..." as in RECORD */
	long long size;		/* -1 when not given */
	bool seen;
};

struct install {
	zip_t *z;
	const char *path, *filename, *dest, *pyxy, *prefix;
	char *dist_info, *data_dir, *project, *version;
	struct entry *e;
	size_t n;
	struct row *rows;
	size_t nrows;
	struct util_buf record, site;
	struct pl_error *err;
};

static int fail(struct install *in, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct install *in, const char *fmt, ...)
{
	char msg[sizeof(in->err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return pl_error_set(in->err, in->filename, 0, 0, "%s", msg);
}

/* A zip member name that stays inside the tree: relative, no `.` or `..`
 * component, no backslash or control character, no empty component but a
 * directory's trailing slash. */
static bool safe_member(const char *name)
{
	size_t len = strlen(name);

	if (!len || len > NAME_MAX_LEN || name[0] == '/')
		return false;
	for (const char *c = name; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == '\\' || *c == 0x7f)
			return false;
	for (const char *c = name; *c;) {
		const char *end = strchr(c, '/');
		size_t n = end ? (size_t)(end - c) : strlen(c);
		if ((n == 0 && end) || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += n + (end != NULL);
	}
	return true;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->path, ((const struct row *)b)->path);
}

/* Lists and checks every entry before anything is written. */
static int scan(struct install *in)
{
	zip_int64_t n = Z(zip_get_num_entries)(in->z, 0);
	uint64_t total = 0;

	if (n < 0 || n > WHEEL_MAX_ENTRIES)
		return fail(in, "has %lld entries; at most %d are accepted", (long long)n, WHEEL_MAX_ENTRIES);
	in->e = util_xcalloc((size_t)n + 1, sizeof(*in->e));
	for (zip_int64_t i = 0; i < n; i++) {
		zip_stat_t st;
		zip_uint8_t opsys;
		zip_uint32_t attr;
		struct entry *e = &in->e[in->n++];

		if (Z(zip_stat_index)(in->z, (zip_uint64_t)i, 0, &st) < 0 || !(st.valid & ZIP_STAT_NAME) ||
		    !(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE))
			return fail(in, "entry %lld cannot be read", (long long)i);
		e->name = st.name;
		e->index = (zip_uint64_t)i;
		e->size = st.size;
		e->comp = st.comp_size;
		if (!safe_member(st.name))
			return fail(in, "entry '%.200s' would be written outside the environment (absolute, `..`, "
				    "or an unsafe character); refused", st.name);
		e->dir = st.name[strlen(st.name) - 1] == '/';
		if (Z(zip_file_get_external_attributes)(in->z, e->index, 0, &opsys, &attr) == 0 &&
		    opsys == ZIP_OPSYS_UNIX) {
			mode_t mode = attr >> 16;
			if (S_ISLNK(mode))
				return fail(in, "entry '%.200s' is a symbolic link; refused", st.name);
			if ((mode & S_IFMT) && !S_ISREG(mode) && !S_ISDIR(mode))
				return fail(in, "entry '%.200s' is not a regular file; refused", st.name);
			e->exec = (mode & 0111) != 0;
		}
		total += e->size;
		if (total > WHEEL_MAX_TOTAL)
			return fail(in, "unpacks to more than %llu bytes; refused (a zip bomb?)",
				    (unsigned long long)WHEEL_MAX_TOTAL);
		if (e->size > (1u << 20) && e->size / (e->comp ? e->comp : 1) > WHEEL_MAX_RATIO)
			return fail(in, "entry '%.200s' expands %llu times; refused (a zip bomb?)", st.name,
				    (unsigned long long)(e->size / (e->comp ? e->comp : 1)));
	}
	struct entry *sorted = util_xmalloc(in->n * sizeof(*sorted) + 1);
	memcpy(sorted, in->e, in->n * sizeof(*sorted));
	qsort(sorted, in->n, sizeof(*sorted), by_name);
	for (size_t i = 1; i < in->n; i++)
		if (!strcmp(sorted[i - 1].name, sorted[i].name)) {
			fail(in, "entry '%.200s' occurs twice; refused", sorted[i].name);
			free(sorted);
			return -1;
		}
	free(sorted);
	return 0;
}

static int read_entry(struct install *in, const struct entry *e, size_t max, struct util_buf *out)
{
	zip_file_t *f;
	char buf[65536];
	zip_int64_t n;

	if (e->size > max)
		return fail(in, "'%s' is larger than %zu bytes", e->name, max);
	if (!(f = Z(zip_fopen_index)(in->z, e->index, 0)))
		return fail(in, "cannot read '%s'", e->name);
	while ((n = Z(zip_fread)(f, buf, sizeof(buf))) > 0) {
		if (out->len + (size_t)n > max) {
			Z(zip_fclose)(f);
			return fail(in, "'%s' is larger than %zu bytes", e->name, max);
		}
		util_buf_add(out, buf, (size_t)n);
	}
	if (n < 0) {
		fail(in, "'%s': %s", e->name, Z(zip_file_strerror)(f));
		Z(zip_fclose)(f);
		return -1;
	}
	Z(zip_fclose)(f);
	util_buf_str(out);
	return 0;
}

static const struct entry *find(const struct install *in, const char *name)
{
	for (size_t i = 0; i < in->n; i++)
		if (!strcmp(in->e[i].name, name))
			return &in->e[i];
	return NULL;
}

/* The distribution's escaped name, compared the way PEP 503 normalises. */
static bool same_project(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i = 0, j = 0;

	while (i < alen && j < blen) {
		char x = a[i], y = b[j];
		bool sx = x == '-' || x == '_' || x == '.', sy = y == '-' || y == '_' || y == '.';
		if (sx && sy) {
			while (i < alen && (a[i] == '-' || a[i] == '_' || a[i] == '.'))
				i++;
			while (j < blen && (b[j] == '-' || b[j] == '_' || b[j] == '.'))
				j++;
			continue;
		}
		if ((x | 0x20) != (y | 0x20) || sx || sy)
			return false;
		i++, j++;
	}
	return i == alen && j == blen;
}

/* The .dist-info folder: NAME-VERSION.dist-info at the top, for this
 * wheel's project and version. */
static int find_dist_info(struct install *in, const char *filename)
{
	const char *dash = strchr(filename, '-');
	const char *dash2 = dash ? strchr(dash + 1, '-') : NULL;

	if (!dash || !dash2)
		return fail(in, "'%s' is not a wheel file name", filename);
	in->project = util_xstrndup(filename, (size_t)(dash - filename));
	in->version = util_xstrndup(dash + 1, (size_t)(dash2 - dash - 1));
	for (size_t i = 0; i < in->n; i++) {
		const char *name = in->e[i].name, *slash = strchr(name, '/'), *d;
		if (!slash || slash - name < 11 || strncmp(slash - 10, ".dist-info", 10))
			continue;
		size_t len = (size_t)(slash - name - 10);
		if (!(d = memchr(name, '-', len)) || !same_project(name, (size_t)(d - name), in->project,
								      strlen(in->project)))
			continue;
		size_t vlen = (size_t)(dash2 - dash - 1);
		if (len - (size_t)(d - name) - 1 != vlen || strncmp(d + 1, dash + 1, vlen))
			continue;
		if (in->dist_info && strncmp(in->dist_info, name, (size_t)(slash - name)))
			return fail(in, "holds two .dist-info folders for %s", in->project);
		if (!in->dist_info) {
			struct util_buf data = UTIL_BUF_INIT;
			in->dist_info = util_xstrndup(name, (size_t)(slash - name));
			util_buf_printf(&data, "%.*s.data", (int)len, name);
			in->data_dir = util_buf_steal(&data);
		}
	}
	if (!in->dist_info)
		return fail(in, "has no %s-%.*s.dist-info folder", in->project, (int)(dash2 - dash - 1), dash + 1);
	return 0;
}

/* One CSV field of RECORD (quotes and doubled quotes, as Python's csv). */
static const char *csv_field(const char *s, const char *end, struct util_buf *out)
{
	util_buf_truncate(out, 0);
	if (s < end && *s == '"') {
		for (s++; s < end; s++) {
			if (*s == '"' && s + 1 < end && s[1] == '"')
				util_buf_putc(out, *s++);
			else if (*s == '"')
				break;
			else
				util_buf_putc(out, *s);
		}
		s++;
	} else {
		while (s < end && *s != ',')
			util_buf_putc(out, *s++);
	}
	util_buf_str(out);
	return s < end && *s == ',' ? s + 1 : end;
}

static int parse_record(struct install *in)
{
	struct util_buf text = UTIL_BUF_INIT, f = UTIL_BUF_INIT;
	char name[NAME_MAX_LEN + 32];
	const struct entry *e;
	int line = 0, rc = 0;

	snprintf(name, sizeof(name), "%s/RECORD", in->dist_info);
	if (!(e = find(in, name)))
		return fail(in, "has no %s", name);
	if (read_entry(in, e, RECORD_MAX, &text) < 0)
		return -1;
	for (const char *s = text.data ? text.data : "", *stop = s + text.len; s < stop && rc == 0;) {
		const char *nl = memchr(s, '\n', (size_t)(stop - s)), *end = nl ? nl : stop;
		line++;
		if (end > s && end[-1] == '\r')
			end--;
		if (end == s) {
			s = nl ? nl + 1 : stop;
			continue;
		}
		struct row r = { .size = -1 };
		const char *p = csv_field(s, end, &f);
		if (!f.len) {
			rc = fail(in, "RECORD line %d has no path; refused", line);
			break;
		}
		r.path = util_buf_steal(&f);
		p = csv_field(p, end, &f);
		r.hash = util_buf_steal(&f);
		csv_field(p, end, &f);
		if (f.len) {
			char *x;
			r.size = strtoll(f.data, &x, 10);
			if (*x || r.size < 0)
				rc = fail(in, "RECORD line %d: size '%.40s' is not a number", line, f.data);
		}
		in->rows = util_xrealloc(in->rows, (in->nrows + 1) * sizeof(*in->rows));
		in->rows[in->nrows++] = r;
		s = nl ? nl + 1 : stop;
	}
	util_buf_free(&text);
	util_buf_free(&f);
	qsort(in->rows, in->nrows, sizeof(*in->rows), by_path);
	return rc;
}

static struct row *record_row(struct install *in, const char *path)
{
	struct row key = { .path = (char *)path };

	return in->nrows ? bsearch(&key, in->rows, in->nrows, sizeof(*in->rows), by_path) : NULL;
}

static bool is_signature_file(const struct install *in, const char *name)
{
	size_t dl = strlen(in->dist_info);

	return !strncmp(name, in->dist_info, dl) && name[dl] == '/' &&
	       (!strcmp(name + dl + 1, "RECORD") || !strcmp(name + dl + 1, "RECORD.jws") ||
		!strcmp(name + dl + 1, "RECORD.p7s"));
}

/* RECORD and the archive agree: every file listed, every listed file there. */
static int check_record(struct install *in)
{
	for (size_t i = 0; i < in->n; i++) {
		const struct entry *e = &in->e[i];
		struct row *r;
		if (e->dir || is_signature_file(in, e->name))
			continue;
		if (!(r = record_row(in, e->name)))
			return fail(in, "'%.200s' is not in RECORD; refused", e->name);
		if (strncmp(r->hash, "sha256=", 7))
			return fail(in, "RECORD gives '%.200s' no sha256 hash; refused", e->name);
		if (r->size >= 0 && (zip_uint64_t)r->size != e->size)
			return fail(in, "'%.200s' is %llu bytes, RECORD says %lld; refused", e->name,
				    (unsigned long long)e->size, r->size);
		r->seen = true;
	}
	for (size_t i = 0; i < in->nrows; i++)
		if (!in->rows[i].seen && !is_signature_file(in, in->rows[i].path) &&
		    in->rows[i].path[strlen(in->rows[i].path) - 1] != '/')
			return fail(in, "RECORD lists '%.200s', which the wheel does not hold; refused", in->rows[i].path);
	return 0;
}

static void b64url(const unsigned char *in, size_t n, struct util_buf *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) |
			     (i + 2 < n ? in[i + 2] : 0);
		util_buf_putc(out, a[v >> 18 & 63]);
		util_buf_putc(out, a[v >> 12 & 63]);
		if (i + 1 < n)
			util_buf_putc(out, a[v >> 6 & 63]);
		if (i + 2 < n)
			util_buf_putc(out, a[v & 63]);
	}
}

/* "sha256=" + urlsafe base64 without padding, as RECORD writes hashes. */
static void record_hash(const char hex[65], struct util_buf *out)
{
	unsigned char raw[32];

	for (int i = 0; i < 32; i++) {
		char pair[3] = { hex[2 * i], hex[2 * i + 1], 0 };
		raw[i] = (unsigned char)strtoul(pair, NULL, 16);
	}
	util_buf_puts(out, "sha256=");
	b64url(raw, 32, out);
}

/* The path a member's scheme gives it (see target). */
static char *place(struct install *in, const char *name, bool *script)
{
	struct util_buf b = UTIL_BUF_INIT;
	size_t dl = strlen(in->data_dir), il = strlen(in->dist_info);

	*script = false;
	if (!strncmp(name, in->dist_info, il) && name[il] == '/' &&
	    (!strcmp(name + il + 1, "RECORD") || !strcmp(name + il + 1, "INSTALLER")))
		return NULL;
	if (!strncmp(name, "__pycache__/", 12) || strstr(name, "/__pycache__/"))
		return NULL;
	if (strncmp(name, in->data_dir, dl) || name[dl] != '/') {
		util_buf_printf(&b, "%s/%s", in->site.data, name);
		return util_buf_steal(&b);
	}
	const char *scheme = name + dl + 1, *rest = strchr(scheme, '/');
	if (!rest)
		return NULL;
	size_t sl = (size_t)(rest - scheme);
	rest++;
	if (sl == 7 && !strncmp(scheme, "purelib", 7))
		util_buf_printf(&b, "%s/%s", in->site.data, rest);
	else if (sl == 7 && !strncmp(scheme, "platlib", 7))
		util_buf_printf(&b, "%s/%s", in->site.data, rest);
	else if (sl == 7 && !strncmp(scheme, "scripts", 7)) {
		util_buf_printf(&b, "bin/%s", rest);
		*script = true;
	} else if (sl == 7 && !strncmp(scheme, "headers", 7))
		util_buf_printf(&b, "include/site/python%s/%s/%s", in->pyxy, in->project, rest);
	else if (sl == 4 && !strncmp(scheme, "data", 4))
		util_buf_printf(&b, "%s", rest);
	else {
		util_buf_free(&b);
		fail(in, "'%.200s' is in an unknown .data scheme '%.*s'; refused", name, (int)sl, scheme);
		return (char *)-1;
	}
	return util_buf_steal(&b);
}

/* Where an archive member goes, relative to dest; NULL for members not
 * installed: RECORD and INSTALLER (pylock writes its own), and bytecode
 * caches (__pycache__/: pylock compiles its own, and a shipped one would
 * be rewritten and look drifted). The environment's own files at its root
 * are reserved. */
static char *target(struct install *in, const char *name, bool *script)
{
	char *rel = place(in, name, script);

	if (rel && rel != (char *)-1 && (!strcmp(rel, "pylock-env.json") || !strcmp(rel, "pyvenv.cfg"))) {
		fail(in, "'%.200s' would install '%s', which the environment reserves; refused", name, rel);
		free(rel);
		return (char *)-1;
	}
	return rel;
}

/* A path of the new RECORD: relative to site-packages. */
static void record_path(struct install *in, const char *rel, struct util_buf *out)
{
	size_t sl = in->site.len;

	if (!strncmp(rel, in->site.data, sl) && rel[sl] == '/')
		util_buf_puts(out, rel + sl + 1);
	else
		util_buf_printf(out, "../../../%s", rel);
}

static void csv_put(struct util_buf *out, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		util_buf_puts(out, s);
		return;
	}
	util_buf_putc(out, '"');
	for (; *s; s++) {
		if (*s == '"')
			util_buf_putc(out, '"');
		util_buf_putc(out, *s);
	}
	util_buf_putc(out, '"');
}

/* Creates dest/rel with data (O_EXCL: two entries may not land on one path),
 * read-only from the start: environments share the file's inode. */
static int write_new(struct install *in, const char *rel, const void *data, size_t len, bool exec)
{
	struct util_buf path = UTIL_BUF_INIT;
	struct pl_error ignored;
	int fd, rc = 0;

	util_buf_printf(&path, "%s/%s", in->dest, rel);
	fd = open(path.data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, exec ? 0555 : 0444);
	if (fd < 0 && errno == ENOENT) {
		/* Its folder first (most entries share one made already). */
		char *slash = strrchr(path.data, '/');
		*slash = '\0';
		util_mkdir_p(path.data, 0755, &ignored);
		*slash = '/';
		fd = open(path.data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, exec ? 0555 : 0444);
	}
	if (fd < 0)
		rc = errno == EEXIST ? fail(in, "two entries install to '%.200s'; refused", rel)
				     : pl_error_errno(in->err, path.data, "cannot write");
	else {
		if (util_write_all(fd, data, len) < 0)
			rc = pl_error_errno(in->err, path.data, "cannot write");
		close(fd);
	}
	util_buf_free(&path);
	return rc;
}

void wheel_record_row(struct util_buf *record, const char *path, const void *data, size_t len)
{
	struct pl_error err;
	struct trust_sha256 *h = trust_sha256_new(&err);
	char hex[65];

	trust_sha256_update(h, data, len);
	trust_sha256_final(h, hex);
	csv_put(record, path);
	util_buf_putc(record, ',');
	record_hash(hex, record);
	util_buf_printf(record, ",%zu\n", len);
}

static void add_record(struct install *in, const char *rel, const void *data, size_t len)
{
	struct util_buf p = UTIL_BUF_INIT;

	record_path(in, rel, &p);
	wheel_record_row(&in->record, util_buf_str(&p), data, len);
	util_buf_free(&p);
}

/* `#!python` and `#!pythonw` name the environment's interpreter. */
static void rewrite_shebang(struct install *in, struct util_buf *data)
{
	const char *s = data->data ? data->data : "";
	size_t skip = 8;

	/* #!python, #!pythonw, #!python3.11: the whole interpreter word. */
	if (data->len < 8 || strncmp(s, "#!python", 8))
		return;
	while (skip < data->len && !strchr(" \t\r\n", s[skip]))
		skip++;
	struct util_buf out = UTIL_BUF_INIT;
	util_buf_printf(&out, "#!%s/bin/python", in->prefix);
	util_buf_add(&out, s + skip, data->len - skip);
	util_buf_free(data);
	*data = out;
}

static int unpack(struct install *in)
{
	struct util_buf data = UTIL_BUF_INIT;
	struct trust_sha256 *h;
	char hex[65];
	struct util_buf want = UTIL_BUF_INIT;

	for (size_t i = 0; i < in->n; i++) {
		const struct entry *e = &in->e[i];
		bool script;
		if (e->dir || is_signature_file(in, e->name))
			continue;
		char *rel = target(in, e->name, &script);
		if (rel == (char *)-1)
			goto fail;
		if (!rel)
			continue;
		util_buf_truncate(&data, 0);
		if (read_entry(in, e, script ? SCRIPT_MAX : WHEEL_MAX_TOTAL, &data) < 0) {
			free(rel);
			goto fail;
		}
		/* The member's bytes against RECORD. */
		if (!(h = trust_sha256_new(in->err))) {
			free(rel);
			goto fail;
		}
		trust_sha256_update(h, data.data ? data.data : "", data.len);
		trust_sha256_final(h, hex);
		util_buf_truncate(&want, 0);
		record_hash(hex, &want);
		if (strcmp(record_row(in, e->name)->hash, want.data)) {
			fail(in, "'%.200s' does not match its RECORD hash; refused", e->name);
			free(rel);
			goto fail;
		}
		if (script)
			rewrite_shebang(in, &data);
		if (write_new(in, rel, data.data ? data.data : "", data.len, e->exec || script) < 0) {
			free(rel);
			goto fail;
		}
		add_record(in, rel, data.data ? data.data : "", data.len);
		free(rel);
	}
	util_buf_free(&data);
	util_buf_free(&want);
	return 0;
fail:
	util_buf_free(&data);
	util_buf_free(&want);
	return -1;
}

static bool ident_chars(const char *s, size_t n, bool dots)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '_' || (dots && s[i] == '.')))
			return false;
	return !(s[0] >= '0' && s[0] <= '9') && s[0] != '.' && s[n - 1] != '.';
}

/* A C0 control or DEL: never part of a file name pylock makes. */
static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int wheel_script(const char *name, const char *value, const char *prefix, struct util_buf *script)
{
	char *val = util_xstrdup(value), *extras = strchr(val, '[');
	int rc = -1;

	if (extras)
		*extras = '\0';
	char *v = trim(val), *colon = strchr(v, ':');
	if (*name && strlen(name) <= 255 && !strchr(name, '/') && name[0] != '.' && !strpbrk(name, " \t\\") &&
	    !has_control(name) && colon && ident_chars(v, (size_t)(colon - v), true) &&
	    ident_chars(colon + 1, strlen(colon + 1), true)) {
		*colon = '\0';
		const char *obj = colon + 1, *dot = strchr(obj, '.');
		util_buf_printf(script, "#!%s/bin/python\n# -*- coding: utf-8 -*-\nimport re\nimport sys\n"
				"from %s import %.*s\nif __name__ == \"__main__\":\n"
				"    sys.argv[0] = re.sub(r\"(-script\\.pyw|\\.exe)?$\", \"\", sys.argv[0])\n"
				"    sys.exit(%s())\n", prefix, v, (int)(dot ? (size_t)(dot - obj) : strlen(obj)), obj, obj);
		rc = 0;
	}
	free(val);
	return rc;
}

/* Entry points ("Entry points specification"): console_scripts and
 * gui_scripts become scripts in bin/. */
static int entry_points(struct install *in)
{
	char name[NAME_MAX_LEN + 32];
	const struct entry *e;
	struct util_buf text = UTIL_BUF_INIT, script = UTIL_BUF_INIT;
	bool scripts = false;
	int line = 0, rc = 0;

	snprintf(name, sizeof(name), "%s/entry_points.txt", in->dist_info);
	if (!(e = find(in, name)))
		return 0;
	if (read_entry(in, e, META_MAX, &text) < 0)
		return -1;
	for (char *s = text.data ? text.data : "", *nl; *s && rc == 0; s = nl ? nl + 1 : s + strlen(s)) {
		nl = strchr(s, '\n');
		if (nl)
			*nl = '\0';
		line++;
		char *l = trim(s);
		if (!*l || *l == '#' || *l == ';')
			continue;
		if (*l == '[') {
			scripts = !strcmp(l, "[console_scripts]") || !strcmp(l, "[gui_scripts]");
			continue;
		}
		char *eq = strchr(l, '=');
		if (!scripts)
			continue;
		if (!eq) {
			rc = fail(in, "entry_points.txt:%d: expected NAME = MODULE:OBJECT", line);
			break;
		}
		*eq = '\0';
		char *key = trim(l);
		util_buf_truncate(&script, 0);
		if (wheel_script(key, eq + 1, in->prefix, &script) < 0) {
			rc = fail(in, "entry_points.txt:%d: '%.100s' is not a safe script name and MODULE:OBJECT", line,
				  key);
			break;
		}
		char rel[300];
		snprintf(rel, sizeof(rel), "bin/%s", key);
		if ((rc = write_new(in, rel, script.data, script.len, true)) == 0)
			add_record(in, rel, script.data, script.len);
	}
	util_buf_free(&text);
	util_buf_free(&script);
	return rc;
}

/* The value of the first "Key: value" line of an RFC 822 style header block
 * (WHEEL, METADATA: the block ends at the first empty line), trimmed;
 * NULL when there is none. free() it. */
static char *header_value(const char *text, const char *key)
{
	size_t klen = strlen(key);

	for (const char *l = text; *l && *l != '\n' && strncmp(l, "\r\n", 2);) {
		const char *nl = strchr(l, '\n'), *end = nl ? nl : l + strlen(l);
		if ((size_t)(end - l) > klen && !strncasecmp(l, key, klen) && l[klen] == ':') {
			const char *v = l + klen + 1;
			while (v < end && (*v == ' ' || *v == '\t'))
				v++;
			while (end > v && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
				end--;
			return util_xstrndup(v, (size_t)(end - v));
		}
		if (!nl)
			break;
		l = nl + 1;
	}
	return NULL;
}

/* "Wheel-Version: 1.0": digits, a dot, digits, without leading zeros. */
static bool wheel_version_form(const char *v)
{
	const char *dot = strchr(v, '.');

	if (!dot || dot == v || !dot[1] || (v[0] == '0' && dot - v > 1) || (dot[1] == '0' && dot[2]))
		return false;
	for (const char *c = v; *c; c++)
		if (c != dot && (*c < '0' || *c > '9'))
			return false;
	return true;
}

static int read_meta(struct install *in, const char *file, struct util_buf *text)
{
	char name[NAME_MAX_LEN + 32];
	const struct entry *e;

	snprintf(name, sizeof(name), "%s/%s", in->dist_info, file);
	if (!(e = find(in, name)))
		return fail(in, "has no %s", name);
	return read_entry(in, e, META_MAX, text);
}

/* WHEEL's version ("a major version it does not know must stop an
 * installer"), and METADATA's name and version against the file name's:
 * what is installed is what the lock names. */
static int check_wheel_metadata(struct install *in)
{
	struct util_buf text = UTIL_BUF_INIT;
	struct pep440_version want, got;
	char *v = NULL, *name = NULL, *version = NULL;
	const char *why;
	int rc = -1;

	if (read_meta(in, "WHEEL", &text) < 0)
		goto out;
	v = header_value(util_buf_str(&text), "Wheel-Version");
	if (!v || !wheel_version_form(v)) {
		fail(in, "has a malformed Wheel-Version '%.40s' (MAJOR.MINOR)", v ? v : "");
		goto out;
	}
	if (strncmp(v, "1.", 2)) {
		fail(in, "has an unsupported Wheel-Version %.40s (pylock installs 1.x)", v);
		goto out;
	}
	util_buf_truncate(&text, 0);
	if (read_meta(in, "METADATA", &text) < 0)
		goto out;
	name = header_value(util_buf_str(&text), "Name");
	version = header_value(util_buf_str(&text), "Version");
	if (!name || !same_project(name, strlen(name), in->project, strlen(in->project))) {
		fail(in, "its METADATA names the project '%.100s', not %s; refused", name ? name : "", in->project);
		goto out;
	}
	if (!version || (strcmp(version, in->version) && (pep440_parse(version, &got, &why) < 0 ||
							 pep440_parse(in->version, &want, &why) < 0 ||
							 pep440_compare(&got, &want)))) {
		fail(in, "its METADATA gives the version '%.60s', not %s; refused", version ? version : "",
		     in->version);
		goto out;
	}
	rc = 0;
out:
	free(v);
	free(name);
	free(version);
	util_buf_free(&text);
	return rc;
}

/* libzip loaded, in->path opened read-only with its consistency checked. */
static int open_wheel(struct install *in)
{
	int zerr = 0;

	pthread_once(&zip_once, load_zip);
	if (zip_load_error)
		return pl_error_set(in->err, NULL, 0, 0, "cannot load libzip (%s): %s", LIBZIP_SONAME, zip_load_error);
	if (!(in->z = Z(zip_open)(in->path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr))) {
		zip_error_t ze;
		Z(zip_error_init_with_code)(&ze, zerr);
		pl_error_set(in->err, in->filename, 0, 0, "is not a wheel (zip): %s", Z(zip_error_strerror)(&ze));
		Z(zip_error_fini)(&ze);
		return -1;
	}
	return 0;
}

int wheel_install(const char *path, const char *filename, const char *dest, const char *pyxy, const char *prefix,
		  struct pl_error *err)
{
	struct install in = { .path = path, .filename = filename, .dest = dest, .pyxy = pyxy, .prefix = prefix, .err = err };
	int rc = -1;

	if (trust_init(err) < 0 || open_wheel(&in) < 0)
		return -1;
	util_buf_printf(&in.site, "lib/python%s/site-packages", pyxy);
	if (scan(&in) == 0 && find_dist_info(&in, filename) == 0 && check_wheel_metadata(&in) == 0 &&
	    parse_record(&in) == 0 && check_record(&in) == 0 && unpack(&in) == 0 && entry_points(&in) == 0) {
		char rel[NAME_MAX_LEN + 64];
		snprintf(rel, sizeof(rel), "%s/%s/INSTALLER", in.site.data, in.dist_info);
		if (write_new(&in, rel, "pylock\n", 7, false) == 0) {
			add_record(&in, rel, "pylock\n", 7);
			snprintf(rel, sizeof(rel), "%s/%s/RECORD", in.site.data, in.dist_info);
			util_buf_printf(&in.record, "%s/RECORD,,\n", in.dist_info);
			rc = write_new(&in, rel, in.record.data, in.record.len, false);
		}
	}
	Z(zip_discard)(in.z);
	for (size_t i = 0; i < in.nrows; i++) {
		free(in.rows[i].path);
		free(in.rows[i].hash);
	}
	free(in.rows);
	free(in.e);
	free(in.dist_info);
	free(in.data_dir);
	free(in.project);
	free(in.version);
	util_buf_free(&in.record);
	util_buf_free(&in.site);
	return rc;
}

int wheel_metadata(const char *path, const char *filename, struct util_buf *out, struct pl_error *err)
{
	struct install in = { .path = path, .filename = filename, .err = err };
	int rc = -1;

	if (open_wheel(&in) < 0)
		return -1;
	if (scan(&in) == 0 && find_dist_info(&in, filename) == 0 && check_wheel_metadata(&in) == 0) {
		util_buf_truncate(out, 0);
		rc = read_meta(&in, "METADATA", out);
	}
	Z(zip_discard)(in.z);
	free(in.e);
	free(in.dist_info);
	free(in.data_dir);
	free(in.project);
	free(in.version);
	return rc;
}

int wheel_record_verify(const char *site, const char *dist_info, size_t *drifted, char *first, size_t first_len,
			struct pl_error *err)
{
	struct util_buf path = UTIL_BUF_INIT, f = UTIL_BUF_INIT, want = UTIL_BUF_INIT;
	char *text = NULL, hex[65];
	size_t len;
	struct pl_error ignored;

	util_buf_printf(&path, "%s/%s/RECORD", site, dist_info);
	if (util_read_file(path.data, RECORD_MAX, &text, &len, err) < 0) {
		util_buf_free(&path);
		return -1;
	}
	for (const char *s = text, *stop = text + len; s < stop;) {
		const char *nl = memchr(s, '\n', (size_t)(stop - s)), *end = nl ? nl : stop;
		struct stat st;
		const char *p = csv_field(s, end, &f);
		char *rel = util_buf_steal(&f);
		p = csv_field(p, end, &f);
		char *hash = util_buf_steal(&f);
		csv_field(p, end, &f);
		long long size = f.len ? strtoll(f.data, NULL, 10) : -1;
		s = nl ? nl + 1 : stop;
		if (rel[0] && hash[0] && rel[0] != '/') {
			util_buf_truncate(&path, 0);
			util_buf_printf(&path, "%s/%s", site, rel);
			util_buf_truncate(&want, 0);
			bool ok = lstat(path.data, &st) == 0 && S_ISREG(st.st_mode) && (size < 0 || st.st_size == size) &&
				  trust_sha256_file(path.data, hex, &ignored) == 0;
			if (ok)
				record_hash(hex, &want);
			if (!ok || strcmp(util_buf_str(&want), hash)) {
				if (!(*drifted)++ && first)
					snprintf(first, first_len, "%s", rel);
			}
		}
		free(rel);
		free(hash);
	}
	free(text);
	util_buf_free(&path);
	util_buf_free(&f);
	util_buf_free(&want);
	return 0;
}
