/* relock: a project's lock made again from its pyproject.toml, as pylock
 * lock / add / remove / upgrade and the UI's Packages tab do it: the
 * indexes (the request's, then the policy's registries, else PyPI) and the
 * hosts they may fetch from, the candidates under the project's policy,
 * lockgen, and the lock written atomically only when it changed. An edit of
 * pyproject.toml is relocked the same way, and undone when no lock results. */
#ifndef PYLOCK_RELOCK_H
#define PYLOCK_RELOCK_H

#include <stdbool.h>
#include <stddef.h>

#include "lock.h"
#include "lockgen.h"
#include "projctx.h"

#define RELOCK_MAX_INDEXES 16

struct relock_request {
	char *const *indexes;
	size_t nindexes;
	char *const *envs;
	size_t nenvs;
	char *const *upgrade;
	size_t nupgrade;
	bool upgrade_all, prerelease, allow_unverified;
};

struct relock_result {
	struct lock *before, *after;	/* the lock as it was and as made; NULL when absent */
	bool written;			/* false: up to date, or nothing made */
	char *lock_name;		/* the lock's file name */
	struct util_buf why;		/* no solution: the explanation */
	struct lockgen_stats stats;
	double seconds;
};

/* Relocks c's project (opened with PROJCTX_POLICY | PROJCTX_PYTHON). 0,
 * 1 when there is no solution (r->why says why), -1 with err. */
int relock_project(struct projctx *c, const struct relock_request *req, struct relock_result *r,
		   struct pl_error *err);
/* Writes text as the project in folder dir's pyproject.toml, opens the
 * project (its lock named by lock, may be NULL) and relocks it; when that
 * does not give a lock (1 or -1), old is written back and *restored set. */
int relock_edited(const char *dir, const char *lock, const char *old, size_t oldlen, const char *text, size_t len,
		  const struct relock_request *req, struct relock_result *r, bool *restored, struct pl_error *err);
void relock_result_fini(struct relock_result *r);

#endif
