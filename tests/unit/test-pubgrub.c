/* The solver on the examples of PubGrub's own documentation (solver.md):
 * each has one right answer, or one right explanation. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pep440.h"
#include "pubgrub.h"

/* An index: "name version: dep spec, dep spec" lines, versions of one
 * name ascending; "!" after the version makes it unusable. */
struct world {
	const char *const *lines;
	size_t n;
	struct pubgrub *s;
	char names[64][32];
	int ids[64];
	size_t nnames;
};

static const char *version_of(const char *line, char *out)
{
	const char *sp = strchr(line, ' '), *end = sp + strcspn(sp + 1, ":!") + 1;

	snprintf(out, 32, "%.*s", (int)(end - sp - 1), sp + 1);
	return end;
}

static int package(struct world *w, const char *name)
{
	const char *versions[32];
	char buf[32][32];
	size_t n = 0;

	for (size_t i = 0; i < w->nnames; i++)
		if (!strcmp(w->names[i], name))
			return w->ids[i];
	for (size_t i = 0; i < w->n; i++)
		if (!strncmp(w->lines[i], name, strlen(name)) && w->lines[i][strlen(name)] == ' ') {
			version_of(w->lines[i], buf[n]);
			versions[n] = buf[n];
			n++;
		}
	snprintf(w->names[w->nnames], 32, "%s", name);
	w->ids[w->nnames] = pubgrub_add_package(w->s, name, versions, n);
	return w->ids[w->nnames++];
}

/* The line of version v of package id. */
static const char *line_of(struct world *w, int id, int v)
{
	const char *name = pubgrub_package_name(w->s, id);
	int k = 0;

	for (size_t i = 0; i < w->n; i++)
		if (!strncmp(w->lines[i], name, strlen(name)) && w->lines[i][strlen(name)] == ' ' && k++ == v)
			return w->lines[i];
	return NULL;
}

static void depend(struct world *w, int id, int v, const char *deps)
{
	char copy[256], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", deps);
	for (char *d = strtok_r(copy, ",", &save); d; d = strtok_r(NULL, ",", &save)) {
		while (*d == ' ')
			d++;
		char name[32], text[64];
		size_t nl = strcspn(d, " <>=!~");
		snprintf(name, sizeof(name), "%.*s", (int)nl, d);
		const char *spec = d + nl;
		while (*spec == ' ')
			spec++;
		int dep = package(w, name);
		struct pep440_specset set;
		const char *why;
		snprintf(text, sizeof(text), "%s", spec);
		for (char *c = text; *c; c++)
			if (*c == ';')
				*c = ',';
		assert_int_equal(pep440_specset_parse(text, &set, &why), 0);
		struct pubgrub_set bits = pubgrub_set_new(w->s, dep);
		for (size_t i = 0; i < pubgrub_nversions(w->s, dep); i++) {
			char vs[32];
			struct pep440_version pv;
			version_of(line_of(w, dep, (int)i), vs);
			assert_int_equal(pep440_parse(vs, &pv, &why), 0);
			if (pep440_specset_contains(&set, &pv))
				pubgrub_set_add(&bits, i);
		}
		snprintf(text, sizeof(text), "%s%s", name, spec);
		for (char *c = text; *c; c++)
			if (*c == ';')
				*c = ',';
		pubgrub_depend(w->s, id, v, dep, &bits, text);
		pubgrub_set_free(&bits);
	}
}

/* Newest first; "!" versions forbidden. */
static int choose(void *ctx, struct pubgrub *s, int pkg, const struct pubgrub_set *allowed)
{
	struct world *w = ctx;

	(void)s;
	if (pkg == PUBGRUB_ROOT) {
		depend(w, pkg, 0, w->lines[0]);
		return 0;
	}
	for (size_t i = allowed->nversions; i-- > 0;) {
		if (!pubgrub_set_has(allowed, i))
			continue;
		const char *line = line_of(w, pkg, (int)i), *rest = strpbrk(line, ":!");
		if (rest && *rest == '!') {
			struct pubgrub_set one = pubgrub_set_new(w->s, pkg);
			pubgrub_set_add(&one, i);
			pubgrub_forbid(w->s, pkg, &one, "is not signed by a key the policy trusts");
			pubgrub_set_free(&one);
			continue;
		}
		if (rest && rest[1])
			depend(w, pkg, (int)i, rest + 1);
		return (int)i;
	}
	return -1;
}

/* lines[0] is the root's dependencies; want is "name version ..." or the
 * explanation's expected fragments separated by '|'. */
static void solve(const char *const *lines, size_t n, const char *want, const char *explain)
{
	struct world w = { .lines = lines, .n = n };
	struct util_buf got = UTIL_BUF_INIT;

	w.s = pubgrub_new("root", choose, &w);
	int rc = pubgrub_solve(w.s);
	if (want) {
		if (rc != 0) {
			pubgrub_explain(w.s, &got);
			print_error("%s\n", util_buf_str(&got));
		}
		assert_int_equal(rc, 0);
		for (size_t i = 1; i < pubgrub_npackages(w.s); i++) {
			int v = pubgrub_selected(w.s, (int)i);
			char vs[32];
			if (v < 0)
				continue;
			version_of(line_of(&w, (int)i, v), vs);
			util_buf_printf(&got, "%s %s ", pubgrub_package_name(w.s, (int)i), vs);
		}
		if (strcmp(util_buf_str(&got), want))
			print_error("got '%s', want '%s'\n", got.data, want);
		assert_string_equal(got.data, want);
	} else {
		assert_int_equal(rc, 1);
		pubgrub_explain(w.s, &got);
		char copy[1024], *save = NULL;
		snprintf(copy, sizeof(copy), "%s", explain);
		for (char *frag = strtok_r(copy, "|", &save); frag; frag = strtok_r(NULL, "|", &save)) {
			if (!strstr(util_buf_str(&got), frag))
				print_error("'%s' not in:\n%s\n", frag, got.data);
			assert_non_null(strstr(got.data, frag));
		}
	}
	util_buf_free(&got);
	pubgrub_free(w.s);
}

