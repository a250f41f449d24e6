/* uv.lock (version 1, any revision) to PEP 751, as `uv export --format
 * pylock.toml` does it: the graph walked from the project (workspace
 * members, or the manifest's requirements), its dev groups and the extras
 * asked for; each package's marker the disjunction, over the paths that
 * reach it, of the conjunction of the markers on their edges; virtual
 * packages left out; registry, git, URL, path, directory and editable
 * sources as wheels and sdist, vcs, archive and directory entries, with
 * sizes, upload times and hashes kept. */
#include "config.h"
#include "lockimport-internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lock.h"
#include "pep440.h"
#include "pep508.h"
#include "toml.h"

#define UV_MAX_PACKAGES 100000
#define ROOT 0			/* node 0 is the walk's root; package i is node i + 1 */

struct pkg {
	const struct toml_value *t;
	const char *name, *version;
	char norm[256];
	const struct toml_value *source, *deps, *optional, *groups;
	bool virtual;
	bool *extra_on;		/* per optional-dependencies key, reached */
	bool on;		/* (package, no extra) reached */
	bool root;		/* the project (a workspace member): its extras are the lock's */
};

struct act {
	size_t pkg;
	long extra;
};

struct uv {
	const char *path;
	struct toml_doc *doc;
	struct pkg *p;
	size_t n;
	size_t *order;		/* package indices by normalised name */
	struct act *q;		/* reached, dependencies not yet taken */
	size_t nq;
	struct lockimport_graph g;	/* node 0 the root, package i node i + 1 */
	char **groups, **extras;	/* chosen, normalised: the lock's dependency-groups and extras */
	size_t ngroups, nextras;
	struct pl_error *err;
};

static int at(struct uv *u, const struct toml_value *v, const char *fmt, const char *what)
{
	return pl_error_set(u->err, u->path, v ? (int)v->line : 0, v ? (int)v->col : 0, fmt, what);
}

/* ---- markers ---- */

/* Atom a (-1: none) and also (a marker's text, may be NULL) together. */
static long atom_with(struct uv *u, long a, const char *also, const struct toml_value *at_v)
{
	struct util_buf b = UTIL_BUF_INIT;
	long r;

	if (!also || a < -1)
		return a;
	if (a >= 0)
		util_buf_printf(&b, "(%s) and %s", u->g.atoms[a], also);
	else
		util_buf_puts(&b, also);
	r = lockimport_graph_atom(&u->g, b.data);
	util_buf_free(&b);
	if (r == -2)
		at(u, at_v, "%s: more different markers than pylock combines", "marker");
	return r;
}

static long atom(struct uv *u, const struct toml_value *dep)
{
	const struct toml_value *v = toml_get(dep, "marker");
	const char *why;
	size_t off;

	if (!v)
		return -1;
	if (v->type != TOML_STRING || toml_string_has_nul(v))
		return at(u, v, "%s: a dependency's marker must be a string", "marker"), -2;
	struct pep508_marker *mk = pep508_parse(v->u.str.ptr, &why, &off);
	if (!mk)
		return pl_error_set(u->err, u->path, (int)v->line, (int)(v->col + off), "marker: %s", why), -2;
	pep508_free(mk);
	long a = lockimport_graph_atom(&u->g, v->u.str.ptr);
	if (a == -2)
		return at(u, v, "%s: more different markers than pylock combines", "marker"), -2;
	return a;
}

/* ---- the graph ---- */

/* Packages sorted by normalised name, for finding a name's entries. */
static __thread const struct uv *sort_uv;

static int by_norm(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	int r = strcmp(sort_uv->p[a].norm, sort_uv->p[b].norm);

	return r ? r : a < b ? -1 : a > b;
}

