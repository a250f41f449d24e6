/* The semantic diff: both locks' packages sorted by key, walked together. */
#include "config.h"
#include "lockdiff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "gitrepo.h"
#include "pep440.h"


static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct lockdiff_key *)a)->key, ((const struct lockdiff_key *)b)->key);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct lockdiff_key *)a)->p->norm_name, ((const struct lockdiff_key *)b)->p->norm_name);
}

struct lockdiff_key *lockdiff_keys(const struct lock *l, size_t *n)
{
	struct lockdiff_key *e;

	*n = l ? l->npackages : 0;
	e = util_xcalloc(*n ? *n : 1, sizeof(*e));
	for (size_t i = 0; i < *n; i++)
		e[i].p = &l->packages[i];
	if (*n > 1)
		qsort(e, *n, sizeof(*e), by_name);
	for (size_t i = 0; i < *n; i++) {
		bool twin = (i > 0 && !strcmp(e[i - 1].p->norm_name, e[i].p->norm_name)) ||
			    (i + 1 < *n && !strcmp(e[i + 1].p->norm_name, e[i].p->norm_name));
		struct util_buf b = UTIL_BUF_INIT;

		util_buf_puts(&b, e[i].p->norm_name);
		if (twin)
			util_buf_printf(&b, "; %s", e[i].p->marker ? e[i].p->marker : "");
		e[i].key = util_buf_steal(&b);
	}
	if (*n > 1)
		qsort(e, *n, sizeof(*e), by_key);
	return e;
}

static char *as_toml(const struct toml_value *v)
{
	struct util_buf b = UTIL_BUF_INIT;

	if (!v)
		return NULL;
	toml_write_value(&b, v);
	return util_buf_steal(&b);
}

static struct lockdiff_change *add(struct lockdiff *d, enum lockdiff_kind kind, const char *name,
				   const char *old, const char *new)
{
	struct lockdiff_change *c;

	d->changes = util_xrealloc(d->changes, (d->n + 1) * sizeof(*d->changes));
	c = &d->changes[d->n++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->name = util_xstrdup(name);
	c->old = old ? util_xstrdup(old) : NULL;
	c->new = new ? util_xstrdup(new) : NULL;
	return c;
}

static void add_top(struct lockdiff *d, const char *key, const struct toml_value *a,
		    const struct toml_value *b)
{
	char *x = as_toml(a), *y = as_toml(b);

	if (!util_str_equal(x, y))
		add(d, LOCKDIFF_TOP, key, x, y);
	free(x);
	free(y);
}

static void add_top_str(struct lockdiff *d, const char *key, const char *a, const char *b)
{
	if (!util_str_equal(a, b))
		add(d, LOCKDIFF_TOP, key, a, b);
}

/* The package's files in one list (free() it): wheels, then sdist and archive. */
static const struct lock_file **files_of(const struct lock_package *p, size_t *n)
{
	const struct lock_file **out = util_xcalloc(p->nwheels + 2, sizeof(*out));

	*n = 0;
	for (size_t i = 0; i < p->nwheels; i++)
		out[(*n)++] = &p->wheels[i];
	if (p->has_sdist)
		out[(*n)++] = &p->sdist;
	if (p->has_archive)
		out[(*n)++] = &p->archive;
	return out;
}

static const struct lock_file *find_file(const struct lock_file **files, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(files[i]->name, name))
			return files[i];
	return NULL;
}

/* Two records of one file disagree on a hash they both give. */
static bool hashes_differ(const struct lock_file *a, const struct lock_file *b)
{
	for (size_t i = 0; i < a->nhashes; i++)
		for (size_t k = 0; k < b->nhashes; k++)
			if (!strcasecmp(a->hashes[i].algo, b->hashes[k].algo) &&
			    strcasecmp(a->hashes[i].value, b->hashes[k].value))
				return true;
	return false;
}

static unsigned compare_files(const struct lock_package *a, const struct lock_package *b, char **detail)
{
	size_t na, nb;
	const struct lock_file **fa = files_of(a, &na), **fb = files_of(b, &nb);
	unsigned flags = 0;

	for (size_t i = 0; i < na; i++) {
		const struct lock_file *other = find_file(fb, nb, fa[i]->name);

		if (!other) {
			flags |= LOCKDIFF_FILES_REMOVED;
			continue;
		}
		if (hashes_differ(fa[i], other)) {
			flags |= LOCKDIFF_HASH_CHANGED;
			if (!*detail)
				*detail = util_xstrdup(fa[i]->name);
		}
		if (!util_str_equal(fa[i]->url, other->url) || !util_str_equal(fa[i]->path, other->path))
			flags |= LOCKDIFF_SOURCE_CHANGED;
	}
	for (size_t i = 0; i < nb; i++)
		if (!find_file(fa, na, fb[i]->name))
			flags |= LOCKDIFF_FILES_ADDED;
	free(fa);
	free(fb);
	return flags;
}

/* ---- hosts ---- */

struct hosts {
	char (*names)[256];
	size_t n;
};

