/* What indexes offer a resolver: see candidates.h. */
#include "config.h"
#include "candidates.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admit.h"
#include "pep508.h"
#include "wheel.h"

struct candidates {
	struct candidates_options o;
	struct trust_policy fetch_policy;	/* the policy, or the same in mode warn */
	struct registry *reg;
	void *conn;				/* admit's connection */
	char *sides;				/* a private folder for .sig / .provenance */
	struct cand_project **projects;
	size_t n;
};

struct candidates *candidates_new(const struct candidates_options *o, struct pl_error *err)
{
	struct candidates *c = util_xcalloc(1, sizeof(*c));
	char tmpl[] = "/tmp/pylock-sides-XXXXXX";

	c->o = *o;
	c->fetch_policy = *o->policy;
	/* Without checks, a file's bytes still must match their hash. */
	if (!o->check_trust)
		c->fetch_policy.mode = TRUST_WARN;
	if (!(c->reg = registry_new(&o->fetch, err))) {
		free(c);
		return NULL;
	}
	if (!mkdtemp(tmpl)) {
		pl_error_errno(err, NULL, "cannot make a temporary folder");
		registry_free(c->reg);
		free(c);
		return NULL;
	}
	c->sides = util_xstrdup(tmpl);
	return c;
}

void candidates_requirement_fini(struct cand_requirement *r)
{
	free(r->text);
	for (size_t i = 0; i < r->nextras; i++)
		free(r->extras[i]);
	free(r->extras);
	pep508_free(r->marker);
	free(r->allowed);
	memset(r, 0, sizeof(*r));
}

static void version_fini(struct cand_version *v)
{
	for (size_t i = 0; i < v->nreqs; i++)
		candidates_requirement_fini(&v->reqs[i]);
	free(v->reqs);
	free(v->text);
	free(v->files);
	free(v->meta_error);
	metadata_fini(&v->meta);
}

void candidates_free(struct candidates *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		struct cand_project *p = c->projects[i];
		for (size_t v = 0; v < p->n; v++)
			version_fini(&p->versions[v]);
		free(p->versions);
		registry_page_fini(&p->page);
		free(p->name);
		free(p->index);
		free(p);
	}
	free(c->projects);
	if (c->conn)
		admit_conn_free(c->conn);
	registry_free(c->reg);
	util_remove_tree(c->sides, &(struct pl_error){ 0 });
	free(c->sides);
	free(c);
}

/* ---- a project's versions ---- */

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/* The version a file name gives for project norm (wheel: NAME-VER-...;
 * sdist: NAME-VER.tar.gz or .zip), in out; false when the file is not one
 * of norm's distributions. */
static bool file_version(const char *filename, const char *norm, bool *wheel, char *out, size_t size)
{
	char name[PEP508_MAX_NAME], normed[PEP508_MAX_NAME];
	const char *dash, *end;
	size_t len = strlen(filename);

	*wheel = ends_with(filename, ".whl");
	if (*wheel) {
		dash = strchr(filename, '-');
		end = dash ? strchr(dash + 1, '-') : NULL;
		if (!end)
			return false;
	} else {
		size_t ext = ends_with(filename, ".tar.gz") ? 7 : ends_with(filename, ".zip") ? 4 : 0;
		if (!ext)
			return false;
		end = filename + len - ext;
		dash = NULL;
		for (const char *c = end; c > filename; c--)
			if (c[-1] == '-') {
				dash = c - 1;
				break;
			}
		if (!dash)
			return false;
	}
	if ((size_t)(dash - filename) >= sizeof(name) || (size_t)(end - dash - 1) >= size)
		return false;
	snprintf(name, sizeof(name), "%.*s", (int)(dash - filename), filename);
	if (!pep508_valid_name(name))
		return false;
	pep508_normalize_name(name, normed);
	if (strcmp(normed, norm))
		return false;
	snprintf(out, size, "%.*s", (int)(end - dash - 1), dash + 1);
	return true;
}

/* A page's link with the version its file name gives. */
struct pending {
	struct pep440_version v;
	size_t link;
	bool wheel;
};

static int by_pending(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;
	int c = pep440_compare(&x->v, &y->v);

	return c ? c : (x->link > y->link) - (x->link < y->link);
}

