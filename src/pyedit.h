/* pyedit: requirement lists of a pyproject.toml edited in its own text —
 * [project] dependencies, an optional-dependencies extra, a dependency
 * group — so that comments, order, quoting and layout stay as they were;
 * only the element added or removed (and the comma beside it) changes. */
#ifndef PYLOCK_PYEDIT_H
#define PYLOCK_PYEDIT_H

#include <stddef.h>

#include "util.h"

enum pyedit_list {
	PYEDIT_DEPENDENCIES,	/* [project] dependencies */
	PYEDIT_OPTIONAL,	/* [project.optional-dependencies] NAME */
	PYEDIT_GROUP,		/* [dependency-groups] NAME */
};

/* Adds requirement (checked as PEP 508) to a list of the file text (path
 * names it in errors), replacing the element that names the same project
 * when there is one, creating the key or table when missing. out gets the
 * new text. */
int pyedit_add(const char *text, size_t len, const char *path, enum pyedit_list list, const char *name,
	       const char *requirement, struct util_buf *out, struct pl_error *err);
/* Removes every requirement naming project (any spelling) from every list;
 * *removed counts them (0: out is the text unchanged). */
int pyedit_remove(const char *text, size_t len, const char *path, const char *project, struct util_buf *out,
		  size_t *removed, struct pl_error *err);

#endif
