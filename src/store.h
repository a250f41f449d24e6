/* store: pylock's content-addressed store (DESIGN.md, "Files and paths"):
 * blobs/sha256/ab/cdef... hold verified files, read-only, each with what
 * vouched for it beside it (cdef....sig, cdef....provenance: trust_sides)
 * when it had any. Nothing enters but through admit, which checks a stage
 * before it is published. */
#ifndef PYLOCK_STORE_H
#define PYLOCK_STORE_H

#include "lock.h"
#include "trust.h"
#include "util.h"

/* How much of a file whose lock gives no size is read (a lock that gives
 * a size is read no further than it). */
#define STORE_UNSIZED_MAX ((uint64_t)4 << 30)

/* A blob being written: a temporary file in the store's stage/ folder (on
 * the same file system, so that the rename that publishes it is atomic),
 * locked while its writer lives: store_clean_stages() removes those whose
 * writer died. */
struct store_stage {
	char *dir, *tmp, *final;
	unsigned sides;		/* bit i: tmp + trust_sides[i].suffix is staged */
	int fd;
};

/* Opens a staging file for a blob named by h, the lock's strongest hash
 * of it (lock_file_best_hash): blobs/ALGO/ab/cdef... */
int store_stage_open(const char *root, const struct lock_hash *h, struct store_stage *s, struct pl_error *err);
/* Stages trust_sides[side] of the file (its .sig or Sigstore evidence, at
 * most that side's max bytes) as tmp + its suffix, where checks find it. */
int store_stage_side(struct store_stage *s, size_t side, const void *data, size_t len, struct pl_error *err);
/* Makes the staged bytes durable and closes the stage's file: what is
 * checked after this is what publish renames (admit checks in between). */
int store_stage_seal(struct store_stage *s, struct pl_error *err);
/* Renames a sealed stage into place (its side files first); *blob gets the
 * stored path. Published or not, nothing temporary is left. */
int store_stage_publish(struct store_stage *s, char **blob, struct pl_error *err);
/* Drops a stage without publishing anything. */
void store_stage_abort(struct store_stage *s);

/* Removes stage files whose writer is gone (a killed sync or verify). */
void store_clean_stages(const char *root);

/* The stored blob for f (by the lock's strongest hash), or NULL when absent. */
char *store_blob(const char *root, const struct lock_file *f);

/* The store's root folder (PYLOCK_HOME/data or XDG_DATA_HOME/pylock). */
char *store_root(struct pl_error *err);

#endif
