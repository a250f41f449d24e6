#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "project.h"
#include "scratch.h"
#include "trust.h"

/* A policy of two keys (a, b) under mode warn, in PYLOCK_HOME=dir. */
static void policy_home(void)
{
	char name[128], id[17], text[512];
	struct pl_error err;

	snprintf(name, sizeof(name), "%s/k", dir);
	assert_int_equal(trust_key_generate(name, id, &err), 0);
	snprintf(text, sizeof(text), "mode: warn\nkeys:\n  - {id: a, file: %s.pub}\n  - {id: b, file: %s.pub}\n", name,
		 name);
	put("config/policy.yaml", text);
	setenv("PYLOCK_HOME", dir, 1);
}

static int tighten(struct trust_policy *p, const char *pyproject, struct pl_error *err)
{
	struct project *proj;
	int rc;

	put("proj/pyproject.toml", pyproject);
	char root[128];
	snprintf(root, sizeof(root), "%s/proj", dir);
	assert_non_null(proj = project_load(root, err));
	rc = trust_policy_load_project(proj->tool_pylock, proj->pyproject_path, p, err);
	project_free(proj);
	return rc;
}

static const struct trust_key *key(const struct trust_policy *p, const char *name)
{
	for (size_t i = 0; i < p->nkeys; i++)
		if (!strcmp(p->keys[i].name, name))
			return &p->keys[i];
	return NULL;
}

/* A project may only tighten: a stricter mode and fewer keys. */
static void test_tighten(void **state)
{
	struct trust_policy p;
	struct pl_error err;

	(void)state;
	policy_home();
	assert_int_equal(tighten(&p, "[project]\nname = 'x'\n", &err), 0);
	assert_int_equal(p.mode, TRUST_WARN);
	assert_false(key(&p, "a")->distrusted);
	trust_policy_fini(&p);

	assert_int_equal(tighten(&p, "[project]\nname = 'x'\n[tool.pylock.trust]\nmode = 'enforce'\nkeys = ['a']\n", &err), 0);
	assert_int_equal(p.mode, TRUST_ENFORCE);
	assert_false(key(&p, "a")->distrusted);
	assert_true(key(&p, "b")->distrusted);
	trust_policy_fini(&p);

	assert_int_equal(tighten(&p, "[project]\nname = 'x'\n[tool.pylock.trust]\nkeys = []\n", &err), 0);
	assert_true(key(&p, "a")->distrusted && key(&p, "b")->distrusted);
	trust_policy_fini(&p);
}

static void test_loosening_refused(void **state)
{
	static const struct {
		const char *trust, *why;
	} cases[] = {
		{ "mode = 'off'", "mode off is looser than the global warn" },
		{ "keys = ['stranger']", "a project may only name keys the trust policy has" },
		{ "allow-unsigned = []", "'allow-unsigned' is not a project trust setting" },
		{ "mode = 'lax'", "mode must be enforce, warn or off" },
	};
	struct trust_policy p;
	struct pl_error err;
	char text[256];

	(void)state;
	policy_home();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "[project]\nname = 'x'\n[tool.pylock.trust]\n%s\n", cases[i].trust);
		assert_int_equal(tighten(&p, text, &err), -1);
		assert_non_null(strstr(err.msg, cases[i].why));
		assert_int_equal(err.line, 4);
		assert_int_equal(p.nkeys, 0);
	}
}

static void test_policy_refused(void **state)
{
	static const struct {
		const char *tail, *why;
		int line;
	} cases[] = {
		{ "  - {id: a, file: K}\n", "key id 'a' is given twice", 4 },
		{ "  - {id: '', file: K}\n", "a key's id must not be empty", 4 },
		{ "  - {id: c, file: /nonexistent.pub}\n", "cannot read key file", 4 },
	};
	struct trust_policy p;
	struct pl_error err;
	char name[128], id[17], text[600], tail[200], path[160];

	(void)state;
	snprintf(name, sizeof(name), "%s/k", dir);
	assert_int_equal(trust_key_generate(name, id, &err), 0);
	snprintf(path, sizeof(path), "%s/policy.yaml", dir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(tail, sizeof(tail), "%s", cases[i].tail);
		char *k = strstr(tail, "file: K");
		if (k)
			snprintf(k, sizeof(tail) - (size_t)(k - tail), "file: %s.pub}\n", name);
		snprintf(text, sizeof(text), "mode: warn\nkeys:\n  - {id: a, file: %s.pub}\n%s", name, tail);
		put("policy.yaml", text);
		assert_int_equal(trust_policy_load(path, &p, &err), -1);
		assert_non_null(strstr(err.msg, cases[i].why));
		assert_int_equal(err.line, cases[i].line);
	}
}

/* The algorithms PEP 751 locks carry, against their published values for
 * "abc" (FIPS 180-4, FIPS 202, RFC 7693). */
static void test_digests(void **state)
{
	static const struct {
		const char *algo, *hex;
	} known[] = {
		{ "sha512", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
			    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
		{ "sha384", "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
			    "8086072ba1e7cc2358baeca134c825a7" },
		{ "sha3_256", "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532" },
		{ "blake2b", "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
			     "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923" },
		{ "blake2s", "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982" },
	};
	struct trust_digests d;
	struct pl_error err;
	char path[128];

	(void)state;
	put("abc", "abc");
	snprintf(path, sizeof(path), "%s/abc", dir);
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		assert_int_equal(trust_digest_file(path, known[i].algo, &d, &err), 0);
		assert_string_equal(d.algo, known[i].algo);
		assert_string_equal(d.other, known[i].hex);
		assert_string_equal(d.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	}
	assert_int_equal(trust_digest_file(path, "sha256", &d, &err), 0);
	assert_null(d.algo);
	assert_null(trust_digester_new("md4", &err));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tighten, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loosening_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digests, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
