/* PubGrub over finite version lists: see pubgrub.h. The algorithm follows
 * pub's solver.md (unit propagation, conflict resolution, decision making,
 * error reporting); a term is a bit set over a package's versions with one
 * more bit, "not selected", so a positive term lacks it and a negative term
 * has it. */
#include "config.h"
#include "pubgrub.h"

#include <stdlib.h>
#include <string.h>

enum cause { CAUSE_ROOT, CAUSE_DEPENDENCY, CAUSE_FORBID, CAUSE_DERIVED };

struct term {
	int pkg;
	uint64_t *bits;
};

struct incompat {
	struct term *terms;
	size_t nterms;
	enum cause cause;
	int cause1, cause2;	/* derived: the two it was resolved from */
	char *text;		/* dependency: the requirement; forbid: the reason */
	bool retired;		/* merged into a wider one: no longer watched */
};

struct assignment {
	int pkg;
	int level;
	int cause;		/* the incompatibility it was derived from; -1: a decision */
	uint64_t *bits;
};

struct package {
	char *name;
	char **versions;
	size_t n, words;
	uint64_t *acc;		/* intersection of its assignments (all ones: none) */
	int *assigns;		/* its assignments, in order */
	size_t nassigns, capassigns;
	int decided;
	int *watch;		/* incompatibilities that name it */
	size_t nwatch, capwatch;
};

struct pubgrub {
	struct package *pkgs;
	size_t npkgs, cappkgs;
	struct incompat *incs;
	size_t nincs, capincs;
	struct assignment *as;
	size_t nas, capas;
	int level;
	int failure;
	pubgrub_choose_fn choose;
	void *ctx;
	size_t decisions, conflicts;
};

enum relation { SATISFIED, ALMOST, CONTRADICTED, INCONCLUSIVE };

/* ---- bit sets ---- */

static uint64_t *bits_new(const struct package *p)
{
	return util_xcalloc(p->words, sizeof(uint64_t));
}

static uint64_t *bits_dup(const struct package *p, const uint64_t *b)
{
	uint64_t *d = util_xmalloc(p->words * sizeof(uint64_t));

	memcpy(d, b, p->words * sizeof(uint64_t));
	return d;
}

/* Every version, and "not selected". */
static void bits_universe(const struct package *p, uint64_t *b)
{
	size_t total = p->n + 1;

	for (size_t i = 0; i < p->words; i++)
		b[i] = ~(uint64_t)0;
	if (total % 64)
		b[p->words - 1] = ((uint64_t)1 << (total % 64)) - 1;
}

static void bits_complement(const struct package *p, uint64_t *b)
{
	uint64_t *u = bits_new(p);

	bits_universe(p, u);
	for (size_t i = 0; i < p->words; i++)
		b[i] = ~b[i] & u[i];
	free(u);
}

static bool bits_subset(const struct package *p, const uint64_t *a, const uint64_t *b)
{
	for (size_t i = 0; i < p->words; i++)
		if (a[i] & ~b[i])
			return false;
	return true;
}

static bool bits_disjoint(const struct package *p, const uint64_t *a, const uint64_t *b)
{
	for (size_t i = 0; i < p->words; i++)
		if (a[i] & b[i])
			return false;
	return true;
}

static bool bits_equal(const struct package *p, const uint64_t *a, const uint64_t *b)
{
	return !memcmp(a, b, p->words * sizeof(uint64_t));
}

static bool bits_has(const uint64_t *b, size_t i)
{
	return b[i / 64] >> (i % 64) & 1;
}

static bool bits_is_universe(const struct package *p, const uint64_t *b)
{
	uint64_t *u = bits_new(p);
	bool eq;

	bits_universe(p, u);
	eq = bits_equal(p, b, u);
	free(u);
	return eq;
}

static size_t bits_count_versions(const struct package *p, const uint64_t *b)
{
	size_t c = 0;

	for (size_t i = 0; i < p->n; i++)
		c += bits_has(b, i);
	return c;
}

/* ---- packages and incompatibilities ---- */

