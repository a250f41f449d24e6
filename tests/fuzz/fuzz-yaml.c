/* libFuzzer target: the YAML reader of config.yaml, policy.yaml and themes.
 * Whatever the input, a tree it returns has scalars without NUL, maps of
 * key/value pairs whose keys are plain values given once, and every key
 * is found again by yamlconf_get (the hash index of big maps included). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "yamlconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct yamlconf_node *n)
{
	if (n->kind == YAMLCONF_SCALAR) {
		if (!n->scalar)
			abort();
		return;
	}
	if (n->kind == YAMLCONF_MAP && n->n % 2)
		abort();
	for (size_t i = 0; i < n->n; i++) {
		const struct yamlconf_node *c = n->items[i];
		if (n->kind == YAMLCONF_MAP && i % 2 == 0 &&
		    (c->kind != YAMLCONF_SCALAR || yamlconf_get(n, c->scalar) != n->items[i + 1]))
			abort();
		check(c);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pl_error err;
	struct yamlconf_node *root;

	if (size > YAMLCONF_MAX_SIZE)
		return 0;
	root = yamlconf_parse((const char *)data, size, "fuzz.yaml", &err);
	if (root) {
		check(root);
		yamlconf_free(root);
	} else if (!err.msg[0]) {
		abort();
	}
	return 0;
}
