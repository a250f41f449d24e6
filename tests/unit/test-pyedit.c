/* pyproject.toml edits keep every byte they do not need to change. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "pyedit.h"

static void add(const char *in, enum pyedit_list list, const char *name, const char *req, const char *want)
{
	struct util_buf out = UTIL_BUF_INIT;
	struct pl_error err;
	int rc = pyedit_add(in, strlen(in), "pyproject.toml", list, name, req, &out, &err);

	if (rc != 0)
		print_error("%s\n", err.msg);
	assert_int_equal(rc, 0);
	if (strcmp(util_buf_str(&out), want))
		print_error("got:\n%s\nwant:\n%s\n", out.data, want);
	assert_string_equal(out.data, want);
	util_buf_free(&out);
}

static void removes(const char *in, const char *name, size_t n, const char *want)
{
	struct util_buf out = UTIL_BUF_INIT;
	struct pl_error err;
	size_t removed;
	int rc = pyedit_remove(in, strlen(in), "pyproject.toml", name, &out, &removed, &err);

	if (rc != 0)
		print_error("%s\n", err.msg);
	assert_int_equal(rc, 0);
	if (strcmp(util_buf_str(&out), want))
		print_error("got:\n%s\nwant:\n%s\n", out.data, want);
	assert_string_equal(out.data, want);
	assert_int_equal(removed, n);
	util_buf_free(&out);
}

static const char multi[] =
	"# my project\n"
	"[project]\n"
	"name = \"demo\"  # the name\n"
	"dependencies = [\n"
	"  'requests>=2',  # http\n"
	"  \"Rich\",\n"
	"]\n"
	"\n"
	"[tool.other]\n"
	"x = 1\n";

static void test_add_multiline(void **state)
{
	(void)state;
	add(multi, PYEDIT_DEPENDENCIES, NULL, "attrs>=22",
	    "# my project\n[project]\nname = \"demo\"  # the name\ndependencies = [\n  'requests>=2',  # http\n"
	    "  \"Rich\",\n  \"attrs>=22\",\n]\n\n[tool.other]\nx = 1\n");
	/* The same project: its element is replaced where it stands. */
	add(multi, PYEDIT_DEPENDENCIES, NULL, "rich==13.0",
	    "# my project\n[project]\nname = \"demo\"  # the name\ndependencies = [\n  'requests>=2',  # http\n"
	    "  \"rich==13.0\",\n]\n\n[tool.other]\nx = 1\n");
	add("[project]\nname = \"d\"\ndependencies = [\n    \"a\"\n]\n", PYEDIT_DEPENDENCIES, NULL, "b",
	    "[project]\nname = \"d\"\ndependencies = [\n    \"a\",\n    \"b\"\n]\n");
	/* The comma goes after the element, never into its comment. */
	add("[project]\ndependencies = [\n  \"a\"  # first, \"x\"\n]\n", PYEDIT_DEPENDENCIES, NULL, "b",
	    "[project]\ndependencies = [\n  \"a\",  # first, \"x\"\n  \"b\"\n]\n");
	add("[project]\ndependencies = [\n  \"a\", 0 # n\n]\n", PYEDIT_DEPENDENCIES, NULL, "b",
	    "[project]\ndependencies = [\n  \"a\", 0, # n\n  \"b\"\n]\n");
}

static void test_add_inline_and_new(void **state)
{
	(void)state;
	add("[project]\nname = \"d\"\ndependencies = [\"a\", \"b\"]  # keep\n", PYEDIT_DEPENDENCIES, NULL, "c<2",
	    "[project]\nname = \"d\"\ndependencies = [\"a\", \"b\", \"c<2\"]  # keep\n");
	add("[project]\nname = \"d\"\ndependencies = []\n", PYEDIT_DEPENDENCIES, NULL, "c",
	    "[project]\nname = \"d\"\ndependencies = [\"c\"]\n");
	add("[project]\nname = \"d\"\n\n[build-system]\nrequires = []\n", PYEDIT_DEPENDENCIES, NULL, "c",
	    "[project]\nname = \"d\"\ndependencies = [\"c\"]\n\n[build-system]\nrequires = []\n");
	add("[project]\nname = \"d\"\n\n[tool.x]\ny = 1\n", PYEDIT_OPTIONAL, "socks", "pysocks",
	    "[project]\nname = \"d\"\n\n[project.optional-dependencies]\nsocks = [\"pysocks\"]\n\n[tool.x]\ny = 1\n");
	add("[project]\nname = \"d\"\n[project.optional-dependencies]\ncli = [\"click\"]\n", PYEDIT_OPTIONAL, "CLI",
	    "rich", "[project]\nname = \"d\"\n[project.optional-dependencies]\ncli = [\"click\", \"rich\"]\n");
	add("[project]\nname = \"d\"\n", PYEDIT_GROUP, "dev", "pytest",
	    "[project]\nname = \"d\"\n\n[dependency-groups]\ndev = [\"pytest\"]\n");
	add("[dependency-groups]\ntest = [\"pytest\"]\n\n[tool.x]\n", PYEDIT_GROUP, "lint", "ruff",
	    "[dependency-groups]\ntest = [\"pytest\"]\nlint = [\"ruff\"]\n\n[tool.x]\n");
}

