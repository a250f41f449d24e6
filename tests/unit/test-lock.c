#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lock.h"

#define H64 "c75a69e28a550a7e93789579c22aa26b0f5b83b75dc4e08fe092980051e1090a"
#define HEAD "lock-version = '1.0'\ncreated-by = 'test'\n"

static struct lock *parse(const char *s)
{
	struct pl_error err;
	struct lock *lock = lock_parse(s, strlen(s), "pylock.toml", &err);

	if (!lock)
		fail_msg("did not parse: %d:%d: %s", err.line, err.col, err.msg);
	return lock;
}

static char *write_lock(const struct lock *lock)
{
	struct util_buf b = UTIL_BUF_INIT;

	lock_write(lock, &b);
	return util_buf_steal(&b);
}

static const char *full =
	"lock-version = '1.0'\n"
	"environments = [\"sys_platform == 'linux'\"]\n"
	"requires-python = '>=3.9'\n"
	"extras = []\n"
	"dependency-groups = ['dev']\n"
	"default-groups = ['default']\n"
	"created-by = 'test'\n"
	"custom-top = {kept = true}\n"
	"[[packages]]\n"
	"name = 'zeta'\nversion = '1.10'\n"
	"wheels = [{url = 'https://x/zeta-1.10-py3-none-any.whl', size = 10, hashes = {sha256 = '" H64 "'}, mirror = 'm'}]\n"
	"[[packages]]\n"
	"name = 'zeta'\nversion = '1.9'\nmarker = \"python_version < '3.10'\"\n"
	"x-custom = 'still here'\n"
	"sdist = {name = 'zeta-1.9.tar.gz', path = 'dist/zeta-1.9.tar.gz', upload-time = 2025-01-25T11:30:10.164985Z, hashes = {SHA512 = '" H64 H64 "', sha256 = '" H64 "'}}\n"
	"[[packages.attestation-identities]]\nkind = 'GitHub'\nrepository = 'z/zeta'\n"
	"[packages.tool.acme]\nnote = 'x'\n"
	"[[packages]]\n"
	"name = 'alpha'\nversion = '2.0'\nrequires-python = '>=3.8'\nindex = 'https://pypi.org/simple'\n"
	"dependencies = [{name = 'zeta', version = '1.10'}]\n"
	"[[packages]]\n"
	"name = 'local-tree'\ndirectory = {path = '../src', editable = true}\n"
	"[[packages]]\n"
	"name = 'from-git'\nvcs = {type = 'git', url = 'https://x/repo.git', commit-id = 'abc'}\n"
	"[tool.mousebender]\ncommand = ['.', 'lock']\nrun-on = 2025-03-06T12:28:57.760769\n"
	"[tool.mousebender.deeper]\nx = 1\n";

static void test_read_model(void **state)
{
	struct lock *lock = parse(full);

	assert_string_equal(lock->created_by, "test");
	assert_int_equal(lock->npackages, 5);
	assert_int_equal(lock->nwarnings, 0);
	const struct lock_package *z = &lock->packages[0];
	assert_string_equal(z->name, "zeta");
	assert_int_equal(z->source, LOCK_SOURCE_FILES);
	assert_int_equal(z->nwheels, 1);
	assert_string_equal(z->wheels[0].name, "zeta-1.10-py3-none-any.whl");	/* from the url */
	assert_false(z->wheels[0].name_written);
	assert_int_equal(z->wheels[0].size, 10);
	assert_string_equal(lock_file_sha256(&z->wheels[0]), H64);
	assert_int_equal(z->wheels[0].nextra, 1);
	const struct lock_package *z9 = &lock->packages[1];
	assert_true(z9->has_sdist);
	assert_int_equal(z9->sdist.nhashes, 2);
	assert_string_equal(z9->sdist.hashes[0].algo, "SHA512");	/* sorted by name */
	assert_int_equal(z9->nextra, 1);
	assert_int_equal(lock->packages[3].source, LOCK_SOURCE_DIRECTORY);
	assert_int_equal(lock->packages[4].source, LOCK_SOURCE_VCS);
	assert_int_equal(lock->packages[2].line, 24);
	lock_free(lock);
}

