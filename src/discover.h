/* discover: find the Python projects under a set of roots. Repositories are
 * read through git (their index names the projects, so work trees are not
 * walked file by file); folders outside any repository are walked to a
 * bounded depth. Projects are reported as they are found. */
#ifndef PYLOCK_DISCOVER_H
#define PYLOCK_DISCOVER_H

#include <stdbool.h>
#include <stddef.h>

#include "gitrepo.h"
#include "util.h"

enum discover_lock {
	DISCOVER_LOCK_NONE,
	DISCOVER_LOCK_CLEAN,
	DISCOVER_LOCK_MODIFIED,
	DISCOVER_LOCK_STAGED,
	DISCOVER_LOCK_UNTRACKED,
	DISCOVER_LOCK_CONFLICTED,
	DISCOVER_LOCK_PRESENT,		/* outside git: the file exists */
};

struct discover_project {
	char *name;		/* [project].name, else the folder's name */
	char *path;		/* absolute folder */
	char *repo;		/* work tree of its repository; NULL outside git */
	char *branch;		/* NULL outside git */
	bool has_upstream;
	int ahead, behind;
	char *worktree_of;	/* main work tree when repo is a linked worktree */
	char *lock_path;	/* NULL when the project has no lockfile */
	char *lock_name;	/* "dev" for pylock.dev.toml; NULL for pylock.toml */
	enum discover_lock lock;
	/* Without a pylock lock: the other tool's lock the folder holds
	 * ("uv.lock", "poetry", "pdm", "requirements"; lockimport), or NULL. */
	const char *source_format;
	long packages;		/* locked packages; -1 when unknown */
	/* What a sync installs by default: the project's [tool.pylock] groups
	 * and extras, else the lock's default-groups ("a, b"); NULL: none. */
	char *groups, *extras;
};

struct discover_opts {
	const char *const *roots;
	size_t nroots;
	int depth;		/* folders below a root, outside repositories */
	/* Called for each project found; the project is freed after the call
	 * unless the callback takes it (sets *taken). */
	void (*on_project)(struct discover_project *p, bool *taken, void *ctx);
	/* A path that was skipped or only partly read, and why. */
	void (*on_warning)(const char *path, const char *why, void *ctx);
	void *ctx;
};

int discover_run(const struct discover_opts *opts, struct pl_error *err);
void discover_project_free(struct discover_project *p);
const char *discover_lock_name(enum discover_lock lock);
/* The LOCK column's word: the lock's state, or for a project without one
 * the format of the lock it could import ("uv.lock"). */
const char *discover_lock_word(const struct discover_project *p);
/* How lists name a project's row: "NAME", or "NAME [LOCK]" for its
 * pylock.LOCK.toml. */
const char *discover_project_label(const struct discover_project *p, char *buf, size_t size);

#endif
