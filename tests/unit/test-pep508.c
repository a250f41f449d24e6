#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "pep508.h"

static struct pep508_env linux_env(void)
{
	static const char *const extras[] = { "Socks" };
	static const char *const groups[] = { "dev" };
	struct pep508_env env = { 0 };

	env.vars[PEP508_PYTHON_VERSION] = "3.11";
	env.vars[PEP508_PYTHON_FULL_VERSION] = "3.11.2";
	env.vars[PEP508_OS_NAME] = "posix";
	env.vars[PEP508_SYS_PLATFORM] = "linux";
	env.vars[PEP508_PLATFORM_MACHINE] = "x86_64";
	env.vars[PEP508_PLATFORM_SYSTEM] = "Linux";
	env.vars[PEP508_PLATFORM_RELEASE] = "6.1.0-13-amd64";
	env.vars[PEP508_PLATFORM_PYTHON_IMPLEMENTATION] = "CPython";
	env.vars[PEP508_IMPLEMENTATION_NAME] = "cpython";
	env.vars[PEP508_IMPLEMENTATION_VERSION] = "3.11.2";
	env.vars[PEP508_EXTRA] = "Test_Extra";
	env.extras = extras;
	env.n_extras = 1;
	env.groups = groups;
	env.n_groups = 1;
	return env;
}

static bool eval(const char *marker)
{
	struct pep508_env env = linux_env();
	const char *why;
	size_t off;
	struct pep508_marker *m = pep508_parse(marker, &why, &off);
	bool r;

	if (!m)
		fail_msg("marker '%s' did not parse: %s at %zu", marker, why, off);
	r = pep508_eval(m, &env);
	pep508_free(m);
	return r;
}

static void test_eval(void **state)
{
	assert_true(eval("sys_platform == 'linux'"));
	assert_false(eval("sys_platform == 'win32'"));
	assert_true(eval("python_version >= '3.8'"));
	assert_true(eval("python_version > '3.9'"));	/* as versions: 3.11 > 3.9 */
	assert_false(eval("python_version < '3.9'"));
	assert_true(eval("python_full_version ~= '3.11.0'"));
	assert_true(eval("'3.10' <= python_version"));
	assert_true(eval("python_version == '3.11.*'"));
	assert_true(eval("platform_release >= '6'"));
	assert_true(eval("os_name == 'posix' and (sys_platform == 'win32' or platform_machine == 'x86_64')"));
	assert_false(eval("os_name == 'posix' and sys_platform == 'win32' or platform_machine == 'arm64'"));
	assert_true(eval("'x86' in platform_machine"));
	assert_true(eval("'arm' not in platform_machine"));
	assert_true(eval("extra == 'test-extra'"));	/* extra names compare normalised */
	assert_true(eval("'socks' in extras"));
	assert_false(eval("'http2' in extras"));
	assert_true(eval("'dev' in dependency_groups and 'docs' not in dependency_groups"));
	assert_true(eval("platform_system != \"Windows\""));
	assert_true(eval("implementation_name == 'cpython'"));
	assert_true(eval("sys.platform == 'linux'"));	/* legacy spelling */
	assert_false(eval("python_version ~= 'linux'"));	/* undefined comparison */
}

static void test_parse_errors(void **state)
{
	static const char *const bad[] = {
		"", "sys_platform", "sys_platform = 'linux'", "sys_platform == linux",
		"(sys_platform == 'linux'", "sys_platform == 'linux' and", "python_version == python_version",
		"nonsense == 'x'", "sys_platform == 'linux' xor os_name == 'posix'", "'a == 'b'",
	};
	const char *why;
	size_t off;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct pep508_marker *m = pep508_parse(bad[i], &why, &off);
		if (m) {
			pep508_free(m);
			fail_msg("'%s' parsed but is not a marker", bad[i]);
		}
		assert_non_null(why);
	}
	char deep[300];
	memset(deep, '(', 100);
	strcpy(deep + 100, "os_name == 'x'");
	memset(deep + strlen(deep), ')', 100);
	deep[214] = '\0';
	assert_null(pep508_parse(deep, &why, &off));
	assert_string_equal(why, "parentheses nested too deeply");
}