static void test_round_trip_is_byte_identical(void **state)
{
	struct lock *lock = parse(full), *again;
	char *first = write_lock(lock), *second;

	again = parse(first);
	second = write_lock(again);
	assert_string_equal(first, second);
	/* Sorted by normalised name, then PEP 440 version (1.9 before 1.10). */
	char *alpha = strstr(first, "\nname = \"alpha\""), *z9 = strstr(first, "\nversion = \"1.9\""),
	     *z10 = strstr(first, "\nversion = \"1.10\"");
	assert_true(alpha && z9 && z10 && alpha < z9 && z9 < z10);
	/* Nothing pylock does not interpret was lost. */
	assert_non_null(strstr(first, "custom-top = { kept = true }"));
	assert_non_null(strstr(first, "x-custom = \"still here\""));
	assert_non_null(strstr(first, "mirror = \"m\""));
	assert_non_null(strstr(first, "[tool.mousebender.deeper]\nx = 1\n"));
	assert_non_null(strstr(first, "run-on = 2025-03-06T12:28:57.760769\n"));
	assert_non_null(strstr(first, "tool = { acme = { note = \"x\" } }"));
	assert_non_null(strstr(first, "{ kind = \"GitHub\", repository = \"z/zeta\" },"));
	assert_non_null(strstr(first, "upload-time = 2025-01-25T11:30:10.164985Z"));
	lock_free(lock);
	lock_free(again);
	free(first);
	free(second);
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_one_change_changes_its_lines_only(void **state)
{
	struct lock *a = parse(full);
	char *before = write_lock(a), *edited = strdup(full);
	char *at = strstr(edited, "version = '2.0'");

	memcpy(at, "version = '2.1'", 15);
	struct lock *b = parse(edited);
	char *after = write_lock(b);
	int differ = 0;

	assert_int_equal(count_lines(before), count_lines(after));
	for (char *x = before, *y = after; *x && *y;) {
		size_t lx = strcspn(x, "\n"), ly = strcspn(y, "\n");
		differ += lx != ly || memcmp(x, y, lx);
		x += lx + 1;
		y += ly + 1;
	}
	assert_int_equal(differ, 1);
	lock_free(a);
	lock_free(b);
	free(before);
	free(after);
	free(edited);
}

struct bad_case {
	const char *text;
	int line, col;
	const char *msg;
};

static void test_rejects(void **state)
{
	static const struct bad_case cases[] = {
		{ "created-by = 'x'\npackages = []\n", 1, 1, "missing required key 'lock-version'" },
		{ "lock-version = '2.0'\ncreated-by = 'x'\npackages = []\n", 1, 16, "unsupported lock-version" },
		{ "lock-version = 1.0\n", 1, 16, "'lock-version' must be a string" },
		{ "lock-version = '1.0'\npackages = []\n", 1, 1, "missing required key 'created-by'" },
		{ HEAD "[[packages]]\nversion = '1'\n", 3, 1, "missing required key 'packages.name'" },
		{ HEAD "[[packages]]\nname = 7\n", 4, 8, "'packages.name' must be a string" },
		{ HEAD "[[packages]]\nname = 'a b'\n", 4, 8, "not a valid package name" },
		{ HEAD "[[packages]]\nname = 'a'\nversion = 'one'\n", 5, 11, "invalid version 'one'" },
		{ HEAD "[[packages]]\nname = 'a'\nmarker = 'os_name = 1'\n", 5, 10, "invalid marker" },
		{ HEAD "[[packages]]\nname = 'a'\nrequires-python = '>>3'\n", 5, 19, "invalid requires-python" },
		{ HEAD "[[packages]]\nname = 'a'\ndirectory = {path = '.'}\nwheels = [{url = 'https://x/a-1-py3-none-any.whl', hashes = {sha256 = '" H64 "'}}]\n",
		  3, 1, "more than one kind of source" },
		{ HEAD "[[packages]]\nname = 'a'\nvcs = {type = 'git', url = 'u', commit-id = 'c'}\narchive = {url = 'https://x/a.tar.gz', hashes = {sha256 = '" H64 "'}}\n",
		  3, 1, "more than one kind of source" },
		{ HEAD "[[packages]]\nname = 'a'\nwheels = [{url = 'https://x/a-1-py3-none-any.whl'}]\n", 5, 11, "has no hashes" },
		{ HEAD "[[packages]]\nname = 'a'\nwheels = [{url = 'https://x/a-1-py3-none-any.whl', hashes = {}}]\n", 5, 11, "has no hashes" },
		{ HEAD "[[packages]]\nname = 'a'\nwheels = [{url = 'https://x/b-1-py3-none-any.whl', hashes = {sha256 = '" H64 "'}}]\n",
		  5, 11, "is for project 'b', not 'a'" },
		{ HEAD "[[packages]]\nname = 'a'\nversion = '2'\nwheels = [{url = 'https://x/a-1-py3-none-any.whl', hashes = {sha256 = '" H64 "'}}]\n",
		  6, 11, "is version 1, the package is 2" },
		{ HEAD "[[packages]]\nname = 'a'\nwheels = [{url = 'https://x/a.zip', hashes = {sha256 = '" H64 "'}}]\n", 5, 11, "does not end in .whl" },
		{ HEAD "[[packages]]\nname = 'a'\nwheels = [{hashes = {sha256 = '" H64 "'}}]\n", 5, 11, "needs a 'url' or a 'path'" },
		{ HEAD "[[packages]]\nname = 'a'\nsdist = {path = 'b-1.0.tar.gz', hashes = {sha256 = '" H64 "'}}\n", 5, 9, "is for project 'b'" },
		{ HEAD "[[packages]]\nname = 'a'\nwheels = [{url = 'https://x/a-1-py3-none-any.whl', hashes = {sha256 = 'abc'}}]\n",
		  5, 71, "sha256 hash must be 64 hex digits" },
		{ HEAD "[[packages]]\nname = 'a'\nwheels = [{url = 'https://x/a-1-py3-none-any.whl', hashes = {sha256 = '" H64 "', md5 = 'zz'}}]\n",
		  5, 145, "md5 hash is not hexadecimal" },
		{ HEAD "[[packages]]\nname = 'a'\nvcs = {type = 'git', url = 'u'}\n", 5, 7, "missing required key 'vcs.commit-id'" },
		{ HEAD "[[packages]]\nname = 'a'\nwheels = [{url = 'https://x/a-1-py3-none-any.whl', size = -1, hashes = {sha256 = '" H64 "'}}]\n",
		  5, 59, "size cannot be negative" },
		{ HEAD "packages = [1]\n", 3, 13, "must be a table" },
		{ HEAD "[[packages]]\nname = 'a'\nversion = '1'\ndirectory = {path = '.', editable = true}\n", 5, 11,
		  "a directory entry must not have a version" },
		{ HEAD "[[packages]]\nname = 'a'\nwheels = [{url = 'https://x/a-1-py3-none-any.whl', upload-time = "
		  "2025-01-02T03:04:05+01:00, hashes = {sha256 = '" H64 "'}}]\n", 5, 66, "upload-time must be in UTC" },
		{ HEAD "[[packages]]\nname = 'a'\nwheels = [{url = 'https://x/a-1-py3-none-any.whl', upload-time = "
		  "2025-01-02T03:04:05, hashes = {sha256 = '" H64 "'}}]\n", 5, 66, "not a local date-time" },
		{ HEAD "[[packages]]\nname = 'a'\nattestation-identities = [{repository = 'x'}]\n", 5, 27, "missing required key 'attestation-identities.kind'" },
		{ HEAD "<<<<<<< HEAD\n[[packages]]\n=======\n>>>>>>> theirs\n", 3, 1, "conflicted" },
		{ HEAD "packages = [\n", 4, 1, "expected a value" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *c = &cases[i];
		struct pl_error err;
		struct lock *lock = lock_parse(c->text, strlen(c->text), "pylock.toml", &err);

		if (lock) {
			lock_free(lock);
			fail_msg("case %zu parsed: %s", i, c->text);
		}
		if (err.line != c->line || err.col != c->col || !strstr(err.msg, c->msg))
			fail_msg("case %zu: got %d:%d '%s', want %d:%d '%s'", i, err.line, err.col,
				 err.msg, c->line, c->col, c->msg);
		assert_string_equal(err.file, "pylock.toml");
	}
}

static void test_source_trees_and_utc(void **state)
{
	/* uv writes a version for a vcs entry pinned to a commit: read, warned. */
	struct lock *lock = parse(HEAD "[[packages]]\nname = 'a'\nversion = '1'\n"
				  "vcs = {type = 'git', url = 'https://x/a.git', commit-id = 'c0ffee'}\n");

	(void)state;
	assert_int_equal(lock->nwarnings, 1);
	assert_non_null(strstr(lock->warnings[0].msg, "a vcs entry should not have a version"));
	assert_int_equal(lock->warnings[0].line, 5);
	lock_free(lock);
	/* UTC is Z, +00:00 or -00:00. */
	lock = parse(HEAD "[[packages]]\nname = 'a'\nwheels = [{url = 'https://x/a-1-py3-none-any.whl', upload-time = "
		     "2025-01-02T03:04:05-00:00, hashes = {sha256 = '" H64 "'}}]\n");
	assert_true(lock->packages[0].wheels[0].has_upload_time);
	lock_free(lock);
}

static void test_warnings(void **state)
{
	/* What uv export writes for a project without dependencies. */
	struct lock *empty = parse("# This file was autogenerated by uv via the following command:\n"
				   "#    uv export --format pylock.toml\nlock-version = \"1.0\"\ncreated-by = \"uv\"\n"
				   "requires-python = \">=3.13\"\n");
	assert_int_equal(empty->npackages, 0);
	assert_int_equal(empty->nwarnings, 1);
	assert_non_null(strstr(empty->warnings[0].msg, "no 'packages' key"));
	lock_free(empty);

	struct lock *lock = parse("lock-version = '1.3'\ncreated-by = 'x'\nfuture-key = 1\n"
				  "[[packages]]\nname = 'Not_Normal'\n");

	assert_int_equal(lock->nwarnings, 3);
	assert_non_null(strstr(lock->warnings[0].msg, "newer than 1.0"));
	assert_non_null(strstr(lock->warnings[1].msg, "not normalised"));
	assert_non_null(strstr(lock->warnings[2].msg, "unknown key 'future-key'"));
	assert_string_equal(lock->packages[0].norm_name, "not-normal");
	lock_free(lock);
}

static void test_conflict_markers(void **state)
{
	int line = 0;

	assert_true(lock_has_conflict_markers("a\n<<<<<<< ours\nb\n", 16, &line));
	assert_int_equal(line, 2);
	assert_false(lock_has_conflict_markers("s = '<<<<<<< not at start'\n", 26, &line));
}

/* ---- writing over a lock in its own layout ---- */

static char *real_lock(const char *name, size_t *len)
{
	struct util_buf path = UTIL_BUF_INIT;
	struct pl_error err;
	char *data;

	/* pip's layout is uv's data written again (tests/data/pip-layout). */
	util_buf_printf(&path, "%s/tests/data/%s%s/pylock.toml", getenv("srcdir") ? getenv("srcdir") : ".",
			strcmp(name, "pip-layout") ? "real-locks/" : "", name);
	assert_int_equal(util_read_file(path.data, LOCK_MAX_SIZE, &data, len, &err), 0);
	util_buf_free(&path);
	return data;
}

/* old's text, updated to the lock next_text holds. */
static char *updated(const char *old_text, size_t old_len, const char *next_text, size_t next_len)
{
	struct pl_error err;
	struct lock *old = lock_parse(old_text, old_len, "old.toml", &err);
	struct lock *next = lock_parse(next_text, next_len, "next.toml", &err);
	struct util_buf out = UTIL_BUF_INIT;

	assert_non_null(old);
	assert_non_null(next);
	lock_write_update(old_text, old_len, old, next, NULL, 0, &out);
	/* Whatever the layout, it says what next says. */
	struct lock *back = lock_parse(out.data, out.len, "out.toml", &err);
	if (!back)
		print_error("%s:%d: %s\n%s\n", err.file, err.line, err.msg, out.data);
	assert_non_null(back);
	assert_int_equal(back->npackages, next->npackages);
	for (size_t i = 0; i < next->npackages; i++) {
		bool found = false;
		for (size_t j = 0; j < back->npackages && !found; j++)
			found = lock_package_equal(&next->packages[i], &back->packages[j]);
		assert_true(found);
	}
	for (size_t k = 0; lock_top_keys[k]; k++) {
		const struct toml_value *a = toml_get(toml_root(next->doc), lock_top_keys[k]);
		const struct toml_value *b = toml_get(toml_root(back->doc), lock_top_keys[k]);
		assert_true((!a && !b) || (a && b && toml_value_equal(a, b)));
	}
	lock_free(back);
	lock_free(old);
	lock_free(next);
	return util_buf_steal(&out);
}

/* text with [from, to) replaced by with. */
static char *edited(const char *text, const char *from, const char *to, const char *with)
{
	const char *a = strstr(text, from), *b = strstr(a, to);
	struct util_buf out = UTIL_BUF_INIT;

	assert_non_null(a);
	assert_non_null(b);
	util_buf_add(&out, text, (size_t)(a - text));
	util_buf_puts(&out, with);
	util_buf_puts(&out, b);
	return util_buf_steal(&out);
}

static void test_update_layout(void **state)
{
	static const char *const locks[] = { "pdm-groups", "uv-pip-compile" };

	(void)state;
	for (size_t l = 0; l < 2; l++) {
		size_t len;
		char *text = real_lock(locks[l], &len);
		/* Nothing changed: the same bytes. */
		char *same = updated(text, len, text, len);
		assert_string_equal(same, text);
		free(same);
		/* The first package gone: exactly its lines go. */
		const char *first = strstr(text, "[[packages]]");
		const char *second = strstr(first + 1, "\n[[packages]]");
		char *gone = edited(text, first, second + 1, "");
		char *out = updated(text, len, gone, strlen(gone));
		assert_string_equal(out, gone);
		free(out);
		free(gone);
		/* A top-level key changed: that line only. */
		char *created = edited(text, "created-by = ", "\n", "created-by = \"pylock 0.1.0\"");
		out = updated(text, len, created, strlen(created));
		assert_string_equal(out, created);
		free(out);
		free(created);
		free(text);
	}
}

static void test_update_changed_and_added(void **state)
{
	size_t len;
	char *text = real_lock("uv-pip-compile", &len);
	struct pl_error err;

	(void)state;
	/* The first package at another version, written where it stood; the
	 * others byte for byte. */
	const char *first = strstr(text, "[[packages]]"), *second = strstr(first + 1, "\n[[packages]]");
	char *next = edited(text, first, second + 1,
			    "[[packages]]\nname = \"aaa-new\"\nversion = \"1.0\"\n"
			    "wheels = [{ name = \"aaa_new-1.0-py3-none-any.whl\", url = \"https://x/aaa_new-1.0-py3-none-any.whl\", "
			    "hashes = { sha256 = \"" "c75a69e28a550a7e93789579c22aa26b0f5b83b75dc4e08fe092980051e1090a" "\" } }]\n\n");
	char *out = updated(text, len, next, strlen(next));
	/* Everything after the first package is the old file's. */
	assert_non_null(strstr(out, second + 1));
	assert_non_null(strstr(out, "name = \"aaa-new\""));
	/* An added package of a sorted file goes in its place by name. */
	struct lock *l = lock_parse(out, strlen(out), "out.toml", &err);
	assert_non_null(l);
	assert_string_equal(l->packages[0].name, "aaa-new");
	lock_free(l);
	free(out);
	free(next);
	free(text);
}

/* text with [a, b) (pointers into it) replaced by with. */
static char *spliced(const char *text, const char *a, const char *b, const char *with)
{
	struct util_buf out = UTIL_BUF_INIT;

	util_buf_add(&out, text, (size_t)(a - text));
	util_buf_puts(&out, with);
	util_buf_puts(&out, b);
	return util_buf_steal(&out);
}

/* The kth [[packages]] entry of text, from its header to the blank line
 * or header after it. */
static void entry_span(const char *text, size_t k, const char **start, const char **end)
{
	const char *p = strstr(text, "[[packages]]\n");

	for (size_t i = 0; i < k; i++)
		p = strstr(p + 1, "\n[[packages]]\n") + 1;
	*start = p;
	const char *next = strstr(p + 1, "\n[[packages]]\n"), *tool = strstr(p + 1, "\n[tool");
	*end = next ? next + 1 : tool ? tool + 1 : p + strlen(p);
	while (*end > p + 1 && (*end)[-1] == '\n' && (*end)[-2] == '\n')
		(*end)--;
}

/* text with the kth entry's marker set (replaced, or put after version). */
static char *with_marker(const char *text, size_t k, const char *marker)
{
	const char *a, *b;

	entry_span(text, k, &a, &b);
	char *entry = strndup(a, (size_t)(b - a)), *m = strstr(entry, "\nmarker = ");
	struct util_buf e = UTIL_BUF_INIT;
	if (m) {
		util_buf_add(&e, entry, (size_t)(m + 1 - entry));
		util_buf_printf(&e, "marker = %s", marker);
		util_buf_puts(&e, strchr(m + 1, '\n'));
	} else {
		char *v = strchr(strstr(entry, "\nversion = ") + 1, '\n') + 1;
		util_buf_add(&e, entry, (size_t)(v - entry));
		util_buf_printf(&e, "marker = %s\n", marker);
		util_buf_puts(&e, v);
	}
	char *out = spliced(text, a, b, util_buf_str(&e));
	util_buf_free(&e);
	free(entry);
	return out;
}

/* A package written fresh into another producer's file comes out as that
 * producer writes it: the same bytes as the file with the change made by
 * hand (pdm's unpadded inline tables and multi-line arrays, uv's one-line
 * wheels, pip's sub-tables; keys in the file's order). */
static void test_update_in_the_files_style(void **state)
{
	static const char *const locks[] = { "pdm-groups", "uv-pip-compile", "pip-layout", "uv-pip-compile" };

	(void)state;
	for (size_t l = 0; l < 4; l++) {
		size_t len;
		char *text = real_lock(locks[l], &len);
		if (l == 3) {
			/* pylock's own layout follows itself too. */
			struct pl_error err;
			struct lock *lk = lock_parse(text, len, "uv.toml", &err);
			struct util_buf b = UTIL_BUF_INIT;
			lock_write(lk, &b);
			lock_free(lk);
			free(text);
			len = b.len;
			text = util_buf_steal(&b);
		}
		for (size_t k = 0; k < 7; k += 3) {
			char *next = with_marker(text, k, "\"os_name == 'posix'\"");
			char *out = updated(text, len, next, strlen(next));
			assert_string_equal(out, next);
			free(out);
			free(next);
		}
		/* An entry added: where the file's order puts it, in its style. */
		const char *a, *b;
		entry_span(text, 3, &a, &b);
		const char *after = b;
		while (*after == '\n')
			after++;
		char *without = spliced(text, a, after, "");
		char *out = updated(without, strlen(without), text, len);
		if (l == 0) {
			/* pdm's file is not sorted: at the end. */
			struct util_buf want = UTIL_BUF_INIT;
			util_buf_printf(&want, "%s\n%.*s", without, (int)(b - a), a);
			assert_string_equal(out, want.data);
			util_buf_free(&want);
		} else
			assert_string_equal(out, text);
		free(out);
		free(without);
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_model),
		cmocka_unit_test(test_round_trip_is_byte_identical),
		cmocka_unit_test(test_one_change_changes_its_lines_only),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_source_trees_and_utc),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_conflict_markers),
		cmocka_unit_test(test_update_layout),
		cmocka_unit_test(test_update_changed_and_added),
		cmocka_unit_test(test_update_in_the_files_style),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
