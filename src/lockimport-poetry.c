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
#include "pep508.h"
#include "toml.h"

struct poetry {
	struct lockimport_set s;
	const struct toml_value *groups;	/* pyproject's [tool.poetry.group] */
	const struct toml_value *pyproject;
	bool walk;			/* lock-version 2.0: walked from pyproject.toml */
	struct toml_value *const *pkgs;	/* the walk's [[package]] tables */
	size_t npkgs;
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

/* The package as an entry of the result, under marker (PEP 751 text,
 * taken over). */
static int add_entry(struct poetry *d, const struct toml_value *pkg, char *marker)
{
	const char *name = lockimport_str(pkg, "name"), *version = lockimport_str(pkg, "version");
	struct lockimport_entry *e;

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

static int package(void *ctx, const struct toml_value *pkg)
{
	struct poetry *d = ctx;
	char *marker;
	int rc;

	if (pkg->type != TOML_TABLE || !lockimport_str(pkg, "name") || !lockimport_str(pkg, "version"))
		return at(d, pkg, "%s: each package needs a name and a version", "package");
	if (d->walk)
		return 0;
	if ((rc = marker_of(d, pkg, &marker)) != 0)
		return rc < 0 ? -1 : 0;
	return add_entry(d, pkg, marker);
}

/* ---- lock-version 2.0 (Poetry 1): walked from pyproject.toml ---- */

/* One clause of a Poetry constraint as PEP 440 specifiers: ^1.2 is
 * >=1.2,<2.0, ~1.2 is >=1.2,<1.3, 1.2.* is ==1.2.*, a bare version is ==. */
static int clause_spec(const char *c, size_t n, struct util_buf *b)
{
	char v[128];
	unsigned part[4] = { 0 };
	int np = 0;

	while (n && (*c == ' ' || *c == '\t'))
		c++, n--;
	while (n && (c[n - 1] == ' ' || c[n - 1] == '\t'))
		n--;
	if (!n || (n == 1 && *c == '*'))
		return 0;
	if (b->len)
		util_buf_putc(b, ',');
	if (*c != '^' && (*c != '~' || (n > 1 && c[1] == '='))) {
		bool op = strchr("<>=!~", *c) != NULL;
		util_buf_printf(b, "%s%.*s", op ? "" : "==", (int)n, c);
		return 0;
	}
	if (n - 1 >= sizeof(v))
		return -1;
	memcpy(v, c + 1, n - 1);
	v[n - 1] = '\0';
	for (char *p = v; *p && np < 4; np++) {
		char *end;
		part[np] = (unsigned)strtoul(p, &end, 10);
		if (end == p || (*end && *end != '.'))
			return -1;
		p = *end ? end + 1 : end;
	}
	if (!np)
		return -1;
	util_buf_printf(b, ">=%s,<", v);
	if (*c == '^') {
		int k = 0;
		while (k < np - 1 && !part[k])
			k++;
		for (int i = 0; i <= k; i++)
			util_buf_printf(b, "%s%u", i ? "." : "", i == k ? part[i] + 1 : part[i]);
	} else {
		int k = np > 1 ? 1 : 0;
		for (int i = 0; i <= k; i++)
			util_buf_printf(b, "%s%u", i ? "." : "", i == k ? part[i] + 1 : part[i]);
	}
	return 0;
}

/* A constraint's alternatives (split at ||) as PEP 440 specifier sets;
 * -1 when it is not one. */
static int constraint_specs(const char *c, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	for (const char *alt = c;;) {
		const char *bar = strstr(alt, "||"), *end = bar ? bar : alt + strlen(alt);
		struct util_buf b = UTIL_BUF_INIT;
		for (const char *p = alt; p < end;) {
			/* Clauses: split at commas, and at blanks before an operator. */
			const char *q = p;
			while (q < end && *q != ',' && !(q > p && q[-1] == ' ' && strchr("<>=!^~", *q) &&
							 q[-2] != ' ' && strchr("<>=!^~", q[-2]) == NULL))
				q++;
			if (clause_spec(p, (size_t)(q - p), &b) < 0) {
				util_buf_free(&b);
				return -1;
			}
			p = q < end && *q == ',' ? q + 1 : q;
		}
		*out = util_xrealloc(*out, (*n + 1) * sizeof(char *));
		(*out)[(*n)++] = util_buf_steal(&b);
		if (!bar || *n >= 16)
			break;
		alt = bar + 2;
	}
	return 0;
}

static void free_specs(char **specs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(specs[i]);
	free(specs);
}

/* A python constraint as a marker (NULL: any Python); -1 when unreadable. */
static int python_marker(const char *c, char **marker)
{
	char **specs;
	size_t n;
	struct util_buf b = UTIL_BUF_INIT;

	*marker = NULL;
	if (!c || constraint_specs(c, &specs, &n) < 0)
		return c ? -1 : 0;
	for (size_t i = 0; i < n; i++) {
		if (!*specs[i]) {
			util_buf_free(&b);
			free_specs(specs, n);
			return 0;
		}
		util_buf_puts(&b, i ? " or (" : n > 1 ? "(" : "");
		for (char *p = specs[i], *end; *p; p = *end ? end + 1 : end) {
			end = strchr(p, ',');
			if (!end)
				end = p + strlen(p);
			size_t ol = strspn(p, "<>=!~");
			const char *v = p + ol;
			size_t vl = (size_t)(end - v), dots = 0;
			bool star = vl > 2 && !memcmp(v + vl - 2, ".*", 2);
			if (star)
				vl -= 2;
			for (size_t k = 0; k < vl; k++)
				dots += v[k] == '.';
			util_buf_printf(&b, "%s%s %.*s \"%.*s\"", p == specs[i] ? "" : " and ",
					dots >= 2 ? "python_full_version" : "python_version", (int)ol, p, (int)vl, v);
		}
		util_buf_puts(&b, n > 1 ? ")" : "");
	}
	free_specs(specs, n);
	*marker = util_buf_steal(&b);
	return 0;
}

/* One dependency (a constraint string, a table, or an array of tables)
 * of node from; optional ones only when with_optional. */
static int require(struct poetry *d, struct lockimport_walk *w, size_t from, const char *name,
		   const struct toml_value *v, bool with_optional, const char *extra_spec)
{
	if (v->type == TOML_ARRAY) {
		for (uint32_t i = 0; i < v->u.array.len; i++)
			if (require(d, w, from, name, v->u.array.items[i], with_optional, extra_spec) < 0)
				return -1;
		return 0;
	}
	const char *constraint = v->type == TOML_STRING ? v->u.str.ptr : lockimport_str(v, "version");
	const struct toml_value *opt = toml_get(v, "optional"), *extras = toml_get(v, "extras");
	const char *markers = lockimport_str(v, "markers"), *python = lockimport_str(v, "python");
	char **specs = NULL, *pm = NULL;
	size_t n = 0;
	int rc = -1;

	if (v->type != TOML_STRING && v->type != TOML_TABLE)
		return at(d, v, "dependency '%s': a constraint or a table", name);
	if (!with_optional && opt && opt->type == TOML_BOOL && opt->u.boolean)
		return 0;
	if (constraint_specs(extra_spec ? extra_spec : constraint ? constraint : "*", &specs, &n) < 0 ||
	    python_marker(python, &pm) < 0) {
		at(d, v, "dependency '%s': a constraint pylock does not read", name);
		goto out;
	}
	struct util_buf also = UTIL_BUF_INIT;
	if (markers && pm)
		util_buf_printf(&also, "(%s) and (%s)", markers, pm);
	else if (markers || pm)
		util_buf_puts(&also, markers ? markers : pm);
	/* Poetry's a || b: an alternative the lock has no version for is no error
	 * while another has one. */
	bool any = false;
	rc = 0;
	for (size_t i = 0; i < n && rc >= 0; i++) {
		struct util_buf req = UTIL_BUF_INIT;
		util_buf_puts(&req, name);
		if (extras && extras->type == TOML_ARRAY && extras->u.array.len) {
			util_buf_putc(&req, '[');
			toml_join_strings(extras, &req);
			util_buf_putc(&req, ']');
		}
		util_buf_printf(&req, " %s", specs[i]);
		rc = lockimport_walk_require(w, from, req.data, also.len ? also.data : NULL, i + 1 < n || any,
					     from ? NULL : d->s.pyproject, (int)v->line, (int)v->col);
		any |= rc == 0;
		util_buf_free(&req);
	}
	rc = rc < 0 ? -1 : 0;
	util_buf_free(&also);
out:
	free_specs(specs, n);
	free(pm);
	return rc;
}

static int require_table(struct poetry *d, struct lockimport_walk *w, size_t from, const struct toml_value *deps,
			 bool root)
{
	for (uint32_t i = 0; deps && deps->type == TOML_TABLE && i < deps->u.table.len; i++) {
		const char *name = deps->u.table.items[i].key;
		if (root && !strcmp(name, "python"))
			continue;
		if (require(d, w, from, name, deps->u.table.items[i].value, false, NULL) < 0)
			return -1;
	}
	return 0;
}

static int expand(void *ctx, struct lockimport_walk *w, size_t pkg, const char *extra)
{
	struct poetry *d = ctx;
	const struct toml_value *t = d->pkgs[pkg], *deps = toml_get(t, "dependencies");

	if (!extra)
		return require_table(d, w, pkg + 1, deps, false);
	const struct toml_value *list = NULL, *extras = toml_get(t, "extras");
	for (uint32_t i = 0; extras && extras->type == TOML_TABLE && i < extras->u.table.len; i++) {
		char norm[PEP508_MAX_NAME];
		if (strlen(extras->u.table.items[i].key) >= sizeof(norm))
			continue;
		pep508_normalize_name(extras->u.table.items[i].key, norm);
		if (!strcmp(norm, extra))
			list = extras->u.table.items[i].value;
	}
	/* "PySocks (>=1.5.6,!=1.5.7)": the dependency of that name, constrained so. */
	for (uint32_t i = 0; list && list->type == TOML_ARRAY && i < list->u.array.len; i++) {
		const struct toml_value *r = list->u.array.items[i];
		char name[PEP508_MAX_NAME];
		if (r->type != TOML_STRING)
			return at(d, r, "%s: an extra lists strings", "extras");
		size_t n = strcspn(r->u.str.ptr, " ([;");
		if (!n || n >= sizeof(name))
			return at(d, r, "%s: an extra's entry needs a name", "extras");
		memcpy(name, r->u.str.ptr, n);
		name[n] = '\0';
		const struct toml_value *dep = toml_get(deps, name);
		if (!dep) {
			char want[PEP508_MAX_NAME], have[PEP508_MAX_NAME];
			pep508_normalize_name(name, want);
			for (uint32_t k = 0; deps && deps->type == TOML_TABLE && k < deps->u.table.len && !dep; k++)
				if (strlen(deps->u.table.items[k].key) < sizeof(have) &&
				    (pep508_normalize_name(deps->u.table.items[k].key, have), !strcmp(have, want)))
					dep = deps->u.table.items[k].value;
		}
		if (dep && require(d, w, pkg + 1, name, dep, true, NULL) < 0)
			return -1;
		if (!dep && require(d, w, pkg + 1, name, r, true, "*") < 0)
			return -1;
	}
	return 0;
}

/* The root: [tool.poetry.dependencies] (optional ones through the extras
 * chosen), dev-dependencies as the dev group, and the groups chosen. */
static int require_roots(struct poetry *d, struct lockimport_walk *w)
{
	const struct toml_value *tp = toml_get(toml_get(d->pyproject, "tool"), "poetry");
	const struct toml_value *main = toml_get(tp, "dependencies"), *extras = toml_get(tp, "extras");

	if (require_table(d, w, 0, main, true) < 0)
		return -1;
	for (uint32_t i = 0; extras && extras->type == TOML_TABLE && i < extras->u.table.len; i++) {
		const char *x = extras->u.table.items[i].key;
		const struct toml_value *names = extras->u.table.items[i].value;
		if (!d->o->all_extras && !lockimport_named(d->o->extras, d->o->nextras, x))
			continue;
		for (uint32_t k = 0; names->type == TOML_ARRAY && k < names->u.array.len; k++) {
			const struct toml_value *nm = names->u.array.items[k];
			const struct toml_value *dep = nm->type == TOML_STRING ? toml_get(main, nm->u.str.ptr) : NULL;
			if (dep && require(d, w, 0, nm->u.str.ptr, dep, true, NULL) < 0)
				return -1;
		}
	}
	if (chosen(d, "dev") && require_table(d, w, 0, toml_get(tp, "dev-dependencies"), true) < 0)
		return -1;
	for (uint32_t i = 0; d->groups && d->groups->type == TOML_TABLE && i < d->groups->u.table.len; i++)
		if (chosen(d, d->groups->u.table.items[i].key) &&
		    require_table(d, w, 0, toml_get(d->groups->u.table.items[i].value, "dependencies"), true) < 0)
			return -1;
	return 0;
}

static int walk(void *ctx, const struct toml_value *pkgs)
{
	struct poetry *d = ctx;
	struct lockimport_walk *w;
	char **python;
	int rc = -1;

	if (!d->walk)
		return 0;
	d->pkgs = pkgs ? pkgs->u.array.items : NULL;
	d->npkgs = pkgs ? pkgs->u.array.len : 0;
	if (!toml_get(toml_get(d->pyproject, "tool"), "poetry"))
		return at(d, NULL, "%s: this poetry.lock (lock-version 2.0) records no groups per package and no "
			  "[tool.poetry] in a pyproject.toml beside it says what the project requires", "metadata");
	w = lockimport_walk_new(&d->s, d->npkgs, d->err);
	python = util_xcalloc(d->npkgs + 1, sizeof(*python));
	for (size_t i = 0; i < d->npkgs; i++) {
		const struct toml_value *t = d->pkgs[i];
		python_marker(lockimport_str(t, "python-versions"), &python[i]);
		lockimport_walk_package(w, i, lockimport_str(t, "name"), lockimport_str(t, "version"), python[i]);
	}
	if (require_roots(d, w) < 0 || lockimport_walk_run(w, expand, d) < 0 || lockimport_walk_finish(w) < 0)
		goto out;
	rc = 0;
	for (size_t i = 0; i < d->npkgs && rc == 0; i++) {
		char *marker, *pep751;
		const char *why;
		size_t off;
		if (!lockimport_walk_reached(w, i, &marker))
			continue;
		pep751 = marker ? lockimport_marker_extras(&d->s, marker, &why, &off) : NULL;
		if (marker && !pep751)
			rc = at(d, d->pkgs[i], "the markers that reach it do not combine: %s", why);
		else
			rc = add_entry(d, d->pkgs[i], pep751);
		free(marker);
	}
out:
	for (size_t i = 0; i < d->npkgs; i++)
		free(python[i]);
	free(python);
	lockimport_walk_free(w);
	return rc;
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
	d->pyproject = pyproject;
	d->walk = !strcmp(v, "2.0");
	if (strncmp(v, "2.", 2))
		return at(d, lv, "lock-version '%s': pylock reads poetry.lock 2.1", v);
	/* Poetry's own constraint syntax (^3.9) in PEP 440's words; one with
	 * alternatives (||) has none. */
	char **specs;
	size_t n;
	if (py && constraint_specs(py, &specs, &n) == 0) {
		if (n == 1 && *specs[0] && pep440_specset_parse(specs[0], &set, &why) == 0)
			d->s.requires_python = util_xstrdup(specs[0]);
		free_specs(specs, n);
	}
	return 0;
}

int lockimport_poetry(const char *text, size_t len, const char *path, const struct lockimport_options *o,
		       struct util_buf *out, struct pl_error *err)
{
	static const struct lockimport_reader reader = { metadata, package, walk };
	struct poetry d = { .s = { .path = path, .format = "poetry.lock" }, .o = o, .err = err };
	int rc = lockimport_read_toml(&d.s, text, len, o, &reader, &d, out, err);

	lockimport_set_fini(&d.s);
	return rc;
}
