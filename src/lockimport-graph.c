/* Markers over a dependency graph: each node's marker is the disjunction,
 * over the paths from the root, of the conjunction of the markers on their
 * edges (kept minimal: a conjunction another implies is dropped), found by
 * propagating to a fixed point, bounded. */
#include "config.h"
#include "lockimport-internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LOCKIMPORT_MAX_TERMS 1024	/* conjunctions in one node's marker */
#define LOCKIMPORT_MAX_ATOMS 10000	/* different edge markers */

static bool subset(const struct conj *a, const struct conj *b)
{
	uint32_t j = 0;

	for (uint32_t i = 0; i < a->n; i++) {
		while (j < b->n && b->a[j] < a->a[i])
			j++;
		if (j == b->n || b->a[j] != a->a[i])
			return false;
	}
	return true;
}

/* Adds c to d unless a conjunction there already implies it; drops those
 * c implies. Returns 1 when added (d owns c), 0 when not (c freed), -1
 * when the marker grew past its bound. */
static int dnf_add(struct dnf *d, struct conj c)
{
	for (size_t i = 0; i < d->n; i++)
		if (subset(&d->c[i], &c)) {
			free(c.a);
			return 0;
		}
	size_t k = 0;
	for (size_t i = 0; i < d->n; i++) {
		if (subset(&c, &d->c[i]))
			free(d->c[i].a);
		else
			d->c[k++] = d->c[i];
	}
	d->n = k;
	if (d->n >= LOCKIMPORT_MAX_TERMS) {
		free(c.a);
		return -1;
	}
	d->c = util_xrealloc(d->c, (d->n + 1) * sizeof(*d->c));
	d->c[d->n++] = c;
	return 1;
}

static struct conj conj_with(const struct conj *c, long a)
{
	struct conj r = { util_xmalloc((c->n + 1) * sizeof(uint32_t)), 0 };
	bool put = a < 0;

	for (uint32_t i = 0; i < c->n; i++) {
		if (!put && (uint32_t)a <= c->a[i]) {
			if ((uint32_t)a < c->a[i])
				r.a[r.n++] = (uint32_t)a;
			put = true;
		}
		r.a[r.n++] = c->a[i];
	}
	if (!put)
		r.a[r.n++] = (uint32_t)a;
	return r;
}

int lockimport_graph_propagate(struct lockimport_graph *g, size_t *overflow)
{
	struct work {
		size_t node;
		struct conj c;
	} *q = NULL;
	size_t nq = 0, cap = 1;
	size_t *first = util_xcalloc(g->nnodes + 2, sizeof(size_t));
	int rc = 0;

	g->m = util_xcalloc(g->nnodes + 1, sizeof(*g->m));
	/* Edges grouped by their source node. */
	for (size_t i = 0; i < g->ne; i++)
		first[g->e[i].from + 1]++;
	for (size_t i = 0; i < g->nnodes; i++)
		first[i + 1] += first[i];
	struct edge *by = util_xmalloc((g->ne + 1) * sizeof(*by));
	size_t *fill = util_xcalloc(g->nnodes + 1, sizeof(size_t));
	for (size_t i = 0; i < g->ne; i++)
		by[first[g->e[i].from] + fill[g->e[i].from]++] = g->e[i];
	free(fill);

	struct conj t = { NULL, 0 };
	dnf_add(&g->m[0], t);
	q = util_xmalloc(sizeof(*q));
	q[nq++] = (struct work){ 0, { NULL, 0 } };
	while (nq && rc == 0) {
		struct work w = q[--nq];
		for (size_t i = first[w.node]; i < first[w.node + 1]; i++) {
			struct conj c = conj_with(&w.c, by[i].atom);
			struct conj copy = { util_xmalloc((c.n + 1) * sizeof(uint32_t)), c.n };
			memcpy(copy.a, c.a, c.n * sizeof(uint32_t));
			int added = dnf_add(&g->m[by[i].to], c);
			if (added < 0) {
				*overflow = by[i].to;
				rc = -1;
				free(copy.a);
				break;
			}
			if (!added) {
				free(copy.a);
				continue;
			}
			if (nq == cap) {
				cap *= 2;
				q = util_xrealloc(q, cap * sizeof(*q));
			}
			q[nq++] = (struct work){ by[i].to, copy };
		}
		free(w.c.a);
	}
	while (nq)
		free(q[--nq].c.a);
	free(q);
	free(by);
	free(first);
	return rc;
}

static int by_text(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

char *lockimport_graph_marker(const struct lockimport_graph *g, size_t node)
{
	const struct dnf *d = &g->m[node];
	char **terms = util_xcalloc(d->n + 1, sizeof(char *));
	struct util_buf b = UTIL_BUF_INIT;

	for (size_t i = 0; i < d->n; i++) {
		if (!d->c[i].n) {
			for (size_t k = 0; k < i; k++)
				free(terms[k]);
			free(terms);
			return NULL;
		}
		char **parts = util_xmalloc(d->c[i].n * sizeof(char *));
		struct util_buf t = UTIL_BUF_INIT;
		for (uint32_t k = 0; k < d->c[i].n; k++)
			parts[k] = g->atoms[d->c[i].a[k]];
		qsort(parts, d->c[i].n, sizeof(char *), by_text);
		for (uint32_t k = 0; k < d->c[i].n; k++) {
			bool paren = d->c[i].n > 1 && strstr(parts[k], " or ");
			util_buf_printf(&t, "%s%s%s%s", k ? " and " : "", paren ? "(" : "", parts[k], paren ? ")" : "");
		}
		free(parts);
		terms[i] = util_buf_steal(&t);
	}
	qsort(terms, d->n, sizeof(char *), by_text);
	for (size_t i = 0; i < d->n; i++) {
		util_buf_printf(&b, "%s%s", i ? " or " : "", terms[i]);
		free(terms[i]);
	}
	free(terms);
	return util_buf_steal(&b);
}


long lockimport_graph_atom(struct lockimport_graph *g, const char *marker)
{
	for (size_t i = 0; i < g->natoms; i++)
		if (!strcmp(g->atoms[i], marker))
			return (long)i;
	if (g->natoms >= LOCKIMPORT_MAX_ATOMS)
		return -2;
	g->atoms = util_xrealloc(g->atoms, (g->natoms + 1) * sizeof(*g->atoms));
	g->atoms[g->natoms] = util_xstrdup(marker);
	return (long)g->natoms++;
}

size_t lockimport_graph_node(struct lockimport_graph *g)
{
	return g->nnodes++;
}

void lockimport_graph_edge(struct lockimport_graph *g, size_t from, size_t to, long atom)
{
	g->e = util_xrealloc(g->e, (g->ne + 1) * sizeof(*g->e));
	g->e[g->ne++] = (struct edge){ from, to, atom };
}

bool lockimport_graph_reached(const struct lockimport_graph *g, size_t node)
{
	return node < g->nnodes && g->m && g->m[node].n;
}

void lockimport_graph_fini(struct lockimport_graph *g)
{
	for (size_t i = 0; g->m && i < g->nnodes; i++) {
		for (size_t k = 0; k < g->m[i].n; k++)
			free(g->m[i].c[k].a);
		free(g->m[i].c);
	}
	free(g->m);
	for (size_t i = 0; i < g->natoms; i++)
		free(g->atoms[i]);
	free(g->atoms);
	free(g->e);
	memset(g, 0, sizeof(*g));
}
