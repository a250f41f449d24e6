/* poetry.lock (lock-version 2.1, Poetry 2) to PEP 751: each package's
 * groups say whether the groups chosen install it, its markers (one for
 * all groups, or one per group) say when; poetry's `extra == "x"` becomes
 * PEP 751's `"x" in extras`, so the extras stay a choice at install time.
 * Files are found on the package's source (a legacy index) or the indexes
 * searched, by hash; git, directory, file and url sources are vcs,
 * directory and archive entries. The groups: "main" always, every other
 * unless pyproject.toml makes it optional or --no-default-groups. */
#include "config.h"
#include "lockimport-internal.h"

#include <stdlib.h>
#include <string.h>

#include "pep440.h"
#include "toml.h"

struct poetry {
	struct lockimport_set s;
	const struct toml_value *groups;	/* pyproject's [tool.poetry.group] */
	const struct lockimport_options *o;
	struct pl_error *err;
};

static int at(struct poetry *d, const struct toml_value *v, const char *fmt, const char *what)
{
	return pl_error_set(d->err, d->s.path, v ? (int)v->line : 0, v ? (int)v->col : 0, fmt, what);
}

static bool chosen(struct poetry *d, const char *g)
{
	const struct toml_value *opt = toml_get(toml_get(d->groups, g), "optional");
	bool optional = opt && opt->type == TOML_BOOL && opt->u.boolean;

	return !strcmp(g, "main") || lockimport_group_chosen(d->o, g, !optional);
}

/* The package's marker for the groups chosen: its one marker, or the
 * disjunction of the chosen groups' (none when one of them has none).
 * 0 with *marker (NULL: always), 1 when no chosen group installs it. */
static int marker_of(struct poetry *d, const struct toml_value *pkg, char **marker)
{
	const struct toml_value *groups = toml_get(pkg, "groups"), *m = toml_get(pkg, "markers");
	struct util_buf b = UTIL_BUF_INIT;
	char **seen = NULL;
	size_t nseen = 0;
	bool any = false, always = false;
	int rc = 0;

	*marker = NULL;
	if (!groups || groups->type != TOML_ARRAY)
		return at(d, groups ? groups : pkg, "%s: each package needs its groups (a list of names)", "groups");
	if (m && m->type != TOML_STRING && m->type != TOML_TABLE)
		return at(d, m, "%s: a string, or a table of one per group", "markers");
	for (uint32_t i = 0; i < groups->u.array.len; i++) {
		const struct toml_value *g = groups->u.array.items[i];
		if (g->type != TOML_STRING || toml_string_has_nul(g)) {
			rc = at(d, g, "%s: a group is named by a string", "groups");
			goto out;
		}
		if (!chosen(d, g->u.str.ptr))
			continue;
		any = true;
		const struct toml_value *gm = m && m->type == TOML_TABLE ? toml_get(m, g->u.str.ptr) : m;
		if (!gm) {
			always = true;
			continue;
		}
		if (gm->type != TOML_STRING || toml_string_has_nul(gm)) {
			rc = at(d, gm, "%s: a marker is a string", "markers");
			goto out;
		}
		const char *why;
		size_t off;
		char *text = lockimport_marker_extras(&d->s, gm->u.str.ptr, &why, &off);
		if (!text) {
			rc = pl_error_set(d->err, d->s.path, (int)gm->line, (int)(gm->col + 1 + off), "markers: %s", why);
			goto out;
		}
		/* The same marker for two groups is said once. */
		bool dup = false;
		for (size_t k = 0; k < nseen && !dup; k++)
			dup = !strcmp(seen[k], text);
		if (dup) {
			free(text);
			continue;
		}
		util_buf_printf(&b, nseen ? " or (%s)" : "(%s)", text);
		seen = util_xrealloc(seen, (nseen + 1) * sizeof(*seen));
		seen[nseen++] = text;
	}
	if (!any)
		rc = 1;
	else if (!always && nseen)
		*marker = util_xstrdup(nseen == 1 ? seen[0] : b.data);
out:
	for (size_t k = 0; k < nseen; k++)
		free(seen[k]);
	free(seen);
	util_buf_free(&b);
	return rc;
}

