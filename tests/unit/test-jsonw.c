#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "jsonw.h"

/* The layout of the CLI's other --json output: two-space indent, empty
 * containers inline, keys in the order written. */
static void test_layout(void **state)
{
	struct util_buf out = UTIL_BUF_INIT;
	struct jsonw w;

	(void)state;
	jsonw_init(&w, &out);
	jsonw_object(&w);
	jsonw_key(&w, "name");
	jsonw_string(&w, "a");
	jsonw_key(&w, "none");
	jsonw_string(&w, NULL);
	jsonw_key(&w, "empty");
	jsonw_array(&w);
	jsonw_end(&w, ']');
	jsonw_key(&w, "list");
	jsonw_array(&w);
	jsonw_int(&w, -9223372036854775807LL - 1);
	jsonw_int(&w, 0);
	jsonw_object(&w);
	jsonw_key(&w, "ok");
	jsonw_bool(&w, true);
	jsonw_end(&w, '}');
	jsonw_object(&w);
	jsonw_end(&w, '}');
	jsonw_end(&w, ']');
	jsonw_end(&w, '}');
	assert_string_equal(out.data, "{\n"
			    "  \"name\": \"a\",\n"
			    "  \"none\": null,\n"
			    "  \"empty\": [],\n"
			    "  \"list\": [\n"
			    "    -9223372036854775808,\n"
			    "    0,\n"
			    "    {\n"
			    "      \"ok\": true\n"
			    "    },\n"
			    "    {}\n"
			    "  ]\n"
			    "}");
	util_buf_free(&out);
}

/* Whatever a lock's strings hold comes out as valid JSON, never as raw
 * control characters on a terminal. */
static void test_escapes(void **state)
{
	struct util_buf out = UTIL_BUF_INIT;
	struct jsonw w;

	(void)state;
	jsonw_init(&w, &out);
	jsonw_string(&w, "q\"b\\n\n\t\x01\x1b[31m\x7f/é\xc2\x9b" "2J\xff\xe2\x82");
	assert_string_equal(out.data, "\"q\\\"b\\\\n\\n\\t\\u0001\\u001b[31m\\u007f/é\\u009b2J\\ufffd\\ufffd\\ufffd\"");
	util_buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_escapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