int pubgrub_add_package(struct pubgrub *s, const char *name, const char *const *versions, size_t n)
{
	struct package *p;

	if (s->npkgs == s->cappkgs) {
		s->cappkgs = s->cappkgs ? 2 * s->cappkgs : 64;
		s->pkgs = util_xrealloc(s->pkgs, s->cappkgs * sizeof(*s->pkgs));
	}
	p = &s->pkgs[s->npkgs];
	memset(p, 0, sizeof(*p));
	p->name = util_xstrdup(name);
	p->n = n;
	p->versions = util_xcalloc(n ? n : 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		p->versions[i] = util_xstrdup(versions[i]);
	p->words = (n + 1 + 63) / 64;
	p->acc = bits_new(p);
	bits_universe(p, p->acc);
	p->decided = -1;
	return (int)s->npkgs++;
}

size_t pubgrub_nversions(const struct pubgrub *s, int pkg)
{
	return s->pkgs[pkg].n;
}

const char *pubgrub_package_name(const struct pubgrub *s, int pkg)
{
	return s->pkgs[pkg].name;
}

size_t pubgrub_npackages(const struct pubgrub *s)
{
	return s->npkgs;
}

struct pubgrub_set pubgrub_set_new(const struct pubgrub *s, int pkg)
{
	return (struct pubgrub_set){ .bits = bits_new(&s->pkgs[pkg]), .nversions = s->pkgs[pkg].n };
}

void pubgrub_set_free(struct pubgrub_set *set)
{
	free(set->bits);
	set->bits = NULL;
}

static void watch(struct pubgrub *s, int pkg, int inc)
{
	struct package *p = &s->pkgs[pkg];

	if (p->nwatch == p->capwatch) {
		p->capwatch = p->capwatch ? 2 * p->capwatch : 8;
		p->watch = util_xrealloc(p->watch, p->capwatch * sizeof(int));
	}
	p->watch[p->nwatch++] = inc;
}

/* Takes the terms (and their bits); watched by every package they name. */
static int add_incompat(struct pubgrub *s, struct term *terms, size_t n, enum cause cause, int c1, int c2,
			const char *text)
{
	struct incompat *inc;

	if (s->nincs == s->capincs) {
		s->capincs = s->capincs ? 2 * s->capincs : 256;
		s->incs = util_xrealloc(s->incs, s->capincs * sizeof(*s->incs));
	}
	inc = &s->incs[s->nincs];
	*inc = (struct incompat){ .terms = terms, .nterms = n, .cause = cause, .cause1 = c1, .cause2 = c2,
				  .text = text ? util_xstrdup(text) : NULL };
	for (size_t i = 0; i < n; i++)
		watch(s, terms[i].pkg, (int)s->nincs);
	return (int)s->nincs++;
}

/* Positive bits from a caller's set: the versions, never "not selected". */
static uint64_t *positive(const struct package *p, const struct pubgrub_set *set)
{
	uint64_t *b = bits_dup(p, set->bits);

	b[p->n / 64] &= ~((uint64_t)1 << (p->n % 64));
	return b;
}

void pubgrub_depend(struct pubgrub *s, int pkg, int v, int dep, const struct pubgrub_set *set, const char *text)
{
	struct package *p = &s->pkgs[pkg], *d = &s->pkgs[dep];
	uint64_t *want = positive(d, set);
	struct term *terms = util_xcalloc(2, sizeof(*terms));

	/* {pkg v, not dep in set} */
	bits_complement(d, want);
	terms[0] = (struct term){ pkg, bits_new(p) };
	terms[0].bits[v / 64] |= (uint64_t)1 << (v % 64);
	terms[1] = (struct term){ dep, want };
	/* Another version of pkg that needs the same: one incompatibility
	 * for both ("alpha >=1.0,<=1.2 depends on beta>=2"), so
	 * explanations stay short and propagation has less to look at. */
	for (size_t i = p->nwatch; i-- > 0;) {
		struct incompat *o = &s->incs[p->watch[i]];
		if (o->retired || o->cause != CAUSE_DEPENDENCY || o->terms[0].pkg != pkg || o->terms[1].pkg != dep ||
		    strcmp(o->text, text) || !bits_equal(d, o->terms[1].bits, want))
			continue;
		for (size_t w = 0; w < p->words; w++)
			terms[0].bits[w] |= o->terms[0].bits[w];
		o->retired = true;
		break;
	}
	add_incompat(s, terms, 2, CAUSE_DEPENDENCY, -1, -1, text);
}

void pubgrub_forbid(struct pubgrub *s, int pkg, const struct pubgrub_set *set, const char *reason)
{
	struct term *t = util_xcalloc(1, sizeof(*t));

	t->pkg = pkg;
	t->bits = positive(&s->pkgs[pkg], set);
	add_incompat(s, t, 1, CAUSE_FORBID, -1, -1, reason);
}

/* ---- the partial solution ---- */

static void assign(struct pubgrub *s, int pkg, uint64_t *bits, int cause)
{
	struct package *p = &s->pkgs[pkg];

	if (s->nas == s->capas) {
		s->capas = s->capas ? 2 * s->capas : 256;
		s->as = util_xrealloc(s->as, s->capas * sizeof(*s->as));
	}
	if (cause < 0)
		s->level++;
	s->as[s->nas] = (struct assignment){ .pkg = pkg, .level = s->level, .cause = cause, .bits = bits };
	if (p->nassigns == p->capassigns) {
		p->capassigns = p->capassigns ? 2 * p->capassigns : 8;
		p->assigns = util_xrealloc(p->assigns, p->capassigns * sizeof(int));
	}
	p->assigns[p->nassigns++] = (int)s->nas++;
	for (size_t i = 0; i < p->words; i++)
		p->acc[i] &= bits[i];
}

/* not t, derived from incompatibility cause. */
static void derive(struct pubgrub *s, const struct term *t, int cause)
{
	const struct package *p = &s->pkgs[t->pkg];
	uint64_t *b = bits_dup(p, t->bits);

	bits_complement(p, b);
	assign(s, t->pkg, b, cause);
}

static void decide(struct pubgrub *s, int pkg, int v)
{
	struct package *p = &s->pkgs[pkg];
	uint64_t *b = bits_new(p);

	b[v / 64] |= (uint64_t)1 << (v % 64);
	p->decided = v;
	s->decisions++;
	assign(s, pkg, b, -1);
}

static void backtrack(struct pubgrub *s, int level)
{
	while (s->nas && s->as[s->nas - 1].level > level) {
		struct assignment *a = &s->as[--s->nas];
		struct package *p = &s->pkgs[a->pkg];
		if (a->cause < 0)
			p->decided = -1;
		p->nassigns--;
		free(a->bits);
		bits_universe(p, p->acc);
		for (size_t i = 0; i < p->nassigns; i++)
			for (size_t w = 0; w < p->words; w++)
				p->acc[w] &= s->as[p->assigns[i]].bits[w];
	}
	s->level = level;
}

static enum relation relation(const struct pubgrub *s, const struct incompat *inc, size_t *unsat)
{
	bool have = false;

	for (size_t i = 0; i < inc->nterms; i++) {
		const struct term *t = &inc->terms[i];
		const struct package *p = &s->pkgs[t->pkg];
		if (bits_subset(p, p->acc, t->bits))
			continue;
		if (bits_disjoint(p, p->acc, t->bits))
			return CONTRADICTED;
		if (have)
			return INCONCLUSIVE;
		have = true;
		*unsat = i;
	}
	return have ? ALMOST : SATISFIED;
}

/* ---- conflict resolution ---- */

static bool is_failure(const struct pubgrub *s, const struct incompat *inc)
{
	size_t real = 0;
	bool root_only = true;

	for (size_t i = 0; i < inc->nterms; i++) {
		const struct term *t = &inc->terms[i];
		if (bits_is_universe(&s->pkgs[t->pkg], t->bits))
			continue;
		real++;
		if (t->pkg != PUBGRUB_ROOT || bits_has(t->bits, s->pkgs[t->pkg].n))
			root_only = false;
	}
	return real == 0 || (real == 1 && root_only);
}

/* The index in the partial solution of the earliest assignment after
 * which pkg's assignments (intersected with extra, when given) lie within
 * bits; -1 when that holds before any (or, with limit, never before it). */
static long satisfier_of(const struct pubgrub *s, int pkg, const uint64_t *bits, const uint64_t *extra, long limit)
{
	const struct package *p = &s->pkgs[pkg];
	uint64_t *run = bits_new(p);
	long found = -2;

	bits_universe(p, run);
	if (extra)
		for (size_t w = 0; w < p->words; w++)
			run[w] &= extra[w];
	if (bits_subset(p, run, bits))
		found = -1;
	for (size_t i = 0; found == -2 && i < p->nassigns && (limit < 0 || p->assigns[i] < limit); i++) {
		for (size_t w = 0; w < p->words; w++)
			run[w] &= s->as[p->assigns[i]].bits[w];
		if (bits_subset(p, run, bits))
			found = p->assigns[i];
	}
	free(run);
	return found;
}

/* Adds terms to a growing list, intersecting those of one package. */
static void merge_term(struct pubgrub *s, struct term **terms, size_t *n, int pkg, const uint64_t *bits)
{
	const struct package *p = &s->pkgs[pkg];

	for (size_t i = 0; i < *n; i++)
		if ((*terms)[i].pkg == pkg) {
			for (size_t w = 0; w < p->words; w++)
				(*terms)[i].bits[w] &= bits[w];
			return;
		}
	*terms = util_xrealloc(*terms, (*n + 1) * sizeof(**terms));
	(*terms)[(*n)++] = (struct term){ pkg, bits_dup(p, bits) };
}

/* Returns the incompatibility to propagate after backtracking, or -1 when
 * there is no solution (s->failure says why). */
static int resolve_conflict(struct pubgrub *s, int inc_id)
{
	s->conflicts++;
	for (;;) {
		const struct incompat *inc = &s->incs[inc_id];
		long sat = -1, prev = -1;
		size_t k = 0;

		if (is_failure(s, inc)) {
			s->failure = inc_id;
			return -1;
		}
		for (size_t i = 0; i < inc->nterms; i++) {
			long at = satisfier_of(s, inc->terms[i].pkg, inc->terms[i].bits, NULL, -1);
			if (at > sat) {
				if (sat >= 0 && sat > prev)
					prev = sat;
				sat = at;
				k = i;
			} else if (at > prev) {
				prev = at;
			}
		}
		if (sat < 0) {
			s->failure = inc_id;
			return -1;
		}
		const struct term *term = &inc->terms[k];
		const struct assignment *a = &s->as[sat];
		const struct package *p = &s->pkgs[term->pkg];
		if (!bits_subset(p, a->bits, term->bits)) {
			long before = satisfier_of(s, term->pkg, term->bits, a->bits, sat);
			if (before > prev)
				prev = before;
		}
		int prev_level = prev >= 0 ? s->as[prev].level : 1;
		if (a->cause < 0 || prev_level != a->level) {
			backtrack(s, prev_level);
			return inc_id;
		}
		/* The rule of resolution: inc and the satisfier's cause, without
		 * the satisfier's package, plus not (satisfier \ term). */
		struct term *terms = NULL;
		size_t n = 0;
		const struct incompat *why = &s->incs[a->cause];
		for (size_t i = 0; i < inc->nterms; i++)
			if (inc->terms[i].pkg != a->pkg)
				merge_term(s, &terms, &n, inc->terms[i].pkg, inc->terms[i].bits);
		for (size_t i = 0; i < why->nterms; i++)
			if (why->terms[i].pkg != a->pkg)
				merge_term(s, &terms, &n, why->terms[i].pkg, why->terms[i].bits);
		if (!bits_subset(p, a->bits, term->bits)) {
			uint64_t *diff = bits_dup(p, term->bits);
			bits_complement(p, diff);
			for (size_t w = 0; w < p->words; w++)
				diff[w] &= a->bits[w];
			bits_complement(p, diff);
			merge_term(s, &terms, &n, a->pkg, diff);
			free(diff);
		}
		/* A term every choice satisfies says nothing. */
		for (size_t i = 0; i < n;) {
			if (bits_is_universe(&s->pkgs[terms[i].pkg], terms[i].bits)) {
				free(terms[i].bits);
				terms[i] = terms[--n];
			} else {
				i++;
			}
		}
		inc_id = add_incompat(s, terms, n, CAUSE_DERIVED, inc_id, a->cause, NULL);
	}
}

static int propagate(struct pubgrub *s, int start)
{
	int *changed = util_xmalloc(s->npkgs * sizeof(int));
	bool *queued = util_xcalloc(s->npkgs, sizeof(bool));
	size_t nchanged = 0;
	int rc = 0;

	changed[nchanged++] = start;
	queued[start] = true;
	while (nchanged) {
		int pkg = changed[--nchanged];
		queued[pkg] = false;
		for (size_t i = s->pkgs[pkg].nwatch; i-- > 0;) {
			int id = s->pkgs[pkg].watch[i];
			size_t u;
			if (s->incs[id].retired)
				continue;
			enum relation r = relation(s, &s->incs[id], &u);
			if (r == SATISFIED) {
				int root = resolve_conflict(s, id);
				if (root < 0) {
					rc = -1;
					goto out;
				}
				if (relation(s, &s->incs[root], &u) != ALMOST) {
					s->failure = root;
					rc = -1;
					goto out;
				}
				derive(s, &s->incs[root].terms[u], root);
				for (size_t c = 0; c < nchanged; c++)
					queued[changed[c]] = false;
				nchanged = 0;
				changed[nchanged++] = s->incs[root].terms[u].pkg;
				queued[changed[0]] = true;
				break;
			}
			if (r == ALMOST) {
				int q = s->incs[id].terms[u].pkg;
				derive(s, &s->incs[id].terms[u], id);
				if (!queued[q]) {
					changed[nchanged++] = q;
					queued[q] = true;
				}
			}
		}
	}
out:
	free(changed);
	free(queued);
	return rc;
}

/* ---- solving ---- */

struct pubgrub *pubgrub_new(const char *root_name, pubgrub_choose_fn choose, void *ctx)
{
	struct pubgrub *s = util_xcalloc(1, sizeof(*s));
	const char *v = "";
	struct term *t = util_xcalloc(1, sizeof(*t));

	s->choose = choose;
	s->ctx = ctx;
	s->failure = -1;
	pubgrub_add_package(s, root_name, &v, 1);
	/* {not root}: the root must be selected. */
	t->pkg = PUBGRUB_ROOT;
	t->bits = bits_new(&s->pkgs[0]);
	t->bits[0] = 2;
	add_incompat(s, t, 1, CAUSE_ROOT, -1, -1, NULL);
	return s;
}

void pubgrub_free(struct pubgrub *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->npkgs; i++) {
		struct package *p = &s->pkgs[i];
		free(p->name);
		for (size_t v = 0; v < p->n; v++)
			free(p->versions[v]);
		free(p->versions);
		free(p->acc);
		free(p->assigns);
		free(p->watch);
	}
	for (size_t i = 0; i < s->nincs; i++) {
		for (size_t t = 0; t < s->incs[i].nterms; t++)
			free(s->incs[i].terms[t].bits);
		free(s->incs[i].terms);
		free(s->incs[i].text);
	}
	for (size_t i = 0; i < s->nas; i++)
		free(s->as[i].bits);
	free(s->pkgs);
	free(s->incs);
	free(s->as);
	free(s);
}

