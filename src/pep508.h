/* pep508: environment markers ("Dependency specifiers", PEP 508, with the
 * `extras` and `dependency_groups` sets PEP 751 adds), and project names
 * ("Names and normalization"). */
#ifndef PYLOCK_PEP508_H
#define PYLOCK_PEP508_H

#include <stdbool.h>
#include <stddef.h>

#include "pep440.h"

#define PEP508_MAX_MARKER 65536	/* bytes */
#define PEP508_MAX_DEPTH 64	/* parentheses */
#define PEP508_MAX_NAME 256

enum pep508_var {
	PEP508_PYTHON_VERSION,
	PEP508_PYTHON_FULL_VERSION,
	PEP508_OS_NAME,
	PEP508_SYS_PLATFORM,
	PEP508_PLATFORM_RELEASE,
	PEP508_PLATFORM_SYSTEM,
	PEP508_PLATFORM_VERSION,
	PEP508_PLATFORM_MACHINE,
	PEP508_PLATFORM_PYTHON_IMPLEMENTATION,
	PEP508_IMPLEMENTATION_NAME,
	PEP508_IMPLEMENTATION_VERSION,
	PEP508_EXTRA,
	PEP508_VAR_COUNT,
	/* sets, tested with `in` / `not in` */
	PEP508_EXTRAS = PEP508_VAR_COUNT,
	PEP508_DEPENDENCY_GROUPS,
};

/* What markers are evaluated against; NULL strings read as "". */
struct pep508_env {
	const char *vars[PEP508_VAR_COUNT];
	const char *const *extras;
	size_t n_extras;
	const char *const *groups;
	size_t n_groups;
};

struct pep508_marker;

/* Parses a marker expression. Returns NULL with *why and *offset (the byte
 * where it went wrong) on error. */
struct pep508_marker *pep508_parse(const char *s, const char **why, size_t *offset);
void pep508_free(struct pep508_marker *m);
/* Evaluates; comparisons the spec leaves undefined are false. */
bool pep508_eval(const struct pep508_marker *m, const struct pep508_env *env);
const char *pep508_var_name(enum pep508_var var);

/* A requirement ("name[extra,...] (>=1, <2) ; marker" or
 * "name[...] @ URL ; marker"), as [project] dependencies and Requires-Dist
 * write them. */
#define PEP508_MAX_EXTRAS 64

struct pep508_requirement {
	char name[PEP508_MAX_NAME];		/* as written */
	char extras[PEP508_MAX_EXTRAS][PEP508_MAX_NAME];
	size_t nextras;
	struct pep440_specset spec;		/* empty when none, or a URL is given */
	char *url;				/* after '@', NULL when none */
	struct pep508_marker *marker;		/* NULL when none */
	size_t head_len;			/* the text before the marker's ';', blanks trimmed */
	size_t marker_at;			/* where the marker's text starts (0: none) */
};

/* Parses a requirement. -1 with *why and *offset (the byte where it went
 * wrong) when it is not one; free with pep508_requirement_fini. */
int pep508_requirement_parse(const char *s, struct pep508_requirement *r, const char **why, size_t *offset);
void pep508_requirement_fini(struct pep508_requirement *r);

/* Project names: valid per the spec's regular expression, and normalised
 * (lower case, runs of -_. as one -). out must hold strlen(name)+1. */
bool pep508_valid_name(const char *name);
void pep508_normalize_name(const char *name, char *out);
bool pep508_is_normalized(const char *name);

#endif
