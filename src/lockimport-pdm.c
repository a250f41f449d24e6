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

#include "toml.h"

struct pdm {
	struct lockimport_set s;
	const struct toml_value *extras;	/* pyproject's [project.optional-dependencies] */
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

static int package(void *ctx, const struct toml_value *pkg)
{
	struct pdm *d = ctx;
	const char *name = lockimport_str(pkg, "name"), *version = lockimport_str(pkg, "version");
	const char *marker = lockimport_str(pkg, "marker");
	const struct toml_value *mv = toml_get(pkg, "marker");
	struct lockimport_entry *e;
	int in;

	if (pkg->type != TOML_TABLE || !name)
		return at(d, pkg, "%s: each package needs a name", "package");
	if ((in = in_chosen(d, toml_get(pkg, "groups"))) <= 0)
		return in;
	if (!version && !lockimport_str(pkg, "path"))
		return at(d, pkg, "package '%s' needs a version", name);
	if (mv && !marker)
		return at(d, mv, "%s: a marker is a string", "marker");
	if (!(e = lockimport_set_add(&d->s, name, version, (int)pkg->line, (int)pkg->col)))
		return at(d, pkg, "package '%s': more packages than pylock reads", name);
	if (marker) {
		const char *why;
		size_t off;
		if (!(e->marker = lockimport_marker_extras(&d->s, marker, &why, &off)))
			return pl_error_set(d->err, d->s.path, (int)mv->line, (int)(mv->col + 1 + off), "marker: %s", why);
	}
	if (lockimport_toml_files(&d->s, pkg, e, true, d->err) < 0 || source(d, pkg, e) < 0)
		return -1;
	if (!e->direct && !e->nfiles)
		return at(d, pkg, "package '%s' names no file", name);
	return 0;
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
	if (!lockimport_array_has(toml_get(meta, "strategy"), "inherit_metadata"))
		return at(d, meta, "%s: not yet: this pdm.lock records no groups per package (strategy "
			  "inherit_metadata, PDM's default since 2.11; `pdm lock --strategy inherit_metadata` writes "
			  "them)", "strategy");
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
	static const struct lockimport_reader reader = { metadata, package };
	struct pdm d = { .s = { .path = path, .format = "pdm.lock" }, .o = o, .err = err };
	int rc = lockimport_read_toml(&d.s, text, len, o, &reader, &d, out, err);

	lockimport_set_fini(&d.s);
	return rc;
}
