/* resolve: a lockfile left in merge conflict, as the three sides git (or
 * pylock's merge driver) left, merged package by package; the conflicts
 * settled by the caller; the result written atomically and staged. Shared
 * by `pylock resolve` and the terminal UI's Conflicts tab. */
#ifndef PYLOCK_RESOLVE_H
#define PYLOCK_RESOLVE_H

#include "gitrepo.h"
#include "lockdiff.h"
#include "trust.h"

struct resolve {
	struct gitrepo *repo;
	char *lock_path;		/* absolute */
	const char *rel;		/* in the repository */
	struct lock *side[3];		/* base, ours, theirs; NULL where absent */
	struct util_buf text[3];	/* their texts, which the locks keep (lock_keep_text) */
	bool from_index;		/* else from the merge driver's regions */
	struct lockdiff_merge merge;
};

/* Loads and merges. Returns 0, 1 (with err) when the lock is not
 * conflicted, or -1. */
int resolve_open(const char *lock_path, struct resolve *r, struct pl_error *err);
/* Writes the merge (every conflict must be chosen) atomically, in ours'
 * layout (lockdiff_merge_write), and stages it; *kept gets the packages
 * in the result. */
int resolve_commit(struct resolve *r, size_t *kept, struct pl_error *err);

/* What the repository's operation still needs once the lock is staged:
 * the operation under way (gitrepo_operation; NULL: none) and the paths
 * still in conflict. */
struct resolve_next {
	const char *operation;
	char **unmerged;
	size_t nunmerged;
};
int resolve_next(const struct resolve *r, struct resolve_next *next, struct pl_error *err);
void resolve_next_fini(struct resolve_next *next);
/* Concludes a merge that has nothing left in conflict: `git commit
 * --no-edit` (the message git prepared) with the git found on PATH outside
 * the project, its output into out. Returns git's exit status, or -1 with
 * err (no merge under way, conflicts left, no git). */
int resolve_continue(const struct resolve *r, struct util_buf *out, struct pl_error *err);
/* A conflict's candidate checked as pylock verify checks a file. */
struct resolve_candidate {
	size_t item;			/* in r->merge.items */
	int side;			/* LOCKDIFF_BASE, LOCKDIFF_OURS or LOCKDIFF_THEIRS */
	struct trust_result result;
};
/* Checks, for every conflicting package, the first file each side locks:
 * under the policy of the project at root (its own tightening too), for
 * the files the lock names by path (remote ones are left out: nothing is
 * fetched), with the user's hash cache, so that a file checked before is
 * not hashed again. *out is malloc'd (n entries). */
int resolve_check_candidates(const struct resolve *r, const char *root, struct resolve_candidate **out, size_t *n,
			     struct pl_error *err);
void resolve_close(struct resolve *r);

#endif
