/* pubgrub: version solving by PubGrub (Natalie Weizenbaum's algorithm, as in
 * Dart's pub and uv): incompatibilities, unit propagation, conflict-driven
 * backtracking with learned incompatibilities, and the explanation a person
 * can read when there is no solution.
 *
 * Each package's versions are a finite list the caller gives (ascending), so
 * a term is a bit set over them plus one bit for "not selected": every set
 * operation the algorithm needs is a word-wise and/or/not. Packages, versions
 * and what depends on what come from the caller (a provider callback); the
 * solver knows nothing of indexes, files or markers. */
#ifndef PYLOCK_PUBGRUB_H
#define PYLOCK_PUBGRUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define PUBGRUB_ROOT 0			/* the root package's id; its only version is 0 */

struct pubgrub;

/* A set of a package's versions: bit i is versions[i]. */
struct pubgrub_set {
	uint64_t *bits;
	size_t nversions;
};

/* Called when the solver must pick a version of pkg among allowed (a set
 * over its versions; at least one bit set). The provider tries versions in
 * its order of preference: one it cannot use it forbids
 * (pubgrub_forbid, with the reason), one it can use it returns after
 * adding its dependencies (pubgrub_depend). Returns the version, -1 when
 * every allowed version was forbidden, -2 on an error that stops solving. */
typedef int (*pubgrub_choose_fn)(void *ctx, struct pubgrub *s, int pkg, const struct pubgrub_set *allowed);

struct pubgrub *pubgrub_new(const char *root_name, pubgrub_choose_fn choose, void *ctx);
void pubgrub_free(struct pubgrub *s);

/* Registers a package with its versions (display strings, ascending);
 * returns its id. The strings are copied. */
int pubgrub_add_package(struct pubgrub *s, const char *name, const char *const *versions, size_t n);
size_t pubgrub_nversions(const struct pubgrub *s, int pkg);
const char *pubgrub_package_name(const struct pubgrub *s, int pkg);

/* A set over pkg's versions, empty; the caller fills bits and frees it
 * with pubgrub_set_free. */
struct pubgrub_set pubgrub_set_new(const struct pubgrub *s, int pkg);
void pubgrub_set_free(struct pubgrub_set *set);
static inline void pubgrub_set_add(struct pubgrub_set *set, size_t v)
{
	set->bits[v / 64] |= (uint64_t)1 << (v % 64);
}
static inline bool pubgrub_set_has(const struct pubgrub_set *set, size_t v)
{
	return set->bits[v / 64] >> (v % 64) & 1;
}

/* pkg at version v needs dep within set; text is how a person wrote it
 * ("beta>=2"), used in explanations. */
void pubgrub_depend(struct pubgrub *s, int pkg, int v, int dep, const struct pubgrub_set *set, const char *text);
/* The versions in set of pkg cannot be used; reason completes "beta 2.0 "
 * (e.g. "is not signed by a key the policy trusts"). */
void pubgrub_forbid(struct pubgrub *s, int pkg, const struct pubgrub_set *set, const char *reason);

/* Solves. 0: a solution (pubgrub_selected), 1: none (pubgrub_explain), -1:
 * the provider stopped it. */
int pubgrub_solve(struct pubgrub *s);
/* The version chosen for pkg, or -1 when the solution leaves it out. */
int pubgrub_selected(const struct pubgrub *s, int pkg);
size_t pubgrub_npackages(const struct pubgrub *s);
/* Why there is no solution, as numbered sentences. */
void pubgrub_explain(const struct pubgrub *s, struct util_buf *out);
/* Counters, for benchmarks and tests: decisions, conflicts, incompatibilities. */
void pubgrub_stats(const struct pubgrub *s, size_t *decisions, size_t *conflicts, size_t *incompatibilities);

#endif
