/* lockgen: a project's pyproject.toml declaration resolved into a PEP 751
 * lock. Its dependencies, every extra and every dependency group (PEP 735,
 * include-group followed) are solved together by PubGrub, once per target
 * environment, among the versions whose files the trust policy admits
 * (candidates); the results become one lock whose package entries carry
 * the markers that select them (the environments, PEP 751's `extras` /
 * `dependency_groups`). */
#ifndef PYLOCK_LOCKGEN_H
#define PYLOCK_LOCKGEN_H

#include <stdbool.h>
#include <stddef.h>

#include "candidates.h"
#include "lock.h"
#include "project.h"
#include "pyenv.h"
#include "util.h"

#define LOCKGEN_MAX_ENVS 32

struct lockgen_options {
	const struct project *proj;
	const struct pyenv *py;		/* this interpreter: the default environment */
	struct candidates *cands;
	const struct lock *previous;	/* its versions are preferred; may be NULL */
	bool upgrade_all;
	char *const *upgrade;		/* names whose preference is lifted */
	size_t nupgrade;
	bool prerelease;		/* pre-releases as any other version */
	bool allow_unverified;		/* noted in [tool.pylock] */
	char *const *envs;		/* environment markers; none: this interpreter's */
	size_t nenvs;
};

struct lockgen_stats {
	size_t decisions, conflicts, incompatibilities, packages;
};

/* 0: out holds the lock (deterministic layout); 1: no solution, why says
 * why in sentences; -1: err (an index that cannot be read, a marker that
 * names no environment, a requirement pylock cannot lock). */
int lockgen_run(const struct lockgen_options *o, struct util_buf *out, struct util_buf *why,
		struct lockgen_stats *stats, struct pl_error *err);

#endif