/* The first of a name's entries in u->order, or u->n. */
static size_t first_named(const struct uv *u, const char *norm)
{
	size_t lo = 0, hi = u->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(u->p[u->order[mid]].norm, norm) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The package a dependency entry names: by name, then version and source
 * when the lock has several of that name. */
static long resolve_dep(struct uv *u, const struct toml_value *dep)
{
	const char *name = lockimport_str(dep, "name"), *version = lockimport_str(dep, "version");
	const struct toml_value *source = toml_get(dep, "source");
	char norm[256];
	long found = -1;
	size_t count = 0;

	if (!name || strlen(name) >= sizeof(norm) || !pep508_valid_name(name))
		return at(u, dep, "%s: a dependency needs a valid name", "dependency"), -2;
	pep508_normalize_name(name, norm);
	for (size_t k = first_named(u, norm); k < u->n && !strcmp(u->p[u->order[k]].norm, norm); k++) {
		const struct pkg *p = &u->p[u->order[k]];
		if (version && !util_str_equal(version, p->version))
			continue;
		if (source && !toml_value_equal(source, p->source))
			continue;
		found = (long)u->order[k];
		count++;
	}
	if (count == 1)
		return found;
	if (!count)
		return at(u, dep, "names '%s', which the lock does not have", name), -2;
	return at(u, dep, "names '%s', of which the lock has several entries; the dependency does not say which",
		  name), -2;
}

static void add_edge(struct uv *u, size_t from, size_t to, long a)
{
	lockimport_graph_edge(&u->g, from, to, a);
}

/* (package, extra) reached: queued once, its dependencies taken from the
 * package's own node whichever extra they belong to, as uv does. extra is
 * an index into the package's optional-dependencies, or -1. */
static void push(struct uv *u, size_t pkg, long extra)
{
	struct pkg *p = &u->p[pkg];
	bool *on = extra < 0 ? &p->on : &p->extra_on[extra];

	if (*on)
		return;
	*on = true;
	u->q = util_xrealloc(u->q, (u->nq + 1) * sizeof(*u->q));
	u->q[u->nq++] = (struct act){ pkg, extra };
}

static long extra_index(const struct pkg *p, const char *extra)
{
	char a[256], b[256];

	if (strlen(extra) >= sizeof(b))
		return -1;
	pep508_normalize_name(extra, b);
	for (size_t i = 0; p->optional && i < p->optional->u.table.len; i++) {
		const char *key = p->optional->u.table.items[i].key;
		if (strlen(key) < sizeof(a) && (pep508_normalize_name(key, a), !strcmp(a, b)))
			return (long)i;
	}
	/* uv records only the extras a package has: one it lacks adds nothing. */
	return -1;
}

/* A dependency entry: the edge, and what it reaches with its extras. */
static int take_dep(struct uv *u, size_t from_node, const struct toml_value *dep, const char *also)
{
	long to, a;
	const struct toml_value *extras = toml_get(dep, "extra");

	if (dep->type != TOML_TABLE)
		return at(u, dep, "%s: each dependency is a table", "dependencies");
	if ((to = resolve_dep(u, dep)) < 0 || (a = atom_with(u, atom(u, dep), also, dep)) < -1)
		return -1;
	add_edge(u, from_node, (size_t)to + 1, a);
	push(u, (size_t)to, -1);
	if (extras && extras->type != TOML_ARRAY)
		return at(u, extras, "%s: a dependency's extras are an array", "extra");
	for (size_t k = 0; extras && k < extras->u.array.len; k++) {
		const struct toml_value *x = extras->u.array.items[k];
		long i;
		if (x->type != TOML_STRING)
			return at(u, x, "%s: a dependency's extras are strings", "extra");
		if ((i = extra_index(&u->p[to], x->u.str.ptr)) >= 0)
			push(u, (size_t)to, i);
	}
	return 0;
}

/* also: the membership marker of an optional edge of the project ('x' in
 * extras, 'g' in dependency_groups), NULL for the others. */
static int take_deps(struct uv *u, size_t from_node, const struct toml_value *deps, const char *also)
{
	if (!deps)
		return 0;
	if (deps->type != TOML_ARRAY)
		return at(u, deps, "%s must be an array of tables", "dependencies");
	for (size_t i = 0; i < deps->u.array.len; i++)
		if (take_dep(u, from_node, deps->u.array.items[i], also) < 0)
			return -1;
	return 0;
}

/* Everything reached, without recursion (a chain of dependencies is as
 * long as the lock). */
static int drain(struct uv *u)
{
	while (u->nq) {
		struct act w = u->q[--u->nq];
		const struct pkg *p = &u->p[w.pkg];
		struct util_buf member = UTIL_BUF_INIT;
		if (w.extra >= 0 && p->root) {
			char norm[256];
			pep508_normalize_name(p->optional->u.table.items[w.extra].key, norm);
			util_buf_printf(&member, "'%s' in extras", norm);
		}
		int rc = take_deps(u, w.pkg + 1, w.extra < 0 ? p->deps : p->optional->u.table.items[w.extra].value,
				   member.len ? member.data : NULL);
		util_buf_free(&member);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static void note(char ***list, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*list)[i], name))
			return;
	*list = util_xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[(*n)++] = util_xstrdup(name);
}

