/* gitguard: git metadata in the trees a sandbox writes. Nothing a sandboxed
 * command writes may make the user's next git command on the host run a
 * program. Before the run, each tree's .git is bound onto itself (a mount
 * point cannot be renamed or replaced), and what git would run or read
 * config from is read-only inside: hooks, config, config.worktree,
 * commondir, worktrees, the submodules' git folders, and the hooks path and
 * included config files that git's configuration puts in the tree (husky,
 * .githooks). After the run, every .git anywhere in the trees is examined:
 * one made or changed while the command ran (a nested repository, a gitfile,
 * a new commondir, a nested repository's config or hooks, a new submodule
 * git folder, an unfinished rebase's todo) is moved aside, where git no
 * longer sees it, and reported. "While the command ran" is the inode change
 * time, which no unprivileged process can set back. */
#ifndef PYLOCK_GITGUARD_H
#define PYLOCK_GITGUARD_H

#include <stddef.h>

#include "util.h"

struct gitguard;
struct sandbox_profile;

/* Bounds: git folders protected before a run (more are still examined
 * after it), folder depth examined after it. */
#define GITGUARD_DIRS_MAX 256
#define GITGUARD_DEPTH_MAX 256

/* A guard for these writable trees (absolute, resolved; copied), its clock
 * started now. */
struct gitguard *gitguard_new(const char *const *trees, size_t ntrees);
void gitguard_free(struct gitguard *g);

/* Adds to p the binds that protect the trees' git metadata. */
void gitguard_protect(struct gitguard *g, struct sandbox_profile *p);

/* After the run: moves aside what changed (see above) and describes each
 * finding on a line of report ("PATH: what; moved to PATH2"). Returns the
 * number of findings. */
size_t gitguard_check(struct gitguard *g, struct util_buf *report);

#endif