/* Groups a page's links by version, ascending (sorted once: a page of
 * thousands of files costs n log n); unparsable names are left out, and
 * versions past CANDIDATES_MAX_VERSIONS. */
static void collect_versions(struct cand_project *p)
{
	struct pending *all = util_xcalloc(p->page.n + 1, sizeof(*all));
	size_t m = 0;

	for (size_t i = 0; i < p->page.n; i++) {
		char text[128];
		const char *why;

		if (file_version(p->page.links[i].filename, p->name, &all[m].wheel, text, sizeof(text)) &&
		    pep440_parse(text, &all[m].v, &why) == 0)
			all[m++].link = i;
	}
	if (m)
		qsort(all, m, sizeof(*all), by_pending);
	p->versions = util_xcalloc(m + 1, sizeof(*p->versions));
	for (size_t i = 0; i < m && p->n < CANDIDATES_MAX_VERSIONS;) {
		size_t j = i;
		while (j < m && !pep440_compare(&all[j].v, &all[i].v))
			j++;
		struct cand_version *cv = &p->versions[p->n++];
		char norm[128];
		cv->v = all[i].v;
		pep440_format(&cv->v, norm, sizeof(norm));
		cv->text = util_xstrdup(norm);
		cv->files = util_xcalloc(j - i, sizeof(*cv->files));
		cv->yanked = true;
		for (size_t k = i; k < j; k++) {
			const struct registry_link *l = &p->page.links[all[k].link];
			cv->files[cv->nfiles++] = (struct cand_file){ .link = l, .wheel = all[k].wheel };
			cv->yanked &= l->yanked;
		}
		i = j;
	}
	free(all);
}

struct cand_project *candidates_project(struct candidates *c, const char *name, struct pl_error *err)
{
	char norm[PEP508_MAX_NAME];
	struct cand_project *p;

	if (strlen(name) >= sizeof(norm) || !pep508_valid_name(name)) {
		pl_error_set(err, NULL, 0, 0, "'%.100s' is not a valid project name", name);
		return NULL;
	}
	pep508_normalize_name(name, norm);
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->projects[i]->name, norm))
			return c->projects[i];
	p = util_xcalloc(1, sizeof(*p));
	p->name = util_xstrdup(norm);
	/* The first index that has the project is the one: a name on a
	 * later index never shadows it (dependency confusion). */
	for (size_t i = 0; i < c->o.nindexes; i++) {
		int rc = registry_page_fetch(c->reg, c->o.indexes[i], norm, &p->page, err);
		if (rc < 0) {
			free(p->name);
			free(p);
			return NULL;
		}
		if (rc == 0) {
			p->index = util_xstrdup(c->o.indexes[i]);
			break;
		}
	}
	collect_versions(p);
	c->projects = util_xrealloc(c->projects, (c->n + 1) * sizeof(*c->projects));
	c->projects[c->n++] = p;
	return p;
}

/* ---- verdicts ---- */

/* The lock entry a candidate file would be, for admit and trust. */
struct as_locked {
	struct lock_hash hash;
	struct lock_file file;
	struct lock_package pkg;
};

static void as_locked(const struct cand_project *p, const struct cand_version *v, const struct cand_file *f,
		      struct as_locked *out)
{
	memset(out, 0, sizeof(*out));
	out->hash = (struct lock_hash){ "sha256", f->link->sha256 };
	out->file = (struct lock_file){ .name = f->link->filename, .name_written = true, .url = f->link->url,
					.size = f->link->size, .hashes = &out->hash, .nhashes = 1 };
	out->pkg = (struct lock_package){ .name = p->name, .norm_name = p->name, .version = v->text,
					  .index = p->index, .source = LOCK_SOURCE_FILES };
	if (f->wheel) {
		out->pkg.wheels = &out->file;
		out->pkg.nwheels = 1;
	} else {
		out->pkg.sdist = out->file;
		out->pkg.has_sdist = true;
	}
}

/* Writes path whole under a temporary name, then renames it: nobody reads
 * half of it. Not synced: what goes here is scratch, or a cache whose
 * entries carry their own hash. */