/* The root's dependency groups: edges from the walk's root, as uv draws
 * them (a group installs without the project itself). */
static int take_groups(struct uv *u, const struct toml_value *groups, const struct lockimport_options *o)
{
	for (size_t g = 0; groups && groups->type == TOML_TABLE && g < groups->u.table.len; g++) {
		const struct toml_value *deps = groups->u.table.items[g].value;
		if (!lockimport_group_chosen(o, groups->u.table.items[g].key, !strcmp(groups->u.table.items[g].key, "dev")))
			continue;
		if (deps->type != TOML_ARRAY)
			return at(u, deps, "%s: a group is an array of dependencies", groups->u.table.items[g].key);
		char norm[256], member[300];
		if (strlen(groups->u.table.items[g].key) >= sizeof(norm))
			return at(u, deps, "%s: a group's name is too long", "dependency-groups");
		pep508_normalize_name(groups->u.table.items[g].key, norm);
		note(&u->groups, &u->ngroups, norm);
		snprintf(member, sizeof(member), "'%s' in dependency_groups", norm);
		if (take_deps(u, ROOT, deps, member) < 0)
			return -1;
	}
	return 0;
}

static bool is_root(const struct pkg *p, const struct toml_value *members)
{
	const struct toml_value *s = p->source;
	const char *here = lockimport_str(s, "editable") ? lockimport_str(s, "editable") : lockimport_str(s, "virtual");

	if (members && members->type == TOML_ARRAY) {
		for (size_t i = 0; i < members->u.array.len; i++) {
			const struct toml_value *m = members->u.array.items[i];
			char n[256];
			if (m->type == TOML_STRING && m->u.str.len < sizeof(n) &&
			    (pep508_normalize_name(m->u.str.ptr, n), !strcmp(n, p->norm)))
				return true;
		}
		return false;
	}
	return here && !strcmp(here, ".");
}

/* The manifest's own requirements (a workspace root that is no project):
 * every entry of the name, under the requirement's marker. */
static int take_requirements(struct uv *u, const struct toml_value *reqs)
{
	for (size_t i = 0; reqs && reqs->type == TOML_ARRAY && i < reqs->u.array.len; i++) {
		const struct toml_value *r = reqs->u.array.items[i];
		const char *name = lockimport_str(r, "name");
		char norm[256];
		long a;

		if (!name || strlen(name) >= sizeof(norm))
			return at(u, r, "%s: a requirement needs a name", "manifest");
		if ((a = atom(u, r)) < -1)
			return -1;
		pep508_normalize_name(name, norm);
		for (size_t k = first_named(u, norm); k < u->n && !strcmp(u->p[u->order[k]].norm, norm); k++) {
			add_edge(u, ROOT, u->order[k] + 1, a);
			push(u, u->order[k], -1);
		}
	}
	return 0;
}

static int walk(struct uv *u, const struct lockimport_options *o)
{
	const struct toml_value *manifest = toml_get(toml_root(u->doc), "manifest");
	const struct toml_value *members = toml_get(manifest, "members");
	size_t roots = 0;

	for (size_t i = 0; i < u->n; i++) {
		struct pkg *p = &u->p[i];
		if (!is_root(p, members))
			continue;
		roots++;
		add_edge(u, ROOT, i + 1, -1);
		push(u, i, -1);
		p->root = true;
		for (size_t x = 0; p->optional && x < p->optional->u.table.len; x++) {
			const char *key = p->optional->u.table.items[x].key;
			char norm[256];
			if (!(o->all_extras || lockimport_named(o->extras, o->nextras, key)) || strlen(key) >= sizeof(norm))
				continue;
			pep508_normalize_name(key, norm);
			note(&u->extras, &u->nextras, norm);
			push(u, i, (long)x);
		}
		if (take_groups(u, p->groups, o) < 0 || drain(u) < 0)
			return -1;
	}
	if (take_requirements(u, toml_get(manifest, "requirements")) < 0 ||
	    take_groups(u, toml_get(manifest, "dependency-groups"), o) < 0 || drain(u) < 0)
		return -1;
	if (!roots && !toml_get(manifest, "requirements") && !toml_get(manifest, "dependency-groups"))
		return pl_error_set(u->err, u->path, 0, 0, "has no project to start from: no [manifest] members and "
				    "no package whose source is '.'");
	return 0;
}