static void test_names(void **state)
{
	char out[64];

	pep508_normalize_name("Foo.Bar__baz--Qux", out);
	assert_string_equal(out, "foo-bar-baz-qux");
	assert_true(pep508_is_normalized("foo-bar"));
	assert_false(pep508_is_normalized("Foo_bar"));
	assert_true(pep508_valid_name("a"));
	assert_true(pep508_valid_name("zope.interface"));
	assert_false(pep508_valid_name("-foo"));
	assert_false(pep508_valid_name("foo-"));
	assert_false(pep508_valid_name("foo bar"));
	assert_false(pep508_valid_name(""));
}

static void test_requirements(void **state)
{
	struct pep508_requirement r;
	const char *why;
	size_t at;

	(void)state;
	assert_int_equal(pep508_requirement_parse("requests", &r, &why, &at), 0);
	assert_string_equal(r.name, "requests");
	assert_int_equal(r.spec.n, 0);
	assert_null(r.marker);
	pep508_requirement_fini(&r);

	const char *full = " Requests [security , socks]( >=2.8.1, ==2.8.* ) ; python_version < \"2.7\"";
	assert_int_equal(pep508_requirement_parse(full, &r, &why, &at), 0);
	assert_string_equal(r.name, "Requests");
	assert_int_equal(r.nextras, 2);
	assert_string_equal(r.extras[1], "socks");
	assert_int_equal(r.spec.n, 2);
	assert_non_null(r.marker);
	assert_int_equal(r.head_len, strlen(" Requests [security , socks]( >=2.8.1, ==2.8.* )"));
	assert_string_equal(full + r.marker_at, "python_version < \"2.7\"");
	pep508_requirement_fini(&r);

	assert_int_equal(pep508_requirement_parse("name>=3,<4;os_name=='posix'", &r, &why, &at), 0);
	assert_int_equal(r.spec.n, 2);
	assert_int_equal(r.head_len, strlen("name>=3,<4"));
	pep508_requirement_fini(&r);

	assert_int_equal(pep508_requirement_parse("pip @ https://x.example/pip-1.0.whl ; extra == 'a'", &r, &why, &at), 0);
	assert_string_equal(r.url, "https://x.example/pip-1.0.whl");
	assert_non_null(r.marker);
	pep508_requirement_fini(&r);
	/* Without a blank, a ';' belongs to the URL. */
	assert_int_equal(pep508_requirement_parse("pip@https://x.example/a.whl;x", &r, &why, &at), 0);
	assert_string_equal(r.url, "https://x.example/a.whl;x");
	assert_null(r.marker);
	pep508_requirement_fini(&r);

	static const struct {
		const char *text;
		size_t at;
		const char *why;
	} bad[] = {
		{ "", 0, "expected a project name" },
		{ "-pkg", 0, "expected a project name" },
		{ "pkg-", 0, "expected a project name" },
		{ "pkg[a,", 6, "expected an extra's name" },
		{ "pkg[a b]", 6, "expected ',' or ']'" },
		{ "pkg (>=1", 8, "expected ')'" },
		{ "pkg 1.0", 4, "expected a version specifier" },
		{ "pkg >=1 ; os_name ==", 20, "" },
		{ "pkg @", 5, "expected a URL" },
		{ "pkg @ https://x/y z", 18, "expected ';' or the end" },
		{ "pkg (>=1) x", 10, "expected ';' or the end" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = pep508_requirement_parse(bad[i].text, &r, &why, &at);
		if (rc == 0 || at != bad[i].at || !strstr(why, bad[i].why))
			print_error("%s: rc %d at %zu: %s\n", bad[i].text, rc, at, rc ? why : "");
		assert_int_equal(rc, -1);
		assert_int_equal(at, bad[i].at);
		assert_non_null(strstr(why, bad[i].why));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eval),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_requirements),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
