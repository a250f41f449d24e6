/* libFuzzer target: the TOML reader and writer on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pl_error err;
	struct toml_doc *doc = toml_parse((const char *)data, size, "fuzz", &err);

	if (doc) {
		struct util_buf b = UTIL_BUF_INIT;

		toml_write_value(&b, toml_root(doc));
		util_buf_free(&b);
		toml_free(doc);
	}
	return 0;
}
