#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sandbox.h"
#include "scratch.h"

/* The profile is data: what pylock run would mount, checked without
 * running it. */

static const struct sandbox_op *op_at(const struct sandbox_profile *p, const char *dst)
{
	const struct sandbox_op *found = NULL;

	for (size_t i = 0; i < p->nops; i++)
		if (!strcmp(p->ops[i].dst, dst))
			found = &p->ops[i];	/* the last one wins, as mounting does */
	return found;
}

static const char *env_of(const struct sandbox_profile *p, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < p->nenv; i++)
		if (!strncmp(p->env[i], name, n) && p->env[i][n] == '=')
			return p->env[i] + n + 1;
	return NULL;
}

static int open_profile(struct sandbox_profile *p, const struct sandbox_settings *s, struct pl_error *err)
{
	char proj[128], home[128];

	snprintf(proj, sizeof(proj), "%s/proj", dir);
	snprintf(home, sizeof(home), "%s/home", dir);
	put("proj/pyproject.toml", "[project]\nname = 'p'\n");
	put("home/secret", "x");
	put("data/file", "x");
	setenv("HOME", home, 1);
	sandbox_profile_init(p);
	return sandbox_default_profile(p, s, proj, "My App!", NULL, err);
}

static void test_default_profile(void **state)
{
	struct sandbox_profile p;
	struct pl_error err;
	char proj[128], data[128], ro[160];
	static const char *const keep[] = { "PYLOCK_TEST_KEPT" };

	(void)state;
	snprintf(data, sizeof(data), "%s/data", dir);
	snprintf(ro, sizeof(ro), "%s:/mnt/data", data);
	const struct sandbox_bind binds[] = { { ro, NULL, 0, 0 } };
	struct sandbox_settings s = { .net_off = true, .ro_binds = binds, .nro_binds = 1, .env_keep = keep,
				      .nenv_keep = 1, .tmpfs_size = 1 << 20 };
	setenv("PYLOCK_TEST_KEPT", "yes", 1);
	setenv("PYLOCK_TEST_DROPPED", "no", 1);
	assert_int_equal(open_profile(&p, &s, &err), 0);
	snprintf(proj, sizeof(proj), "%s/proj", dir);
	assert_int_equal(op_at(&p, "/usr")->kind, SANDBOX_SYSTEM_BIND);
	assert_int_equal(op_at(&p, "/etc")->kind, SANDBOX_SYSTEM_BIND);
	assert_int_equal(op_at(&p, "/proc")->kind, SANDBOX_PROC);
	assert_int_equal(op_at(&p, "/dev")->kind, SANDBOX_DEV);
	assert_int_equal(op_at(&p, "/tmp")->kind, SANDBOX_TMPFS);
	assert_int_equal(op_at(&p, getenv("HOME"))->kind, SANDBOX_TMPFS);	/* the home is hidden */
	assert_int_equal(op_at(&p, proj)->kind, SANDBOX_BIND);			/* only the project writable */
	assert_int_equal(op_at(&p, "/opt/venv")->kind, SANDBOX_RO_TMPFS);	/* no environment built */
	assert_int_equal(op_at(&p, "/mnt/data")->kind, SANDBOX_RO_BIND);
	assert_true(p.net_off);
	assert_string_equal(p.cwd, proj);
	assert_string_equal(p.hostname, "pylock-my-app-");
	assert_string_equal(env_of(&p, "PYLOCK_TEST_KEPT"), "yes");
	assert_null(env_of(&p, "PYLOCK_TEST_DROPPED"));
	assert_string_equal(env_of(&p, "VIRTUAL_ENV"), "/opt/venv");
	assert_string_equal(env_of(&p, "PYLOCK_SANDBOX"), "1");
	assert_non_null(strstr(env_of(&p, "PATH"), "/opt/venv/bin"));
	sandbox_profile_fini(&p);
}

static void test_binds_refused(void **state)
{
	static const struct {
		const char *spec, *file;
		bool ro;
		const char *why;
	} cases[] = {
		{ "/nonexistent/src", "config.yaml", false, "bind source '/nonexistent/src' does not exist" },
		{ "/nonexistent/src", NULL, false, "--bind source '/nonexistent/src' does not exist" },
		{ "/nonexistent/src", NULL, true, "--ro-bind source" },
		{ "DATA:relative", "config.yaml", false, "the destination must be an absolute path" },
		{ "DATA:/mnt/../etc", NULL, false, "without '..'" },
		{ "DATA:/", NULL, true, "not /" },
		{ ":/mnt", NULL, false, "no source folder" },
	};
	struct sandbox_profile p;
	struct pl_error err;
	char spec[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *d = strstr(cases[i].spec, "DATA");
		if (d)
			snprintf(spec, sizeof(spec), "%s/data%s", dir, d + 4);
		else
			snprintf(spec, sizeof(spec), "%s", cases[i].spec);
		const struct sandbox_bind b = { spec, cases[i].file, 7, 5 };
		struct sandbox_settings s = { .binds = cases[i].ro ? NULL : &b, .nbinds = !cases[i].ro,
					      .ro_binds = cases[i].ro ? &b : NULL, .nro_binds = cases[i].ro };
		pl_error_clear(&err);
		assert_int_equal(open_profile(&p, &s, &err), -1);
		assert_non_null(strstr(err.msg, cases[i].why));
		if (cases[i].file) {
			assert_string_equal(err.file, "config.yaml");
			assert_int_equal(err.line, 7);
			assert_int_equal(err.col, 5);
		}
		sandbox_profile_fini(&p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_default_profile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_binds_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