/* ---- reading ---- */

static int read_packages(struct uv *u)
{
	const struct toml_value *root = toml_root(u->doc), *pk = toml_get(root, "package");
	const struct toml_value *version = toml_get(root, "version");

	if (!version)
		return pl_error_set(u->err, u->path, 1, 1, "is no uv.lock: it has no 'version'");
	if (version->type != TOML_INTEGER || version->u.integer != 1)
		return at(u, version, "uv.lock %s is not a version pylock reads (it reads version 1)",
			  version->type == TOML_INTEGER ? "of another version" : "version");
	if (pk && pk->type != TOML_ARRAY)
		return at(u, pk, "'%s' must be an array of tables", "package");
	u->n = pk ? pk->u.array.len : 0;
	if (u->n > UV_MAX_PACKAGES)
		return at(u, pk, "%s: more packages than pylock reads", "package");
	u->p = toml_doc_alloc(u->doc, u->n + 1, sizeof(*u->p));
	for (size_t i = 0; i < u->n; i++) {
		struct pkg *p = &u->p[i];
		p->t = pk->u.array.items[i];
		if (p->t->type != TOML_TABLE)
			return at(u, p->t, "%s: each package is a table", "package");
		p->name = lockimport_str(p->t, "name");
		p->version = lockimport_str(p->t, "version");
		p->source = toml_get(p->t, "source");
		p->deps = toml_get(p->t, "dependencies");
		p->optional = toml_get(p->t, "optional-dependencies");
		/* Groups: dev-dependencies since uv 0.4.27, dependency-groups before. */
		p->groups = toml_get(p->t, "dev-dependencies") ? toml_get(p->t, "dev-dependencies")
			    : toml_get(p->t, "dependency-groups");
		if (!p->name || strlen(p->name) >= sizeof(p->norm) || !pep508_valid_name(p->name))
			return at(u, p->t, "%s: a package needs a valid name", "package");
		if (!p->source || p->source->type != TOML_TABLE)
			return at(u, p->t, "package '%s' has no source table", p->name);
		if (p->optional && p->optional->type != TOML_TABLE)
			return at(u, p->optional, "%s must be a table", "optional-dependencies");
		pep508_normalize_name(p->name, p->norm);
		p->virtual = lockimport_str(p->source, "virtual") != NULL;
		p->extra_on = toml_doc_alloc(u->doc, (p->optional ? p->optional->u.table.len : 0) + 1, sizeof(bool));
	}
	u->order = util_xmalloc((u->n + 1) * sizeof(*u->order));
	for (size_t i = 0; i < u->n; i++)
		u->order[i] = i;
	sort_uv = u;
	if (u->n > 1)
		qsort(u->order, u->n, sizeof(*u->order), by_norm);
	/* Entries of one name must differ in version or source. */
	for (size_t i = 1; i < u->n; i++)
		for (size_t k = i; k-- > 0 && !strcmp(u->p[u->order[k]].norm, u->p[u->order[i]].norm);) {
			const struct pkg *a = &u->p[u->order[k]], *b = &u->p[u->order[i]];
			if (util_str_equal(a->version, b->version) && toml_value_equal(a->source, b->source))
				return at(u, b->t, "a second entry for '%s' at the same version and source", b->name);
		}
	return 0;
}

/* ---- writing ---- */

/* "sha256:HEX" as hashes = { sha256 = "HEX" }: a hashlib name and as many
 * hex digits as it makes (any digits for one pylock does not know). */
