#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "project.h"
#include "scratch.h"


static void test_load_pyproject(void **state)
{
	struct pl_error err;
	struct project *p;

	put("pyproject.toml",
	    "[project]\nname = 'Web.App'\nversion = '1.2'\nrequires-python = '>=3.9'\n"
	    "dependencies = ['requests>=2', 'attrs']\n"
	    "[project.optional-dependencies]\nsocks = ['pysocks']\n"
	    "[dependency-groups]\ndev = ['pytest', {include-group = 'lint'}]\nlint = ['ruff']\n"
	    "[tool.pylock]\npython = '/usr/bin/python3'\n");
	p = project_load(dir, &err);
	assert_non_null(p);
	assert_string_equal(p->name, "Web.App");
	assert_string_equal(p->version, "1.2");
	assert_string_equal(p->requires_python, ">=3.9");
	assert_int_equal(p->ndependencies, 2);
	assert_string_equal(p->dependencies[0], "requests>=2");
	assert_int_equal(p->nextras, 1);
	assert_string_equal(p->extras[0].name, "socks");
	assert_int_equal(p->extras[0].n, 1);
	assert_non_null(toml_get(p->dependency_groups, "lint"));
	assert_string_equal(toml_get(p->tool_pylock, "python")->u.str.ptr, "/usr/bin/python3");
	assert_non_null(strstr(p->lock_path, "/pylock.toml"));
	project_free(p);
}

static void test_bad_pyproject(void **state)
{
	struct pl_error err;

	put("pyproject.toml", "[project]\nname = 'ok'\ndependencies = ['a', 3]\n");
	assert_null(project_load(dir, &err));
	assert_int_equal(err.line, 3);
	assert_int_equal(err.col, 22);
	assert_non_null(strstr(err.msg, "strings only"));
	put("pyproject.toml", "[dependency-groups]\ndev = [{include = 'x'}]\n");
	assert_null(project_load(dir, &err));
	assert_int_equal(err.line, 2);
	put("pyproject.toml", "[project]\nname = '-bad-'\n");
	assert_null(project_load(dir, &err));
	assert_non_null(strstr(err.msg, "valid package name"));
}

static void test_locate(void **state)
{
	struct pl_error err;
	char sub[128], *root;

	put("pyproject.toml", "[project]\nname = 'x'\n");
	snprintf(sub, sizeof(sub), "%s/a/b", dir);
	assert_int_equal(util_mkdir_p(sub, 0755, &err), 0);
	root = project_locate(sub, &err);
	assert_non_null(root);
	assert_string_equal(root, dir);
	free(root);
	/* A folder holding only a named lock (pylock.NAME.toml) is a project too. */
	snprintf(sub, sizeof(sub), "%s/a/pylock.web.toml", dir);
	put("a/pylock.web.toml", "");
	snprintf(sub, sizeof(sub), "%s/a/b", dir);
	root = project_locate(sub, &err);
	assert_string_equal(root + strlen(root) - 2, "/a");
	free(root);
	/* Without pyproject.toml the folder names the project. */
	snprintf(sub, sizeof(sub), "%s/a", dir);
	struct project *p = project_load(sub, &err);
	assert_string_equal(p->name, "a");
	assert_null(p->pyproject_path);
	project_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_pyproject, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_pyproject, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locate, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
