/* metadata: core metadata ("Core metadata specifications": METADATA,
 * PKG-INFO, PEP 658 .metadata files), the header fields a resolver needs. */
#ifndef PYLOCK_METADATA_H
#define PYLOCK_METADATA_H

#include <stddef.h>

#include "util.h"

#define METADATA_MAX (1u << 20)		/* bytes */
#define METADATA_MAX_FIELDS 10000	/* Requires-Dist and Provides-Extra lines */

struct metadata {
	char *name, *version;
	char *requires_python;		/* NULL when not given */
	char **requires_dist;
	size_t nrequires;
	char **provides_extra;
	size_t nextras;
	size_t *requires_line;		/* each Requires-Dist's line, for errors */
};

/* Parses the header block (up to the first empty line; folded lines
 * joined). what names the text in errors ("alpha-1.0.metadata:3:1: ...").
 * Name and Version are required. */
int metadata_parse(const char *text, size_t len, const char *what, struct metadata *m, struct pl_error *err);
void metadata_fini(struct metadata *m);

#endif