static void hosts_add_url(struct hosts *h, const char *url)
{
	char host[256];

	if (!url || !util_url_host(url, host, sizeof(host)))
		return;
	for (size_t i = 0; i < h->n; i++)
		if (!strcmp(h->names[i], host))
			return;
	h->names = util_xrealloc(h->names, (h->n + 1) * sizeof(*h->names));
	memcpy(h->names[h->n++], host, sizeof(host));
}

static void hosts_add_package(struct hosts *h, const struct lock_package *p)
{
	size_t n;
	const struct lock_file **files = files_of(p, &n);

	hosts_add_url(h, p->index);
	for (size_t i = 0; i < n; i++)
		hosts_add_url(h, files[i]->url);
	free(files);
}

/* Whether p names a host that known does not. */
static bool new_host(const struct hosts *known, const struct lock_package *p)
{
	struct hosts mine = { NULL, 0 };
	bool found = false;

	hosts_add_package(&mine, p);
	for (size_t i = 0; i < mine.n && !found; i++) {
		found = true;
		for (size_t k = 0; k < known->n && found; k++)
			found = strcmp(known->names[k], mine.names[i]) != 0;
	}
	free(mine.names);
	return found;
}

static int compare_versions(const char *a, const char *b)
{
	struct pep440_version x, y;
	const char *why;

	if (util_str_equal(a, b))
		return 0;
	if (!a || !b)
		return a ? -1 : 1;
	if (pep440_parse(a, &x, &why) < 0 || pep440_parse(b, &y, &why) < 0)
		return strcmp(a, b);
	return pep440_compare(&x, &y);
}

/* What differs between two entries of a package, order being how their
 * versions compare. */
static unsigned pair_flags(const struct lock_package *a, const struct lock_package *b, int order, char **detail)
{
	unsigned flags = 0;

	*detail = NULL;
	if (!util_str_equal(a->marker, b->marker))
		flags |= LOCKDIFF_MARKER_CHANGED;
	if (!toml_value_equal(a->dependencies, b->dependencies))
		flags |= LOCKDIFF_DEPS_CHANGED;
	if (!toml_value_equal(a->attestation_identities, b->attestation_identities))
		flags |= LOCKDIFF_ATTESTATIONS_CHANGED;
	if (!util_str_equal(a->requires_python, b->requires_python))
		flags |= LOCKDIFF_REQUIRES_PYTHON_CHANGED;
	if (!util_str_equal(a->index, b->index) || a->source != b->source || !toml_value_equal(a->vcs, b->vcs) ||
	    !toml_value_equal(a->directory, b->directory))
		flags |= LOCKDIFF_SOURCE_CHANGED;
	if (!toml_value_equal(a->tool, b->tool))
		flags |= LOCKDIFF_TOOL_CHANGED;
	/* Files are compared at the same version only: there a different hash
	 * means different bytes under a name that should not have changed. */
	if (order == 0)
		flags |= compare_files(a, b, detail);
	/* A vcs entry carries no version to compare: its commit is what moves. */
	const struct toml_value *ca = toml_get(a->vcs, "commit-id"), *cb = toml_get(b->vcs, "commit-id");
	if (ca && cb && ca->type == TOML_STRING && cb->type == TOML_STRING && strcmp(ca->u.str.ptr, cb->u.str.ptr)) {
		flags |= LOCKDIFF_VCS_COMMIT_CHANGED;
		if (!*detail) {
			struct util_buf commits = UTIL_BUF_INIT;
			util_buf_printf(&commits, "commit %.12s -> %.12s", ca->u.str.ptr, cb->u.str.ptr);
			*detail = util_buf_steal(&commits);
		}
	}
	struct hosts before = { NULL, 0 };
	hosts_add_package(&before, a);
	if (new_host(&before, b))
		flags |= LOCKDIFF_HOST_CHANGED;
	free(before.names);
	return flags;
}

static void compare_pair(struct lockdiff *d, const struct lock_package *a, const struct lock_package *b)
{
	int order = compare_versions(a->version, b->version);
	char *detail;
	unsigned flags = pair_flags(a, b, order, &detail);

	if (order == 0 && !flags)
		return;
	struct lockdiff_change *c = add(d, order < 0 ? LOCKDIFF_UPGRADED : order > 0 ? LOCKDIFF_DOWNGRADED
					: LOCKDIFF_CHANGED, a->norm_name, a->version, b->version);
	c->flags = flags;
	c->detail = detail;
}

void lockdiff_package_differs(const struct lock_package *a, const struct lock_package *b, struct util_buf *out)
{
	const char *names[LOCKDIFF_FLAGS];
	char *detail;
	unsigned flags = pair_flags(a, b, compare_versions(a->version, b->version), &detail);
	size_t n = lockdiff_flag_names(flags, names);

	for (size_t i = 0; i < n; i++)
		util_buf_printf(out, "%s%s", i ? ", " : "", names[i]);
	if (!n && !lock_package_equal(a, b))
		util_buf_puts(out, "other keys");
	if (detail)
		util_buf_printf(out, " (%s)", detail);
	free(detail);
}

