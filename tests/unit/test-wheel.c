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
#include <zip.h>
#include <cmocka.h>

#include "scratch.h"
#include "trust.h"
#include "wheel.h"

/* Wheels made here member by member: each test changes one thing of a
 * good wheel and checks what wheel_install makes of it. */

struct member {
	const char *name, *data;
	bool unlisted;		/* left out of RECORD */
	const char *hash;	/* RECORD's hash instead of the real one */
};

static const char meta[] = "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n";
static const char wheel_v1[] = "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n";

static void record_hash(const char *data, struct util_buf *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	struct pl_error err;
	struct trust_sha256 *h = trust_sha256_new(&err);
	unsigned char raw[33] = { 0 };
	char hex[65];

	trust_sha256_update(h, data, strlen(data));
	trust_sha256_final(h, hex);
	for (int i = 0; i < 32; i++) {
		char pair[3] = { hex[2 * i], hex[2 * i + 1], 0 };
		raw[i] = (unsigned char)strtoul(pair, NULL, 16);
	}
	util_buf_puts(out, "sha256=");
	for (int i = 0; i < 32; i += 3) {
		uint32_t v = (uint32_t)raw[i] << 16 | (uint32_t)raw[i + 1] << 8 | (i + 2 < 32 ? raw[i + 2] : 0);
		util_buf_putc(out, a[v >> 18 & 63]);
		util_buf_putc(out, a[v >> 12 & 63]);
		util_buf_putc(out, a[v >> 6 & 63]);
		if (i + 2 < 32)
			util_buf_putc(out, a[v & 63]);
	}
}

/* Installs a wheel of the given members (plus METADATA and WHEEL unless
 * given) into dir/dest; the install's result, with err. */
