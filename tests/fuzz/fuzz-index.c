/* libFuzzer target: a simple index's project page, as PEP 503 HTML or (when
 * the input starts with '{') PEP 691 JSON. Every link it keeps must have a
 * safe file name that is its URL's last component. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct registry *r;
	struct registry_page page;
	struct pl_error err;
	char *text = malloc(size + 1);

	if (!r)
		r = registry_new(NULL, &err);
	memcpy(text, data, size);
	text[size] = '\0';
	int rc = size && data[0] == '{'
		? registry_page_parse_json(r, text, size, "https://idx.example/simple/p/", &page, &err)
		: registry_page_parse_html(r, text, size, "https://idx.example/simple/p/", &page, &err);
	for (size_t i = 0; rc == 0 && i < page.n; i++) {
		const char *name = page.links[i].filename, *last = strrchr(page.links[i].url, '/');
		if (!name[0] || strchr(name, '/') || strstr(name, "..") || name[0] == '.' || !last ||
		    strncmp(page.links[i].url, "https:", 6))
			abort();
	}
	if (rc == 0)
		registry_page_fini(&page);
	free(text);
	return 0;
}