static int write_file(const char *path, const void *data, size_t len)
{
	struct util_buf tmp = UTIL_BUF_INIT;
	int fd, rc = -1;

	util_buf_printf(&tmp, "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp.data)) < 0)
		goto out;
	rc = util_write_all(fd, data, len);
	if (close(fd) < 0 || rc < 0 || rename(tmp.data, path) < 0) {
		unlink(tmp.data);
		rc = -1;
	}
out:
	util_buf_free(&tmp);
	return rc;
}

/* url into sides/NAME+suffix; false when it is there but cannot be read. */
static bool fetch_side(struct candidates *c, const char *url, const char *path, size_t max)
{
	struct util_buf body = UTIL_BUF_INIT;
	struct pl_error err;
	int code = registry_get(c->reg, url, max, &body, NULL, &err);
	bool ok = code == 404 || code == 410;

	if (code == 200)
		ok = write_file(path, body.data ? body.data : "", body.len) == 0;
	util_buf_free(&body);
	return ok;
}

bool candidates_admitted(struct candidates *c, const struct cand_project *p, struct cand_version *v,
			 struct cand_file *f, struct trust_result *r)
{
	struct util_buf side = UTIL_BUF_INIT, path = UTIL_BUF_INIT, url = UTIL_BUF_INIT;
	struct as_locked e;
	struct trust_digests d = { .algo = NULL };

	if (!c->o.check_trust) {
		if (r)
			trust_result_set(r, TRUST_UNSIGNED, "not checked (--allow-unverified)");
		return f->link->sha256 != NULL;
	}
	if (!f->checked) {
		f->checked = true;
		if (!f->link->sha256) {
			trust_result_set(&f->trust, TRUST_UNHASHED, "the index gives no sha256 for it");
			goto out;
		}
		util_buf_printf(&side, "%s/%s", c->sides, f->link->filename);
		util_buf_printf(&url, "%s.sig", f->link->url);
		util_buf_printf(&path, "%s.sig", side.data);
		bool ok = fetch_side(c, url.data, path.data, TRUST_SIG_MAX);
		if (ok && f->link->provenance) {
			util_buf_truncate(&path, 0);
			util_buf_printf(&path, "%s%s", side.data, trust_sides[TRUST_SIDE_PROVENANCE].suffix);
			ok = fetch_side(c, f->link->provenance, path.data, trust_sides[TRUST_SIDE_PROVENANCE].max);
		}
		if (!ok) {
			trust_result_set(&f->trust, TRUST_MISSING, "its signature or provenance cannot be fetched");
			goto out;
		}
		as_locked(p, v, f, &e);
		snprintf(d.sha256, sizeof(d.sha256), "%s", f->link->sha256);
		trust_check_hashed(c->o.policy, &e.pkg, &e.file, side.data, &d, side.data, &f->trust);
		for (size_t i = 0; i < TRUST_NSIDES; i++) {
			util_buf_truncate(&path, 0);
			util_buf_printf(&path, "%s%s", side.data, trust_sides[i].suffix);
			unlink(path.data);
		}
	}
out:
	util_buf_free(&side);
	util_buf_free(&path);
	util_buf_free(&url);
	if (r)
		*r = f->trust;
	return trust_admissible(c->o.policy, f->trust.status);
}

/* ---- metadata ---- */

static char *cache_path(const struct candidates *c, const struct cand_file *f)
{
	struct util_buf b = UTIL_BUF_INIT;

	if (!c->o.cache || !f->link->sha256)
		return NULL;
	util_buf_printf(&b, "%s/%.2s/%s.metadata", c->o.cache, f->link->sha256, f->link->sha256 + 2);
	return util_buf_steal(&b);
}

static void sha256_hex(const void *data, size_t len, char hex[65])
{
	struct pl_error err;
	struct trust_sha256 *h = trust_sha256_new(&err);

	hex[0] = 0;
	if (!h)
		return;
	trust_sha256_update(h, data, len);
	trust_sha256_final(h, hex);
}

/* The PEP 658 file, its hash checked when the index gives one. */
static int fetch_metadata_file(struct candidates *c, const struct cand_file *f, struct util_buf *text,
			       struct util_buf *why)
{
	struct util_buf url = UTIL_BUF_INIT;
	struct pl_error err;
	int code;

	util_buf_printf(&url, "%s.metadata", f->link->url);
	code = registry_get(c->reg, url.data, METADATA_MAX, text, NULL, &err);
	if (code != 200)
		util_buf_printf(why, "its metadata file cannot be read: %s", code < 0 ? err.msg : "HTTP error");
	util_buf_free(&url);
	if (code != 200)
		return -1;
	if (f->link->core_metadata_sha256) {
		char hex[65];
		sha256_hex(text->data ? text->data : "", text->len, hex);
		if (strcmp(hex, f->link->core_metadata_sha256)) {
			util_buf_printf(why, "its metadata file's sha256 is %.16s..., the index says %.16s...", hex,
					f->link->core_metadata_sha256);
			return -1;
		}
	}
	return 0;
}

/* The wheel, fetched into the store as sync would (hash and policy
 * checked), then its METADATA. */
static int read_wheel_metadata(struct candidates *c, const struct cand_project *p, const struct cand_version *v,
			       const struct cand_file *f, struct util_buf *text, struct util_buf *why)
{
	struct as_locked e;
	struct admit a = { .store = c->o.store, .policy = &c->fetch_policy, .fetch = c->o.fetch };
	struct trust_result res;
	struct pl_error err;
	char *blob = NULL;
	int rc = -1;

	as_locked(p, v, f, &e);
	admit_file(&a, &c->conn, &e.pkg, &e.file, true, &blob, &res);
	if (!blob || !trust_admissible(&c->fetch_policy, res.status))
		util_buf_printf(why, "%s cannot be fetched and checked: %s", f->link->filename, res.reason);
	else if (wheel_metadata(blob, f->link->filename, text, &err) < 0)
		util_buf_printf(why, "%s: %s", f->link->filename, err.msg);
	else
		rc = 0;
	free(blob);
	return rc;
}

/* A cached METADATA: "fnv64 HEX" of the rest, then the text, so that a
 * torn entry is read as none. (The cache is the user's own folder, which
 * no sandbox sees: the check is against crashes, not adversaries.) */
static uint64_t fnv64(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

#define CACHE_HEAD 23	/* "fnv64 " + 16 hex digits + "\n" */

static bool read_cache(const char *path, struct util_buf *text)
{
	struct pl_error err;
	char *data, hex[17];
	size_t len;
	bool ok;

	if (!path || util_read_file(path, METADATA_MAX + CACHE_HEAD, &data, &len, &err) < 0)
		return false;
	ok = len >= CACHE_HEAD && !memcmp(data, "fnv64 ", 6) && data[CACHE_HEAD - 1] == '\n';
	if (ok) {
		snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)fnv64(data + CACHE_HEAD, len - CACHE_HEAD));
		ok = !memcmp(hex, data + 6, 16);
	}
	if (ok)
		util_buf_add(text, data + CACHE_HEAD, len - CACHE_HEAD);
	free(data);
	return ok;
}

