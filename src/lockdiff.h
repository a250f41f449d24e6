/* lockdiff: what changed between two locks, in words: packages added,
 * removed, upgraded, downgraded, or changed at the same version (files,
 * hashes, source, marker, dependencies, attestation identities), and the
 * top-level keys. Packages are matched by normalised name, plus marker when
 * a name appears more than once. */
#ifndef PYLOCK_LOCKDIFF_H
#define PYLOCK_LOCKDIFF_H

#include <stddef.h>

#include "lock.h"

enum lockdiff_kind {
	LOCKDIFF_ADDED,
	LOCKDIFF_REMOVED,
	LOCKDIFF_UPGRADED,
	LOCKDIFF_DOWNGRADED,
	LOCKDIFF_CHANGED,	/* same version, something else differs */
	LOCKDIFF_TOP,		/* a top-level key */
};

enum lockdiff_flag {
	LOCKDIFF_FILES_ADDED = 1 << 0,
	LOCKDIFF_FILES_REMOVED = 1 << 1,
	LOCKDIFF_HASH_CHANGED = 1 << 2,	/* same version, same file name, other bytes: suspicious */
	LOCKDIFF_SOURCE_CHANGED = 1 << 3,	/* index, url/path, vcs or directory */
	LOCKDIFF_MARKER_CHANGED = 1 << 4,
	LOCKDIFF_DEPS_CHANGED = 1 << 5,
	LOCKDIFF_ATTESTATIONS_CHANGED = 1 << 6,	/* who may publish it: flagged */
	LOCKDIFF_REQUIRES_PYTHON_CHANGED = 1 << 7,
	LOCKDIFF_HOST_CHANGED = 1 << 8,	/* a url on a host the old lock (package) did not name: flagged */
	LOCKDIFF_VCS_COMMIT_CHANGED = 1 << 9,	/* a vcs entry pinned to another commit */
	LOCKDIFF_TOOL_CHANGED = 1 << 10,	/* the package's [packages.tool] table */
};
#define LOCKDIFF_FLAGS 11

struct lockdiff_change {
	enum lockdiff_kind kind;
	char *name;		/* normalised package name, or the top-level key */
	char *old, *new;	/* versions, or the top-level values as TOML; NULL when absent */
	unsigned flags;
	char *detail;		/* e.g. the file whose hash changed; NULL when none */
};

struct lockdiff {
	struct lockdiff_change *changes;	/* top-level first, then by name */
	size_t n;
};

/* The packages of l (NULL: none) with their keys, sorted by key: the
 * normalised name, "name; marker" for a name listed more than once. */
struct lockdiff_key {
	const struct lock_package *p;
	char *key;
};
struct lockdiff_key *lockdiff_keys(const struct lock *l, size_t *n);
void lockdiff_keys_free(struct lockdiff_key *keys, size_t n);

/* Compares old and new (either may be NULL: an absent lock). */
void lockdiff_diff(const struct lock *old, const struct lock *new, struct lockdiff *out);
void lockdiff_fini(struct lockdiff *d);

const char *lockdiff_kind_name(enum lockdiff_kind kind);
/* The flags as words, in a fixed order: "hash-changed" ... */
size_t lockdiff_flag_names(unsigned flags, const char *names[LOCKDIFF_FLAGS]);
/* True when a change deserves a reviewer's eye (a hash changed at the same
 * version, who may publish the package changed, or its files or index moved
 * to a new host: what a sandbox writing the lock would do to fetch a
 * URL carrying data). */
int lockdiff_suspicious(const struct lockdiff_change *c);

/* ---- 3-way merge (lockdiff-merge.c) ---- */

enum lockdiff_side { LOCKDIFF_BASE, LOCKDIFF_OURS, LOCKDIFF_THEIRS, LOCKDIFF_NEWEST };

/* One package key across the three locks; a side is NULL where the package
 * is absent. */