static void test_add_refused(void **state)
{
	struct util_buf out = UTIL_BUF_INIT;
	struct pl_error err;
	static const char inline_project[] = "project = { name = \"d\" }\n";

	(void)state;
	assert_int_equal(pyedit_add(multi, strlen(multi), "pyproject.toml", PYEDIT_DEPENDENCIES, NULL, "a >=< 1", &out,
				    &err), -1);
	assert_non_null(strstr(err.msg, "is not a requirement"));
	assert_int_equal(pyedit_add("x = 1\n", 6, "pyproject.toml", PYEDIT_DEPENDENCIES, NULL, "a", &out, &err), -1);
	assert_non_null(strstr(err.msg, "no [project] table"));
	assert_int_equal(pyedit_add(inline_project, strlen(inline_project), "pyproject.toml", PYEDIT_DEPENDENCIES,
				    NULL, "a", &out, &err), -1);
	assert_non_null(strstr(err.msg, "by hand"));
	/* [project] made only by a dotted header is not its own section. */
	static const char implicit[] = "[project.urls]\nhome = \"x\"\ndependencies = []\n";
	assert_int_equal(pyedit_add(implicit, strlen(implicit), "pyproject.toml", PYEDIT_DEPENDENCIES, NULL, "a", &out,
				    &err), -1);
	assert_non_null(strstr(err.msg, "by hand"));
	util_buf_free(&out);
}

static void test_remove(void **state)
{
	(void)state;
	removes(multi, "REQUESTS", 1,
		"# my project\n[project]\nname = \"demo\"  # the name\ndependencies = [\n  \"Rich\",\n]\n\n"
		"[tool.other]\nx = 1\n");
	removes("[project]\ndependencies = [\"a\", \"b\", \"c\"]\n", "b", 1, "[project]\ndependencies = [\"a\", \"c\"]\n");
	removes("[project]\ndependencies = [\"a\", \"b\"]\n", "b", 1, "[project]\ndependencies = [\"a\"]\n");
	removes("[project]\ndependencies = [\"b\"]\n", "b", 1, "[project]\ndependencies = []\n");
	removes("[project]\ndependencies = [\n    \"a\",\n    \"b\"\n]\n", "b", 1,
		"[project]\ndependencies = [\n    \"a\"\n]\n");
	removes("[project]\ndependencies = [\"b>=1; python_version < '3.12'\", \"b\"]\n"
		"[project.optional-dependencies]\nx = [\"b[socks]\"]\n[dependency-groups]\ndev = [{include-group = \"x\"}, \"b\"]\n",
		"b", 4, "[project]\ndependencies = []\n[project.optional-dependencies]\nx = []\n"
		"[dependency-groups]\ndev = [{include-group = \"x\"}]\n");
	removes(multi, "absent", 0, multi);
	/* TOML allows line breaks and comments between an element and its
	 * comma; the comma still goes with the element, and a comma inside a
	 * comment is no separator. */
	removes("[project]\ndependencies = [\n  \"a\",\n  \"b\"\n,\n]\n", "b", 1, "[project]\ndependencies = [\n  \"a\",\n]\n");
	removes("[project.optional-dependencies]\nx = [\"b\"\t\n\n,\n\t]\n", "b", 1,
		"[project.optional-dependencies]\nx = [\n\t]\n");
	removes("[project]\ndependencies = [\"b\" # note\n, \"a\"]\n", "b", 1, "[project]\ndependencies = [\"a\"]\n");
	removes("[project]\ndependencies = [\"a\", # x, y\n  \"b\"]\n", "b", 1,
		"[project]\ndependencies = [\"a\" # x, y\n  ]\n");
	removes("[project]\ndependencies = [\"a\", # x, y\n  \"b\", # z\n  \"b\"\n]\n", "b", 2,
		"[project]\ndependencies = [\"a\", # x, y\n]\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_multiline),
		cmocka_unit_test(test_add_inline_and_new),
		cmocka_unit_test(test_add_refused),
		cmocka_unit_test(test_remove),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