static void write_cache(const char *path, const struct util_buf *text)
{
	struct util_buf entry = UTIL_BUF_INIT;
	struct pl_error err;
	char *dir = util_xstrdup(path);

	*strrchr(dir, '/') = 0;
	util_buf_printf(&entry, "fnv64 %016llx\n", (unsigned long long)fnv64(text->data ? text->data : "", text->len));
	util_buf_add(&entry, text->data ? text->data : "", text->len);
	if (util_mkdir_p(dir, 0755, &err) == 0)
		write_file(path, entry.data, entry.len);
	util_buf_free(&entry);
	free(dir);
}

int candidates_metadata(struct candidates *c, const struct cand_project *p, struct cand_version *v,
			struct cand_file *f)
{
	struct util_buf text = UTIL_BUF_INIT, why = UTIL_BUF_INIT, what = UTIL_BUF_INIT;
	char *cached = cache_path(c, f);
	struct pl_error perr;
	bool hit = false;
	int rc;

	if (v->meta_state) {
		free(cached);
		return v->meta_state > 0 ? 0 : -1;
	}
	if ((hit = read_cache(cached, &text)))
		rc = 0;
	else if (f->link->core_metadata)
		rc = fetch_metadata_file(c, f, &text, &why);
	else
		rc = read_wheel_metadata(c, p, v, f, &text, &why);
	util_buf_printf(&what, "%s.metadata", f->link->filename);
	if (rc == 0 && metadata_parse(text.data ? text.data : "", text.len, what.data, &v->meta, &perr) < 0) {
		util_buf_printf(&why, "%s", pl_error_format(&perr, (char[512]){ 0 }, 512));
		rc = -1;
	}
	if (rc == 0) {
		char name[PEP508_MAX_NAME];
		struct pep440_version mv;
		const char *vwhy;
		if (strlen(v->meta.name) >= sizeof(name) || !pep508_valid_name(v->meta.name) ||
		    (pep508_normalize_name(v->meta.name, name), strcmp(name, p->name)) ||
		    pep440_parse(v->meta.version, &mv, &vwhy) < 0 || pep440_compare(&mv, &v->v)) {
			util_buf_printf(&why, "its metadata names %.100s %.40s", v->meta.name, v->meta.version);
			metadata_fini(&v->meta);
			rc = -1;
		}
	}
	if (rc == 0 && cached && !hit)
		write_cache(cached, &text);
	v->meta_state = rc == 0 ? 1 : -1;
	if (rc < 0)
		v->meta_error = util_buf_steal(&why);
	util_buf_free(&text);
	util_buf_free(&why);
	util_buf_free(&what);
	free(cached);
	return rc;
}