/* The next package to decide: selected by a positive derivation, not yet
 * decided, with the fewest versions left (pub's heuristic: conflicts show
 * up sooner); -1 when every one is decided. */
static int next_package(const struct pubgrub *s)
{
	int best = -1;
	size_t best_count = 0;

	for (size_t i = 0; i < s->npkgs; i++) {
		const struct package *p = &s->pkgs[i];
		if (p->decided >= 0 || !p->nassigns || bits_has(p->acc, p->n))
			continue;
		size_t c = bits_count_versions(p, p->acc);
		if (best < 0 || c < best_count) {
			best = (int)i;
			best_count = c;
		}
	}
	return best;
}

int pubgrub_solve(struct pubgrub *s)
{
	int next = PUBGRUB_ROOT;

	for (;;) {
		if (propagate(s, next) < 0)
			return 1;
		int pkg = next_package(s);
		if (pkg < 0)
			return 0;
		struct package *p = &s->pkgs[pkg];
		struct pubgrub_set allowed = { .bits = bits_dup(p, p->acc), .nversions = p->n };
		size_t first = s->nincs;
		int v = s->choose(s->ctx, s, pkg, &allowed);
		pubgrub_set_free(&allowed);
		if (v == -2)
			return -1;
		next = pkg;
		if (v < 0)
			continue;
		p = &s->pkgs[pkg];
		/* A dependency the partial solution already rules out: no
		 * decision; propagation derives that this version is out. */
		bool conflict = false;
		for (size_t i = first; i < s->nincs && !conflict; i++) {
			const struct incompat *inc = &s->incs[i];
			bool all = true;
			for (size_t t = 0; t < inc->nterms && all; t++) {
				const struct package *q = &s->pkgs[inc->terms[t].pkg];
				if (inc->terms[t].pkg != pkg)
					all = bits_subset(q, q->acc, inc->terms[t].bits);
				else
					all = bits_has(inc->terms[t].bits, (size_t)v);
			}
			conflict = all && !inc->retired;
		}
		if (!conflict)
			decide(s, pkg, v);
	}
}

