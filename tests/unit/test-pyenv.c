#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pyenv.h"

static void make(struct pyenv *py, const char *machine, int bits, int glibc_minor, bool debug, bool ft)
{
	memset(py, 0, sizeof(*py));
	py->implementation = "cpython";
	py->machine = (char *)machine;
	py->soabi = "";
	py->major = 3;
	py->minor = 11;
	py->pointer_bits = bits;
	py->glibc_major = glibc_minor ? 2 : 0;
	py->glibc_minor = glibc_minor;
	py->debug = debug;
	py->free_threaded = ft;
	pyenv_compute_tags(py);
}

static void drop(struct pyenv *py)
{
	for (size_t i = 0; i < py->ntags; i++)
		free(py->tags[i]);
	free(py->tags);
}

static long index_of(const struct pyenv *py, const char *tag)
{
	for (size_t i = 0; i < py->ntags; i++)
		if (!strcmp(py->tags[i], tag))
			return (long)i;
	return -1;
}

static void test_x86_64_glibc(void **state)
{
	struct pyenv py;

	make(&py, "x86_64", 64, 36, false, false);
	assert_string_equal(py.tags[0], "cp311-cp311-manylinux_2_36_x86_64");
	assert_string_equal(py.tags[py.ntags - 1], "py30-none-any");
	/* Legacy aliases right after their PEP 600 twins. */
	assert_int_equal(index_of(&py, "cp311-cp311-manylinux2014_x86_64"),
			 index_of(&py, "cp311-cp311-manylinux_2_17_x86_64") + 1);
	assert_int_equal(index_of(&py, "cp311-cp311-manylinux1_x86_64"),
			 index_of(&py, "cp311-cp311-manylinux_2_5_x86_64") + 1);
	assert_int_equal(index_of(&py, "cp311-cp311-manylinux_2_4_x86_64"), -1);
	assert_true(index_of(&py, "cp311-cp311-linux_x86_64") > index_of(&py, "cp311-cp311-manylinux1_x86_64"));
	/* abi3 from this version down to 3.2; pure Python after everything binary. */
	assert_true(index_of(&py, "cp32-abi3-linux_x86_64") > 0);
	assert_int_equal(index_of(&py, "cp31-abi3-linux_x86_64"), -1);
	assert_true(index_of(&py, "py3-none-any") > index_of(&py, "py311-none-any"));
	assert_true(index_of(&py, "py311-none-any") > index_of(&py, "cp311-none-any"));

	assert_int_equal(pyenv_wheel_rank(&py, "numpy-2.2.3-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
			 index_of(&py, "cp311-cp311-manylinux_2_17_x86_64"));
	assert_true(pyenv_wheel_rank(&py, "attrs-25.1.0-py3-none-any.whl") >= 0);
	assert_true(pyenv_wheel_rank(&py, "six-1.16.0-py2.py3-none-any.whl") >= 0);
	assert_true(pyenv_wheel_rank(&py, "x-1-1build-cp38-abi3-manylinux_2_28_x86_64.whl") >= 0);
	assert_int_equal(pyenv_wheel_rank(&py, "numpy-2.2.3-cp312-cp312-manylinux_2_17_x86_64.whl"), -1);
	assert_int_equal(pyenv_wheel_rank(&py, "numpy-2.2.3-cp311-cp311-win_amd64.whl"), -1);
	assert_int_equal(pyenv_wheel_rank(&py, "numpy-2.2.3-cp311-cp311-musllinux_1_1_x86_64.whl"), -1);
	assert_int_equal(pyenv_wheel_rank(&py, "numpy-2.2.3-cp311-cp311-manylinux_2_39_x86_64.whl"), -1);
	assert_int_equal(pyenv_wheel_rank(&py, "py2only-1.0-py2-none-any.whl"), -1);
	assert_int_equal(pyenv_wheel_rank(&py, "broken.whl"), -1);
	assert_int_equal(pyenv_wheel_rank(&py, "attrs-25.1.0.tar.gz"), -1);
	drop(&py);
}

static void test_other_platforms(void **state)
{
	struct pyenv py;

	make(&py, "aarch64", 64, 17, false, false);
	assert_string_equal(py.tags[0], "cp311-cp311-manylinux_2_17_aarch64");
	assert_string_equal(py.tags[1], "cp311-cp311-manylinux2014_aarch64");
	assert_string_equal(py.tags[2], "cp311-cp311-linux_aarch64");
	drop(&py);

	make(&py, "x86_64", 32, 31, false, false);	/* 32-bit userland on a 64-bit kernel */
	assert_string_equal(py.tags[0], "cp311-cp311-manylinux_2_31_i686");
	drop(&py);

	make(&py, "x86_64", 64, 0, false, false);	/* no glibc: no manylinux */
	assert_string_equal(py.tags[0], "cp311-cp311-linux_x86_64");
	assert_int_equal(index_of(&py, "cp311-cp311-manylinux_2_17_x86_64"), -1);
	drop(&py);

	make(&py, "x86_64", 64, 36, true, false);
	assert_string_equal(py.tags[0], "cp311-cp311d-manylinux_2_36_x86_64");
	drop(&py);

	make(&py, "x86_64", 64, 36, false, true);	/* free-threaded builds cannot load abi3 */
	assert_string_equal(py.tags[0], "cp311-cp311t-manylinux_2_36_x86_64");
	assert_int_equal(index_of(&py, "cp311-abi3-linux_x86_64"), -1);
	drop(&py);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x86_64_glibc),
		cmocka_unit_test(test_other_platforms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