static int put_hashes(struct uv *u, const struct toml_value *f, struct util_buf *b)
{
	const struct toml_value *h = toml_get(f, "hash");
	const char *colon;
	char algo[32];

	if (!h || h->type != TOML_STRING || toml_string_has_nul(h) || !(colon = strchr(h->u.str.ptr, ':')) ||
	    colon == h->u.str.ptr || (size_t)(colon - h->u.str.ptr) >= sizeof(algo))
		return at(u, h ? h : f, "%s: each file needs a hash 'ALGORITHM:HEX'", "hash");
	size_t al = (size_t)(colon - h->u.str.ptr), hl = strlen(colon + 1);
	for (size_t i = 0; i < al; i++)
		algo[i] = (char)(h->u.str.ptr[i] >= 'A' && h->u.str.ptr[i] <= 'Z' ? h->u.str.ptr[i] + 32 : h->u.str.ptr[i]);
	algo[al] = '\0';
	if (strspn(algo, "abcdefghijklmnopqrstuvwxyz0123456789_") != al)
		return at(u, h, "hash: '%s' is no hash algorithm's name", algo);
	int want = lock_hash_hex_len(algo);
	if (!hl || !util_is_hex(colon + 1, hl) || (want && hl != (size_t)want))
		return at(u, h, "hash: the %s digest is not the hex digits it must be", algo);
	util_buf_printf(b, "hashes = { %s = \"%s\" }", algo, colon + 1);
	return 0;
}

/* A file table in uv's layout: { url|path, upload-time, size, hashes }. */
static int put_file(struct uv *u, const struct toml_value *f, const char *url, const char *path,
		    const char *subdirectory, struct util_buf *b)
{
	const struct toml_value *size = toml_get(f, "size");

	if (f->type != TOML_TABLE)
		return at(u, f, "%s: each file is a table", "file");
	util_buf_puts(b, "{ ");
	if (url || (url = lockimport_str(f, "url"))) {
		util_buf_puts(b, "url = ");
		toml_write_string(b, url, strlen(url));
		util_buf_puts(b, ", ");
	} else if (path || (path = lockimport_str(f, "path"))) {
		util_buf_puts(b, "path = ");
		toml_write_string(b, path, strlen(path));
		util_buf_puts(b, ", ");
	} else
		return at(u, f, "%s: a file needs a url or a path", "file");
	lockimport_put_upload_time(b, lockimport_str(f, "upload-time"));
	if (size && size->type == TOML_INTEGER && size->u.integer >= 0)
		util_buf_printf(b, "size = %lld, ", (long long)size->u.integer);
	if (subdirectory) {
		util_buf_puts(b, "subdirectory = ");
		toml_write_string(b, subdirectory, strlen(subdirectory));
		util_buf_puts(b, ", ");
	}
	if (put_hashes(u, f, b) < 0)
		return -1;
	util_buf_puts(b, " }");
	return 0;
}

static int put_wheels(struct uv *u, const struct toml_value *wheels, const char *base, struct util_buf *b)
{
	if (wheels->type != TOML_ARRAY)
		return at(u, wheels, "%s must be an array", "wheels");
	util_buf_puts(b, wheels->u.array.len == 1 ? "wheels = [" : "wheels = [\n");
	for (size_t i = 0; i < wheels->u.array.len; i++) {
		const struct toml_value *w = wheels->u.array.items[i];
		struct util_buf path = UTIL_BUF_INIT;
		/* A wheel of a local index is a path under it. */
		if (base && lockimport_str(w, "path"))
			util_buf_printf(&path, "%s/%s", base, lockimport_str(w, "path"));
		if (wheels->u.array.len > 1)
			util_buf_puts(b, "    ");
		int rc = put_file(u, w, NULL, path.len ? path.data : NULL, NULL, b);
		util_buf_free(&path);
		if (rc < 0)
			return -1;
		if (wheels->u.array.len > 1)
			util_buf_puts(b, ",\n");
	}
	util_buf_puts(b, "]\n");
	return 0;
}