int pubgrub_selected(const struct pubgrub *s, int pkg)
{
	return s->pkgs[pkg].decided;
}

void pubgrub_stats(const struct pubgrub *s, size_t *decisions, size_t *conflicts, size_t *incompatibilities)
{
	*decisions = s->decisions;
	*conflicts = s->conflicts;
	*incompatibilities = s->nincs;
}

/* ---- explanations ---- */

/* "beta 2.0", "beta >=1.0,<=1.5 | 3.0", or just "beta" for every
 * version; the versions are positive bits. */
static void set_text(const struct pubgrub *s, int pkg, const uint64_t *bits, bool subject, struct util_buf *out)
{
	const struct package *p = &s->pkgs[pkg];
	size_t count = bits_count_versions(p, bits);
	bool first = true;

	if (pkg == PUBGRUB_ROOT) {
		util_buf_puts(out, p->name);
		return;
	}
	if (count == p->n && count > 1) {
		util_buf_printf(out, subject ? "every version of %s" : "%s", p->name);
		return;
	}
	if (!count) {
		util_buf_printf(out, "no version of %s", p->name);
		return;
	}
	util_buf_printf(out, "%s ", p->name);
	for (size_t i = 0; i < p->n;) {
		if (!bits_has(bits, i)) {
			i++;
			continue;
		}
		size_t j = i;
		while (j + 1 < p->n && bits_has(bits, j + 1))
			j++;
		if (!first)
			util_buf_puts(out, " | ");
		first = false;
		if (i == j)
			util_buf_puts(out, p->versions[i]);
		else if (i == 0)
			util_buf_printf(out, "<=%s", p->versions[j]);
		else if (j == p->n - 1)
			util_buf_printf(out, ">=%s", p->versions[i]);
		else
			util_buf_printf(out, ">=%s,<=%s", p->versions[i], p->versions[j]);
		i = j + 1;
	}
}

