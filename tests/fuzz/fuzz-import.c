/* libFuzzer target: poetry.lock, pdm.lock and requirements import (the
 * first byte chooses which; the rest is the file). Whatever the input, no
 * crash; the indexes searched are a folder that does not exist, so what
 * converts is what needs no index, and it must be a lock pylock reads. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "lock.h"
#include "lockimport-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *const none[] = { "file:///nonexistent/pylock-fuzz/simple" };
	struct lockimport_options o = { .all_groups = true, .all_extras = true, .indexes = none, .nindexes = 1 };
	struct util_buf out = UTIL_BUF_INIT;
	struct pl_error err;
	int rc;

	if (!size)
		return 0;
	const char *text = (const char *)data + 1;
	switch (data[0] % 3) {
	case 0:
		rc = lockimport_poetry(text, size - 1, "fuzz/poetry.lock", &o, &out, &err);
		break;
	case 1:
		rc = lockimport_pdm(text, size - 1, "fuzz/pdm.lock", &o, &out, &err);
		break;
	default:
		rc = lockimport_requirements(text, size - 1, "fuzz/requirements.txt", &o, &out, &err);
		break;
	}
	if (rc == 0) {
		struct lock *l = lock_parse(util_buf_str(&out), out.len, "converted", &err);
		if (!l)
			abort();	/* what import writes, pylock must read */
		lock_free(l);
	}
	util_buf_free(&out);
	return 0;
}