static int install(const struct member *m, size_t n, struct pl_error *err)
{
	char whl[160], dest[160];
	struct util_buf record = UTIL_BUF_INIT;
	struct member all[32];
	size_t total = 0;
	int zerr;
	bool has_meta = false, has_wheel = false;

	for (size_t i = 0; i < n; i++) {
		all[total++] = m[i];
		has_meta |= !strcmp(m[i].name, "demo-1.0.dist-info/METADATA");
		has_wheel |= !strcmp(m[i].name, "demo-1.0.dist-info/WHEEL");
	}
	if (!has_meta)
		all[total++] = (struct member){ "demo-1.0.dist-info/METADATA", meta, false, NULL };
	if (!has_wheel)
		all[total++] = (struct member){ "demo-1.0.dist-info/WHEEL", wheel_v1, false, NULL };
	snprintf(whl, sizeof(whl), "%s/demo-1.0-py3-none-any.whl", dir);
	snprintf(dest, sizeof(dest), "%s/dest", dir);
	struct pl_error e2;
	util_remove_tree(dest, &e2);
	mkdir(dest, 0755);
	unlink(whl);
	zip_t *z = zip_open(whl, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	assert_non_null(z);
	for (size_t i = 0; i < total; i++) {
		zip_source_t *src = zip_source_buffer(z, all[i].data, strlen(all[i].data), 0);
		assert_true(zip_file_add(z, all[i].name, src, 0) >= 0);
		if (all[i].unlisted)
			continue;
		util_buf_printf(&record, "%s,", all[i].name);
		if (all[i].hash)
			util_buf_puts(&record, all[i].hash);
		else
			record_hash(all[i].data, &record);
		util_buf_printf(&record, ",%zu\n", strlen(all[i].data));
	}
	util_buf_puts(&record, "demo-1.0.dist-info/RECORD,,\n");
	zip_source_t *src = zip_source_buffer(z, record.data, record.len, 0);
	assert_true(zip_file_add(z, "demo-1.0.dist-info/RECORD", src, 0) >= 0);
	assert_int_equal(zip_close(z), 0);
	util_buf_free(&record);
	return wheel_install(whl, "demo-1.0-py3-none-any.whl", dest, "3.11", "/opt/venv", err);
}

static bool installed(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/dest/%s", dir, rel);
	return access(path, F_OK) == 0;
}

static void test_good(void **state)
{
	const struct member m[] = {
		{ "demo/__init__.py", "X = 1\n", false, NULL },
		{ "demo/__pycache__/__init__.cpython-311.pyc", "stale", false, NULL },
		{ "demo-1.0.data/scripts/tool", "#!python\nprint(1)\n", false, NULL },
		{ "demo-1.0.dist-info/entry_points.txt", "[console_scripts]\ndemo = demo:main\n", false, NULL },
	};
	struct pl_error err;

	(void)state;
	assert_int_equal(install(m, sizeof(m) / sizeof(m[0]), &err), 0);
	assert_true(installed("lib/python3.11/site-packages/demo/__init__.py"));
	assert_true(installed("lib/python3.11/site-packages/demo-1.0.dist-info/RECORD"));
	assert_true(installed("lib/python3.11/site-packages/demo-1.0.dist-info/INSTALLER"));
	assert_true(installed("bin/tool"));
	assert_true(installed("bin/demo"));
	/* Shipped bytecode is not installed: pylock compiles its own. */
	assert_false(installed("lib/python3.11/site-packages/demo/__pycache__/__init__.cpython-311.pyc"));
}

static void test_refused(void **state)
{
	static const struct {
		struct member m;
		const char *why;
	} cases[] = {
		{ { "../escaped.py", "x", false, NULL }, "would be written outside the environment" },
		{ { "/tmp/absolute.py", "x", false, NULL }, "would be written outside the environment" },
		{ { "demo/a\\b.py", "x", false, NULL }, "would be written outside the environment" },
		/* libzip reads a name without the UTF-8 flag as CP437 (as Python's
		 * zipfile does): the escape becomes a printable arrow, which RECORD
		 * does not list. */
		{ { "demo/\x1b[31m.py", "x", false, NULL }, "is not in RECORD" },
		{ { "demo/m.py", "x", true, NULL }, "is not in RECORD" },
		{ { "demo/m.py", "x", false, "sha256=AAAA" }, "does not match its RECORD hash" },
		{ { "demo-1.0.data/elsewhere/x.py", "x", false, NULL }, "unknown .data scheme" },
		{ { "demo-1.0.data/data/pylock-env.json", "{}", false, NULL }, "which the environment reserves" },
		{ { "demo-1.0.data/data/pyvenv.cfg", "x", false, NULL }, "which the environment reserves" },
		{ { "demo-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: other\nVersion: 1.0\n", false, NULL },
		  "its METADATA names the project 'other'" },
		{ { "demo-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: demo\nVersion: 1.1\n", false, NULL },
		  "its METADATA gives the version '1.1'" },
		{ { "demo-1.0.dist-info/WHEEL", "Wheel-Version: 2.0\n", false, NULL }, "unsupported Wheel-Version" },
		{ { "demo-1.0.dist-info/WHEEL", "Wheel-Version: 1abc\n", false, NULL }, "malformed Wheel-Version" },
		{ { "demo-1.0.dist-info/WHEEL", "Wheel-Version: 01.0\n", false, NULL }, "malformed Wheel-Version" },
		{ { "demo-1.0.dist-info/WHEEL", "Generator: x\n", false, NULL }, "malformed Wheel-Version" },
		{ { "demo-1.0.dist-info/entry_points.txt", "[console_scripts]\nbad\x07name = demo:main\n", false, NULL },
		  "not a safe script name" },
		{ { "demo-1.0.dist-info/entry_points.txt", "[console_scripts]\n../up = demo:main\n", false, NULL },
		  "not a safe script name" },
	};
	struct pl_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pl_error_clear(&err);
		assert_int_equal(install(&cases[i].m, 1, &err), -1);
		assert_non_null(strstr(err.msg, cases[i].why));
		assert_false(installed("../escaped.py"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