static bool term_negative(const struct pubgrub *s, const struct term *t)
{
	return bits_has(t->bits, s->pkgs[t->pkg].n);
}

/* A term as its versions: a negative one by what it rules out. */
static void term_text(const struct pubgrub *s, const struct term *t, bool subject, struct util_buf *out)
{
	const struct package *p = &s->pkgs[t->pkg];
	uint64_t *b = bits_dup(p, t->bits);

	if (term_negative(s, t))
		bits_complement(p, b);
	set_text(s, t->pkg, b, subject, out);
	free(b);
}

static void incompat_text(const struct pubgrub *s, int id, struct util_buf *out)
{
	const struct incompat *inc = &s->incs[id];
	const struct term *pos[2] = { 0 }, *neg[2] = { 0 };
	size_t npos = 0, nneg = 0, n = 0;

	switch (inc->cause) {
	case CAUSE_ROOT:
		util_buf_printf(out, "%s is the project being locked", s->pkgs[PUBGRUB_ROOT].name);
		return;
	case CAUSE_DEPENDENCY:
		term_text(s, &inc->terms[0], true, out);
		util_buf_printf(out, " depends on %s", inc->text);
		if (bits_is_universe(&s->pkgs[inc->terms[1].pkg], inc->terms[1].bits))
			util_buf_printf(out, ", which no version of %s on the index matches",
					s->pkgs[inc->terms[1].pkg].name);
		return;
	case CAUSE_FORBID:
		term_text(s, &inc->terms[0], true, out);
		util_buf_printf(out, " %s", inc->text);
		return;
	case CAUSE_DERIVED:
		break;
	}
	for (size_t i = 0; i < inc->nterms; i++) {
		const struct term *t = &inc->terms[i];
		n++;
		if (term_negative(s, t)) {
			if (nneg < 2)
				neg[nneg] = t;
			nneg++;
		} else {
			if (npos < 2)
				pos[npos] = t;
			npos++;
		}
	}
	if (n == 0 || (n == 1 && npos == 1 && pos[0]->pkg == PUBGRUB_ROOT)) {
		util_buf_printf(out, "no set of versions satisfies %s's requirements", s->pkgs[PUBGRUB_ROOT].name);
	} else if (n == 1 && npos == 1) {
		term_text(s, pos[0], true, out);
		util_buf_puts(out, " is forbidden");
	} else if (n == 1) {
		term_text(s, neg[0], false, out);
		util_buf_puts(out, " is required");
	} else if (n == 2 && npos == 1) {
		term_text(s, pos[0], true, out);
		util_buf_puts(out, " requires ");
		term_text(s, neg[0], false, out);
	} else if (n == 2 && npos == 2) {
		term_text(s, pos[0], true, out);
		util_buf_puts(out, " and ");
		term_text(s, pos[1], true, out);
		util_buf_puts(out, " are incompatible");
	} else if (n == 2) {
		util_buf_puts(out, "either ");
		term_text(s, neg[0], false, out);
		util_buf_puts(out, " or ");
		term_text(s, neg[1], false, out);
		util_buf_puts(out, " is required");
	} else {
		bool first = true;
		for (size_t i = 0; i < inc->nterms; i++) {
			if (term_negative(s, &inc->terms[i]))
				continue;
			util_buf_puts(out, first ? "" : " and ");
			term_text(s, &inc->terms[i], true, out);
			first = false;
		}
		util_buf_puts(out, first ? "one of " : " require one of ");
		first = true;
		for (size_t i = 0; i < inc->nterms; i++) {
			if (!term_negative(s, &inc->terms[i]))
				continue;
			util_buf_puts(out, first ? "" : ", ");
			term_text(s, &inc->terms[i], false, out);
			first = false;
		}
	}
}

