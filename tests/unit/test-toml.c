#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "toml.h"

static struct toml_doc *parse(const char *s)
{
	struct pl_error err;
	struct toml_doc *doc = toml_parse(s, strlen(s), "t.toml", &err);

	if (!doc)
		fail_msg("did not parse: %s:%d:%d: %s", err.file, err.line, err.col, err.msg);
	return doc;
}

static void assert_error(const char *s, int line, int col, const char *msg)
{
	struct pl_error err;
	struct toml_doc *doc = toml_parse(s, strlen(s), "t.toml", &err);

	if (doc) {
		toml_free(doc);
		fail_msg("parsed but should not: %s", s);
	}
	if (err.line != line || err.col != col || !strstr(err.msg, msg))
		fail_msg("error %d:%d '%s', want %d:%d '%s'", err.line, err.col, err.msg, line, col, msg);
	assert_string_equal(err.file, "t.toml");
}

static void test_positions(void **state)
{
	struct toml_doc *doc = parse("# c\n\n[pkg]\n  name = 'x'\n  list = [\n 1,\n  \"two\"]\n");
	const struct toml_value *pkg = toml_get(toml_root(doc), "pkg");
	const struct toml_pair *name = toml_get_pair(pkg, "name");
	const struct toml_value *list = toml_get(pkg, "list");

	assert_int_equal(name->line, 4);
	assert_int_equal(name->col, 3);
	assert_int_equal(name->value->line, 4);
	assert_int_equal(name->value->col, 10);
	assert_int_equal(list->u.array.items[1]->line, 7);
	assert_int_equal(list->u.array.items[1]->col, 3);
	assert_string_equal(list->u.array.items[1]->u.str.ptr, "two");
	toml_free(doc);
}

static void test_errors_have_positions(void **state)
{
	assert_error("a = 1\nb = \n", 2, 5, "expected a value");
	assert_error("a = 1\na = 2\n", 2, 1, "defined twice");
	assert_error("[t]\nx = 1\n[t]\n", 3, 2, "defined twice");
	assert_error("s = \"abc\n", 1, 9, "unterminated string");
	assert_error("i = 9223372036854775808\n", 1, 5, "64 bits");
	assert_error("d = 2023-02-29\n", 1, 5, "no such date");
	assert_error("x = [1, 2\n", 2, 1, "expected ',' or ']'");
	assert_error("x = {a = 1,\n b = 2}\n", 1, 12, "expected a key");
	assert_error("a = 1 b = 2\n", 1, 7, "expected a new line");
	assert_error("a = \"\\q\"\n", 1, 6, "invalid escape");
	assert_error("[a]\nb.c = 1\n[a.b]\n", 3, 4, "defined twice");
	assert_error("a = \"\xff\"\n", 1, 6, "invalid UTF-8");
}

static void test_depth_bounded(void **state)
{
	struct pl_error err;
	char *s = malloc(100000);
	size_t n = 0;

	n += (size_t)sprintf(s, "a = ");
	for (int i = 0; i < 20000; i++)
		s[n++] = '[';
	s[n] = '\0';
	assert_null(toml_parse(s, n, "deep.toml", &err));
	assert_non_null(strstr(err.msg, "nested more than 128"));
	/* Deep tables made by dotted keys are bounded as well. */
	n = 0;
	for (int i = 0; i < 300; i++)
		n += (size_t)sprintf(s + n, "k.");
	n += (size_t)sprintf(s + n, "x = 1\n");
	assert_null(toml_parse(s, n, "deep.toml", &err));
	free(s);
}

static void test_large_table(void **state)
{
	struct util_buf b = UTIL_BUF_INIT;
	char key[32];

	for (int i = 0; i < 20000; i++)
		util_buf_printf(&b, "key%d = %d\n", i, i);
	struct toml_doc *doc = parse(b.data);
	for (int i = 0; i < 20000; i += 997) {
		snprintf(key, sizeof(key), "key%d", i);
		const struct toml_value *v = toml_get(toml_root(doc), key);
		assert_non_null(v);
		assert_int_equal(v->u.integer, i);
	}
	assert_null(toml_get(toml_root(doc), "key20000"));
	toml_free(doc);
	util_buf_printf(&b, "key19999 = 0\n");
	struct pl_error err;
	assert_null(toml_parse(b.data, b.len, "t", &err));
	assert_int_equal(err.line, 20001);
	util_buf_free(&b);
}

static void test_writer_round_trip(void **state)
{
	const char *src = "s = \"tab\\there \\\"q\\\" \\\\ \\u0001 \\u007f é\"\n"
			  "i = -42\nf = 0.1\ng = 1e300\nn = nan\nb = true\n"
			  "d = 1979-05-27T07:32:00.5-07:00\nl = 1979-05-27T07:32:00\n"
			  "ld = 1979-05-27\nt = 07:32:00.123456\n"
			  "a = [1, [\"x\"], {k = 'v', \"odd key\" = 2}]\n";
	struct toml_doc *doc = parse(src), *again;
	struct util_buf out = UTIL_BUF_INIT, out2 = UTIL_BUF_INIT;
	const struct toml_value *root = toml_root(doc);

	for (size_t i = 0; i < root->u.table.len; i++) {
		toml_write_key(&out, root->u.table.items[i].key, root->u.table.items[i].key_len);
		util_buf_puts(&out, " = ");
		toml_write_value(&out, root->u.table.items[i].value);
		util_buf_putc(&out, '\n');
	}
	again = parse(out.data);
	root = toml_root(again);
	for (size_t i = 0; i < root->u.table.len; i++) {
		toml_write_key(&out2, root->u.table.items[i].key, root->u.table.items[i].key_len);
		util_buf_puts(&out2, " = ");
		toml_write_value(&out2, root->u.table.items[i].value);
		util_buf_putc(&out2, '\n');
	}
	assert_string_equal(out.data, out2.data);
	assert_non_null(strstr(out.data, "d = 1979-05-27T07:32:00.5-07:00\n"));
	assert_non_null(strstr(out.data, "f = 0.1\n"));
	assert_non_null(strstr(out.data, "\"odd key\" = 2"));
	assert_string_equal(toml_get(root, "s")->u.str.ptr, "tab\there \"q\" \\ \x01 \x7f é");
	assert_true(isnan(toml_get(root, "n")->u.real));
	toml_free(doc);
	toml_free(again);
	util_buf_free(&out);
	util_buf_free(&out2);
}

static void test_value_equal(void **state)
{
	struct toml_doc *a = parse("t = {x = 1, y = [1, 'two', {z = 1979-05-27}]}\nf = 0.5\n");
	struct toml_doc *b = parse("t = {y = [1, 'two', {z = 1979-05-27}], x = 1}\nf = 0.5\n");
	struct toml_doc *c = parse("t = {y = [1, 'two', {z = 1979-05-28}], x = 1}\nf = 0.5\n");

	/* Tables compare by key whatever the order; everything else exactly. */
	assert_true(toml_value_equal(toml_root(a), toml_root(b)));
	assert_false(toml_value_equal(toml_root(a), toml_root(c)));
	assert_false(toml_value_equal(toml_get(toml_root(a), "f"), toml_get(toml_root(a), "t")));
	assert_true(toml_value_equal(NULL, NULL));
	assert_false(toml_value_equal(toml_root(a), NULL));
	toml_free(a);
	toml_free(b);
	toml_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_errors_have_positions),
		cmocka_unit_test(test_depth_bounded),
		cmocka_unit_test(test_large_table),
		cmocka_unit_test(test_writer_round_trip),
		cmocka_unit_test(test_value_equal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
