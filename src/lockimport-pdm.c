/* pdm.lock (lock_version 4.x, written with the inherit_metadata strategy,
 * PDM's default since 2.11) to PEP 751: each package's groups say whether
 * the groups chosen install it and its marker says when; entries PDM keeps
 * per extra (name plus extras) are the same package; files are found on
 * the index by hash. The groups: "default" always, the dev groups unless
 * --no-default-groups, the extras (pyproject.toml's
 * optional-dependencies) when asked for. */
#include "config.h"
#include "lockimport-internal.h"

#include <stdlib.h>
#include <string.h>

#include "pep508.h"
#include "toml.h"

struct pdm {
	struct lockimport_set s;
	const struct toml_value *extras;	/* pyproject's [project.optional-dependencies] */
	const struct toml_value *pyproject;
	bool walk;			/* no groups per package: walked from pyproject.toml */
	struct toml_value *const *pkgs;	/* the walk's [[package]] tables */
	size_t npkgs;
	size_t *base;			/* the walk's entries: tables not for an extra */
	const struct lockimport_options *o;
	struct pl_error *err;
};

static int at(struct pdm *d, const struct toml_value *v, const char *fmt, const char *what)
{
	return pl_error_set(d->err, d->s.path, v ? (int)v->line : 0, v ? (int)v->col : 0, fmt, what);
}

static bool chosen(struct pdm *d, const char *g)
{
	if (!strcmp(g, "default"))
		return true;
	if (d->extras && toml_get(d->extras, g))
		return d->o->all_extras || d->o->all_groups || lockimport_named(d->o->extras, d->o->nextras, g) ||
		       lockimport_named(d->o->groups, d->o->ngroups, g);
	return lockimport_group_chosen(d->o, g, true);
}

/* Whether the package is in a chosen group; -1 when its groups are not
 * a list of names. */
static int in_chosen(struct pdm *d, const struct toml_value *groups)
{
	if (!groups || groups->type != TOML_ARRAY)
		return at(d, groups, "%s: each package needs its groups (a list of names)", "groups");
	for (uint32_t i = 0; i < groups->u.array.len; i++) {
		const struct toml_value *g = groups->u.array.items[i];
		if (g->type != TOML_STRING || toml_string_has_nul(g))
			return at(d, g, "%s: a group is named by a string", "groups");
		if (chosen(d, g->u.str.ptr))
			return 1;
	}
	return 0;
}

/* git, url and path packages: their own source entry. */
static int source(struct pdm *d, const struct toml_value *pkg, struct lockimport_entry *e)
{
	const char *git = lockimport_str(pkg, "git"), *url = lockimport_str(pkg, "url");
	const char *path = lockimport_str(pkg, "path"), *sub = lockimport_str(pkg, "subdirectory");
	const struct toml_value *editable = toml_get(pkg, "editable");

	if (git) {
		if (!lockimport_str(pkg, "revision"))
			return at(d, pkg, "%s: a git package needs its revision (the commit)", "revision");
		lockimport_put_vcs(e, git, lockimport_str(pkg, "ref"), lockimport_str(pkg, "revision"), sub);
	} else if (url || (path && e->nfiles)) {
		if (!e->nfiles)
			return at(d, pkg, "%s: a URL package needs the hash of its file", "files");
		lockimport_put_archive(e, url ? "url" : "path", url ? url : path, sub);
	} else if (path) {
		lockimport_put_directory(e, path, editable && editable->type == TOML_BOOL && editable->u.boolean);
	}
	/* A source tree's version is no promise (PEP 751). */
	if (path && !e->nfiles) {
		free(e->version);
		e->version = NULL;
	}
	return 0;
}

/* The package as an entry of the result, under marker (the source's text
 * at mv, or the walk's when mv is NULL). */
static int add_entry(struct pdm *d, const struct toml_value *pkg, const char *marker, const struct toml_value *mv)
{
	const char *name = lockimport_str(pkg, "name"), *version = lockimport_str(pkg, "version");
	struct lockimport_entry *e;

	if (!version && !lockimport_str(pkg, "path"))
		return at(d, pkg, "package '%s' needs a version", name);
	if (!(e = lockimport_set_add(&d->s, name, version, (int)pkg->line, (int)pkg->col)))
		return at(d, pkg, "package '%s': more packages than pylock reads", name);
	if (marker) {
		const char *why;
		size_t off;
		if (!(e->marker = lockimport_marker_extras(&d->s, marker, &why, &off)))
			return pl_error_set(d->err, d->s.path, mv ? (int)mv->line : (int)pkg->line,
					    mv ? (int)(mv->col + 1 + off) : (int)pkg->col, "marker: %s", why);
	}
	if (lockimport_toml_files(&d->s, pkg, e, true, d->err) < 0 || source(d, pkg, e) < 0)
		return -1;
	if (!e->direct && !e->nfiles)
		return at(d, pkg, "package '%s' names no file", name);
	return 0;
}

