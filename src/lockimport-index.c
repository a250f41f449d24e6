/* The common half of the poetry.lock, pdm.lock and requirements readers:
 * their files are named by hash, so each is looked up on the package's
 * index page (PEP 691 / PEP 503) and taken only when the page lists that
 * hash: the URL, size and upload time come from the index, the hash from
 * the source lock. */
#include "config.h"
#include "lockimport-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lock.h"
#include "pep440.h"
#include "pep508.h"
#include "registry.h"
#include "toml.h"

#define DEFAULT_INDEX "https://pypi.org/simple"

struct lockimport_entry *lockimport_set_add(struct lockimport_set *s, const char *name, const char *version,
					    int line, int col)
{
	struct lockimport_entry *e;

	if (s->n >= LOCKIMPORT_MAX_ENTRIES)
		return NULL;
	s->e = util_xrealloc(s->e, (s->n + 1) * sizeof(*s->e));
	e = &s->e[s->n++];
	memset(e, 0, sizeof(*e));
	e->name = util_xstrdup(name);
	e->version = version ? util_xstrdup(version) : NULL;
	e->line = line;
	e->col = col;
	return e;
}

int lockimport_entry_file(struct lockimport_set *s, struct lockimport_entry *e, const char *name, const char *hash,
			  int line, int col, struct pl_error *err)
{
	const char *colon = strchr(hash, ':');
	size_t al = colon ? (size_t)(colon - hash) : 0, hl = colon ? strlen(colon + 1) : 0;
	struct lockimport_file *f;

	if (!colon || !al || al >= sizeof(f->algo))
		return pl_error_set(err, s->path, line, col, "hash '%.80s': not 'ALGORITHM:HEX'", hash);
	if (e->nfiles >= LOCKIMPORT_MAX_FILES)
		return pl_error_set(err, s->path, line, col, "package '%s' names more files than pylock reads", e->name);
	e->files = util_xrealloc(e->files, (e->nfiles + 1) * sizeof(*e->files));
	f = &e->files[e->nfiles];
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < al; i++)
		f->algo[i] = (char)(hash[i] >= 'A' && hash[i] <= 'Z' ? hash[i] + 32 : hash[i]);
	if (strspn(f->algo, "abcdefghijklmnopqrstuvwxyz0123456789_") != al)
		return pl_error_set(err, s->path, line, col, "hash: '%.32s' is no hash algorithm's name", f->algo);
	int want = lock_hash_hex_len(f->algo);
	if (!hl || !util_is_hex(colon + 1, hl) || (want && hl != (size_t)want))
		return pl_error_set(err, s->path, line, col, "hash: the %s digest is not the hex digits it must be",
				    f->algo);
	f->hex = util_xstrdup(colon + 1);
	for (char *p = f->hex; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'F' ? *p + 32 : *p);
	f->name = name ? util_xstrdup(name) : NULL;
	f->line = line;
	f->col = col;
	e->nfiles++;
	return 0;
}

void lockimport_set_add_extra(struct lockimport_set *s, const char *extra)
{
	for (size_t i = 0; i < s->nextras; i++)
		if (!strcmp(s->extras[i], extra))
			return;
	s->extras = util_xrealloc(s->extras, (s->nextras + 1) * sizeof(*s->extras));
	s->extras[s->nextras++] = util_xstrdup(extra);
}

/* ---- extra == "x" as "x" in extras ---- */

