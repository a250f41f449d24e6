/* pep440: Python package versions and version specifiers
 * (packaging.python.org, "Version specifiers"). */
#ifndef PYLOCK_PEP440_H
#define PYLOCK_PEP440_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds on hostile input; real versions are far below them. */
#define PEP440_MAX_RELEASE 32
#define PEP440_MAX_LOCAL 128
#define PEP440_MAX_SPECS 32

struct pep440_version {
	uint64_t epoch;
	uint64_t release[PEP440_MAX_RELEASE];
	size_t nrelease;
	char pre_kind;		/* 0, 'a', 'b' or 'c' (rc) */
	uint64_t pre;
	bool has_post, has_dev;
	uint64_t post, dev;
	char local[PEP440_MAX_LOCAL];	/* normalised ("ubuntu.1"), "" when none */
};

/* Parses any form the spec accepts, normalising it. Returns 0, or -1 with
 * *why saying what is wrong. */
int pep440_parse(const char *s, struct pep440_version *v, const char **why);
/* The normalised form, e.g. "1!2.0rc1.post3.dev4+local.1". */
void pep440_format(const struct pep440_version *v, char *buf, size_t size);
/* <0, 0, >0 in the spec's order ("1.0" and "1.0.0" are equal). */
int pep440_compare(const struct pep440_version *a, const struct pep440_version *b);
bool pep440_is_prerelease(const struct pep440_version *v);

enum pep440_op {
	PEP440_COMPATIBLE,	/* ~= */
	PEP440_EQ,		/* == */
	PEP440_NE,		/* != */
	PEP440_LE,		/* <= */
	PEP440_GE,		/* >= */
	PEP440_LT,		/* < */
	PEP440_GT,		/* > */
	PEP440_ARBITRARY,	/* === */
};

struct pep440_spec {
	enum pep440_op op;
	bool wildcard;		/* == V.* or != V.* */
	struct pep440_version version;
	char arbitrary[64];	/* the text after === */
};

struct pep440_specset {
	struct pep440_spec specs[PEP440_MAX_SPECS];
	size_t n;
};

/* "~=1.4.2, !=1.4.5" (an empty string is the set that allows everything). */
int pep440_specset_parse(const char *s, struct pep440_specset *set, const char **why);
/* Whether v satisfies every specifier. Pre-releases are not filtered out:
 * pylock checks locks, it does not pick versions. */
bool pep440_specset_contains(const struct pep440_specset *set, const struct pep440_version *v);
bool pep440_spec_contains(const struct pep440_spec *spec, const struct pep440_version *v);

#endif
