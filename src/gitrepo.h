/* gitrepo: what pylock asks of a git repository, through libgit2: the
 * branch and its upstream, the state of one path, the tracked files,
 * submodules and linked worktrees. */
#ifndef PYLOCK_GITREPO_H
#define PYLOCK_GITREPO_H

#include <stdbool.h>

#include "util.h"

struct gitrepo;

/* Opens the repository whose work tree (or .git) is exactly path; no
 * search upward. */
int gitrepo_open(const char *path, struct gitrepo **out, struct pl_error *err);
/* Opens the repository whose work tree holds path (searching upward). */
int gitrepo_open_containing(const char *path, struct gitrepo **out, struct pl_error *err);
void gitrepo_free(struct gitrepo *repo);

/* The work tree folder, without a trailing slash. */
const char *gitrepo_workdir(const struct gitrepo *repo);
/* For a linked worktree, the work tree of its main repository (malloc'd);
 * NULL otherwise. */
char *gitrepo_worktree_of(const struct gitrepo *repo);

/* The branch name, "@1a2b3c4" when HEAD is detached; the name of the unborn
 * branch in a repository without commits. malloc'd. */
char *gitrepo_branch(const struct gitrepo *repo, struct pl_error *err);
/* Commits ahead of and behind the branch's upstream; *has_upstream false
 * (and both 0) when there is none. */
int gitrepo_ahead_behind(const struct gitrepo *repo, int *ahead, int *behind,
			 bool *has_upstream, struct pl_error *err);

enum gitrepo_state {
	GITREPO_NONE,		/* neither tracked nor present */
	GITREPO_CLEAN,
	GITREPO_MODIFIED,	/* changed in the work tree */
	GITREPO_STAGED,		/* changed in the index only */
	GITREPO_UNTRACKED,
	GITREPO_CONFLICTED,
};

/* The state of path (relative to the work tree). */
int gitrepo_path_state(const struct gitrepo *repo, const char *path, enum gitrepo_state *state,
		       struct pl_error *err);

/* The content of path (relative to the work tree) at revision rev (HEAD, a
 * branch, a tag, a sha...). Returns 1 when the file does not exist there,
 * 0 with *data malloc'd (NUL-terminated), -1 with err (unknown revision,
 * larger than max). */
int gitrepo_read_at(const struct gitrepo *repo, const char *rev, const char *path, size_t max,
		    char **data, size_t *len, struct pl_error *err);

/* The three conflict stages of path (base, ours, theirs): data[i] malloc'd,
 * or NULL where a stage is absent (no common ancestor, a deletion). Returns
 * 1 when path is not in conflict. */
int gitrepo_conflict(const struct gitrepo *repo, const char *path, size_t max,
		     char *data[3], size_t len[3], struct pl_error *err);
/* Stages path as it is in the work tree, which clears its conflict, and
 * writes the index. */
int gitrepo_stage(const struct gitrepo *repo, const char *path, struct pl_error *err);

/* Calls fn for every path in the index (once, even when in conflict). */
/* The operation under way in the work tree: "merge", "rebase",
 * "cherry-pick", "revert", "am", "bisect", or NULL for none. */
const char *gitrepo_operation(const struct gitrepo *repo);
/* The paths still in conflict in the index, in index order (free each and
 * the array). */
int gitrepo_unmerged(const struct gitrepo *repo, char ***paths, size_t *n, struct pl_error *err);

int gitrepo_foreach_tracked(const struct gitrepo *repo,
			    void (*fn)(const char *path, void *ctx), void *ctx, struct pl_error *err);
/* Calls fn with the work-tree path of every submodule. */
int gitrepo_foreach_submodule(const struct gitrepo *repo,
			      void (*fn)(const char *path, void *ctx), void *ctx);

#endif