static int package(void *ctx, const struct toml_value *pkg)
{
	struct pdm *d = ctx;
	const char *marker = lockimport_str(pkg, "marker");
	const struct toml_value *mv = toml_get(pkg, "marker");
	int in;

	if (pkg->type != TOML_TABLE || !lockimport_str(pkg, "name"))
		return at(d, pkg, "%s: each package needs a name", "package");
	if (mv && !marker)
		return at(d, mv, "%s: a marker is a string", "marker");
	if (d->walk)
		return 0;
	if ((in = in_chosen(d, toml_get(pkg, "groups"))) <= 0)
		return in;
	return add_entry(d, pkg, marker, mv);
}

/* ---- a lock without groups per package: walked from pyproject.toml ---- */

/* Whether a [[package]] table is one PDM keeps for an extra of another. */
static bool extras_entry(const struct toml_value *pkg)
{
	const struct toml_value *x = toml_get(pkg, "extras");

	return x && x->type == TOML_ARRAY && x->u.array.len;
}

static int require_all(struct pdm *d, struct lockimport_walk *w, size_t from, const struct toml_value *reqs,
		       const char *skip, int depth);

/* Where a requirement is written: pyproject.toml for the root's, else the lock. */
static const char *file_of(const struct pdm *d, size_t from)
{
	return from ? NULL : d->s.pyproject;
}

/* A group of [dependency-groups] by name, include-group followed. */
static int require_group(struct pdm *d, struct lockimport_walk *w, const char *name, int depth)
{
	const struct toml_value *g = toml_get(toml_get(d->pyproject, "dependency-groups"), name);

	if (!g)
		g = toml_get(toml_get(toml_get(toml_get(d->pyproject, "tool"), "pdm"), "dev-dependencies"), name);
	if (!g)
		return at(d, NULL, "dependency group '%s' is not in pyproject.toml", name);
	return require_all(d, w, 0, g, NULL, depth + 1);
}

static int require_all(struct pdm *d, struct lockimport_walk *w, size_t from, const struct toml_value *reqs,
		       const char *skip, int depth)
{
	if (depth > 16)
		return at(d, reqs, "%s: groups include each other too deeply", "include-group");
	if (!reqs)
		return 0;
	if (reqs->type != TOML_ARRAY)
		return at(d, reqs, "%s: requirements are an array of strings", "dependencies");
	for (uint32_t i = 0; i < reqs->u.array.len; i++) {
		const struct toml_value *r = reqs->u.array.items[i];
		const char *inc = lockimport_str(r, "include-group");
		if (inc) {
			if (require_group(d, w, inc, depth) < 0)
				return -1;
			continue;
		}
		if (r->type != TOML_STRING || toml_string_has_nul(r))
			return at(d, r, "%s: a requirement is a string", "dependencies");
		if (!strncmp(r->u.str.ptr, "-e ", 3))
			return pl_error_set(d->err, file_of(d, from), (int)r->line, (int)r->col, "'%.200s': not yet: PDM's "
					    "editable requirements are not walked", r->u.str.ptr);
		/* PDM lists an extra's entry with a pin of the package itself. */
		char norm[PEP508_MAX_NAME];
		size_t n = strcspn(r->u.str.ptr, " <>=!~;[(@");
		if (skip && n < sizeof(norm)) {
			char name[PEP508_MAX_NAME];
			memcpy(name, r->u.str.ptr, n);
			name[n] = '\0';
			pep508_normalize_name(name, norm);
			if (!strcmp(norm, skip))
				continue;
		}
		if (lockimport_walk_require(w, from, r->u.str.ptr, NULL, false, file_of(d, from), (int)r->line,
					    (int)r->col) < 0)
			return -1;
	}
	return 0;
}

static int expand(void *ctx, struct lockimport_walk *w, size_t pkg, const char *extra)
{
	struct pdm *d = ctx;
	const struct toml_value *base = d->pkgs[d->base[pkg]];
	char norm[PEP508_MAX_NAME];

	pep508_normalize_name(lockimport_str(base, "name"), norm);
	if (!extra)
		return require_all(d, w, pkg + 1, toml_get(base, "dependencies"), NULL, 0);
	for (size_t i = 0; i < d->npkgs; i++) {
		const struct toml_value *t = d->pkgs[i];
		char n[PEP508_MAX_NAME];
		if (!extras_entry(t) || !lockimport_array_has(toml_get(t, "extras"), extra) ||
		    !util_str_equal(lockimport_str(t, "version"), lockimport_str(base, "version")))
			continue;
		pep508_normalize_name(lockimport_str(t, "name"), n);
		if (!strcmp(n, norm))
			return require_all(d, w, pkg + 1, toml_get(t, "dependencies"), norm, 0);
	}
	return 0;
}

