/* libFuzzer target: uv.lock import. Whatever the input, no crash; what it
 * converts, with every group and extra, must be a lock pylock reads. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "lock.h"
#include "lockimport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lockimport_options o = { .all_groups = true, .all_extras = true };
	struct util_buf out = UTIL_BUF_INIT;
	struct pl_error err;

	if (lockimport_uv((const char *)data, size, "uv.lock", &o, &out, &err) == 0) {
		struct lock *l = lock_parse(util_buf_str(&out), out.len, "converted", &err);
		if (!l)
			abort();	/* what import writes, pylock must read */
		lock_free(l);
	}
	util_buf_free(&out);
	return 0;
}
