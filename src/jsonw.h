/* jsonw: JSON written as it goes into a buffer, laid out as the CLI's other
 * --json output is (two-space indent, keys in the order written), without
 * building a tree first: `pylock show --json` of a 5,000-package lock. */
#ifndef PYLOCK_JSONW_H
#define PYLOCK_JSONW_H

#include <stdbool.h>
#include <stdint.h>

#include "util.h"

#define JSONW_DEPTH 64	/* levels of nesting; pylock writes a handful */

struct jsonw {
	struct util_buf *out;
	int depth;
	size_t count[JSONW_DEPTH];	/* members written at each open level */
	bool keyed;			/* a key was written: its value comes next */
};

void jsonw_init(struct jsonw *w, struct util_buf *out);
void jsonw_object(struct jsonw *w);
void jsonw_array(struct jsonw *w);
/* Closes the innermost object or array. */
void jsonw_end(struct jsonw *w, char close);
void jsonw_key(struct jsonw *w, const char *key);
/* A string, or null for NULL: escaped as JSON requires, and so that it
 * holds no control character (C0, DEL and C1 as \u00XX; bytes that are
 * not UTF-8 as \ufffd), safe on a terminal. */
void jsonw_string(struct jsonw *w, const char *s);
void jsonw_int(struct jsonw *w, int64_t n);
void jsonw_bool(struct jsonw *w, bool b);
void jsonw_null(struct jsonw *w);

#endif
