#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>
#include <cmocka.h>

#include "util.h"

static void test_buf_grows_and_formats(void **state)
{
	struct util_buf b = UTIL_BUF_INIT;

	assert_string_equal(util_buf_str(&b), "");
	for (int i = 0; i < 1000; i++)
		util_buf_printf(&b, "%d,", i);
	assert_int_equal(b.len, strlen(b.data));
	assert_memory_equal(b.data, "0,1,2,", 6);
	assert_string_equal(b.data + b.len - 4, "999,");
	util_buf_truncate(&b, 2);
	util_buf_putc(&b, 'x');
	util_buf_puts(&b, "yz");
	assert_string_equal(util_buf_str(&b), "0,xyz");
	char *s = util_buf_steal(&b);
	assert_string_equal(s, "0,xyz");
	assert_null(b.data);
	free(s);
}

static void test_array_push(void **state)
{
	struct util_array a;

	util_array_init(&a, sizeof(long));
	for (long i = 0; i < 100; i++)
		*(long *)util_array_push(&a) = i * i;
	assert_int_equal(a.len, 100);
	assert_int_equal(*(long *)util_array_at(&a, 99), 99 * 99);
	assert_null(util_array_at(&a, 100));
	util_array_free(&a);
}

static void test_error_format(void **state)
{
	struct pl_error err;
	char buf[256];

	pl_error_clear(&err);
	assert_int_equal(pl_error_set(&err, "pylock.toml", 12, 5, "bad %s", "value"), -1);
	assert_string_equal(pl_error_format(&err, buf, sizeof(buf)), "pylock.toml:12:5: bad value");
	pl_error_set(&err, "f", 3, 0, "x");
	assert_string_equal(pl_error_format(&err, buf, sizeof(buf)), "f:3: x");
	pl_error_set(&err, NULL, 0, 0, "plain");
	assert_string_equal(pl_error_format(&err, buf, sizeof(buf)), "plain");
	errno = ENOENT;
	pl_error_errno(&err, "some/file", "cannot open");
	assert_string_equal(pl_error_format(&err, buf, sizeof(buf)),
			    "some/file: cannot open: No such file or directory");
}

