#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "pep440.h"

static struct pep440_version V(const char *s)
{
	struct pep440_version v;
	const char *why;

	if (pep440_parse(s, &v, &why) < 0)
		fail_msg("'%s' did not parse: %s", s, why);
	return v;
}

static void assert_normal(const char *in, const char *want)
{
	struct pep440_version v = V(in);
	char buf[256];

	pep440_format(&v, buf, sizeof(buf));
	if (strcmp(buf, want))
		fail_msg("'%s' normalised to '%s', want '%s'", in, buf, want);
}

static void test_normalisation(void **state)
{
	assert_normal("1.0", "1.0");
	assert_normal("v1.0", "1.0");
	assert_normal(" 1.0\n", "1.0");
	assert_normal("1.0a", "1.0a0");
	assert_normal("1.0-alpha.1", "1.0a1");
	assert_normal("1.0.BETA2", "1.0b2");
	assert_normal("1.0c1", "1.0rc1");
	assert_normal("1.0pre1", "1.0rc1");
	assert_normal("1.0preview_3", "1.0rc3");
	assert_normal("1.0-1", "1.0.post1");
	assert_normal("1.0.rev4", "1.0.post4");
	assert_normal("1.0r", "1.0.post0");
	assert_normal("1.0-post-2", "1.0.post2");
	assert_normal("1.0.dev", "1.0.dev0");
	assert_normal("1.0DEV-3", "1.0.dev3");
	assert_normal("01.002.0003", "1.2.3");
	assert_normal("1!2.0rc1.post3.dev4+Ubuntu-1_2", "1!2.0rc1.post3.dev4+ubuntu.1.2");
	assert_normal("0!1.0", "1.0");
}

static void test_invalid(void **state)
{
	static const char *const bad[] = {
		"", "a", "1.0+", "1.0+abc.", "1..0", "1.0junk", "1.0-", "1!", "1.0 a",
		"99999999999999999999999", "1.0+a..b",
	};
	struct pep440_version v;
	const char *why;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (pep440_parse(bad[i], &v, &why) == 0)
			fail_msg("'%s' parsed but is not a version", bad[i]);
}

static void test_ordering(void **state)
{
	/* The order from the spec's "Summary of permitted suffixes and relative ordering". */
	static const char *const order[] = {
		"1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456",
		"1.0b2", "1.0b2.post345.dev456", "1.0b2.post345", "1.0rc1.dev456", "1.0rc1", "1.0",
		"1.0+abc.5", "1.0+abc.7", "1.0+5", "1.0.post456.dev34", "1.0.post456", "1.0.15",
		"1.1.dev1", "1!0.1",
	};
	size_t n = sizeof(order) / sizeof(order[0]);

	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < n; k++) {
			struct pep440_version a = V(order[i]), b = V(order[k]);
			int r = pep440_compare(&a, &b), want = i < k ? -1 : i > k;
			if ((r > 0) - (r < 0) != want)
				fail_msg("compare(%s, %s) = %d, want %d", order[i], order[k], r, want);
		}
	struct pep440_version a = V("1.0"), b = V("1.0.0.0");
	assert_int_equal(pep440_compare(&a, &b), 0);
}

static bool contains(const char *spec, const char *version)
{
	struct pep440_specset set;
	const char *why;

	if (pep440_specset_parse(spec, &set, &why) < 0)
		fail_msg("specifier '%s' did not parse: %s", spec, why);
	struct pep440_version v = V(version);
	return pep440_specset_contains(&set, &v);
}

static void test_specifiers(void **state)
{
	assert_true(contains("~=2.2", "2.3"));
	assert_false(contains("~=2.2", "3.0"));
	assert_true(contains("~=1.4.5", "1.4.9"));
	assert_false(contains("~=1.4.5", "1.5.0"));
	assert_true(contains("~=2.2.post3", "2.2.post3"));
	assert_false(contains("~=2.2.post3", "2.2"));
	assert_true(contains("==1.1.*", "1.1.post1"));
	assert_true(contains("==1.1.*", "1.1"));
	assert_false(contains("==1.1.*", "1.10"));
	assert_false(contains("!=1.1.*", "1.1.3"));
	assert_true(contains("==1.1", "1.1.0"));
	assert_true(contains("==1.1", "1.1+local"));
	assert_false(contains("==1.1+other", "1.1+local"));
	assert_true(contains(">=1.0, <2", "1.9.9"));
	assert_false(contains(">=1.0, <2", "2.0"));
	assert_false(contains("<2", "2.0a1"));
	assert_true(contains("<2a5", "2.0a1"));
	assert_false(contains(">1.7", "1.7.post1"));
	assert_true(contains(">1.7.post2", "1.7.post3"));
	assert_false(contains(">1.7", "1.7+local"));
	assert_true(contains("===1.0", "1.0"));
	assert_true(contains("", "0.1"));
	assert_true(contains(">= 3.8", "3.11.2"));
	assert_false(contains("== 3.12.*", "3.11.2"));
}

static void test_bad_specifiers(void **state)
{
	static const char *const bad[] = {
		"~=1", "==1.0.*.post1", ">=1.0+local", "=>1.0", "1.0", ">=", "==1.0a1.*", ">=1.0,",
	};
	struct pep440_specset set;
	const char *why;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (pep440_specset_parse(bad[i], &set, &why) == 0)
			fail_msg("'%s' parsed but is not a specifier set", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalisation),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_ordering),
		cmocka_unit_test(test_specifiers),
		cmocka_unit_test(test_bad_specifiers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