struct lockdiff_item {
	char *key;
	const struct lock_package *side[3];	/* base, ours, theirs */
	const struct lock_package *chosen;	/* NULL: absent from the result */
	bool conflict;				/* changed differently on both sides */
};

/* A top-level key, or a tool's [tool.NAME] tables, across the three locks. */
struct lockdiff_top_item {
	const char *key;	/* a lock_top_keys entry, or the tool's name */
	bool tool;
	int chosen;		/* enum lockdiff_side of the lock whose value is kept */
	bool conflict;
};

struct lockdiff_merge {
	const struct lock *side[3];	/* base, ours, theirs; base may be NULL */
	struct lockdiff_item *items;	/* in the writer's order */
	size_t n;
	struct lockdiff_top_item *top;	/* spec keys in spec order, then tools */
	size_t ntop;
	size_t conflicts;		/* items and top keys still in conflict */
};

/* A package changed on one side only, or the same way on both, merges by
 * itself; changed differently on both sides it is a conflict that keeps all
 * three versions. Top-level keys merge the same way. */
void lockdiff_merge3(const struct lock *base, const struct lock *ours, const struct lock *theirs,
		     struct lockdiff_merge *m);
/* Settles every remaining conflict with one side (NEWEST: the higher
 * version, ours on a tie or for top-level keys). */
void lockdiff_merge_pick(struct lockdiff_merge *m, enum lockdiff_side side);
/* The merged lock; each conflict as a git-style region (ours, then base
 * after |||||||, then theirs) that lockdiff_split_conflicts() reads back.
 * When ours was read with lock_keep_text, in ours' own layout: what ours
 * says stays byte for byte, what comes from theirs (or base) is its own
 * bytes from its file (lock_keep_text on it too), regions stand where the
 * entry stands; a result that would not read as the merge falls back to
 * pylock's layout. */
void lockdiff_merge_write(const struct lockdiff_merge *m, struct util_buf *out);

/* A dependency the merged lock no longer satisfies: the dependent entry
 * names a package the result lacks, or pins a version the result's entry
 * of that name does not have. */
struct lockdiff_broken {
	const struct lock_package *dependent;
	char *name;		/* the dependency, normalised */
	const char *wanted;	/* the version the dependent's entry pins, or NULL */
	const char *has;	/* the result's version of it; NULL: no entry */
};
/* The broken dependencies of the chosen packages (conflicts still open
 * count as ours); free with lockdiff_broken_free. */
size_t lockdiff_merge_broken(const struct lockdiff_merge *m, struct lockdiff_broken **out);
void lockdiff_broken_free(struct lockdiff_broken *b, size_t n);
/* "alpha 2.0 needs beta 2.0; the lock has beta 1.5" */
void lockdiff_broken_text(const struct lockdiff_broken *b, struct util_buf *out);
/* What differs between two entries of one package (both present), in
 * lockdiff's flag words: "files-added, hash-changed" ..., into out. */
void lockdiff_package_differs(const struct lock_package *a, const struct lock_package *b, struct util_buf *out);
void lockdiff_merge_fini(struct lockdiff_merge *m);

/* Splits text holding conflict regions into the three sides' texts.
 * Returns false when text has no region. Without a ||||||| part the base
 * text gets nothing of the region. */
bool lockdiff_split_conflicts(const char *text, size_t len, struct util_buf out[3]);

/* The lock as a revision has it: rev NULL for the file in the work tree
 * (abs), else REV (the file at rel, relative to the work tree) or REV:PATH.
 * *lock is NULL, and 0 returned, when the file does not exist there. */
struct gitrepo;
int lockdiff_lock_at(const struct gitrepo *repo, const char *rev, const char *rel, const char *abs,
		     struct lock **lock, struct pl_error *err);
/* A revision as `pylock diff` takes it: REV (the work tree against REV) or
 * A..B (B against A; an empty side is HEAD). *old_rev is set; *new_rev is
 * NULL for the work tree. Free both. */
void lockdiff_range(const char *range, char **old_rev, char **new_rev);

#endif
