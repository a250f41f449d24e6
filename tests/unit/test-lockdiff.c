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
	/* The index moved from host a to host b: flagged for a reviewer. */
	assert_int_equal(p->flags, LOCKDIFF_FILES_ADDED | LOCKDIFF_FILES_REMOVED |
			 LOCKDIFF_SOURCE_CHANGED | LOCKDIFF_DEPS_CHANGED | LOCKDIFF_HOST_CHANGED);
	assert_true(lockdiff_suspicious(p));
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
	const char *names[LOCKDIFF_FLAGS];

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

static void test_merge3_rules(void **state)
{
	struct lock *base = parse(HEAD "requires-python = '>=3.8'\n"
		"[[packages]]\nname = 'a'\nversion = '1'\n[[packages]]\nname = 'b'\nversion = '1'\n"
		"[[packages]]\nname = 'c'\nversion = '1'\n[[packages]]\nname = 'd'\nversion = '1'\n");
	struct lock *ours = parse(HEAD "requires-python = '>=3.9'\n"
		"[[packages]]\nname = 'a'\nversion = '2'\n[[packages]]\nname = 'b'\nversion = '2'\n"
		"[[packages]]\nname = 'd'\nversion = '2'\n[[packages]]\nname = 'e'\nversion = '1'\n");
	struct lock *theirs = parse(HEAD "requires-python = '>=3.10'\n"
		"[[packages]]\nname = 'a'\nversion = '1'\n[[packages]]\nname = 'b'\nversion = '2'\n"
		"[[packages]]\nname = 'c'\nversion = '1'\n[[packages]]\nname = 'd'\nversion = '3'\n");
	struct lockdiff_merge m;
	struct util_buf out = UTIL_BUF_INIT, sides[3] = { UTIL_BUF_INIT, UTIL_BUF_INIT, UTIL_BUF_INIT };

	lockdiff_merge3(base, ours, theirs, &m);
	/* a: ours only; b: the same on both; c: removed by ours; d: conflict;
	 * e: added by ours; requires-python: conflict. */
	assert_int_equal(m.conflicts, 2);
	assert_int_equal(m.n, 5);
	assert_string_equal(m.items[0].chosen->version, "2");
	assert_string_equal(m.items[1].chosen->version, "2");
	assert_null(m.items[2].chosen);
	assert_false(m.items[2].conflict);
	assert_true(m.items[3].conflict);
	assert_string_equal(m.items[4].chosen->name, "e");
	/* Written with regions, read back into the three sides. */
	lockdiff_merge_write(&m, &out);
	assert_non_null(strstr(out.data, "<<<<<<< ours\nrequires-python = \">=3.9\""));
	assert_true(lockdiff_split_conflicts(out.data, out.len, sides));
	assert_non_null(strstr(sides[1].data, "version = \"2\""));
	assert_non_null(strstr(sides[2].data, "requires-python = \">=3.10\""));
	assert_null(strstr(sides[0].data, "<<<<<<<"));
	lockdiff_merge_pick(&m, LOCKDIFF_NEWEST);
	assert_int_equal(m.conflicts, 0);
	assert_string_equal(m.items[3].chosen->version, "3");
	assert_int_equal(m.top[2].chosen, LOCKDIFF_OURS);	/* newest keeps ours at the top */
	util_buf_truncate(&out, 0);
	lockdiff_merge_write(&m, &out);
	struct lock *merged = parse(out.data);
	assert_int_equal(merged->npackages, 4);
	assert_string_equal(merged->requires_python, ">=3.9");
	lock_free(merged);
	lockdiff_merge_fini(&m);
	for (int i = 0; i < 3; i++)
		util_buf_free(&sides[i]);
	util_buf_free(&out);
	lock_free(base);
	lock_free(ours);
	lock_free(theirs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_version_changes),
		cmocka_unit_test(test_keyed_by_marker_when_listed_twice),
		cmocka_unit_test(test_hash_change_is_suspicious),
		cmocka_unit_test(test_merge3_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