#define SOLVE(lines, want) solve(lines, sizeof(lines) / sizeof(*lines), want, NULL)
#define FAIL(lines, why) solve(lines, sizeof(lines) / sizeof(*lines), NULL, why)

/* The root line is "root 0: deps"; package() never sees it as a name. */
static void test_no_conflict(void **state)
{
	static const char *const w[] = {
		"foo>=1.0.0;<2.0.0",
		"foo 1.0.0: bar>=1.0.0;<2.0.0",
		"bar 1.0.0", "bar 2.0.0",
	};
	(void)state;
	SOLVE(w, "foo 1.0.0 bar 1.0.0 ");
}

static void test_avoid_conflict_in_decision(void **state)
{
	static const char *const w[] = {
		"foo>=1.0.0;<2.0.0, bar>=1.0.0;<2.0.0",
		"foo 1.0.0", "foo 1.1.0: bar>=2.0.0;<3.0.0",
		"bar 1.0.0", "bar 1.1.0", "bar 2.0.0",
	};
	(void)state;
	SOLVE(w, "foo 1.0.0 bar 1.1.0 ");
}

static void test_conflict_resolution(void **state)
{
	static const char *const w[] = {
		"foo>=1.0.0",
		"foo 1.0.0", "foo 2.0.0: bar>=1.0.0;<2.0.0",
		"bar 1.0.0: foo>=1.0.0;<2.0.0",
	};
	(void)state;
	SOLVE(w, "foo 1.0.0 ");
}

static void test_partial_satisfier(void **state)
{
	static const char *const w[] = {
		"foo>=1.0.0;<2.0.0, target>=2.0.0;<3.0.0",
		"foo 1.0.0", "foo 1.1.0: left>=1.0.0;<2.0.0, right>=1.0.0;<2.0.0",
		"left 1.0.0: shared>=1.0.0",
		"right 1.0.0: shared<2.0.0",
		"shared 1.0.0: target>=1.0.0;<2.0.0", "shared 2.0.0",
		"target 1.0.0", "target 2.0.0",
	};
	(void)state;
	SOLVE(w, "foo 1.0.0 target 2.0.0 ");
}

static void test_linear_error(void **state)
{
	static const char *const w[] = {
		"foo>=1.0.0;<2.0.0, baz>=1.0.0;<2.0.0",
		"foo 1.0.0: bar>=2.0.0;<3.0.0",
		"bar 2.0.0: baz>=3.0.0;<4.0.0",
		"baz 1.0.0", "baz 3.0.0",
	};
	(void)state;
	FAIL(w, "Because foo 1.0.0 depends on bar>=2.0.0,<3.0.0 and bar 2.0.0 depends on "
		"baz>=3.0.0,<4.0.0, foo 1.0.0 requires baz 3.0.0.\n"
		"So, because root depends on foo>=1.0.0,<2.0.0 and root depends on baz>=1.0.0,<2.0.0, "
		"no set of versions satisfies root's requirements.\n");
}

static void test_branching_error(void **state)
{
	static const char *const w[] = {
		"foo>=1.0.0;<2.0.0",
		"foo 1.0.0: a>=1.0.0;<2.0.0, b>=1.0.0;<2.0.0",
		"foo 1.1.0: x>=1.0.0;<2.0.0, y>=1.0.0;<2.0.0",
		"a 1.0.0: b>=2.0.0;<3.0.0",
		"b 1.0.0", "b 2.0.0",
		"x 1.0.0: y>=2.0.0;<3.0.0",
		"y 1.0.0", "y 2.0.0",
	};
	(void)state;
	FAIL(w, "foo 1.0.0 requires b 2.0.0.\nSo, because foo 1.0.0 depends on b>=1.0.0,<2.0.0, foo 1.0.0 is "
		"forbidden. (1)\n\n|x 1.0.0 depends on y>=2.0.0,<3.0.0|"
		"foo 1.1.0 is forbidden.\nAnd because foo 1.0.0 is forbidden (1), every version of foo is forbidden.\n"
		"So, because root depends on foo>=1.0.0,<2.0.0, no set of versions satisfies root's requirements.\n");
}

static void test_forbidden_versions(void **state)
{
	static const char *const signed_old[] = {
		"alpha>=1",
		"alpha 1.0", "alpha 2.0!",
	};
	static const char *const none_signed[] = {
		"alpha>=2",
		"alpha 1.0", "alpha 2.0!", "alpha 3.0!",
	};
	(void)state;
	SOLVE(signed_old, "alpha 1.0 ");
	FAIL(none_signed, "is not signed by a key the policy trusts|root depends on alpha>=2");
}

static void test_missing_version(void **state)
{
	static const char *const w[] = {
		"alpha>=5",
		"alpha 1.0",
	};
	(void)state;
	FAIL(w, "root depends on alpha>=5, which no version of alpha on the index matches");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_conflict),
		cmocka_unit_test(test_avoid_conflict_in_decision),
		cmocka_unit_test(test_conflict_resolution),
		cmocka_unit_test(test_partial_satisfier),
		cmocka_unit_test(test_linear_error),
		cmocka_unit_test(test_branching_error),
		cmocka_unit_test(test_forbidden_versions),
		cmocka_unit_test(test_missing_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