/* git = "URL?rev=R#COMMIT" (or branch=, tag=; subdirectory=). */
static int put_git(struct uv *u, const struct toml_value *src, const char *git, struct util_buf *b)
{
	const char *hash = strrchr(git, '#'), *q = strchr(git, '?');
	struct util_buf url = UTIL_BUF_INIT;

	if (!hash || !hash[1])
		return at(u, src, "%s: a git source needs its commit after '#'", "source");
	util_buf_add(&url, git, (size_t)((q && q < hash ? q : hash) - git));
	util_buf_puts(b, "vcs = { type = \"git\", url = ");
	toml_write_string(b, url.data, url.len);
	util_buf_free(&url);
	for (const char *p = q && q < hash ? q + 1 : hash; p < hash;) {
		const char *amp = memchr(p, '&', (size_t)(hash - p)), *end = amp ? amp : hash;
		const char *eq = memchr(p, '=', (size_t)(end - p));
		if (eq) {
			size_t kl = (size_t)(eq - p);
			bool rev = (kl == 3 && !memcmp(p, "rev", 3)) || (kl == 6 && !memcmp(p, "branch", 6)) ||
				   (kl == 3 && !memcmp(p, "tag", 3));
			if (rev || (kl == 12 && !memcmp(p, "subdirectory", 12))) {
				util_buf_puts(b, rev ? ", requested-revision = " : ", subdirectory = ");
				toml_write_string(b, eq + 1, (size_t)(end - eq - 1));
			}
		}
		p = amp ? amp + 1 : hash;
	}
	util_buf_puts(b, ", commit-id = ");
	toml_write_string(b, hash + 1, strlen(hash + 1));
	util_buf_puts(b, " }\n");
	return 0;
}

static int put_package(struct uv *u, const struct pkg *p, const char *marker, struct util_buf *b)
{
	const struct toml_value *s = p->source, *sdist = toml_get(p->t, "sdist"), *wheels = toml_get(p->t, "wheels");
	const char *registry = lockimport_str(s, "registry"), *git = lockimport_str(s, "git"), *url = lockimport_str(s, "url");
	const char *path = lockimport_str(s, "path"), *dir = lockimport_str(s, "directory"), *editable = lockimport_str(s, "editable");
	bool local_index = registry && !strstr(registry, "://");

	util_buf_puts(b, "\n[[packages]]\nname = ");
	toml_write_string(b, p->norm, strlen(p->norm));
	util_buf_putc(b, '\n');
	/* A source tree's version is no promise (PEP 751): left out. */
	if (p->version && !dir && !editable) {
		util_buf_puts(b, "version = ");
		toml_write_string(b, p->version, strlen(p->version));
		util_buf_putc(b, '\n');
	}
	if (marker) {
		util_buf_puts(b, "marker = ");
		toml_write_string(b, marker, strlen(marker));
		util_buf_putc(b, '\n');
	}
	if (registry) {
		if (!local_index) {
			util_buf_puts(b, "index = ");
			toml_write_string(b, registry, strlen(registry));
			util_buf_putc(b, '\n');
		}
		if (sdist) {
			struct util_buf sp = UTIL_BUF_INIT;
			if (local_index && lockimport_str(sdist, "path"))
				util_buf_printf(&sp, "%s/%s", registry, lockimport_str(sdist, "path"));
			util_buf_puts(b, "sdist = ");
			int rc = put_file(u, sdist, NULL, sp.len ? sp.data : NULL, NULL, b);
			util_buf_free(&sp);
			if (rc < 0)
				return -1;
			util_buf_putc(b, '\n');
		}
		if (wheels && put_wheels(u, wheels, local_index ? registry : NULL, b) < 0)
			return -1;
		if (!sdist && !wheels)
			return at(u, p->t, "package '%s' from an index has no files", p->name);
		return 0;
	}
	if (git)
		return put_git(u, s, git, b);
	if (url || path) {
		const struct toml_value *f = wheels && wheels->type == TOML_ARRAY && wheels->u.array.len
					     ? wheels->u.array.items[0] : sdist;
		if (!f)
			return at(u, p->t, "package '%s' has no file to hash", p->name);
		util_buf_puts(b, "archive = ");
		if (put_file(u, f, url, url ? NULL : path, lockimport_str(s, "subdirectory"), b) < 0)
			return -1;
		util_buf_putc(b, '\n');
		return 0;
	}
	if (dir || editable) {
		util_buf_puts(b, "directory = { path = ");
		toml_write_string(b, dir ? dir : editable, strlen(dir ? dir : editable));
		util_buf_puts(b, editable ? ", editable = true }\n" : " }\n");
		return 0;
	}
	return at(u, s, "%s: not a source pylock knows (registry, git, url, path, directory, editable, virtual)",
		  "source");
}

struct out_entry {
	const struct pkg *p;
	char *marker;
	struct pep440_version v;
	bool has_v;
};

