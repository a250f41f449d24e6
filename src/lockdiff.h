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
};

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

/* Compares old and new (either may be NULL: an absent lock). */
void lockdiff_diff(const struct lock *old, const struct lock *new, struct lockdiff *out);
void lockdiff_fini(struct lockdiff *d);

const char *lockdiff_kind_name(enum lockdiff_kind kind);
/* The flags as words, in a fixed order: "hash-changed" ... */
size_t lockdiff_flag_names(unsigned flags, const char *names[8]);
/* True when a change deserves a reviewer's eye (a hash changed at the same
 * version, or who may publish the package changed). */
int lockdiff_suspicious(const struct lockdiff_change *c);

#endif