static int source(struct poetry *d, const struct toml_value *pkg, struct lockimport_entry *e)
{
	const struct toml_value *src = toml_get(pkg, "source"), *dev = toml_get(pkg, "develop");
	const char *type = lockimport_str(src, "type"), *url = lockimport_str(src, "url");
	const char *sub = lockimport_str(src, "subdirectory");

	if (!src)
		return 0;
	if (!type || !url)
		return at(d, src, "%s: a source needs its type and url", "source");
	if (!strcmp(type, "legacy")) {
		if (strncmp(url, "https://", 8) && strncmp(url, "file://", 7))
			return at(d, src, "source '%s': only https:// and file:// indexes are read", url);
		e->index = util_xstrdup(url);
		return 0;
	}
	if (!strcmp(type, "git")) {
		const char *commit = lockimport_str(src, "resolved_reference");
		if (!commit)
			return at(d, src, "%s: a git source needs its resolved_reference (the commit)", "source");
		lockimport_put_vcs(e, url, lockimport_str(src, "reference"), commit, sub);
	} else if (!strcmp(type, "directory")) {
		lockimport_put_directory(e, url, dev && dev->type == TOML_BOOL && dev->u.boolean);
		free(e->version);
		e->version = NULL;
	} else if (!strcmp(type, "file") || !strcmp(type, "url")) {
		if (!e->nfiles)
			return at(d, src, "%s: a file or url source needs the hash of its file", "source");
		lockimport_put_archive(e, type[0] == 'f' ? "path" : "url", url, sub);
	} else
		return at(d, src, "source type '%s': not one pylock knows (legacy, git, directory, file, url)", type);
	return 0;
}

static int package(void *ctx, const struct toml_value *pkg)
{
	struct poetry *d = ctx;
	const char *name = lockimport_str(pkg, "name"), *version = lockimport_str(pkg, "version");
	struct lockimport_entry *e;
	char *marker;
	int rc;

	if (pkg->type != TOML_TABLE || !name || !version)
		return at(d, pkg, "%s: each package needs a name and a version", "package");
	if ((rc = marker_of(d, pkg, &marker)) != 0)
		return rc < 0 ? -1 : 0;
	if (!(e = lockimport_set_add(&d->s, name, version, (int)pkg->line, (int)pkg->col))) {
		free(marker);
		return at(d, pkg, "package '%s': more packages than pylock reads", name);
	}
	e->marker = marker;
	if (lockimport_toml_files(&d->s, pkg, e, false, d->err) < 0 || source(d, pkg, e) < 0)
		return -1;
	if (!e->direct && !e->nfiles)
		return at(d, pkg, "package '%s' names no file", name);
	return 0;
}

static int metadata(void *ctx, const struct toml_value *root, const struct toml_value *pyproject)
{
	struct poetry *d = ctx;
	const struct toml_value *meta = toml_get(root, "metadata"), *lv = toml_get(meta, "lock-version");
	const char *v = lockimport_str(meta, "lock-version"), *py = lockimport_str(meta, "python-versions");
	struct pep440_specset set;
	const char *why;

	d->groups = toml_get(toml_get(toml_get(pyproject, "tool"), "poetry"), "group");
	if (!meta || meta->type != TOML_TABLE)
		return at(d, NULL, "%s: no [metadata] table: this is not a poetry.lock", "metadata");
	if (!v)
		return at(d, lv ? lv : meta, "%s: [metadata] needs lock-version", "lock-version");
	if (!strcmp(v, "2.0") || !strncmp(v, "1.", 2))
		return at(d, lv, "lock-version %s: not yet: this poetry.lock (Poetry 1) records no groups per package; "
			  "Poetry 2's `poetry lock` writes lock-version 2.1, which pylock reads", v);
	if (strncmp(v, "2.", 2))
		return at(d, lv, "lock-version '%s': pylock reads poetry.lock 2.1", v);
	/* Poetry's own constraint syntax (^3.9, 3.9.*) is kept only when it
	 * is also a PEP 440 specifier. */
	if (py && *py && strcmp(py, "*") && pep440_specset_parse(py, &set, &why) == 0)
		d->s.requires_python = util_xstrdup(py);
	return 0;
}

int lockimport_poetry(const char *text, size_t len, const char *path, const struct lockimport_options *o,
		       struct util_buf *out, struct pl_error *err)
{
	static const struct lockimport_reader reader = { metadata, package };
	struct poetry d = { .s = { .path = path, .format = "poetry.lock" }, .o = o, .err = err };
	int rc = lockimport_read_toml(&d.s, text, len, o, &reader, &d, out, err);

	lockimport_set_fini(&d.s);
	return rc;
}