void lockdiff_diff(const struct lock *old, const struct lock *new, struct lockdiff *out)
{
	size_t na, nb, i = 0, k = 0;
	struct lockdiff_key *a = lockdiff_keys(old, &na), *b = lockdiff_keys(new, &nb);
	struct hosts before = { NULL, 0 };

	for (size_t p = 0; old && p < old->npackages; p++)
		hosts_add_package(&before, &old->packages[p]);

	out->changes = NULL;
	out->n = 0;
	add_top_str(out, "requires-python", old ? old->requires_python : NULL, new ? new->requires_python : NULL);
	add_top(out, "environments", old ? old->environments : NULL, new ? new->environments : NULL);
	add_top(out, "extras", old ? old->extras : NULL, new ? new->extras : NULL);
	add_top(out, "dependency-groups", old ? old->dependency_groups : NULL, new ? new->dependency_groups : NULL);
	add_top(out, "default-groups", old ? old->default_groups : NULL, new ? new->default_groups : NULL);
	while (i < na || k < nb) {
		int r = i == na ? 1 : k == nb ? -1 : strcmp(a[i].key, b[k].key);

		if (r < 0) {
			add(out, LOCKDIFF_REMOVED, a[i].p->norm_name, a[i].p->version, NULL);
			i++;
		} else if (r > 0) {
			struct lockdiff_change *c = add(out, LOCKDIFF_ADDED, b[k].p->norm_name, NULL, b[k].p->version);
			/* A new package fetched from a host the lock never named. */
			if (old && new_host(&before, b[k].p))
				c->flags |= LOCKDIFF_HOST_CHANGED;
			k++;
		} else
			compare_pair(out, a[i++].p, b[k++].p);
	}
	lockdiff_keys_free(a, na);
	lockdiff_keys_free(b, nb);
	free(before.names);
}

void lockdiff_keys_free(struct lockdiff_key *keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(keys[i].key);
	free(keys);
}

void lockdiff_fini(struct lockdiff *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->changes[i].name);
		free(d->changes[i].old);
		free(d->changes[i].new);
		free(d->changes[i].detail);
	}
	free(d->changes);
	d->changes = NULL;
	d->n = 0;
}

const char *lockdiff_kind_name(enum lockdiff_kind kind)
{
	static const char *const names[] = {
		[LOCKDIFF_ADDED] = "added", [LOCKDIFF_REMOVED] = "removed",
		[LOCKDIFF_UPGRADED] = "upgraded", [LOCKDIFF_DOWNGRADED] = "downgraded",
		[LOCKDIFF_CHANGED] = "changed", [LOCKDIFF_TOP] = "top-level",
	};
	return names[kind];
}

size_t lockdiff_flag_names(unsigned flags, const char *names[LOCKDIFF_FLAGS])
{
	static const char *const all[LOCKDIFF_FLAGS] = {
		"files-added", "files-removed", "hash-changed", "source-changed",
		"marker-changed", "dependencies-changed", "attestations-changed", "requires-python-changed",
		"host-changed", "commit-changed", "tool-changed",
	};
	size_t n = 0;

	for (size_t i = 0; i < LOCKDIFF_FLAGS; i++)
		if (flags & (1u << i))
			names[n++] = all[i];
	return n;
}

int lockdiff_suspicious(const struct lockdiff_change *c)
{
	return (c->flags & (LOCKDIFF_HASH_CHANGED | LOCKDIFF_ATTESTATIONS_CHANGED | LOCKDIFF_HOST_CHANGED)) != 0;
}

int lockdiff_lock_at(const struct gitrepo *repo, const char *rev, const char *rel, const char *abs,
		     struct lock **lock, struct pl_error *err)
{
	char *data, *name;
	const char *colon = rev ? strchr(rev, ':') : NULL;
	char *r = NULL;
	size_t len;
	int rc;

	*lock = NULL;
	if (!rev) {
		if (access(abs, F_OK) < 0)
			return 0;
		return (*lock = lock_read(abs, err)) ? 0 : -1;
	}
	if (colon) {
		r = util_xstrndup(rev, (size_t)(colon - rev));
		rel = colon + 1;
	}
	rc = gitrepo_read_at(repo, r ? r : rev, rel, LOCK_MAX_SIZE, &data, &len, err);
	free(r);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	name = util_xmalloc(strlen(rev) + strlen(rel) + 2);
	sprintf(name, colon ? "%s" : "%s:%s", rev, rel);
	*lock = lock_parse(data, len, name, err);
	free(name);
	free(data);
	return *lock ? 0 : -1;
}

void lockdiff_range(const char *range, char **old_rev, char **new_rev)
{
	const char *dots = range ? strstr(range, "..") : NULL;

	*new_rev = NULL;
	if (!range || !range[0])
		*old_rev = util_xstrdup("HEAD");
	else if (!dots)
		*old_rev = util_xstrdup(range);
	else {
		*old_rev = dots == range ? util_xstrdup("HEAD") : util_xstrndup(range, (size_t)(dots - range));
		*new_rev = util_xstrdup(dots[2] ? dots + 2 : "HEAD");
	}
}
