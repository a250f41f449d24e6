/* libFuzzer target: the pylock.toml reader, and the writer on what it accepts
 * (whose output must read back); the layout-keeping writer, which given the
 * lock it read, unchanged, gives back the input's bytes; the 3-way merge of
 * the lock with itself, read with its text, which must read as it; and its
 * packages written in the style read off the input, which must read back as
 * the same packages. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lock.h"
#include "lockdiff.h"

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
		util_buf_truncate(&b, 0);
		lock_write_update((const char *)data, size, lock, lock, NULL, 0, &b);
		/* A file whose entries the scan cannot tell apart is rewritten
		 * whole (lock_write), and must then read back. */
		if (b.len != size || memcmp(b.data, data, size)) {
			struct util_buf whole = UTIL_BUF_INIT;
			lock_write(lock, &whole);
			if (whole.len != b.len || memcmp(whole.data, b.data, b.len))
				abort();
			util_buf_free(&whole);
		}
		util_buf_truncate(&b, 0);
		if (lock_keep_text(lock, (const char *)data, size)) {
			struct lockdiff_merge m;
			lockdiff_merge3(NULL, lock, lock, &m);
			if (m.conflicts)
				abort();	/* the same lock on both sides */
			lockdiff_merge_write(&m, &b);
			if (!lock_reads_as(b.data, b.len, lock))
				abort();
			lockdiff_merge_fini(&m);
		}
		util_buf_truncate(&b, 0);
		struct lock_style st = { .known = false };
		lock_style_read(&st, (const char *)data, size);
		util_buf_puts(&b, "lock-version = '1.0'\ncreated-by = 'fuzz'\n");
		for (size_t i = 0; i < lock->npackages; i++) {
			util_buf_putc(&b, '\n');
			lock_write_package_styled(&lock->packages[i], &st, &b);
		}
		again = lock_parse(util_buf_str(&b), b.len, "fuzz-styled", &err);
		if (!again || !lock_same_packages(lock->packages, lock->npackages, again->packages, again->npackages))
			abort();
		lock_free(again);
		util_buf_free(&b);
		lock_free(lock);
	}
	return 0;
}
