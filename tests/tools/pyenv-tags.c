/* Prints the wheel tags pylock computes for an interpreter, best first, one
 * per line: tests compare them with what pip's own `packaging` says.
 * Usage: pyenv-tags PYTHON [WHEEL-FILE-NAME...] (with names: their ranks) */
#include "config.h"

#include <stdio.h>

#include "pyenv.h"

int main(int argc, char **argv)
{
	struct pyenv py;
	struct pl_error err;

	if (argc < 2 || pyenv_load(argv[1], &py, &err) < 0) {
		fprintf(stderr, "pyenv-tags: %s\n", argc < 2 ? "usage: pyenv-tags PYTHON [WHEEL...]" : err.msg);
		return 2;
	}
	if (argc == 2)
		for (size_t i = 0; i < py.ntags; i++)
			puts(py.tags[i]);
	for (int i = 2; i < argc; i++)
		printf("%ld %s\n", pyenv_wheel_rank(&py, argv[i]), argv[i]);
	pyenv_fini(&py);
	return 0;
}
