/* A scratch folder for one unit test: made by setup(), removed by
 * teardown(), filled by put(). Include after <cmocka.h>. */
#ifndef PYLOCK_TEST_SCRATCH_H
#define PYLOCK_TEST_SCRATCH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/pylock-unit.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* Writes text to dir/rel, making its folders. */
static inline void put(const char *rel, const char *text)
{
	char path[256];
	struct pl_error err;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	*strrchr(path, '/') = '\0';
	assert_int_equal(util_mkdir_p(path, 0755, &err), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_int_equal(util_write_atomic(path, text, strlen(text), 0644, &err), 0);
}

#endif
