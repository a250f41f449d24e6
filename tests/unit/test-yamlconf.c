#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "scratch.h"
#include "yamlconf.h"

static struct yamlconf_node *parse(const char *text, struct pl_error *err)
{
	return yamlconf_parse(text, strlen(text), "t.yaml", err);
}

static void test_tree_and_positions(void **state)
{
	struct pl_error err;
	struct yamlconf_node *root = parse("mode: warn\nkeys:\n  - {id: a, file: \"k.pub\"}\n", &err);

	(void)state;
	assert_non_null(root);
	assert_int_equal(root->kind, YAMLCONF_MAP);
	assert_string_equal(yamlconf_get(root, "mode")->scalar, "warn");
	const struct yamlconf_node *keys = yamlconf_get(root, "keys");
	assert_int_equal(keys->kind, YAMLCONF_SEQ);
	assert_int_equal(keys->line, 3);
	const struct yamlconf_node *file = yamlconf_get(keys->items[0], "file");
	assert_string_equal(file->scalar, "k.pub");
	assert_true(file->quoted);
	assert_int_equal(file->line, 3);
	assert_int_equal(file->col, 19);
	assert_null(yamlconf_get(root, "missing"));
	yamlconf_free(root);
}

static void test_refused(void **state)
{
	static const struct {
		const char *text, *why;
		int line, col;
	} cases[] = {
		{ "a: 1\nb: 2\na: 3\n", "key 'a' is given twice", 3, 1 },
		{ "mode: !!str warn\n", "YAML tags are not allowed", 1, 7 },
		{ "x: &a 1\ny: *a\n", "YAML aliases are not allowed here", 2, 4 },
		{ "? [a, b]\n: 1\n", "a key must be a plain value", 1, 3 },
		{ "a: 1\nb: \"caf\xe9\"\n", "invalid trailing UTF-8 octet", 2, 9 },
		{ "a: [1, 2\n", "", 0, 0 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pl_error err;
		pl_error_clear(&err);
		assert_null(parse(cases[i].text, &err));
		assert_non_null(strstr(err.msg, cases[i].why));
		if (cases[i].line) {
			assert_int_equal(err.line, cases[i].line);
			assert_int_equal(err.col, cases[i].col);
		}
	}
}

/* Past sixteen keys a map is hashed: every key is still found, the first
 * repeat still refused at its place. */
static void test_big_map(void **state)
{
	struct util_buf b = UTIL_BUF_INIT;
	struct pl_error err;
	char key[32];

	(void)state;
	for (int i = 0; i < 5000; i++)
		util_buf_printf(&b, "k%d: v%d\n", i, i);
	struct yamlconf_node *root = parse(util_buf_str(&b), &err);
	assert_non_null(root);
	for (int i = 0; i < 5000; i += 7) {
		snprintf(key, sizeof(key), "k%d", i);
		const struct yamlconf_node *v = yamlconf_get(root, key);
		assert_non_null(v);
		assert_int_equal(atoi(v->scalar + 1), i);
	}
	assert_null(yamlconf_get(root, "k5000"));
	yamlconf_free(root);
	util_buf_puts(&b, "k4321: again\n");
	assert_null(parse(util_buf_str(&b), &err));
	assert_string_equal(err.msg, "key 'k4321' is given twice");
	assert_int_equal(err.line, 5001);
	util_buf_free(&b);
}

static void test_config(void **state)
{
	struct yamlconf_config cfg;
	struct pl_error err;
	char path[128];

	(void)state;
	put("config.yaml", "roots: [/src]\nsandbox:\n  binds:\n    - /data:/mnt/data\n  network: off\n"
			   "fetch:\n  deadline: 900\n");
	snprintf(path, sizeof(path), "%s/config.yaml", dir);
	assert_int_equal(yamlconf_config_load(path, &cfg, &err), 0);
	assert_true(cfg.net_off);
	assert_int_equal(cfg.fetch_deadline, 900);
	assert_int_equal(cfg.binds.n, 1);
	assert_string_equal(cfg.binds.items[0], "/data:/mnt/data");
	assert_int_equal(cfg.binds.lines[0], 4);
	assert_int_equal(cfg.binds.cols[0], 7);
	assert_string_equal(cfg.path, path);
	yamlconf_config_fini(&cfg);
	put("config.yaml", "fetch:\n  deadline: 0\n");
	assert_int_equal(yamlconf_config_load(path, &cfg, &err), -1);
	assert_int_equal(err.line, 2);
	put("config.yaml", "sandbox:\n  bindz: []\n");
	assert_int_equal(yamlconf_config_load(path, &cfg, &err), -1);
	assert_non_null(strstr(err.msg, "bindz"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_and_positions),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_big_map),
		cmocka_unit_test_setup_teardown(test_config, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