static int walk(void *ctx, const struct toml_value *pkgs)
{
	struct pdm *d = ctx;
	const struct toml_value *project = toml_get(d->pyproject, "project");
	const struct toml_value *dev = toml_get(toml_get(toml_get(d->pyproject, "tool"), "pdm"), "dev-dependencies");
	const struct toml_value *groups = toml_get(d->pyproject, "dependency-groups");
	struct lockimport_walk *w;
	size_t n = 0;
	int rc = -1;

	if (!d->walk)
		return 0;
	d->pkgs = pkgs ? pkgs->u.array.items : NULL;
	d->npkgs = pkgs ? pkgs->u.array.len : 0;
	if (!d->pyproject)
		return at(d, NULL, "%s: this pdm.lock records no groups per package and there is no pyproject.toml "
			  "beside it to walk from", "metadata");
	d->base = util_xcalloc(d->npkgs + 1, sizeof(*d->base));
	for (size_t i = 0; i < d->npkgs; i++)
		if (!extras_entry(d->pkgs[i]))
			d->base[n++] = i;
	w = lockimport_walk_new(&d->s, n, d->err);
	for (size_t i = 0; i < n; i++) {
		const struct toml_value *t = d->pkgs[d->base[i]];
		lockimport_walk_package(w, i, lockimport_str(t, "name"), lockimport_str(t, "version"), NULL);
	}
	if (require_all(d, w, 0, toml_get(project, "dependencies"), NULL, 0) < 0)
		goto out;
	const struct toml_value *tables[] = { toml_get(project, "optional-dependencies"), dev, groups };
	for (size_t k = 0; k < 3; k++)
		for (uint32_t i = 0; tables[k] && tables[k]->type == TOML_TABLE && i < tables[k]->u.table.len; i++)
			if (chosen(d, tables[k]->u.table.items[i].key) &&
			    require_all(d, w, 0, tables[k]->u.table.items[i].value, NULL, 0) < 0)
				goto out;
	if (lockimport_walk_run(w, expand, d) < 0 || lockimport_walk_finish(w) < 0)
		goto out;
	rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *marker;
		if (lockimport_walk_reached(w, i, &marker)) {
			rc = add_entry(d, d->pkgs[d->base[i]], marker, NULL);
			free(marker);
		}
	}
out:
	lockimport_walk_free(w);
	return rc;
}

static int metadata(void *ctx, const struct toml_value *root, const struct toml_value *pyproject)
{
	struct pdm *d = ctx;
	const struct toml_value *meta = toml_get(root, "metadata"), *lv = toml_get(meta, "lock_version");
	const char *v = lockimport_str(meta, "lock_version");

	d->extras = toml_get(toml_get(pyproject, "project"), "optional-dependencies");
	if (!meta || meta->type != TOML_TABLE)
		return at(d, NULL, "%s: no [metadata] table: this is not a pdm.lock", "metadata");
	if (!v)
		return at(d, lv ? lv : meta, "%s: [metadata] needs lock_version", "lock_version");
	if (strncmp(v, "4.", 2))
		return at(d, lv, "lock_version '%s': pylock reads pdm.lock 4.x", v);
	d->pyproject = pyproject;
	d->walk = !lockimport_array_has(toml_get(meta, "strategy"), "inherit_metadata");
	const struct toml_value *targets = toml_get(meta, "targets");
	if (targets && targets->type == TOML_ARRAY && targets->u.array.len == 1) {
		const char *rp = lockimport_str(targets->u.array.items[0], "requires_python");
		if (rp && *rp)
			d->s.requires_python = util_xstrdup(rp);
	}
	return 0;
}

int lockimport_pdm(const char *text, size_t len, const char *path, const struct lockimport_options *o,
		    struct util_buf *out, struct pl_error *err)
{
	static const struct lockimport_reader reader = { metadata, package, walk };
	struct pdm d = { .s = { .path = path, .format = "pdm.lock" }, .o = o, .err = err };
	int rc = lockimport_read_toml(&d.s, text, len, o, &reader, &d, out, err);

	lockimport_set_fini(&d.s);
	free(d.base);
	return rc;
}