static int by_name_version(const void *x, const void *y)
{
	const struct out_entry *a = x, *b = y;
	int r = strcmp(a->p->norm, b->p->norm);

	if (r)
		return r;
	if (a->has_v && b->has_v && (r = pep440_compare(&a->v, &b->v)))
		return r;
	return strcmp(a->marker ? a->marker : "", b->marker ? b->marker : "");
}

/* The result must be a lock pylock reads; where it is not (a wheel named
 * for another version, say), the fault is the source entry's, named where
 * uv.lock has it. */
static int check_result(struct uv *u, const struct util_buf *out, const struct out_entry *e, const size_t *starts,
			size_t n)
{
	struct pl_error why;
	size_t k = lockimport_blame(out, starts, n, &why);

	if (k == SIZE_MAX)
		return 0;
	if (k == n)
		return pl_error_set(u->err, u->path, 0, 0, "converted, it is no PEP 751 lock: %s", why.msg);
	return pl_error_set(u->err, u->path, (int)e[k].p->t->line, (int)e[k].p->t->col, "package '%s': %s",
			    e[k].p->name, why.msg);
}

static int write_lock(struct uv *u, struct util_buf *out)
{
	const char *rp = lockimport_str(toml_root(u->doc), "requires-python");
	struct out_entry *e = util_xcalloc(u->n + 1, sizeof(*e));
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; i < u->n; i++) {
		const char *why;
		if (!lockimport_graph_reached(&u->g, i + 1) || u->p[i].virtual)
			continue;
		e[n].p = &u->p[i];
		e[n].marker = lockimport_graph_marker(&u->g, i + 1);
		e[n].has_v = u->p[i].version && pep440_parse(u->p[i].version, &e[n].v, &why) == 0;
		n++;
	}
	if (n > 1)
		qsort(e, n, sizeof(*e), by_name_version);
	util_buf_puts(out, "# Imported from uv.lock by `pylock import`: edit uv.lock (uv lock), then import again.\n"
		      "lock-version = \"1.0\"\ncreated-by = \"pylock\"\n");
	if (rp) {
		util_buf_puts(out, "requires-python = ");
		toml_write_string(out, rp, strlen(rp));
		util_buf_putc(out, '\n');
	}
	/* What was walked stays a choice at install time (PEP 751): the groups
	 * installed by default, the extras on request. */
	lockimport_put_names(out, "extras", u->extras, u->nextras);
	lockimport_put_names(out, "dependency-groups", u->groups, u->ngroups);
	lockimport_put_names(out, "default-groups", u->groups, u->ngroups);
	size_t *starts = util_xcalloc(n + 1, sizeof(size_t));
	for (size_t i = 0; i < n && rc == 0; i++) {
		starts[i] = out->len;
		rc = put_package(u, e[i].p, e[i].marker, out);
	}
	if (rc == 0)
		rc = check_result(u, out, e, starts, n);
	for (size_t i = 0; i < n; i++)
		free(e[i].marker);
	free(e);
	free(starts);
	return rc;
}

/* Every node's marker, walked. */
static int propagate(struct uv *u)
{
	size_t over;

	if (lockimport_graph_propagate(&u->g, &over) == 0)
		return 0;
	return pl_error_set(u->err, u->path, 0, 0, "the markers that reach '%s' are too many to combine",
			    over ? u->p[over - 1].name : "the project");
}

int lockimport_uv(const char *text, size_t len, const char *path, const struct lockimport_options *o,
		  struct util_buf *out, struct pl_error *err)
{
	struct uv u = { .path = path, .err = err };
	int rc = -1;

	if (!(u.doc = toml_parse(text, len, path, err)))
		return -1;
	if (read_packages(&u) == 0) {
		/* Node 0 the root, package i node i + 1. */
		for (size_t i = 0; i <= u.n; i++)
			lockimport_graph_node(&u.g);
		if (walk(&u, o) == 0 && propagate(&u) == 0)
			rc = write_lock(&u, out);
	}
	lockimport_graph_fini(&u.g);
	for (size_t i = 0; i < u.ngroups; i++)
		free(u.groups[i]);
	for (size_t i = 0; i < u.nextras; i++)
		free(u.extras[i]);
	free(u.groups);
	free(u.extras);
	free(u.order);
	free(u.q);
	toml_free(u.doc);
	return rc;
}
