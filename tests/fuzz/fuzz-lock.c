/* libFuzzer target: the pylock.toml reader, and the writer on what it accepts
 * (whose output must read back). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "lock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pl_error err;
	struct lock *lock = lock_parse((const char *)data, size, "fuzz", &err);

	if (lock) {
		struct util_buf b = UTIL_BUF_INIT;
		struct lock *again;

		lock_write(lock, &b);
		again = lock_parse(util_buf_str(&b), b.len, "fuzz-again", &err);
		if (!again)
			abort();	/* what pylock writes, pylock must read */
		lock_free(again);
		util_buf_free(&b);
		lock_free(lock);
	}
	return 0;
}