/* ---- requirements ---- */

static bool exact_pin(const struct pep440_specset *spec, const struct pep440_version *v)
{
	for (size_t i = 0; i < spec->n; i++)
		if ((spec->specs[i].op == PEP440_EQ && !spec->specs[i].wildcard &&
		     !pep440_compare(&spec->specs[i].version, v)) || spec->specs[i].op == PEP440_ARBITRARY)
			return true;
	return false;
}

int candidates_requirement(struct candidates *c, const char *text, struct cand_requirement *r, const char **why,
			   size_t *at, struct pl_error *err)
{
	struct pep508_requirement *q = util_xmalloc(sizeof(*q));
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (pep508_requirement_parse(text, q, why, at) < 0)
		goto out;
	rc = -2;
	if (!(r->proj = candidates_project(c, q->name, err))) {
		pep508_requirement_fini(q);
		goto out;
	}
	r->text = util_xstrndup(text, q->head_len);
	r->extras = util_xcalloc(q->nextras ? q->nextras : 1, sizeof(char *));
	for (size_t i = 0; i < q->nextras; i++) {
		r->extras[i] = util_xmalloc(strlen(q->extras[i]) + 1);
		pep508_normalize_name(q->extras[i], r->extras[i]);
	}
	r->nextras = q->nextras;
	r->marker = q->marker;
	q->marker = NULL;
	r->url = q->url != NULL;
	for (size_t i = 0; i < q->spec.n; i++)
		r->pre |= q->spec.specs[i].op != PEP440_ARBITRARY && pep440_is_prerelease(&q->spec.specs[i].version);
	r->allowed = util_xcalloc(r->proj->n / 64 + 1, sizeof(uint64_t));
	for (size_t i = 0; i < r->proj->n; i++) {
		const struct cand_version *v = &r->proj->versions[i];
		if (pep440_specset_contains(&q->spec, &v->v) && (!v->yanked || exact_pin(&q->spec, &v->v)))
			r->allowed[i / 64] |= (uint64_t)1 << (i % 64);
	}
	pep508_requirement_fini(q);
	rc = 0;
out:
	free(q);
	return rc;
}

int candidates_requirements(struct candidates *c, struct cand_version *v, struct util_buf *why,
			    struct pl_error *err)
{
	const char *perr;
	size_t at;

	if (v->reqs_read)
		return 0;
	v->reqs = util_xcalloc(v->meta.nrequires ? v->meta.nrequires : 1, sizeof(*v->reqs));
	for (; v->nreqs < v->meta.nrequires; v->nreqs++) {
		const char *text = v->meta.requires_dist[v->nreqs];
		int rc = candidates_requirement(c, text, &v->reqs[v->nreqs], &perr, &at, err);
		if (rc == -1)
			util_buf_printf(why, "has a malformed Requires-Dist '%.80s' (%s)", text, perr);
		if (rc < 0)
			return rc;
	}
	v->reqs_read = true;
	return 0;
}