struct report {
	const struct pubgrub *s;
	int *uses;		/* how many derivations use each incompatibility */
	int *line;		/* its line number, 0: none */
	int nlines;
	struct util_buf out;
};

static bool derived(const struct report *r, int id)
{
	return r->s->incs[id].cause == CAUSE_DERIVED;
}

static void count_uses(struct report *r, int id)
{
	if (r->uses[id]++ || !derived(r, id))
		return;
	count_uses(r, r->s->incs[id].cause1);
	count_uses(r, r->s->incs[id].cause2);
}

static void cite(struct report *r, int id)
{
	incompat_text(r->s, id, &r->out);
	if (r->line[id])
		util_buf_printf(&r->out, " (%d)", r->line[id]);
}

/* Ends a sentence begun in r->out; numbered, it gets the next number. */
static void end_line(struct report *r, int id, bool numbered)
{
	if (numbered) {
		r->line[id] = ++r->nlines;
		util_buf_printf(&r->out, " (%d)", r->line[id]);
	}
	util_buf_puts(&r->out, "\n");
}

static void visit(struct report *r, int id, bool conclusion)
{
	const struct incompat *inc = &r->s->incs[id];
	bool numbered = conclusion || r->uses[id] > 1;
	const char *and = conclusion || id == r->s->failure ? "So, because" : "And because";
	int c1 = inc->cause1, c2 = inc->cause2;

	if (derived(r, c1) && derived(r, c2)) {
		if (r->line[c1] && r->line[c2]) {
			util_buf_puts(&r->out, "Because ");
			cite(r, c1);
			util_buf_puts(&r->out, " and ");
			cite(r, c2);
		} else if (r->line[c1] || r->line[c2]) {
			int with = r->line[c1] ? c1 : c2, without = r->line[c1] ? c2 : c1;
			visit(r, without, false);
			util_buf_printf(&r->out, "%s ", and);
			cite(r, with);
		} else {
			const struct incompat *i1 = &r->s->incs[c1], *i2 = &r->s->incs[c2];
			bool single1 = !derived(r, i1->cause1) && !derived(r, i1->cause2);
			bool single2 = !derived(r, i2->cause1) && !derived(r, i2->cause2);
			if (single1 || single2) {
				visit(r, single2 ? c1 : c2, false);
				visit(r, single2 ? c2 : c1, false);
				util_buf_puts(&r->out, "Thus");
			} else {
				visit(r, c1, true);
				util_buf_puts(&r->out, "\n");
				visit(r, c2, false);
				util_buf_printf(&r->out, "%s ", and);
				cite(r, c1);
			}
		}
	} else if (derived(r, c1) || derived(r, c2)) {
		int d = derived(r, c1) ? c1 : c2, ext = derived(r, c1) ? c2 : c1;
		const struct incompat *di = &r->s->incs[d];
		bool collapsible = r->uses[d] <= 1 && !r->line[d] && (derived(r, di->cause1) != derived(r, di->cause2));
		if (collapsible) {
			int dd = derived(r, di->cause1) ? di->cause1 : di->cause2;
			collapsible = !r->line[dd];
		}
		if (r->line[d]) {
			util_buf_puts(&r->out, "Because ");
			cite(r, ext);
			util_buf_puts(&r->out, " and ");
			cite(r, d);
		} else if (collapsible) {
			int dd = derived(r, di->cause1) ? di->cause1 : di->cause2;
			int de = derived(r, di->cause1) ? di->cause2 : di->cause1;
			visit(r, dd, false);
			util_buf_printf(&r->out, "%s ", and);
			cite(r, de);
			util_buf_puts(&r->out, " and ");
			cite(r, ext);
		} else {
			visit(r, d, false);
			util_buf_printf(&r->out, "%s ", and);
			cite(r, ext);
		}
	} else {
		util_buf_puts(&r->out, "Because ");
		cite(r, c1);
		util_buf_puts(&r->out, " and ");
		cite(r, c2);
	}
	util_buf_puts(&r->out, ", ");
	incompat_text(r->s, id, &r->out);
	util_buf_puts(&r->out, ".");
	end_line(r, id, numbered);
}

void pubgrub_explain(const struct pubgrub *s, struct util_buf *out)
{
	struct report r = { .s = s, .out = UTIL_BUF_INIT };

	if (s->failure < 0)
		return;
	if (!derived(&r, s->failure)) {
		util_buf_puts(out, "Because ");
		incompat_text(s, s->failure, out);
		util_buf_puts(out, ", no set of versions satisfies the requirements.\n");
		return;
	}
	r.uses = util_xcalloc(s->nincs, sizeof(int));
	r.line = util_xcalloc(s->nincs, sizeof(int));
	count_uses(&r, s->failure);
	visit(&r, s->failure, false);
	util_buf_add(out, r.out.data, r.out.len);
	util_buf_free(&r.out);
	free(r.uses);
	free(r.line);
}