static char *make_tmpdir(void)
{
	char tmpl[] = "/tmp/pylock-unit.XXXXXX";
	char *d = mkdtemp(tmpl);

	assert_non_null(d);
	return util_xstrdup(d);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void test_write_atomic(void **state)
{
	char *dir = make_tmpdir(), path[512], *data;
	struct pl_error err;
	struct stat st;
	size_t len;

	snprintf(path, sizeof(path), "%s/pylock.toml", dir);
	assert_int_equal(util_write_atomic(path, "old\n", 4, 0644, &err), 0);
	assert_int_equal(util_write_atomic(path, "new content\n", 12, 0600, &err), 0);
	assert_int_equal(util_read_file(path, 1024, &data, &len, &err), 0);
	assert_string_equal(data, "new content\n");
	free(data);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* No temporary file is left beside it. */
	assert_int_equal(count_entries(dir), 1);

	/* Replacing a folder fails and leaves nothing behind. */
	char sub[600];
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(util_write_atomic(sub, "x", 1, 0644, &err), -1);
	assert_non_null(strstr(err.msg, "cannot replace"));
	assert_int_equal(count_entries(dir), 2);
	rmdir(sub);
	unlink(path);
	rmdir(dir);
	free(dir);
}

static void test_read_file_bounds(void **state)
{
	char *dir = make_tmpdir(), path[512], *data = NULL;
	struct pl_error err;
	size_t len;

	snprintf(path, sizeof(path), "%s/big", dir);
	assert_int_equal(util_write_atomic(path, "0123456789", 10, 0644, &err), 0);
	assert_int_equal(util_read_file(path, 9, &data, &len, &err), -1);
	assert_non_null(strstr(err.msg, "larger than"));
	assert_int_equal(util_read_file(path, 10, &data, &len, &err), 0);
	assert_int_equal(len, 10);
	free(data);
	assert_int_equal(util_read_file(dir, 10, &data, &len, &err), -1);
	assert_int_equal(util_read_file("/nonexistent/x", 10, &data, &len, &err), -1);
	assert_non_null(strstr(err.msg, "No such file"));
	unlink(path);
	rmdir(dir);
	free(dir);
}

static void test_dir_paths(void **state)
{
	struct pl_error err;
	char *p;

	setenv("PYLOCK_HOME", "/srv/pl", 1);
	p = util_dir_path(UTIL_DIR_CONFIG, &err);
	assert_string_equal(p, "/srv/pl/config");
	free(p);
	p = util_dir_path(UTIL_DIR_CACHE, &err);
	assert_string_equal(p, "/srv/pl/cache");
	free(p);
	unsetenv("PYLOCK_HOME");
	setenv("XDG_DATA_HOME", "/x/data", 1);
	setenv("HOME", "/home/u", 1);
	p = util_dir_path(UTIL_DIR_DATA, &err);
	assert_string_equal(p, "/x/data/pylock");
	free(p);
	/* A relative XDG value is invalid and ignored (XDG base directory spec). */
	setenv("XDG_DATA_HOME", "rel", 1);
	p = util_dir_path(UTIL_DIR_DATA, &err);
	assert_string_equal(p, "/home/u/.local/share/pylock");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	p = util_dir_path(UTIL_DIR_CONFIG, &err);
	assert_string_equal(p, "/home/u/.config/pylock");
	free(p);
	unsetenv("HOME");
	assert_null(util_dir_path(UTIL_DIR_CONFIG, &err));
	assert_non_null(strstr(err.msg, "HOME"));
}

static void test_mkdir_p(void **state)
{
	char *dir = make_tmpdir(), path[512];
	struct pl_error err;
	struct stat st;

	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	assert_int_equal(util_mkdir_p(path, 0755, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(util_mkdir_p(path, 0755, &err), 0);
	/* A trailing slash, and a component that is a file: named. */
	snprintf(path, sizeof(path), "%s/a/b/d/e/", dir);
	assert_int_equal(util_mkdir_p(path, 0755, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/a/file", dir);
	close(open(path, O_WRONLY | O_CREAT, 0644));
	snprintf(path, sizeof(path), "%s/a/file/x/y", dir);
	assert_int_equal(util_mkdir_p(path, 0755, &err), -1);
	assert_non_null(strstr(err.msg, "cannot create folder"));
	assert_int_equal(util_remove_tree(dir, &err), 0);
	free(dir);
}

static char *escaped(const char *in, bool final, size_t *took)
{
	struct util_buf out = UTIL_BUF_INIT;

	*took = util_escape_controls(in, strlen(in), final, &out);
	util_buf_str(&out);
	return util_buf_steal(&out);
}

static void test_escape_controls(void **state)
{
	size_t took;
	char *s;

	(void)state;
	s = escaped("a\tb\nc", true, &took);
	assert_string_equal(s, "a\tb\nc");	/* tab and newline stay */
	free(s);
	s = escaped("\033]0;x\007\r\177", true, &took);
	assert_string_equal(s, "\\x1b]0;x\\x07\\x0d\\x7f");
	free(s);
	s = escaped("\xc2\x9b" "31m \xc3\xa9 \xe2\x80\xa6", true, &took);
	assert_string_equal(s, "\\u009b31m \xc3\xa9 \xe2\x80\xa6");	/* C1 escaped, é and … kept */
	free(s);
	s = escaped("\xff \xc0\x80 \xed\xa0\x80", true, &took);
	assert_string_equal(s, "\\xff \\xc0\\x80 \\xed\\xa0\\x80");	/* not UTF-8: overlong, surrogate */
	free(s);
	/* An unfinished sequence waits for the next write, unless final. */
	s = escaped("ok\xe2\x80", false, &took);
	assert_int_equal(took, 2);
	assert_string_equal(s, "ok");
	free(s);
	s = escaped("ok\xe2\x80", true, &took);
	assert_int_equal(took, 4);
	assert_string_equal(s, "ok\\xe2\\x80");
	free(s);
}

static void test_url_host(void **state)
{
	char host[64];

	(void)state;
	assert_true(util_url_host("https://Files.PythonHosted.org/packages/x.whl", host, sizeof(host)));
	assert_string_equal(host, "files.pythonhosted.org");
	assert_true(util_url_host("https://user:secret@evil.example:8443/x", host, sizeof(host)));
	assert_string_equal(host, "evil.example");
	assert_true(util_url_host("https://[::1]:443/simple/", host, sizeof(host)));
	assert_string_equal(host, "[::1]");
	assert_true(util_url_host("https://a.example?q=1", host, sizeof(host)));
	assert_string_equal(host, "a.example");
	assert_false(util_url_host("file:///etc/passwd", host, sizeof(host)));
	assert_false(util_url_host("https:///x", host, sizeof(host)));
	assert_false(util_url_host("https://bad\033host/x", host, sizeof(host)));
	assert_false(util_url_host("https://a-very-long-host-name-that-does-not-fit-in-the-buffer.example/", host, 16));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_grows_and_formats),
		cmocka_unit_test(test_array_push),
		cmocka_unit_test(test_error_format),
		cmocka_unit_test(test_write_atomic),
		cmocka_unit_test(test_read_file_bounds),
		cmocka_unit_test(test_dir_paths),
		cmocka_unit_test(test_mkdir_p),
		cmocka_unit_test(test_escape_controls),
		cmocka_unit_test(test_url_host),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