static const char *skip_blank(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* A quoted string at p: its end (past the quote), NULL when unclosed. */
static const char *quoted_end(const char *p)
{
	const char *q = strchr(p + 1, *p);

	return q ? q + 1 : NULL;
}

static bool ident_char(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Whether the identifier word stands at p (not inside a longer name). */
static bool ident_at(const char *start, const char *p, const char *word)
{
	size_t n = strlen(word);

	return !strncmp(p, word, n) && (p == start || !ident_char(p[-1])) && !ident_char(p[n]);
}

char *lockimport_marker_extras(struct lockimport_set *s, const char *marker, const char **why, size_t *at)
{
	struct util_buf b = UTIL_BUF_INIT;
	const char *p = marker;

	while (*p) {
		if (*p == '"' || *p == '\'') {
			const char *end = quoted_end(p);
			if (!end)
				break;
			util_buf_add(&b, p, (size_t)(end - p));
			p = end;
			continue;
		}
		if (ident_at(marker, p, "extra")) {
			const char *op = skip_blank(p + 5), *val;
			bool eq = !strncmp(op, "==", 2), ne = !strncmp(op, "!=", 2);
			val = skip_blank(op + 2);
			if ((eq || ne) && (*val == '"' || *val == '\'')) {
				const char *end = quoted_end(val);
				if (end) {
					char name[PEP508_MAX_NAME], norm[PEP508_MAX_NAME];
					size_t n = (size_t)(end - val - 2);
					if (n && n < sizeof(name)) {
						memcpy(name, val + 1, n);
						name[n] = '\0';
						pep508_normalize_name(name, norm);
						lockimport_set_add_extra(s, norm);
						util_buf_printf(&b, "\"%s\" %s extras", norm, eq ? "in" : "not in");
						p = end;
						continue;
					}
				}
			}
		}
		util_buf_putc(&b, *p++);
	}
	struct pep508_marker *m = pep508_parse(util_buf_str(&b), why, at);
	if (!m) {
		/* Say where in what the source wrote. */
		*at = 0;
		m = pep508_parse(marker, why, at);
		pep508_free(m);
		util_buf_free(&b);
		return NULL;
	}
	pep508_free(m);
	return util_buf_steal(&b);
}

/* ---- entries of one package merged ---- */

/* Name, version, source: entries equal here are one package. */
static int package_order(const struct lockimport_entry *a, const struct lockimport_entry *b)
{
	char na[PEP508_MAX_NAME], nb[PEP508_MAX_NAME];
	struct pep440_version va, vb;
	const char *why;
	int r;

	pep508_normalize_name(a->name, na);
	pep508_normalize_name(b->name, nb);
	if ((r = strcmp(na, nb)))
		return r;
	if (a->version && b->version && pep440_parse(a->version, &va, &why) == 0 &&
	    pep440_parse(b->version, &vb, &why) == 0 && (r = pep440_compare(&va, &vb)))
		return r;
	if ((r = strcmp(a->version ? a->version : "", b->version ? b->version : "")))
		return r;
	if ((r = strcmp(a->direct ? a->direct : "", b->direct ? b->direct : "")))
		return r;
	return strcmp(a->index ? a->index : "", b->index ? b->index : "");
}

static int by_package(const void *x, const void *y)
{
	const struct lockimport_entry *a = x, *b = y;
	int r = package_order(a, b);

	return r ? r : a->line - b->line;
}

static void entry_fini(struct lockimport_entry *e)
{
	for (size_t i = 0; i < e->nfiles; i++) {
		free(e->files[i].name);
		free(e->files[i].hex);
	}
	free(e->files);
	free(e->name);
	free(e->version);
	free(e->marker);
	free(e->index);
	free(e->direct);
}

/* b folded into a: either's marker (none when either has none), the
 * files of both. */
static void fold(struct lockimport_entry *a, struct lockimport_entry *b)
{
	if (!a->marker || !b->marker) {
		free(a->marker);
		a->marker = NULL;
	} else if (strcmp(a->marker, b->marker)) {
		struct util_buf m = UTIL_BUF_INIT;
		util_buf_printf(&m, "(%s) or (%s)", a->marker, b->marker);
		free(a->marker);
		a->marker = util_buf_steal(&m);
	}
	for (size_t i = 0; i < b->nfiles; i++) {
		bool have = false;
		for (size_t k = 0; k < a->nfiles && !have; k++)
			have = !strcmp(a->files[k].algo, b->files[i].algo) && !strcmp(a->files[k].hex, b->files[i].hex);
		if (have)
			continue;
		a->files = util_xrealloc(a->files, (a->nfiles + 1) * sizeof(*a->files));
		a->files[a->nfiles++] = b->files[i];
		b->files[i] = (struct lockimport_file){ .name = NULL };
	}
	entry_fini(b);
}

static void merge_entries(struct lockimport_set *s)
{
	size_t n = 0;

	if (s->n > 1)
		qsort(s->e, s->n, sizeof(*s->e), by_package);
	for (size_t i = 0; i < s->n; i++) {
		if (n && !package_order(&s->e[n - 1], &s->e[i]))
			fold(&s->e[n - 1], &s->e[i]);
		else
			s->e[n++] = s->e[i];
	}
	s->n = n;
}

/* ---- files found on an index by hash ---- */

struct found {
	const struct registry_link *link;
};

struct pages {
	char norm[PEP508_MAX_NAME];
	const char **urls;
	size_t n;
	struct registry_page *page;
	int *state;		/* 0 not read, 1 read, 2 the index has no such project */
	bool *own;		/* a package's own index only, searched for it alone */
};

static const char *const legacy[] = { ".egg", ".exe", ".msi", ".rpm", ".tar.bz2", ".tar.xz", ".tgz", ".tar", NULL };

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcasecmp(s + n - k, suffix);
}

/* A file PEP 751 has no place for (eggs, installers, old sdist forms):
 * no installer of a lock uses it. */
static bool legacy_file(const char *name)
{
	for (size_t i = 0; legacy[i]; i++)
		if (ends_with(name, legacy[i]))
			return true;
	return false;
}

static int page_at(struct registry *r, struct pages *pg, size_t i, struct pl_error *err)
{
	if (!pg->state[i]) {
		int rc = registry_page_fetch(r, pg->urls[i], pg->norm, &pg->page[i], err);
		if (rc < 0)
			return -1;
		pg->state[i] = rc == 1 ? 2 : 1;
	}
	return pg->state[i] == 1 ? 0 : 1;
}

static const struct registry_link *link_of(const struct registry_page *page, const struct lockimport_file *f)
{
	if (strcmp(f->algo, "sha256"))
		return NULL;
	for (size_t i = 0; i < page->n; i++)
		if (page->links[i].sha256 && !strcasecmp(page->links[i].sha256, f->hex))
			return &page->links[i];
	return NULL;
}

void lockimport_put_upload_time(struct util_buf *b, const char *t)
{
	if (!t || strlen(t) < 19 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':')
		return;
	for (int i = 0; i < 19; i++)
		if (i != 4 && i != 7 && i != 10 && i != 13 && i != 16 && (t[i] < '0' || t[i] > '9'))
			return;
	util_buf_printf(b, "upload-time = %.19sZ, ", t);
}

static void put_link(struct util_buf *b, const struct registry_link *l, const struct lockimport_file *f)
{
	util_buf_puts(b, "{ url = ");
	toml_write_string(b, l->url, strlen(l->url));
	util_buf_puts(b, ", ");
	lockimport_put_upload_time(b, l->upload_time);
	if (l->size >= 0)
		util_buf_printf(b, "size = %lld, ", (long long)l->size);
	util_buf_printf(b, "hashes = { %s = \"%s\" } }", f->algo, f->hex);
}

static void put_key(struct util_buf *b, const char *key, const char *value)
{
	util_buf_printf(b, "%s = ", key);
	toml_write_string(b, value, strlen(value));
	util_buf_putc(b, '\n');
}

static int by_filename(const void *x, const void *y)
{
	const struct found *a = x, *b = y;

	return strcmp(a->link->filename, b->link->filename);
}

/* The entry's files looked up on the first index whose page has the
 * project and lists them all, and written. */
static int put_indexed(struct lockimport_set *s, struct registry *r, struct pages *pg, struct lockimport_entry *e,
		       struct util_buf *b, struct pl_error *err)
{
	struct found *found = util_xcalloc(e->nfiles + 1, sizeof(*found));
	const struct lockimport_file *missing = NULL;
	size_t at = SIZE_MAX, nfound = 0;
	int rc = -1;

	for (size_t i = 0; i < pg->n && at == SIZE_MAX; i++) {
		if (e->index ? strcmp(pg->urls[i], e->index) != 0 : pg->own[i])
			continue;
		int got = page_at(r, pg, i, err);
		if (got < 0)
			goto out;
		if (got)
			continue;
		missing = NULL;
		for (size_t k = 0; k < e->nfiles && !missing; k++)
			if (!(found[k].link = link_of(&pg->page[i], &e->files[k])))
				missing = &e->files[k];
		if (!missing)
			at = i;
	}
	if (at == SIZE_MAX) {
		if (!missing && e->nfiles)
			missing = &e->files[0];
		if (!missing) {
			pl_error_set(err, s->path, e->line, e->col, "package '%s' names no file", e->name);
			goto out;
		}
		struct util_buf where = UTIL_BUF_INIT;
		for (size_t i = 0; i < pg->n; i++)
			if (e->index ? !strcmp(pg->urls[i], e->index) : !pg->own[i])
				util_buf_printf(&where, "%s%s", where.len ? ", " : "", pg->urls[i]);
		pl_error_set(err, s->path, missing->line, missing->col,
			     "%s %s: no index searched (%.300s) lists a file with %s hash %.16s...%s%s%s; files are "
			     "matched by hash, never by name", e->name, e->version ? e->version : "",
			     util_buf_str(&where), missing->algo, missing->hex, missing->name ? " (" : "",
			     missing->name ? missing->name : "", missing->name ? ")" : "");
		util_buf_free(&where);
		goto out;
	}
	for (size_t k = 0; k < e->nfiles; k++)
		if (e->files[k].name && strcmp(e->files[k].name, found[k].link->filename)) {
			pl_error_set(err, s->path, e->files[k].line, e->files[k].col,
				     "%s: the index lists this hash for %s", e->files[k].name, found[k].link->filename);
			goto out;
		}
	/* Each found file with the source's hash for it, in name order. */
	for (size_t k = 0; k < e->nfiles; k++)
		if (!legacy_file(found[k].link->filename))
			found[nfound++] = found[k];
	put_key(b, "index", pg->urls[at]);
	struct found *sorted = util_xcalloc(nfound + 1, sizeof(*sorted));
	struct lockimport_file **file_of = util_xcalloc(nfound + 1, sizeof(*file_of));
	memcpy(sorted, found, nfound * sizeof(*sorted));
	if (nfound > 1)
		qsort(sorted, nfound, sizeof(*sorted), by_filename);
	for (size_t k = 0; k < nfound; k++)
		for (size_t j = 0; j < e->nfiles; j++)
			if (!strcasecmp(e->files[j].hex, sorted[k].link->sha256 ? sorted[k].link->sha256 : ""))
				file_of[k] = &e->files[j];
	size_t nwheels = 0, sdist = SIZE_MAX;
	for (size_t k = 0; k < nfound; k++) {
		const char *fn = sorted[k].link->filename;
		if (ends_with(fn, ".whl"))
			nwheels++;
		else if (sdist == SIZE_MAX || ends_with(fn, ".tar.gz"))
			sdist = k;
	}
	if (sdist != SIZE_MAX) {
		util_buf_puts(b, "sdist = ");
		put_link(b, sorted[sdist].link, file_of[sdist]);
		util_buf_putc(b, '\n');
	}
	if (nwheels) {
		util_buf_puts(b, nwheels == 1 ? "wheels = [" : "wheels = [\n");
		for (size_t k = 0; k < nfound; k++) {
			if (!ends_with(sorted[k].link->filename, ".whl"))
				continue;
			if (nwheels > 1)
				util_buf_puts(b, "    ");
			put_link(b, sorted[k].link, file_of[k]);
			if (nwheels > 1)
				util_buf_puts(b, ",\n");
		}
		util_buf_puts(b, "]\n");
	}
	rc = 0;
	if (!nwheels && sdist == SIZE_MAX)
		rc = pl_error_set(err, s->path, e->line, e->col, "package '%s': none of its files is a wheel or an sdist",
				  e->name);
	free(sorted);
	free(file_of);
out:
	free(found);
	return rc;
}

static void pages_fini(struct pages *pg)
{
	for (size_t i = 0; i < pg->n; i++) {
		if (pg->state[i] == 1)
			registry_page_fini(&pg->page[i]);
		pg->state[i] = 0;
	}
}

/* The indexes searched, in order: the source's own, the options' (--index,
 * the policy's registries), PyPI unless the source named its own main one
 * or the options name any. */
static void index_list(const struct lockimport_set *s, const struct lockimport_options *o, struct pages *pg)
{
	size_t cap = s->nindexes + o->nindexes + s->n + 1, n = 0;
	const char **all = util_xcalloc(cap, sizeof(*all));

	for (size_t i = 0; i < s->nindexes; i++)
		all[n++] = s->indexes[i];
	for (size_t i = 0; i < o->nindexes; i++)
		all[n++] = o->indexes[i];
	if (!s->replaces_default && !o->nindexes)
		all[n++] = DEFAULT_INDEX;
	size_t shared = n;
	for (size_t i = 0; i < s->n; i++)
		if (s->e[i].index)
			all[n++] = s->e[i].index;
	/* Each once, in first-named order. */
	pg->urls = util_xcalloc(cap, sizeof(*pg->urls));
	pg->own = util_xcalloc(cap, sizeof(*pg->own));
	for (size_t i = 0; i < n; i++) {
		bool dup = false;
		for (size_t k = 0; k < pg->n && !dup; k++)
			dup = !strcmp(pg->urls[k], all[i]);
		if (!dup) {
			pg->own[pg->n] = i >= shared;
			pg->urls[pg->n++] = all[i];
		}
	}
	free(all);
	pg->page = util_xcalloc(pg->n + 1, sizeof(*pg->page));
	pg->state = util_xcalloc(pg->n + 1, sizeof(*pg->state));
}

size_t lockimport_blame(const struct util_buf *out, const size_t *starts, size_t n, struct pl_error *why)
{
	struct lock *l = lock_parse(out->data ? out->data : "", out->len, "converted", why);
	size_t off = 0, k = n;

	if (l) {
		lock_free(l);
		return SIZE_MAX;
	}
	for (int line = 1; line < why->line && off < out->len; off++)
		line += out->data[off] == '\n';
	for (size_t i = 0; i < n; i++)
		if (starts[i] <= off)
			k = i;
	return k;
}

/* The result must read as a lock; where not, the source entry is named. */
static int check_result(const struct lockimport_set *s, const struct util_buf *out, const size_t *starts,
			struct pl_error *err)
{
	struct pl_error why;
	size_t k = lockimport_blame(out, starts, s->n, &why);

	if (k == SIZE_MAX)
		return 0;
	if (k == s->n)
		return pl_error_set(err, s->path, 0, 0, "converted, it is no PEP 751 lock: %s", why.msg);
	return pl_error_set(err, s->path, s->e[k].line, s->e[k].col, "package '%s': %s", s->e[k].name, why.msg);
}

static int by_string(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

void lockimport_put_names(struct util_buf *out, const char *key, char **names, size_t n)
{
	if (!n)
		return;
	qsort(names, n, sizeof(*names), by_string);
	util_buf_printf(out, "%s = [", key);
	for (size_t i = 0; i < n; i++) {
		toml_write_string(out, names[i], strlen(names[i]));
		util_buf_puts(out, i + 1 < n ? ", " : "");
	}
	util_buf_puts(out, "]\n");
}

int lockimport_set_write(struct lockimport_set *s, const struct lockimport_options *o, struct util_buf *out,
			 struct pl_error *err)
{
	struct registry_options fetch = o->fetch ? *o->fetch : (struct registry_options){ .timeout = 0 };
	struct registry *r = NULL;
	struct pages pg = { .n = 0 };
	size_t *starts;
	int rc = -1;

	merge_entries(s);
	index_list(s, o, &pg);
	starts = util_xcalloc(s->n + 1, sizeof(*starts));
	util_buf_printf(out, "# Imported from %s by `pylock import`: edit it with its own tool, then import again.\n"
			"lock-version = \"1.0\"\ncreated-by = \"pylock\"\n", s->format);
	if (s->requires_python)
		put_key(out, "requires-python", s->requires_python);
	lockimport_put_names(out, "extras", s->extras, s->nextras);
	for (size_t i = 0; i < s->n; i++) {
		struct lockimport_entry *e = &s->e[i];
		char norm[PEP508_MAX_NAME];
		pep508_normalize_name(e->name, norm);
		if (strcmp(norm, pg.norm)) {
			pages_fini(&pg);
			snprintf(pg.norm, sizeof(pg.norm), "%s", norm);
		}
		starts[i] = out->len;
		util_buf_puts(out, "\n[[packages]]\n");
		put_key(out, "name", norm);
		if (e->version)
			put_key(out, "version", e->version);
		if (e->marker)
			put_key(out, "marker", e->marker);
		if (e->direct) {
			util_buf_puts(out, e->direct);
			continue;
		}
		if (!r && !(r = registry_new(&fetch, err)))
			goto out;
		if (put_indexed(s, r, &pg, e, out, err) < 0)
			goto out;
	}
	rc = check_result(s, out, starts, err);
out:
	pages_fini(&pg);
	free(pg.urls);
	free(pg.own);
	free(pg.page);
	free(pg.state);
	free(starts);
	registry_free(r);
	return rc;
}

void lockimport_set_fini(struct lockimport_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		entry_fini(&s->e[i]);
	free(s->e);
	for (size_t i = 0; i < s->nindexes; i++)
		free(s->indexes[i]);
	free(s->indexes);
	for (size_t i = 0; i < s->nextras; i++)
		free(s->extras[i]);
	free(s->extras);
	free(s->requires_python);
	free(s->pyproject);
}

/* ---- shared by the TOML readers ---- */

const char *lockimport_str(const struct toml_value *t, const char *key)
{
	const struct toml_value *v = toml_get(t, key);

	return v && v->type == TOML_STRING && !toml_string_has_nul(v) ? v->u.str.ptr : NULL;
}

bool lockimport_array_has(const struct toml_value *array, const char *s)
{
	char a[PEP508_MAX_NAME], b[PEP508_MAX_NAME];

	if (!array || array->type != TOML_ARRAY || strlen(s) >= sizeof(a))
		return false;
	pep508_normalize_name(s, a);
	for (uint32_t i = 0; i < array->u.array.len; i++) {
		const struct toml_value *v = array->u.array.items[i];
		if (v->type != TOML_STRING || v->u.str.len >= sizeof(b))
			continue;
		pep508_normalize_name(v->u.str.ptr, b);
		if (!strcmp(a, b))
			return true;
	}
	return false;
}

bool lockimport_named(const char *const *list, size_t n, const char *s)
{
	char a[PEP508_MAX_NAME], b[PEP508_MAX_NAME];

	if (strlen(s) >= sizeof(a))
		return false;
	pep508_normalize_name(s, a);
	for (size_t i = 0; i < n; i++) {
		if (strlen(list[i]) >= sizeof(b))
			continue;
		pep508_normalize_name(list[i], b);
		if (!strcmp(a, b))
			return true;
	}
	return false;
}

bool lockimport_group_chosen(const struct lockimport_options *o, const char *g, bool is_default)
{
	return o->all_groups || lockimport_named(o->groups, o->ngroups, g) || (is_default && !o->no_default_groups);
}

struct toml_doc *lockimport_pyproject(const char *path, bool *failed, struct pl_error *err)
{
	const char *slash = strrchr(path, '/');
	struct util_buf p = UTIL_BUF_INIT;
	struct toml_doc *doc = NULL;
	char *text = NULL;
	size_t len;

	*failed = false;
	if (slash)
		util_buf_printf(&p, "%.*s/pyproject.toml", (int)(slash - path), path);
	else
		util_buf_puts(&p, "pyproject.toml");
	if (access(p.data, F_OK) == 0) {
		if (util_read_file(p.data, LOCK_MAX_SIZE, &text, &len, err) < 0 ||
		    !(doc = toml_parse_buffer(text, len, p.data, err)))
			*failed = true;
		if (*failed && text)
			free(text);
	}
	util_buf_free(&p);
	return doc;
}

static void put_opt(struct util_buf *b, const char *key, const char *value)
{
	if (!value)
		return;
	util_buf_printf(b, ", %s = ", key);
	toml_write_string(b, value, strlen(value));
}

void lockimport_put_vcs(struct lockimport_entry *e, const char *url, const char *requested, const char *commit,
			const char *subdirectory)
{
	struct util_buf b = UTIL_BUF_INIT;

	util_buf_puts(&b, "vcs = { type = \"git\", url = ");
	toml_write_string(&b, url, strlen(url));
	put_opt(&b, "requested-revision", requested);
	put_opt(&b, "commit-id", commit);
	put_opt(&b, "subdirectory", subdirectory);
	util_buf_puts(&b, " }\n");
	free(e->direct);
	e->direct = util_buf_steal(&b);
}

void lockimport_put_directory(struct lockimport_entry *e, const char *path, bool editable)
{
	struct util_buf b = UTIL_BUF_INIT;

	util_buf_puts(&b, "directory = { path = ");
	toml_write_string(&b, path, strlen(path));
	util_buf_puts(&b, editable ? ", editable = true }\n" : " }\n");
	free(e->direct);
	e->direct = util_buf_steal(&b);
}

void lockimport_put_archive(struct lockimport_entry *e, const char *key, const char *where, const char *subdirectory)
{
	struct util_buf b = UTIL_BUF_INIT;

	util_buf_printf(&b, "archive = { %s = ", key);
	toml_write_string(&b, where, strlen(where));
	put_opt(&b, "subdirectory", subdirectory);
	util_buf_puts(&b, ", hashes = { ");
	for (size_t i = 0; i < e->nfiles; i++) {
		bool dup = false;
		for (size_t k = 0; k < i && !dup; k++)
			dup = !strcmp(e->files[k].algo, e->files[i].algo);
		if (!dup)
			util_buf_printf(&b, "%s%s = \"%s\"", i ? ", " : "", e->files[i].algo, e->files[i].hex);
	}
	util_buf_puts(&b, " } }\n");
	free(e->direct);
	e->direct = util_buf_steal(&b);
}

int lockimport_toml_files(struct lockimport_set *s, const struct toml_value *pkg, struct lockimport_entry *e,
			  bool url_ok, struct pl_error *err)
{
	const struct toml_value *fs = toml_get(pkg, "files");

	if (!fs)
		return 0;
	if (fs->type != TOML_ARRAY)
		return pl_error_set(err, s->path, (int)fs->line, (int)fs->col, "files must be an array of tables");
	for (uint32_t i = 0; i < fs->u.array.len; i++) {
		const struct toml_value *f = fs->u.array.items[i];
		const char *name = lockimport_str(f, "file"), *hash = lockimport_str(f, "hash");
		if (f->type != TOML_TABLE || !(name || (url_ok && lockimport_str(f, "url"))) || !hash)
			return pl_error_set(err, s->path, (int)f->line, (int)f->col, "files: each file needs a %s and a "
					    "hash", url_ok ? "file (or url)" : "file name");
		if (name && (strchr(name, '/') || !strcmp(name, "..")))
			return pl_error_set(err, s->path, (int)f->line, (int)f->col, "files: a file's name holds no '/'");
		if (lockimport_entry_file(s, e, name, hash, (int)f->line, (int)f->col, err) < 0)
			return -1;
	}
	return 0;
}

int lockimport_read_toml(struct lockimport_set *s, const char *text, size_t len, const struct lockimport_options *o,
			 const struct lockimport_reader *r, void *ctx, struct util_buf *out, struct pl_error *err)
{
	struct toml_doc *doc, *pyproject;
	bool failed;
	int rc = -1;

	if (!(doc = toml_parse(text, len, s->path, err)))
		return -1;
	pyproject = lockimport_pyproject(s->path, &failed, err);
	if (pyproject) {
		const char *slash = strrchr(s->path, '/');
		struct util_buf p = UTIL_BUF_INIT;
		util_buf_printf(&p, "%.*spyproject.toml", slash ? (int)(slash - s->path + 1) : 0, s->path);
		s->pyproject = util_buf_steal(&p);
	}
	const struct toml_value *pkgs = toml_get(toml_root(doc), "package");
	if (failed || r->metadata(ctx, toml_root(doc), pyproject ? toml_root(pyproject) : NULL) < 0)
		goto out;
	if (pkgs && pkgs->type != TOML_ARRAY) {
		pl_error_set(err, s->path, (int)pkgs->line, (int)pkgs->col, "package must be an array of tables "
			     "([[package]])");
		goto out;
	}
	for (uint32_t i = 0; pkgs && i < pkgs->u.array.len; i++)
		if (r->package(ctx, pkgs->u.array.items[i]) < 0)
			goto out;
	if (r->finish(ctx, pkgs) == 0)
		rc = lockimport_set_write(s, o, out, err);
out:
	toml_free(pyproject);
	toml_free(doc);
	return rc;
}
