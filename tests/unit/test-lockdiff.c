#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lockdiff.h"

#define H1 "c75a69e28a550a7e93789579c22aa26b0f5b83b75dc4e08fe092980051e1090a"
#define H2 "d75a69e28a550a7e93789579c22aa26b0f5b83b75dc4e08fe092980051e1090a"
#define HEAD "lock-version = '1.0'\ncreated-by = 'test'\n"

static struct lock *parse(const char *s)
{
	struct pl_error err;
	struct lock *l = lock_parse(s, strlen(s), "t", &err);

	if (!l)
		fail_msg("did not parse: %d:%d %s", err.line, err.col, err.msg);
	return l;
}

static const struct lockdiff_change *find(const struct lockdiff *d, const char *name)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->changes[i].name, name))
			return &d->changes[i];
	return NULL;
}

static void test_same_version_changes(void **state)
{
	struct lock *a = parse(HEAD
		"environments = [\"sys_platform == 'linux'\"]\n"
		"[[packages]]\nname = 'p'\nversion = '1'\nindex = 'https://a/simple'\n"
		"dependencies = [{name = 'q'}]\n"
		"wheels = [{url = 'https://a/p-1-py3-none-any.whl', hashes = {sha256 = '" H1 "'}},"
		" {url = 'https://a/p-1-cp312-cp312-manylinux_2_17_x86_64.whl', hashes = {sha256 = '" H1 "'}}]\n"
		"[[packages]]\nname = 'q'\nversion = '1'\n");
	struct lock *b = parse(HEAD
		"environments = [\"sys_platform == 'darwin'\"]\n"
		"[[packages]]\nname = 'p'\nversion = '1.0'\nindex = 'https://b/simple'\n"
		"dependencies = [{name = 'q'}, {name = 'r'}]\n"
		"wheels = [{url = 'https://a/p-1-py3-none-any.whl', hashes = {sha256 = '" H1 "'}},"
		" {url = 'https://a/p-1-py3-none-win_amd64.whl', hashes = {sha256 = '" H2 "'}}]\n"
		"[[packages]]\nname = 'q'\nversion = '1'\n");
	struct lockdiff d;

	lockdiff_diff(a, b, &d);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.changes[0].kind, LOCKDIFF_TOP);
	assert_string_equal(d.changes[0].name, "environments");
	const struct lockdiff_change *p = find(&d, "p");
	assert_non_null(p);
	/* 1 and 1.0 are the same version (PEP 440): a change, not an upgrade. */
	assert_int_equal(p->kind, LOCKDIFF_CHANGED);
	assert_int_equal(p->flags, LOCKDIFF_FILES_ADDED | LOCKDIFF_FILES_REMOVED |
			 LOCKDIFF_SOURCE_CHANGED | LOCKDIFF_DEPS_CHANGED);
	assert_false(lockdiff_suspicious(p));
	assert_null(find(&d, "q"));
	lockdiff_fini(&d);
	lock_free(a);
	lock_free(b);
}

static void test_keyed_by_marker_when_listed_twice(void **state)
{
	struct lock *a = parse(HEAD
		"[[packages]]\nname = 'n'\nversion = '1'\nmarker = \"os_name == 'nt'\"\n"
		"[[packages]]\nname = 'n'\nversion = '2'\nmarker = \"os_name == 'posix'\"\n");
	struct lock *b = parse(HEAD
		"[[packages]]\nname = 'n'\nversion = '1'\nmarker = \"os_name == 'nt'\"\n"
		"[[packages]]\nname = 'n'\nversion = '3'\nmarker = \"os_name == 'posix'\"\n");
	struct lockdiff d;

	lockdiff_diff(a, b, &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.changes[0].kind, LOCKDIFF_UPGRADED);
	assert_string_equal(d.changes[0].old, "2");
	assert_string_equal(d.changes[0].new, "3");
	lockdiff_fini(&d);
	/* Against nothing: everything added. */
	lockdiff_diff(NULL, b, &d);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.changes[1].kind, LOCKDIFF_ADDED);
	lockdiff_fini(&d);
	lock_free(a);
	lock_free(b);
}

static void test_hash_change_is_suspicious(void **state)
{
	struct lock *a = parse(HEAD "[[packages]]\nname = 'p'\nversion = '1'\n"
			       "sdist = {url = 'https://a/p-1.tar.gz', hashes = {sha256 = '" H1 "'}}\n");
	struct lock *b = parse(HEAD "[[packages]]\nname = 'p'\nversion = '1'\n"
			       "sdist = {url = 'https://a/p-1.tar.gz', hashes = {sha256 = '" H2 "'}}\n");
	struct lockdiff d;
	const char *names[8];

	lockdiff_diff(a, b, &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.changes[0].flags, LOCKDIFF_HASH_CHANGED);
	assert_string_equal(d.changes[0].detail, "p-1.tar.gz");
	assert_true(lockdiff_suspicious(&d.changes[0]));
	assert_int_equal(lockdiff_flag_names(d.changes[0].flags, names), 1);
	assert_string_equal(names[0], "hash-changed");
	lockdiff_fini(&d);
	lock_free(a);
	lock_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_version_changes),
		cmocka_unit_test(test_keyed_by_marker_when_listed_twice),
		cmocka_unit_test(test_hash_change_is_suspicious),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
