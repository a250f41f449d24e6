/* Reading and validating pylock.toml. The rules cited are from the
 * "pylock.toml Specification" (PEP 751); the writer is in lock-write.c. */
#include "config.h"
#include "lock.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pep440.h"
#include "pep508.h"

struct reader {
	struct lock *lock;
	const char *name;
	struct pl_error *err;
};

static int fail_at(struct reader *r, uint32_t line, uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail_at(struct reader *r, uint32_t line, uint32_t col, const char *fmt, ...)
{
	va_list ap;

	pl_error_set(r->err, r->name, (int)line, (int)col, "%s", "");
	va_start(ap, fmt);
	vsnprintf(r->err->msg, sizeof(r->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static void warn_at(struct reader *r, uint32_t line, uint32_t col, const char *msg, const char *arg)
{
	struct lock *lock = r->lock;

	lock->warnings = util_xrealloc(lock->warnings, (lock->nwarnings + 1) * sizeof(*lock->warnings));
	pl_error_set(&lock->warnings[lock->nwarnings++], r->name, (int)line, (int)col, msg, arg);
}

static bool in_list(const char *key, const char *const *keys)
{
	for (size_t i = 0; keys[i]; i++)
		if (key[0] == keys[i][0] && !strcmp(key, keys[i]))
			return true;
	return false;
}

/* Keys pylock does not interpret are kept in order for the writer. */
static void keep_unknown(struct reader *r, const struct toml_value *table, const char *const *known,
			 const struct toml_pair ***out, size_t *n)
{
	size_t unknown = 0;

	for (size_t i = 0; i < table->u.table.len; i++)
		unknown += !in_list(table->u.table.items[i].key, known);
	if (!unknown)
		return;
	*out = toml_doc_alloc(r->lock->doc, unknown, sizeof(**out));
	for (size_t i = 0; i < table->u.table.len; i++)
		if (!in_list(table->u.table.items[i].key, known))
			(*out)[(*n)++] = &table->u.table.items[i];
}

static const char *what(const char *ctx, const char *key, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", ctx, ctx[0] ? "." : "", key);
	return buf;
}

/* The value of key in table, checked to be of type; NULL when absent. */
static int get_typed(struct reader *r, const struct toml_value *table, const char *ctx,
		     const char *key, enum toml_type type, bool required,
		     const struct toml_value **out)
{
	const struct toml_value *v = toml_get(table, key);
	char name[256];

	*out = NULL;
	if (!v) {
		if (required)
			return fail_at(r, table->line, table->col, "missing required key '%s'",
				       what(ctx, key, name, sizeof(name)));
		return 0;
	}
	bool ok = v->type == type || (type == TOML_DATETIME && v->type == TOML_DATETIME_LOCAL);
	if (!ok)
		return fail_at(r, v->line, v->col, "'%s' must be %s %s, not %s %s",
			       what(ctx, key, name, sizeof(name)),
			       type == TOML_ARRAY || type == TOML_INTEGER ? "an" : "a", toml_type_name(type),
			       v->type == TOML_ARRAY || v->type == TOML_INTEGER ? "an" : "a",
			       toml_type_name(v->type));
	*out = v;
	return 0;
}

static int get_string(struct reader *r, const struct toml_value *table, const char *ctx,
		      const char *key, bool required, const char **out)
{
	const struct toml_value *v;

	*out = NULL;
	if (get_typed(r, table, ctx, key, TOML_STRING, required, &v) < 0)
		return -1;
	if (v) {
		if (toml_string_has_nul(v))
			return fail_at(r, v->line, v->col, "'%s' holds a NUL character", key);
		*out = v->u.str.ptr;
	}
	return 0;
}

static int get_string_array(struct reader *r, const struct toml_value *table, const char *ctx,
			    const char *key, const struct toml_value **out)
{
	if (get_typed(r, table, ctx, key, TOML_ARRAY, false, out) < 0)
		return -1;
	if (!*out)
		return 0;
	for (size_t i = 0; i < (*out)->u.array.len; i++) {
		const struct toml_value *v = (*out)->u.array.items[i];
		if (v->type != TOML_STRING)
			return fail_at(r, v->line, v->col, "'%s' must hold strings only", key);
	}
	return 0;
}

static int check_marker(struct reader *r, const char *marker, const struct toml_value *at)
{
	const char *why;
	size_t offset;
	struct pep508_marker *m = pep508_parse(marker, &why, &offset);

	if (!m)
		return fail_at(r, at->line, at->col, "invalid marker '%s': %s at offset %zu",
			       marker, why, offset);
	pep508_free(m);
	return 0;
}

static int check_specifiers(struct reader *r, const char *spec, const struct toml_value *at)
{
	struct pep440_specset set;
	const char *why;

	if (pep440_specset_parse(spec, &set, &why) < 0)
		return fail_at(r, at->line, at->col, "invalid requires-python '%s': %s", spec, why);
	return 0;
}

/* ---- files: wheels, sdist, archive ---- */

int lock_hash_hex_len(const char *algo)
{
	static const struct {
		const char *algo;
		int len;
	} known[] = {
		{ "md5", 32 }, { "sha1", 40 }, { "sha224", 56 }, { "sha256", 64 },
		{ "sha384", 96 }, { "sha512", 128 }, { "sha3_224", 56 }, { "sha3_256", 64 },
		{ "sha3_384", 96 }, { "sha3_512", 128 }, { "blake2b", 128 }, { "blake2s", 64 },
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcasecmp(algo, known[i].algo))
			return known[i].len;
	return 0;
}

static int compare_hash(const void *a, const void *b)
{
	return strcmp(((const struct lock_hash *)a)->algo, ((const struct lock_hash *)b)->algo);
}

static int read_hashes(struct reader *r, const struct toml_value *table, const char *kind,
		       struct lock_file *f)
{
	const struct toml_value *h;

	if (get_typed(r, table, kind, "hashes", TOML_TABLE, false, &h) < 0)
		return -1;
	if (!h || h->u.table.len == 0)
		return fail_at(r, table->line, table->col,
			       "%s '%s' has no hashes (PEP 751 requires at least one)", kind, f->name);
	f->hashes = toml_doc_alloc(r->lock->doc, h->u.table.len, sizeof(*f->hashes));
	for (size_t i = 0; i < h->u.table.len; i++) {
		const struct toml_pair *pr = &h->u.table.items[i];
		const struct toml_value *v = pr->value;
		int want = lock_hash_hex_len(pr->key);

		if (v->type != TOML_STRING)
			return fail_at(r, v->line, v->col, "hash '%s' must be a string", pr->key);
		if (v->u.str.len && !util_is_hex(v->u.str.ptr, v->u.str.len))
			return fail_at(r, v->line, v->col, "%s hash is not hexadecimal", pr->key);
		if (v->u.str.len == 0 || (want && v->u.str.len != (size_t)want))
			return fail_at(r, v->line, v->col, "%s hash must be %d hex digits, not %zu",
				       pr->key, want, v->u.str.len);
		f->hashes[f->nhashes].algo = pr->key;
		f->hashes[f->nhashes++].value = v->u.str.ptr;
	}
	qsort(f->hashes, f->nhashes, sizeof(*f->hashes), compare_hash);
	return 0;
}

static const char *last_component(const char *s)
{
	const char *slash = strrchr(s, '/');

	return slash ? slash + 1 : s;
}

static int read_file(struct reader *r, const struct toml_value *t, const char *kind,
		     struct lock_file *f)
{
	static const char *const file_keys[] = {
		"name", "upload-time", "url", "path", "size", "hashes", NULL,
	};
	static const char *const archive_keys[] = {
		"name", "upload-time", "url", "path", "size", "hashes", "subdirectory", NULL,
	};
	const struct toml_value *v;

	memset(f, 0, sizeof(*f));
	f->size = -1;
	f->line = t->line;
	f->col = t->col;
	if (t->type != TOML_TABLE)
		return fail_at(r, t->line, t->col, "each %s must be a table", kind);
	if (get_string(r, t, kind, "name", false, &f->name) < 0 ||
	    get_string(r, t, kind, "url", false, &f->url) < 0 ||
	    get_string(r, t, kind, "path", false, &f->path) < 0)
		return -1;
	if (!f->url && !f->path)
		return fail_at(r, t->line, t->col, "%s needs a 'url' or a 'path'", kind);
	f->name_written = f->name != NULL;
	if (!f->name) {
		/* The name may be left out when it is the last part of the url or path. */
		f->name = last_component(f->path ? f->path : f->url);
	}
	if (!f->name[0] || strchr(f->name, '/') || !strcmp(f->name, "..") || !strcmp(f->name, "."))
		return fail_at(r, t->line, t->col, "%s has no usable file name", kind);
	if (get_typed(r, t, kind, "size", TOML_INTEGER, false, &v) < 0)
		return -1;
	if (v) {
		if (v->u.integer < 0)
			return fail_at(r, v->line, v->col, "size cannot be negative");
		f->size = v->u.integer;
	}
	if (get_typed(r, t, kind, "upload-time", TOML_DATETIME, false, &v) < 0)
		return -1;
	if (v && v->type != TOML_DATETIME)
		return fail_at(r, v->line, v->col, "upload-time must be in UTC (Z or +00:00), not a local %s",
			       v->type == TOML_DATE_LOCAL ? "date" : v->type == TOML_TIME_LOCAL ? "time" : "date-time");
	if (v && v->u.dt.offset_minutes)
		return fail_at(r, v->line, v->col, "upload-time must be in UTC (Z or +00:00), not an offset of %d minutes",
			       v->u.dt.offset_minutes);
	if (v) {
		f->has_upload_time = true;
		f->upload_time = v->u.dt;
		f->upload_time_type = v->type;
	}
	if (!strcmp(kind, "archive") && get_string(r, t, kind, "subdirectory", false, &f->subdirectory) < 0)
		return -1;
	if (read_hashes(r, t, kind, f) < 0)
		return -1;
	keep_unknown(r, t, strcmp(kind, "archive") ? file_keys : archive_keys, &f->extra, &f->nextra);
	return 0;
}

/* A wheel's file name is {name}-{version}(-{build})?-{py}-{abi}-{platform}.whl
 * ("Binary distribution format"); its project must be the package's. */
static int check_wheel_name(struct reader *r, const struct lock_package *p, const struct lock_file *f)
{
	size_t len = strlen(f->name), parts = 1;
	char dist[PEP508_MAX_NAME], norm[PEP508_MAX_NAME], version[128];

	if (len < 5 || strcmp(f->name + len - 4, ".whl"))
		return fail_at(r, f->line, f->col, "wheel '%s' does not end in .whl", f->name);
	for (const char *c = f->name; *c; c++)
		parts += *c == '-';
	size_t dl = strcspn(f->name, "-");
	if ((parts != 5 && parts != 6) || dl >= sizeof(dist))
		return fail_at(r, f->line, f->col, "'%s' is not a valid wheel file name", f->name);
	memcpy(dist, f->name, dl);
	dist[dl] = '\0';
	pep508_normalize_name(dist, norm);
	if (strcmp(norm, p->norm_name))
		return fail_at(r, f->line, f->col, "wheel '%s' is for project '%s', not '%s'",
			       f->name, norm, p->norm_name);
	const char *vs = f->name + dl + 1;
	size_t vl = strcspn(vs, "-");
	/* Most wheels spell the version as the package does: no need to parse. */
	if (p->version && vl < sizeof(version) && !(strlen(p->version) == vl && !memcmp(vs, p->version, vl))) {
		struct pep440_version a, b;
		const char *why;

		memcpy(version, vs, vl);
		version[vl] = '\0';
		if (pep440_parse(version, &a, &why) == 0 && pep440_parse(p->version, &b, &why) == 0 &&
		    pep440_compare(&a, &b) != 0)
			return fail_at(r, f->line, f->col, "wheel '%s' is version %s, the package is %s",
				       f->name, version, p->version);
	}
	return 0;
}

static int check_sdist_name(struct reader *r, const struct lock_package *p, const struct lock_file *f)
{
	size_t len = strlen(f->name), stem;
	char dist[PEP508_MAX_NAME], norm[PEP508_MAX_NAME];
	const char *dash;

	if (len > 7 && !strcmp(f->name + len - 7, ".tar.gz"))
		stem = len - 7;
	else if (len > 4 && !strcmp(f->name + len - 4, ".zip"))
		stem = len - 4;
	else
		return 0;	/* other archive kinds: nothing to compare */
	dash = memrchr(f->name, '-', stem);
	if (!dash || (size_t)(dash - f->name) >= sizeof(dist))
		return fail_at(r, f->line, f->col, "'%s' is not a valid sdist file name", f->name);
	memcpy(dist, f->name, (size_t)(dash - f->name));
	dist[dash - f->name] = '\0';
	pep508_normalize_name(dist, norm);
	if (strcmp(norm, p->norm_name))
		return fail_at(r, f->line, f->col, "sdist '%s' is for project '%s', not '%s'",
			       f->name, norm, p->norm_name);
	return 0;
}

/* ---- packages ---- */

static int read_sources(struct reader *r, const struct toml_value *t, struct lock_package *p)
{
	const struct toml_value *v;
	const char *s;
	int kinds = 0;

	if (get_typed(r, t, "packages", "vcs", TOML_TABLE, false, &p->vcs) < 0 ||
	    get_typed(r, t, "packages", "directory", TOML_TABLE, false, &p->directory) < 0 ||
	    get_typed(r, t, "packages", "archive", TOML_TABLE, false, &v) < 0)
		return -1;
	kinds = !!p->vcs + !!p->directory + !!v;
	if (v) {
		if (read_file(r, v, "archive", &p->archive) < 0)
			return -1;
		p->has_archive = true;
		p->source = LOCK_SOURCE_ARCHIVE;
	}
	if (p->vcs) {
		p->source = LOCK_SOURCE_VCS;
		if (get_string(r, p->vcs, "vcs", "type", true, &s) < 0 ||
		    get_string(r, p->vcs, "vcs", "commit-id", true, &s) < 0 ||
		    get_string(r, p->vcs, "vcs", "url", false, &s) < 0)
			return -1;
		const char *path;
		if (get_string(r, p->vcs, "vcs", "path", false, &path) < 0)
			return -1;
		if (!s && !path)
			return fail_at(r, p->vcs->line, p->vcs->col, "vcs needs a 'url' or a 'path'");
	}
	if (p->directory) {
		p->source = LOCK_SOURCE_DIRECTORY;
		if (get_string(r, p->directory, "directory", "path", true, &s) < 0 ||
		    get_typed(r, p->directory, "directory", "editable", TOML_BOOL, false, &v) < 0)
			return -1;
	}
	if (get_typed(r, t, "packages", "sdist", TOML_TABLE, false, &v) < 0)
		return -1;
	if (v) {
		if (read_file(r, v, "sdist", &p->sdist) < 0 || check_sdist_name(r, p, &p->sdist) < 0)
			return -1;
		p->has_sdist = true;
	}
	if (get_typed(r, t, "packages", "wheels", TOML_ARRAY, false, &v) < 0)
		return -1;
	if (v) {
		p->wheels = toml_doc_alloc(r->lock->doc, v->u.array.len, sizeof(*p->wheels));
		for (size_t i = 0; i < v->u.array.len; i++) {
			p->nwheels++;
			if (read_file(r, v->u.array.items[i], "wheel", &p->wheels[i]) < 0 ||
			    check_wheel_name(r, p, &p->wheels[i]) < 0)
				return -1;
		}
	}
	if (p->has_sdist || v) {
		kinds++;
		if (p->source == LOCK_SOURCE_NONE)
			p->source = LOCK_SOURCE_FILES;
	}
	/* PEP 751: vcs, directory and archive exclude every other source kind. */
	if (kinds > 1)
		return fail_at(r, t->line, t->col,
			       "package '%s' has more than one kind of source (vcs, directory, archive, sdist/wheels)",
			       p->name);
	return 0;
}

static int read_package(struct reader *r, const struct toml_value *t, struct lock_package *p)
{
	static const char *const known[] = {
		"name", "version", "marker", "requires-python", "dependencies", "index", "vcs",
		"directory", "archive", "sdist", "wheels", "attestation-identities", "tool", NULL,
	};
	const struct toml_value *v;

	p->line = t->line;
	p->col = t->col;
	if (get_string(r, t, "packages", "name", true, &p->name) < 0)
		return -1;
	v = toml_get(t, "name");
	if (!pep508_valid_name(p->name))
		return fail_at(r, v->line, v->col, "'%s' is not a valid package name", p->name);
	p->norm_name = toml_doc_alloc(r->lock->doc, strlen(p->name) + 1, 1);
	pep508_normalize_name(p->name, p->norm_name);
	if (strcmp(p->norm_name, p->name))
		warn_at(r, v->line, v->col, "package name '%s' is not normalised", p->name);
	if (get_string(r, t, "packages", "version", false, &p->version) < 0)
		return -1;
	if (p->version) {
		struct pep440_version ver;
		const char *why;

		v = toml_get(t, "version");
		if (pep440_parse(p->version, &ver, &why) < 0)
			return fail_at(r, v->line, v->col, "invalid version '%s': %s", p->version, why);
	}
	if (get_string(r, t, "packages", "marker", false, &p->marker) < 0 ||
	    (p->marker && check_marker(r, p->marker, toml_get(t, "marker")) < 0))
		return -1;
	if (get_string(r, t, "packages", "requires-python", false, &p->requires_python) < 0 ||
	    (p->requires_python && check_specifiers(r, p->requires_python, toml_get(t, "requires-python")) < 0))
		return -1;
	if (get_string(r, t, "packages", "index", false, &p->index) < 0)
		return -1;
	if (get_typed(r, t, "packages", "dependencies", TOML_ARRAY, false, &p->dependencies) < 0)
		return -1;
	for (size_t i = 0; p->dependencies && i < p->dependencies->u.array.len; i++) {
		const struct toml_value *d = p->dependencies->u.array.items[i];
		const char *name;

		if (d->type != TOML_TABLE)
			return fail_at(r, d->line, d->col, "each dependency must be a table");
		if (get_string(r, d, "dependencies", "name", true, &name) < 0)
			return -1;
	}
	if (get_typed(r, t, "packages", "attestation-identities", TOML_ARRAY, false,
		      &p->attestation_identities) < 0)
		return -1;
	for (size_t i = 0; p->attestation_identities && i < p->attestation_identities->u.array.len; i++) {
		const struct toml_value *a = p->attestation_identities->u.array.items[i];
		const char *kind;

		if (a->type != TOML_TABLE)
			return fail_at(r, a->line, a->col, "each attestation identity must be a table");
		if (get_string(r, a, "attestation-identities", "kind", true, &kind) < 0)
			return -1;
	}
	if (get_typed(r, t, "packages", "tool", TOML_TABLE, false, &p->tool) < 0)
		return -1;
	if (read_sources(r, t, p) < 0)
		return -1;
	/* PEP 751: no version when a source tree is used (it may not match the
	 * code). uv writes one for a vcs entry pinned to a commit, which a
	 * reader must still take: a warning there. */
	if (p->version && p->directory)
		return fail_at(r, toml_get(t, "version")->line, toml_get(t, "version")->col,
			       "a directory entry must not have a version (PEP 751: it may not match the source tree)");
	if (p->version && p->vcs)
		warn_at(r, toml_get(t, "version")->line, toml_get(t, "version")->col,
			"a vcs entry should not have a version (PEP 751: it may not match the source tree)%s", "");
	keep_unknown(r, t, known, &p->extra, &p->nextra);
	return 0;
}

static int read_lock_version(struct reader *r, const struct toml_value *root)
{
	const struct toml_value *v = toml_get(root, "lock-version");
	unsigned major, minor;
	char tail;

	if (get_string(r, root, "", "lock-version", true, &r->lock->lock_version) < 0)
		return -1;
	if (sscanf(r->lock->lock_version, "%u.%u%c", &major, &minor, &tail) != 2)
		return fail_at(r, v->line, v->col, "lock-version '%s' is not MAJOR.MINOR",
			       r->lock->lock_version);
	/* PEP 751: a tool MUST raise an error for a major version it does not support. */
	if (major != 1)
		return fail_at(r, v->line, v->col,
			       "unsupported lock-version '%s' (pylock reads version 1 lockfiles)",
			       r->lock->lock_version);
	if (minor > 0)
		warn_at(r, v->line, v->col, "lock-version '%s' is newer than 1.0; unknown keys are kept as they are",
			r->lock->lock_version);
	return 0;
}

static int read_root(struct reader *r, const struct toml_value *root)
{
	static const char *const known[] = {
		"lock-version", "environments", "requires-python", "extras", "dependency-groups",
		"default-groups", "created-by", "packages", "tool", NULL,
	};
	struct lock *lock = r->lock;
	const struct toml_value *v;

	if (read_lock_version(r, root) < 0 ||
	    get_string_array(r, root, "", "environments", &lock->environments) < 0 ||
	    get_string(r, root, "", "requires-python", false, &lock->requires_python) < 0 ||
	    (lock->requires_python &&
	     check_specifiers(r, lock->requires_python, toml_get(root, "requires-python")) < 0) ||
	    get_string_array(r, root, "", "extras", &lock->extras) < 0 ||
	    get_string_array(r, root, "", "dependency-groups", &lock->dependency_groups) < 0 ||
	    get_string_array(r, root, "", "default-groups", &lock->default_groups) < 0 ||
	    get_string(r, root, "", "created-by", true, &lock->created_by) < 0 ||
	    get_typed(r, root, "", "tool", TOML_TABLE, false, &lock->tool) < 0 ||
	    get_typed(r, root, "", "packages", TOML_ARRAY, false, &v) < 0)
		return -1;
	/* PEP 751 requires the key; uv leaves it out when the project has no
	 * dependencies. Read as empty, and said. */
	if (!v)
		warn_at(r, 1, 1, "no 'packages' key (PEP 751 requires one; uv writes none for a project without "
			"dependencies): read as empty%s", "");
	for (size_t i = 0; lock->environments && i < lock->environments->u.array.len; i++) {
		const struct toml_value *e = lock->environments->u.array.items[i];
		if (check_marker(r, e->u.str.ptr, e) < 0)
			return -1;
	}
	lock->packages = toml_doc_alloc(lock->doc, v ? v->u.array.len + 1 : 1, sizeof(*lock->packages));
	for (size_t i = 0; v && i < v->u.array.len; i++) {
		const struct toml_value *t = v->u.array.items[i];

		if (t->type != TOML_TABLE)
			return fail_at(r, t->line, t->col, "each entry of 'packages' must be a table");
		lock->npackages++;
		if (read_package(r, t, &lock->packages[i]) < 0)
			return -1;
	}
	keep_unknown(r, root, known, &lock->extra, &lock->nextra);
	if (lock->nextra && strcmp(lock->lock_version, "1.0"))
		for (size_t i = 0; i < lock->nextra; i++)
			warn_at(r, lock->extra[i]->line, lock->extra[i]->col, "unknown key '%s'",
				lock->extra[i]->key);
	return 0;
}

bool lock_has_conflict_markers(const char *data, size_t len, int *line)
{
	const char *p = data, *end = data + len;
	int n = 1;

	/* Only line starts matter; memchr keeps this cheap on large locks. */
	for (;;) {
		size_t left = (size_t)(end - p);
		if (left >= 7 && (*p == '<' || *p == '>') &&
		    (!memcmp(p, "<<<<<<<", 7) || !memcmp(p, ">>>>>>>", 7)) &&
		    (left == 7 || p[7] == ' ' || p[7] == '\n' || p[7] == '\r')) {
			*line = n;
			return true;
		}
		const char *nl = memchr(p, '\n', left);
		if (!nl)
			return false;
		p = nl + 1;
		n++;
	}
}

/* Takes data over: the lock's strings point into it. */
static struct lock *parse_buffer(char *data, size_t len, const char *name, struct pl_error *err)
{
	struct lock *lock = util_xcalloc(1, sizeof(*lock));
	struct reader r = { lock, name, err };
	int line;

	lock->path = util_xstrdup(name);
	/* Conflict markers at a line start are never valid TOML, so they are
	 * looked for only when the TOML reader has already refused the file
	 * (which leaves line starts as they were). */
	if (!(lock->doc = toml_parse_buffer(data, len, name, err))) {
		if (lock_has_conflict_markers(data, len, &line))
			pl_error_set(err, name, line, 1,
				     "conflicted: git conflict markers; finish the merge of this lockfile first");
		free(data);
		goto fail;
	}
	if (read_root(&r, toml_root(lock->doc)) < 0)
		goto fail;
	return lock;
fail:
	lock_free(lock);
	return NULL;
}

struct lock *lock_parse(const char *data, size_t len, const char *name, struct pl_error *err)
{
	char *copy = util_xmalloc_large(len + 1);

	memcpy(copy, data, len);
	return parse_buffer(copy, len, name, err);
}

struct lock *lock_read(const char *path, struct pl_error *err)
{
	char *data;
	size_t len;

	if (util_read_file(path, LOCK_MAX_SIZE, &data, &len, err) < 0)
		return NULL;
	return parse_buffer(data, len, path, err);
}

void lock_free(struct lock *lock)
{
	if (!lock)
		return;
	free(lock->warnings);
	free(lock->path);
	toml_free(lock->doc);
	free(lock);
}

static bool extra_equal(const struct toml_pair *const *a, size_t na, const struct toml_pair *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (a[i]->key_len != b[i]->key_len || memcmp(a[i]->key, b[i]->key, a[i]->key_len) ||
		    !toml_value_equal(a[i]->value, b[i]->value))
			return false;
	return true;
}

static bool file_equal(const struct lock_file *a, const struct lock_file *b)
{
	if (!util_str_equal(a->name, b->name) || a->name_written != b->name_written ||
	    !util_str_equal(a->url, b->url) || !util_str_equal(a->path, b->path) || a->size != b->size ||
	    a->has_upload_time != b->has_upload_time || a->nhashes != b->nhashes ||
	    !util_str_equal(a->subdirectory, b->subdirectory))
		return false;
	if (a->has_upload_time && (a->upload_time_type != b->upload_time_type ||
				   memcmp(&a->upload_time, &b->upload_time, sizeof(a->upload_time))))
		return false;
	for (size_t i = 0; i < a->nhashes; i++)
		if (strcmp(a->hashes[i].algo, b->hashes[i].algo) || strcmp(a->hashes[i].value, b->hashes[i].value))
			return false;
	return extra_equal(a->extra, a->nextra, b->extra, b->nextra);
}

bool lock_package_equal(const struct lock_package *a, const struct lock_package *b)
{
	if (!a || !b)
		return a == b;
	if (!util_str_equal(a->name, b->name) || !util_str_equal(a->version, b->version) ||
	    !util_str_equal(a->marker, b->marker) || !util_str_equal(a->requires_python, b->requires_python) ||
	    !util_str_equal(a->index, b->index) || a->source != b->source || a->nwheels != b->nwheels ||
	    a->has_sdist != b->has_sdist || a->has_archive != b->has_archive)
		return false;
	if (!toml_value_equal(a->dependencies, b->dependencies) || !toml_value_equal(a->vcs, b->vcs) ||
	    !toml_value_equal(a->directory, b->directory) ||
	    !toml_value_equal(a->attestation_identities, b->attestation_identities) ||
	    !toml_value_equal(a->tool, b->tool) || !extra_equal(a->extra, a->nextra, b->extra, b->nextra))
		return false;
	for (size_t i = 0; i < a->nwheels; i++)
		if (!file_equal(&a->wheels[i], &b->wheels[i]))
			return false;
	return (!a->has_sdist || file_equal(&a->sdist, &b->sdist)) &&
	       (!a->has_archive || file_equal(&a->archive, &b->archive));
}

const char *lock_file_sha256(const struct lock_file *f)
{
	for (size_t i = 0; i < f->nhashes; i++)
		if (!strcasecmp(f->hashes[i].algo, "sha256"))
			return f->hashes[i].value;
	return NULL;
}

/* PEP 751 files carry hashlib's algorithms; the strongest is the one
 * checked (a tie goes to SHA-2, what signatures are made over). md5 and
 * sha1 are weak: never enough on their own. */
static int hash_rank(const char *algo)
{
	static const char *const strongest_first[] = {
		"sha512", "sha3_512", "blake2b", "sha384", "sha3_384", "sha256", "sha3_256", "blake2s", "sha224",
		"sha3_224",
	};
	size_t n = sizeof(strongest_first) / sizeof(strongest_first[0]);

	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(algo, strongest_first[i]))
			return (int)(n - i);
	return 0;
}

const struct lock_file *lock_package_first_file(const struct lock_package *p)
{
	return !p ? NULL : p->nwheels ? &p->wheels[0] : p->has_sdist ? &p->sdist : p->has_archive ? &p->archive : NULL;
}

const struct lock_hash *lock_file_best_hash(const struct lock_file *f)
{
	const struct lock_hash *best = NULL;

	for (size_t i = 0; i < f->nhashes; i++)
		if (hash_rank(f->hashes[i].algo) && (!best || hash_rank(f->hashes[i].algo) > hash_rank(best->algo)))
			best = &f->hashes[i];
	return best;
}

const char *lock_source_name(enum lock_source_kind kind)
{
	static const char *const names[] = {
		[LOCK_SOURCE_NONE] = "none", [LOCK_SOURCE_FILES] = "files",
		[LOCK_SOURCE_VCS] = "vcs", [LOCK_SOURCE_DIRECTORY] = "directory",
		[LOCK_SOURCE_ARCHIVE] = "archive",
	};
	return names[kind];
}
