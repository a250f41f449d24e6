/* The graph of a lock that records no groups per package (Poetry 1's
 * poetry.lock 2.0, pdm.lock without inherit_metadata), walked from the
 * project's requirements as the tool's own export does: each requirement
 * an edge to the lock's entries of that name its specifier allows, under
 * its marker; extras taken from the entry's own node (as uv does); each
 * entry's marker the disjunction over the paths that reach it
 * (lockimport-graph.c). */
#include "config.h"
#include "lockimport-internal.h"

#include <stdlib.h>
#include <string.h>

#include "pep440.h"
#include "pep508.h"
#include "toml.h"

struct walk_pkg {
	char norm[PEP508_MAX_NAME];
	const char *version;
	struct pep440_version v;
	bool has_v;
	const char *python;	/* a marker for when this entry is the one (several of a name) */
	char **extras_taken;
	size_t nextras_taken;
	bool taken;
};

struct walk_item {
	size_t pkg;
	char *extra;		/* NULL: the package itself */
};

struct lockimport_walk {
	struct lockimport_set *s;
	struct walk_pkg *p;
	size_t n;
	struct lockimport_graph g;
	struct walk_item *q;
	size_t nq;
	struct pl_error *err;
};

struct lockimport_walk *lockimport_walk_new(struct lockimport_set *s, size_t n, struct pl_error *err)
{
	struct lockimport_walk *w = util_xcalloc(1, sizeof(*w));

	w->s = s;
	w->err = err;
	w->p = util_xcalloc(n + 1, sizeof(*w->p));
	w->n = n;
	for (size_t i = 0; i <= n; i++)
		lockimport_graph_node(&w->g);
	return w;
}

void lockimport_walk_package(struct lockimport_walk *w, size_t i, const char *name, const char *version,
			     const char *python)
{
	const char *why;

	pep508_normalize_name(name, w->p[i].norm);
	w->p[i].version = version;
	w->p[i].has_v = version && pep440_parse(version, &w->p[i].v, &why) == 0;
	w->p[i].python = python;
}

static void push(struct lockimport_walk *w, size_t pkg, const char *extra)
{
	struct walk_pkg *p = &w->p[pkg];

	if (!extra) {
		if (p->taken)
			return;
		p->taken = true;
	} else {
		for (size_t i = 0; i < p->nextras_taken; i++)
			if (!strcmp(p->extras_taken[i], extra))
				return;
		p->extras_taken = util_xrealloc(p->extras_taken, (p->nextras_taken + 1) * sizeof(char *));
		p->extras_taken[p->nextras_taken++] = util_xstrdup(extra);
	}
	w->q = util_xrealloc(w->q, (w->nq + 1) * sizeof(*w->q));
	w->q[w->nq++] = (struct walk_item){ pkg, extra ? util_xstrdup(extra) : NULL };
}

static long edge_atom(struct lockimport_walk *w, const char *marker, const char *also, const char *file, int line,
		      int col)
{
	struct util_buf b = UTIL_BUF_INIT;
	long a;

	if (!marker && !also)
		return -1;
	if (marker && also)
		util_buf_printf(&b, "(%s) and (%s)", marker, also);
	else
		util_buf_puts(&b, marker ? marker : also);
	a = lockimport_graph_atom(&w->g, b.data);
	util_buf_free(&b);
	if (a == -2)
		pl_error_set(w->err, file, line, col, "more different markers than pylock combines");
	return a;
}

/* Whether entry i is one the requirement r (its name normalised) allows. */
static bool allows(const struct lockimport_walk *w, const struct pep508_requirement *r, const char *norm, size_t i)
{
	return !strcmp(w->p[i].norm, norm) &&
	       (!r->spec.n || !w->p[i].has_v || pep440_specset_contains(&r->spec, &w->p[i].v));
}

int lockimport_walk_require(struct lockimport_walk *w, size_t from, const char *req, const char *also, bool may_miss,
			    const char *file, int line, int col)
{
	struct pep508_requirement r;
	const char *why;
	char norm[PEP508_MAX_NAME];
	size_t off, found = 0, first = 0;
	int rc = -1;

	if (!file)
		file = w->s->path;
	if (pep508_requirement_parse(req, &r, &why, &off) < 0)
		return pl_error_set(w->err, file, line, col, "requirement '%.200s': %s", req, why);
	pep508_normalize_name(r.name, norm);
	for (size_t i = 0; i < w->n; i++)
		if (allows(w, &r, norm, i) && !found++)
			first = i;
	if (!found && may_miss) {
		rc = 1;
		goto out;
	}
	if (!found) {
		pl_error_set(w->err, file, line, col, "requirement '%.200s' names no package the lock has%s", req,
			     r.spec.n ? " at a version it allows" : "");
		goto out;
	}
	const char *marker = r.marker_at ? req + r.marker_at : NULL;
	/* Several entries of the name are told apart only by different Python
	 * constraints. */
	for (size_t i = first; found > 1 && i < w->n; i++)
		for (size_t k = i + 1; allows(w, &r, norm, i) && k < w->n; k++)
			if (allows(w, &r, norm, k) && util_str_equal(w->p[i].python, w->p[k].python)) {
				pl_error_set(w->err, file, line, col, "requirement '%.200s' allows %zu entries of the "
					     "lock and nothing tells them apart", req, found);
				goto out;
			}
	for (size_t i = first; i < w->n; i++) {
		if (!allows(w, &r, norm, i))
			continue;
		/* Several entries of the name: each under its own condition. */
		const char *own = found > 1 ? w->p[i].python : NULL;
		struct util_buf both = UTIL_BUF_INIT;
		if (also && own)
			util_buf_printf(&both, "(%s) and (%s)", also, own);
		long a = edge_atom(w, marker, both.len ? both.data : also ? also : own, file, line, col);
		util_buf_free(&both);
		if (a == -2)
			goto out;
		lockimport_graph_edge(&w->g, from, i + 1, a);
		push(w, i, NULL);
		for (size_t x = 0; x < r.nextras; x++) {
			char e[PEP508_MAX_NAME];
			pep508_normalize_name(r.extras[x], e);
			push(w, i, e);
		}
	}
	rc = 0;
out:
	pep508_requirement_fini(&r);
	return rc;
}

int lockimport_walk_run(struct lockimport_walk *w, lockimport_walk_expand expand, void *ctx)
{
	int rc = 0;

	while (w->nq && rc == 0) {
		struct walk_item it = w->q[--w->nq];
		rc = expand(ctx, w, it.pkg, it.extra);
		free(it.extra);
	}
	return rc;
}

int lockimport_walk_finish(struct lockimport_walk *w)
{
	size_t over;

	if (lockimport_graph_propagate(&w->g, &over) == 0)
		return 0;
	return pl_error_set(w->err, w->s->path, 0, 0, "the markers that reach '%s' are too many to combine",
			    over ? w->p[over - 1].norm : "the project");
}

bool lockimport_walk_reached(const struct lockimport_walk *w, size_t pkg, char **marker)
{
	if (!lockimport_graph_reached(&w->g, pkg + 1))
		return false;
	*marker = lockimport_graph_marker(&w->g, pkg + 1);
	return true;
}

void lockimport_walk_free(struct lockimport_walk *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++) {
		for (size_t k = 0; k < w->p[i].nextras_taken; k++)
			free(w->p[i].extras_taken[k]);
		free(w->p[i].extras_taken);
	}
	while (w->nq)
		free(w->q[--w->nq].extra);
	free(w->q);
	free(w->p);
	lockimport_graph_fini(&w->g);
	free(w);
}
